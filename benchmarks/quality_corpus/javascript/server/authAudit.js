'use strict';

const express = require('express');
const fs = require('fs');
const winston = require('winston');
const pino = require('pino');
const { authenticate, issueSession } = require('./authService');

const textLogger = winston.createLogger({
  level: 'info',
  format: winston.format.printf(({ level, message }) => `${new Date().toISOString()} ${level.toUpperCase()} ${message}`),
  transports: [new winston.transports.File({ filename: '/var/log/app/auth.log' })],
});

const jsonLogger = pino({ level: 'info' });
const redactingLogger = pino({ redact: { paths: ['body.password', 'body.otp', 'headers.authorization', 'headers.cookie'], censor: '[REDACTED]' } });

function stripNewlines(value) {
  return String(value).replace(/[\r\n\u2028\u2029]+/g, ' ');
}

const router = express.Router();

// POST /login { username, password }
router.post('/login', async (req, res) => {
  const { username, password } = req.body;
  textLogger.info(`login attempt user=${username} password=${password}`); // VULN: sensitive-logging
  const user = await authenticate(username, password);
  if (!user) {
    textLogger.warn('Failed login for user ' + username); // VULN: log-injection
    jsonLogger.warn({ username, ip: req.ip }, 'failed login'); // SAFE: log-injection
    textLogger.warn('Failed login (sanitised) for user ' + stripNewlines(username)); // SAFE: log-injection
    return res.sendStatus(401);
  }
  const token = await issueSession(user);
  console.log('issued session token', token); // VULN: sensitive-logging
  jsonLogger.info({ userId: user.id }, 'login succeeded'); // SAFE: sensitive-logging
  res.json({ token });
});

// POST /password/reset { email, newPassword, otp }
router.post('/password/reset', async (req, res) => {
  redactingLogger.info({ body: req.body, headers: req.headers }, 'password reset request'); // SAFE: sensitive-logging
  jsonLogger.info({ headers: req.headers }, 'password reset request received'); // VULN: sensitive-logging
  res.sendStatus(202);
});

// GET /search?q=...
router.get('/search', (req, res) => {
  console.log(`search query: ${req.query.q}`); // VULN: log-injection
  console.log(`search query (escaped): ${JSON.stringify(String(req.query.q || ''))}`); // SAFE: log-injection
  res.json([]);
});

// POST /coupons/redeem { code }
router.post('/coupons/redeem', (req, res) => {
  const code = req.body.code;
  const line = `${new Date().toISOString()} coupon-redeem user=${req.user.id} code=${code}\n`;
  fs.appendFileSync('/var/log/app/coupons.log', line); // VULN: log-injection
  res.sendStatus(204);
});

// DELETE /orders/:id
router.delete('/orders/:id', (req, res) => {
  const orderId = Number.parseInt(req.params.id, 10);
  if (Number.isNaN(orderId)) return res.sendStatus(400);
  textLogger.info(`order ${orderId} deleted by ${req.user.id}`); // SAFE: log-injection
  res.sendStatus(204);
});

function logDbFailure(err, dbConfig) {
  console.error('database connection failed', dbConfig, err.message); // VULN: sensitive-logging
}

function logDbFailureV2(err, dbConfig) {
  console.error('database connection failed', { host: dbConfig.host, user: dbConfig.user }, err.message); // SAFE: sensitive-logging
}

function logPasswordChange(user) {
  textLogger.info(`password changed for user id ${user.id}`); // SAFE: sensitive-logging
}

module.exports = { router, logDbFailure, logDbFailureV2, logPasswordChange };
