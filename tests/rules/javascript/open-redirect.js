const express = require("express");
const app = express();

app.get("/login/callback", (req, res) => {
  const next = req.query.next;
  // ruleid: js-open-redirect-server
  res.redirect(next);
});

app.get("/out", (req, res) => {
  // ruleid: js-open-redirect-server
  res.redirect(302, req.query.url);
});

app.post("/logout", (req, res) => {
  const returnTo = req.body.returnTo || "/";
  req.session.destroy(() => {
    // ruleid: js-open-redirect-server
    res.writeHead(302, { Location: returnTo });
    res.end();
  });
});

router.get("/go", async (ctx) => {
  // ruleid: js-open-redirect-server
  ctx.redirect(ctx.query.target);
});

// ---------- safe ----------
app.get("/safe/callback", (req, res) => {
  const next = req.query.next;
  if (typeof next === "string" && next.startsWith("/") && !next.startsWith("//")) {
    // ok: js-open-redirect-server
    return res.redirect(next);
  }
  // ok: js-open-redirect-server
  res.redirect("/");
});

const ALLOWED = new Set(["/home", "/profile"]);
app.get("/safe/allow", (req, res) => {
  const dest = req.query.dest;
  if (!ALLOWED.has(dest)) {
    return res.redirect("/home");
  }
  // ok: js-open-redirect-server
  res.redirect(dest);
});

app.get("/safe/item", (req, res) => {
  // ok: js-open-redirect-server
  res.redirect("/items/" + req.query.id);
  // ok: js-open-redirect-server
  res.redirect(`https://shop.example.com/cart?item=${req.query.id}`);
});

// ---------- DOM ----------
function afterLogin() {
  const params = new URLSearchParams(window.location.search);
  const redirect = params.get("redirect");
  // ruleid: js-open-redirect-dom
  window.location.href = redirect;
}

function hashNav() {
  // ruleid: js-open-redirect-dom
  location.assign(decodeURIComponent(location.hash.slice(1)));
}

function safeAfterLogin() {
  const params = new URLSearchParams(window.location.search);
  const redirect = params.get("redirect") || "/";
  const u = new URL(redirect, window.location.origin);
  if (u.origin === window.location.origin) {
    // ok: js-open-redirect-dom
    window.location.href = u.href;
  }
  // ok: js-open-redirect-dom
  window.location.href = "/dashboard?tab=" + encodeURIComponent(params.get("tab"));
}

// --- startsWith("/") alone does not stop //evil.example ---
app.get("/go", (req, res) => {
  const to = String(req.query.to || "");
  if (to.startsWith("/")) {
    // ruleid: js-open-redirect-server
    return res.redirect(to);
  }
  res.redirect("/");
});

app.get("/go/v2", (req, res) => {
  const to = String(req.query.to || "");
  if (to.startsWith("/") && !to.startsWith("//")) {
    // ok: js-open-redirect-server
    return res.redirect(to);
  }
  res.redirect("/");
});

app.get("/go/v3", (req, res) => {
  const to = String(req.query.to || "");
  if (to.startsWith("https://shop.example.com/")) {
    // ok: js-open-redirect-server
    return res.redirect(to);
  }
  res.redirect("/");
});

const RETURN_PATHS = ["/account", "/orders"];
app.get("/back", (req, res) => {
  const target = RETURN_PATHS.includes(req.query.to) ? req.query.to : "/account";
  // ok: js-open-redirect-server
  res.redirect(target);
});

app.get("/back/v2", (req, res) => {
  const next = req.query.next;
  const target = next && next.includes("shop.example.com") ? next : "/";
  // ruleid: js-open-redirect-server
  res.redirect(target);
});

app.get("/jump", (req, res) => {
  const to = String(req.query.to || "/");
  // ok: js-open-redirect-server
  res.redirect(isSameOrigin(to) ? to : "/");
});

app.get("/partner", (req, res) => {
  let dest = "/";
  const u = new URL(String(req.query.to));
  if (u.protocol === "https:" && PARTNERS.includes(u.hostname)) dest = u.toString();
  // ok: js-open-redirect-server
  res.redirect(dest);
});

app.get("/leave", (req, res) => {
  req.session.destroy(() => {
    // ruleid: js-open-redirect-server
    res.redirect(req.query.continue || "/");
  });
});
