'use strict';

const express = require('express');
const session = require('express-session');
const csrf = require('csurf');
const bcrypt = require('bcrypt');
const { findUserByEmail, updateEmail, updatePasswordHash, deleteAccount } = require('./userStore');
const { verifyApiToken } = require('./apiTokens');

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { httpOnly: true, secure: true } }));

const csrfProtection = csrf();
const TRUSTED_RETURN_PATHS = ['/dashboard', '/settings', '/billing'];

function requireLogin(req, res, next) {
  if (!req.session.userId) return res.redirect('/login');
  next();
}

function isSameOrigin(target) {
  try {
    const base = new URL('https://app.example.com');
    const u = new URL(target, base);
    return u.origin === base.origin;
  } catch (e) {
    return false;
  }
}

// GET /login?next=/settings
app.get('/login', csrfProtection, (req, res) => {
  req.session.returnTo = req.query.next;
  res.render('login', { csrfToken: req.csrfToken() });
});

// POST /login
app.post('/login', csrfProtection, async (req, res) => {
  const user = await findUserByEmail(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.passwordHash))) {
    return res.redirect('/login?error=1'); // SAFE: open-redirect
  }
  req.session.userId = user.id;
  const returnTo = req.session.returnTo || '/dashboard';
  delete req.session.returnTo;
  res.redirect(returnTo); // VULN: open-redirect
});

// GET /logout?continue=https://...
app.get('/logout', (req, res) => {
  req.session.destroy(() => {
    res.redirect(req.query.continue || '/'); // VULN: open-redirect
  });
});

// GET /go?to=/billing
app.get('/go', requireLogin, (req, res) => {
  const to = String(req.query.to || '');
  if (to.startsWith('/')) {
    return res.redirect(to); // VULN: open-redirect
  }
  res.redirect('/dashboard');
});

// GET /continue?to=/settings
app.get('/continue', requireLogin, (req, res) => {
  const to = String(req.query.to || '');
  const dest = TRUSTED_RETURN_PATHS.includes(to) ? to : '/dashboard';
  res.redirect(dest); // SAFE: open-redirect
});

// GET /jump?to=/orders/12
app.get('/jump', requireLogin, (req, res) => {
  const to = String(req.query.to || '/');
  res.redirect(isSameOrigin(to) ? new URL(to, 'https://app.example.com').href : '/'); // SAFE: open-redirect
});

// POST /settings/email  (cookie-authenticated, CSRF token checked)
app.post('/settings/email', requireLogin, csrfProtection, async (req, res) => { // SAFE: csrf
  await updateEmail(req.session.userId, req.body.email);
  res.redirect('/settings');
});

// POST /settings/password  (cookie-authenticated, no CSRF protection)
app.post('/settings/password', requireLogin, async (req, res) => { // VULN: csrf
  const hash = await bcrypt.hash(req.body.newPassword, 12);
  await updatePasswordHash(req.session.userId, hash);
  res.redirect('/settings');
});

// GET /account/delete  (state change on GET with the session cookie)
app.get('/account/delete', requireLogin, async (req, res) => { // VULN: csrf
  await deleteAccount(req.session.userId);
  req.session.destroy(() => res.redirect('/'));
});

function requireBearerToken(req, res, next) {
  const header = req.get('authorization') || '';
  if (!header.startsWith('Bearer ')) return res.sendStatus(401);
  req.apiUserId = verifyApiToken(header.slice(7));
  return req.apiUserId ? next() : res.sendStatus(401);
}

// POST /api/v1/settings/email  (token in the Authorization header, no cookies involved)
app.post('/api/v1/settings/email', express.json(), requireBearerToken, async (req, res) => { // SAFE: csrf
  await updateEmail(req.apiUserId, req.body.email);
  res.sendStatus(204);
});

module.exports = app;
