'use strict';

const express = require('express');
const escapeHtml = require('escape-html');
const { listComments, getProfile } = require('./store');

const app = express();
app.set('view engine', 'ejs');

// GET /search?q=shoes
app.get('/search', (req, res) => {
  res.send(`<h1>Search results for ${req.query.q}</h1><div id="results"></div>`); // VULN: xss
});

// GET /search/v2?q=shoes
app.get('/search/v2', (req, res) => {
  res.send(`<h1>Search results for ${escapeHtml(req.query.q)}</h1><div id="results"></div>`); // SAFE: xss
});

function commentItem(c) {
  return '<li><strong>' + c.author + '</strong>: ' + c.text + '</li>';
}

// GET /posts/:id/comments
app.get('/posts/:id/comments', async (req, res) => {
  const comments = await listComments(req.params.id);
  const html = '<ul>' + comments.map(commentItem).join('') + '</ul>';
  res.set('Content-Type', 'text/html');
  res.end(html); // VULN: xss
});

// GET /api/posts/:id/comments
app.get('/api/posts/:id/comments', async (req, res) => {
  res.json(await listComments(req.params.id)); // SAFE: xss
});

// GET /profile/:username
app.get('/profile/:username', async (req, res) => {
  const profile = await getProfile(req.params.username);
  if (!profile) {
    res.status(404).send('No such user: ' + req.params.username); // VULN: xss
    return;
  }
  res.render('profile', { profile });
});

// GET /download-name?file=report.csv
app.get('/download-name', (req, res) => {
  res.type('text/plain').send('You requested ' + req.query.file); // SAFE: xss
});

module.exports = app;
