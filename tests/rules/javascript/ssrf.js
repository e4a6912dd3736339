const express = require("express");
const axios = require("axios");
const http = require("http");
const got = require("got");
const app = express();
const API_BASE = process.env.API_BASE;

app.get("/proxy", async (req, res) => {
  const target = req.query.url;
  // ruleid: js-ssrf-http-client
  const r = await axios.get(target);
  res.send(r.data);
});

app.post("/webhook-test", async (req, res) => {
  const { callbackUrl } = req.body;
  // ruleid: js-ssrf-http-client
  const resp = await fetch(callbackUrl, { method: "POST", body: "{}" });
  res.sendStatus(resp.status);
});

app.get("/image", (req, res) => {
  const host = req.query.host;
  // ruleid: js-ssrf-http-client
  http.get("http://" + host + "/avatar.png", (up) => up.pipe(res));
});

async function preview(req, res) {
  const link = `${req.body.site}/oembed`;
  // ruleid: js-ssrf-http-client
  const data = await got(link).json();
  // ruleid: js-ssrf-http-client
  const d2 = await axios({ method: "get", url: req.query.feed });
  res.json({ data, d2 });
}

exports.handler = async (event) => {
  const u = event.queryStringParameters.target;
  // ruleid: js-ssrf-http-client
  const r = await fetch(u);
  return { statusCode: 200, body: await r.text() };
};

// ---------- safe ----------
app.get("/safe/user", async (req, res) => {
  const id = req.params.id;
  // ok: js-ssrf-http-client
  const r = await axios.get("https://api.example.com/users/" + id);
  // ok: js-ssrf-http-client
  const r2 = await fetch(`https://api.github.com/repos/${req.query.owner}/${req.query.repo}`);
  // ok: js-ssrf-http-client
  const r3 = await axios.get(`${API_BASE}/items/${encodeURIComponent(req.query.item)}`);
  // ok: js-ssrf-http-client
  const r4 = await fetch(`${config.serviceUrl}/orders?id=${req.query.id}`);
  // ok: js-ssrf-http-client
  const r5 = await axios.get("https://api.example.com/search", { params: { q: req.query.q } });
  // ok: js-ssrf-http-client
  const cached = cache.get(req.query.url);
  res.json([r.data, r2.status, r3.data, r4.status, r5.data, cached]);
});

// --- host checked against an allowlist before the request ---
app.get("/avatar", async (req, res) => {
  const target = new URL(req.query.url);
  if (target.protocol !== "https:" || !AVATAR_HOSTS.has(target.hostname)) {
    return res.status(403).send("host not allowed");
  }
  // ok: js-ssrf-http-client
  const response = await axios.get(target.toString());
  res.send(response.data);
});

app.get("/avatar/v0", async (req, res) => {
  const target = new URL(req.query.url);
  // ruleid: js-ssrf-http-client
  const response = await axios.get(target.toString());
  res.send(response.data);
});

exports.deliver = async (event) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    // ruleid: js-ssrf-http-client
    await axios.post(job.webhookUrl, { id: job.id });
  }
};
