'use strict';

const express = require('express');
const axios = require('axios');
const got = require('got');
const http = require('http');

const router = express.Router();

const ALLOWED_AVATAR_HOSTS = new Set(['avatars.githubusercontent.com', 'secure.gravatar.com']);

// GET /proxy/image?url=https://...
router.get('/proxy/image', async (req, res) => {
  const response = await axios.get(req.query.url, { responseType: 'stream', timeout: 5000 }); // VULN: ssrf
  res.type(response.headers['content-type'] || 'application/octet-stream');
  response.data.pipe(res);
});

// GET /proxy/avatar?url=https://secure.gravatar.com/avatar/...
router.get('/proxy/avatar', async (req, res) => {
  let target;
  try {
    target = new URL(req.query.url);
  } catch (e) {
    return res.status(400).send('bad url');
  }
  if (target.protocol !== 'https:' || !ALLOWED_AVATAR_HOSTS.has(target.hostname)) {
    return res.status(403).send('host not allowed');
  }
  const response = await axios.get(target.toString(), { responseType: 'stream', maxRedirects: 0 }); // SAFE: ssrf
  response.data.pipe(res);
});

// GET /github/:username
router.get('/github/:username', async (req, res) => {
  const { data } = await axios.get(`https://api.github.com/users/${encodeURIComponent(req.params.username)}`); // SAFE: ssrf
  res.json({ login: data.login, repos: data.public_repos });
});

async function deliver(webhook, event) {
  return got.post(webhook.url, { json: event, timeout: { request: 3000 } }); // VULN: ssrf
}

// POST /webhooks/test  { url: "https://example.com/hook" }
router.post('/webhooks/test', async (req, res) => {
  const hook = { url: req.body.url, secret: null };
  await deliver(hook, { type: 'ping' });
  res.sendStatus(202);
});

// GET /status/:host
router.get('/status/:host', (req, res) => {
  http.get(`http://${req.params.host}:8080/health`, (upstream) => { // VULN: ssrf
    upstream.pipe(res);
  }).on('error', () => res.sendStatus(502));
});

// POST /import/feed { feedUrl }
router.post('/import/feed', async (req, res) => {
  const feedUrl = req.body.feedUrl.trim();
  const response = await fetch(feedUrl, { redirect: 'follow' }); // VULN: ssrf
  res.type('application/xml').send(await response.text());
});

// GET /billing/plans
router.get('/billing/plans', async (req, res) => {
  const base = process.env.BILLING_SERVICE_URL;
  const response = await fetch(`${base}/v1/plans?currency=${encodeURIComponent(req.query.currency || 'USD')}`); // SAFE: ssrf
  res.json(await response.json());
});

// GET /weather?city=Berlin
router.get('/weather', async (req, res) => {
  const body = await got('https://api.open-meteo.com/v1/forecast', { searchParams: { city: req.query.city } }).json(); // SAFE: ssrf
  res.json(body);
});

module.exports = router;
