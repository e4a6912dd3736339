const express = require("express");
const serialize = require("node-serialize");
const yaml = require("js-yaml");
const app = express();

app.get("/profile", (req, res) => {
  const raw = Buffer.from(req.cookies.profile, "base64").toString();
  // ruleid: js-node-serialize-unserialize
  const profile = serialize.unserialize(raw);
  res.send("Hello " + escapeHtml(profile.username));
});

app.post("/import", (req, res) => {
  // ruleid: js-yaml-load-request-data
  const doc = yaml.load(req.body.config);
  // ruleid: js-yaml-unsafe-load
  const full = yaml.load(req.body.other, { schema: yaml.DEFAULT_FULL_SCHEMA });
  res.json({ doc, full });
});

// ---------- safe ----------
app.post("/safe/import", (req, res) => {
  // ok: js-yaml-load-request-data
  const doc = yaml.safeLoad(req.body.config);
  // ok: js-node-serialize-unserialize
  const data = JSON.parse(req.body.json);
  // ok: js-yaml-unsafe-load
  const cfg = yaml.load(fs.readFileSync("config.yml", "utf8"), { schema: yaml.JSON_SCHEMA });
  // ok: js-node-serialize-unserialize
  const out = serialize.serialize({ a: 1 });
  res.json({ doc, data, cfg, out });
});
