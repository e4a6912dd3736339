const express = require("express");
const escapeHtml = require("escape-html");
const app = express();

app.get("/hello", (req, res) => {
  const name = req.query.name;
  // ruleid: js-xss-express-response
  res.send("<h1>Hello " + name + "</h1>");
});

app.get("/search", (req, res) => {
  const { q } = req.query;
  const html = `<p>No results for <b>${q}</b></p>`;
  // ruleid: js-xss-express-response
  res.status(404).send(html);
});

app.get("/echo/:msg", (req, res) => {
  res.writeHead(200, { "Content-Type": "text/html" });
  // ruleid: js-xss-express-response
  res.write("<div>" + req.params.msg + "</div>");
  res.end();
});

app.get("/raw", (req, res) => {
  // ruleid: js-xss-express-response
  res.send(req.query.html);
});

router.get("/koa", async (ctx) => {
  // ruleid: js-xss-express-response
  ctx.body = `<html><body>Welcome ${ctx.query.user}</body></html>`;
});

// ---------- safe ----------
app.get("/safe/hello", (req, res) => {
  // ok: js-xss-express-response
  res.send("<h1>Hello " + escapeHtml(req.query.name) + "</h1>");
  // ok: js-xss-express-response
  res.json({ name: req.query.name });
});

app.get("/safe/obj", (req, res) => {
  // ok: js-xss-express-response
  res.send({ error: "not found", id: req.params.id });
});

app.get("/safe/render", (req, res) => {
  // ok: js-xss-express-response
  res.render("profile", { user: req.query.user });
});

app.get("/safe/text", (req, res) => {
  res.type("text/plain");
  // ok: js-xss-express-response
  res.send("You searched for " + req.query.q);
});

app.get("/safe/num", (req, res) => {
  const page = parseInt(req.query.page, 10);
  // ok: js-xss-express-response
  res.send(`<p>Page ${page}</p>`);
});

router.get("/safe/koa", async (ctx) => {
  // ok: js-xss-express-response
  ctx.body = { user: ctx.query.user };
});

// ---------- DOM ----------
function showGreeting() {
  const params = new URLSearchParams(window.location.search);
  const name = params.get("name");
  // ruleid: js-xss-dom-sink
  document.getElementById("greeting").innerHTML = "Hello, " + name;
  // ruleid: js-xss-dom-sink
  document.write("<p>" + location.hash.substring(1) + "</p>");
  const el = document.querySelector("#msg");
  // ruleid: js-xss-dom-sink
  el.insertAdjacentHTML("beforeend", `<span>${decodeURIComponent(location.hash)}</span>`);
  // ruleid: js-xss-dom-sink
  $("#results").html("<b>" + params.get("q") + "</b>");
  // ruleid: js-xss-dom-sink
  $(location.hash);
}

window.addEventListener("message", (event) => {
  // ruleid: js-xss-dom-sink
  document.getElementById("out").innerHTML = event.data.html;
});

function safeGreeting() {
  const params = new URLSearchParams(window.location.search);
  const name = params.get("name");
  // ok: js-xss-dom-sink
  document.getElementById("greeting").textContent = "Hello, " + name;
  // ok: js-xss-dom-sink
  document.getElementById("greeting2").innerHTML = DOMPurify.sanitize(name);
  // ok: js-xss-dom-sink
  $("#results").text(params.get("q"));
  // ok: js-xss-dom-sink
  document.getElementById("static").innerHTML = "<b>Loading...</b>";
  fetch("/api/news").then((r) => r.json()).then((data) => {
    // ok: js-xss-dom-sink
    document.getElementById("news").innerHTML = data.html;
  });
}

// --- an explicit HTML content type does not make the body safe ---
function greeting(req, res) {
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  // ruleid: js-xss-express-response
  res.status(200).send("<p>Welcome back, " + req.query.name + "!</p>");
}

function greetingText(req, res) {
  res.setHeader("Content-Type", "text/plain");
  // ok: js-xss-express-response
  res.status(200).send("Welcome back, " + req.query.name);
}
