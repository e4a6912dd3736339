const express = require("express");
const fs = require("fs");
const path = require("path");
const app = express();
const UPLOAD_DIR = path.join(__dirname, "uploads");

app.get("/download", (req, res) => {
  const file = req.query.file;
  // ruleid: js-path-traversal-fs
  fs.readFile(path.join(UPLOAD_DIR, file), (err, data) => res.send(data));
});

app.get("/files/:name", (req, res) => {
  const p = UPLOAD_DIR + "/" + req.params.name;
  // ruleid: js-path-traversal-fs
  res.sendFile(p);
});

app.delete("/files/:name", async (req, res) => {
  const target = path.resolve(UPLOAD_DIR, req.params.name);
  // ruleid: js-path-traversal-fs
  await fs.promises.unlink(target);
  res.sendStatus(204);
});

app.post("/save", (req, res) => {
  const { filename, content } = req.body;
  // ruleid: js-path-traversal-fs
  fs.writeFileSync(`./data/${filename}`, content);
  // ruleid: js-path-traversal-fs
  const stream = fs.createReadStream(path.join("logs", req.query.log));
  // ruleid: js-path-traversal-fs
  res.download(path.join(UPLOAD_DIR, req.body.doc));
  stream.pipe(res);
});

// ---------- safe ----------
app.get("/safe/download", (req, res) => {
  const file = path.basename(req.query.file);
  // ok: js-path-traversal-fs
  fs.readFile(path.join(UPLOAD_DIR, file), (err, data) => res.send(data));
});

app.get("/safe/files/:name", (req, res) => {
  // ok: js-path-traversal-fs
  res.sendFile(req.params.name, { root: UPLOAD_DIR });
});

app.get("/safe/resolve", (req, res) => {
  const resolved = path.resolve(UPLOAD_DIR, req.query.file);
  if (!resolved.startsWith(UPLOAD_DIR + path.sep)) {
    return res.status(403).send("forbidden");
  }
  // ok: js-path-traversal-fs
  fs.createReadStream(resolved).pipe(res);
});

app.get("/safe/resolve2", (req, res) => {
  const resolved = path.resolve(UPLOAD_DIR, req.query.file);
  if (!resolved.startsWith(UPLOAD_DIR)) return res.sendStatus(403);
  // ok: js-path-traversal-fs
  fs.readFile(resolved, (e, d) => res.send(d));
});

const ALLOWED = ["terms.pdf", "privacy.pdf"];
app.get("/safe/allow", (req, res) => {
  const doc = req.query.doc;
  if (!ALLOWED.includes(doc)) {
    return res.sendStatus(404);
  }
  // ok: js-path-traversal-fs
  res.download(path.join(__dirname, "docs", doc));
});

app.get("/safe/static", (req, res) => {
  // ok: js-path-traversal-fs
  fs.readFile(path.join(__dirname, "index.html"), "utf8", (e, html) => res.send(html));
});

// --- second path argument of rename/copy, helpers that confine the path, stored keys ---
router.post("/attachments/rename", async (req, res) => {
  const from = resolveInside(ATTACH_DIR, req.body.from);
  // ruleid: js-path-traversal-fs
  await fs.promises.rename(from, path.join(ATTACH_DIR, req.body.to));
  res.sendStatus(204);
});

router.post("/attachments/rename/v2", async (req, res) => {
  const from = resolveInside(ATTACH_DIR, req.body.from);
  const to = resolveInside(ATTACH_DIR, req.body.to);
  // ok: js-path-traversal-fs
  await fs.promises.rename(from, to);
  res.sendStatus(204);
});

router.delete("/documents/:id", async (req, res) => {
  const doc = await Document.findOne({ where: { id: req.params.id } });
  // ok: js-path-traversal-fs
  await fs.promises.unlink(path.join(UPLOAD_DIR, doc.storageKey));
  res.sendStatus(204);
});

router.get("/themes/:name", (req, res) => {
  const name = req.params.name;
  if (!/^[a-z0-9-]+$/.test(name)) return res.sendStatus(404);
  // ok: js-path-traversal-fs
  fs.createReadStream(path.join(THEME_DIR, name, "theme.css")).pipe(res);
});
