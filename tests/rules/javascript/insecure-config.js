const session = require("express-session");
const cors = require("cors");

app.use(
  // ruleid: js-session-cookie-insecure
  session({ secret: process.env.SECRET, cookie: { secure: false, maxAge: 3600000 } })
);

app.post("/login", (req, res) => {
  const token = createToken(req.user);
  // ruleid: js-session-cookie-insecure
  res.cookie("auth_token", token, { httpOnly: false, maxAge: 86400000 });
  // ok: js-session-cookie-insecure
  res.cookie("theme", "dark", { httpOnly: false });
  res.sendStatus(204);
});

// ok: js-session-cookie-insecure
app.use(session({ secret: process.env.SECRET, cookie: { secure: true, httpOnly: true, sameSite: "lax" } }));
// ok: js-session-cookie-insecure
app.use(session({ secret: process.env.SECRET, cookie: { secure: process.env.NODE_ENV === "production" } }));

// ruleid: js-cors-credentials-any-origin
app.use(cors({ origin: "*", credentials: true }));
// ruleid: js-cors-credentials-any-origin
app.use(cors({ credentials: true, origin: true }));

app.use((req, res, next) => {
  // ruleid: js-cors-credentials-any-origin
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin);
  res.setHeader("Access-Control-Allow-Credentials", "true");
  next();
});

// ok: js-cors-credentials-any-origin
app.use(cors({ origin: ["https://app.example.com"], credentials: true }));
// ok: js-cors-credentials-any-origin
app.use(cors());

const ALLOWED_ORIGINS = ["https://app.example.com"];
app.use((req, res, next) => {
  if (ALLOWED_ORIGINS.includes(req.headers.origin)) {
    // ok: js-cors-credentials-any-origin
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin);
  }
  next();
});
