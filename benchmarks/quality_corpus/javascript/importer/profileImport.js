'use strict';

// Dependencies (package.json): express 4.19, cookie-parser 1.4, node-serialize 0.0.4, js-yaml 3.14
const express = require('express');
const cookieParser = require('cookie-parser');
const serialize = require('node-serialize');
const yaml = require('js-yaml');

const app = express();
app.use(cookieParser());
app.use(express.text({ type: ['text/yaml', 'application/x-yaml', 'text/plain'] }));

// GET /preferences  (preferences are kept in a cookie between visits)
app.get('/preferences', (req, res) => {
  const raw = Buffer.from(req.cookies.prefs || '', 'base64').toString();
  const prefs = raw ? serialize.unserialize(raw) : {}; // VULN: deserialization
  res.json(prefs);
});

// GET /preferences/v2
app.get('/preferences/v2', (req, res) => {
  const raw = Buffer.from(req.cookies.prefs2 || '', 'base64').toString();
  const prefs = raw ? JSON.parse(raw) : {}; // SAFE: deserialization
  res.json({ theme: String(prefs.theme || 'light') });
});

// POST /pipelines/import  (YAML pipeline definitions uploaded by users)
app.post('/pipelines/import', (req, res) => {
  const pipeline = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA }); // VULN: deserialization
  res.json({ steps: (pipeline.steps || []).length });
});

// POST /pipelines/validate
app.post('/pipelines/validate', (req, res) => {
  const pipeline = yaml.safeLoad(req.body); // SAFE: deserialization
  res.json({ ok: Array.isArray(pipeline.steps) });
});

function parseManifest(text) {
  return yaml.load(text); // VULN: deserialization
}

// POST /manifests  (js-yaml 3.x: load() uses DEFAULT_FULL_SCHEMA, which allows !!js/function)
app.post('/manifests', (req, res) => {
  const manifest = parseManifest(req.body);
  res.json({ name: manifest.name });
});

// POST /manifests/strict
app.post('/manifests/strict', (req, res) => {
  const manifest = yaml.load(req.body, { schema: yaml.JSON_SCHEMA }); // SAFE: deserialization
  res.json({ name: manifest.name });
});

class SessionStore {
  constructor(redis) {
    this.redis = redis;
  }

  async restore(sessionBlob) {
    return serialize.unserialize(sessionBlob); // VULN: deserialization
  }

  async load(id) {
    const blob = await this.redis.get(`sess:${id}`);
    return blob ? JSON.parse(blob) : null; // SAFE: deserialization
  }
}

// POST /session/restore  { blob }
app.post('/session/restore', express.json(), async (req, res) => {
  const store = new SessionStore(req.app.locals.redis);
  res.json(await store.restore(req.body.blob));
});

module.exports = app;
