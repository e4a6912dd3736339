'use strict';

const crypto = require('crypto');
const express = require('express');
const { saveResetToken, saveOtp, saveApiKey, findUserByEmail } = require('./store');
const mailer = require('../mailer');

const router = express.Router();

function randomString(length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[Math.floor(Math.random() * alphabet.length)]; // VULN: weak-random
  }
  return out;
}

// POST /password/forgot { email }
router.post('/password/forgot', async (req, res) => {
  const user = await findUserByEmail(req.body.email);
  if (user) {
    const token = Math.random().toString(36).slice(2) + Date.now().toString(36); // VULN: weak-random
    await saveResetToken(user.id, token);
    await mailer.sendReset(user.email, token);
  }
  res.sendStatus(202);
});

// POST /password/forgot/v2 { email }
router.post('/password/forgot/v2', async (req, res) => {
  const user = await findUserByEmail(req.body.email);
  if (user) {
    const token = crypto.randomBytes(32).toString('base64url'); // SAFE: weak-random
    await saveResetToken(user.id, token);
    await mailer.sendReset(user.email, token);
  }
  res.sendStatus(202);
});

// POST /login/otp
router.post('/login/otp', async (req, res) => {
  const code = Math.floor(100000 + Math.random() * 900000); // VULN: weak-random
  await saveOtp(req.session.pendingUserId, code);
  await mailer.sendOtp(req.session.pendingEmail, code);
  res.sendStatus(202);
});

// POST /login/otp/v2
router.post('/login/otp/v2', async (req, res) => {
  const code = crypto.randomInt(100000, 1000000); // SAFE: weak-random
  await saveOtp(req.session.pendingUserId, code);
  await mailer.sendOtp(req.session.pendingEmail, code);
  res.sendStatus(202);
});

// POST /api-keys
router.post('/api-keys', async (req, res) => {
  const key = 'key_' + randomString(40);
  await saveApiKey(req.user.id, key);
  res.status(201).json({ key });
});

// POST /api-keys/v2
router.post('/api-keys/v2', async (req, res) => {
  const id = crypto.randomUUID(); // SAFE: weak-random
  const secret = crypto.randomBytes(24).toString('hex');
  await saveApiKey(req.user.id, `${id}.${secret}`);
  res.status(201).json({ key: `${id}.${secret}` });
});

function sessionId() {
  return Date.now().toString(16) + Math.random().toString(16).substring(2); // VULN: weak-random
}

function retryDelay(attempt) {
  const jitter = Math.random() * 250; // SAFE: weak-random
  return Math.min(30000, 2 ** attempt * 100 + jitter);
}

function pickTipOfTheDay(tips) {
  return tips[Math.floor(Math.random() * tips.length)]; // SAFE: weak-random
}

module.exports = { router, sessionId, retryDelay, pickTipOfTheDay };
