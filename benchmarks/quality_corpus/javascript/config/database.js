'use strict';

const fs = require('fs');
const mysql = require('mysql2');
const { Pool } = require('pg');
const jwt = require('jsonwebtoken');
const session = require('express-session');
const crypto = require('crypto');
const nodemailer = require('nodemailer');

const TOKEN_HEADER = 'x-auth-token'; // SAFE: hardcoded-secret
const PASSWORD_MIN_LENGTH = 12; // SAFE: hardcoded-secret

const reportingPool = mysql.createPool({ host: 'reporting-db.internal', user: 'reporting', password: 'R3p0rt!ng-2023', database: 'reporting' }); // VULN: hardcoded-secret

const appPool = mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, password: process.env.DB_PASSWORD, database: 'app' }); // SAFE: hardcoded-secret

const analyticsPg = new Pool({ connectionString: process.env.ANALYTICS_DATABASE_URL, ssl: { rejectUnauthorized: false } }); // VULN: tls-verification

const billingPg = new Pool({ connectionString: process.env.BILLING_DATABASE_URL, ssl: { ca: fs.readFileSync('/etc/ssl/rds-ca.pem', 'utf8') } }); // SAFE: tls-verification

const mailTransport = nodemailer.createTransport({ host: 'smtp.mailgun.org', port: 587, auth: { user: 'postmaster@mg.shop.example.com', pass: 'f3c9a1e07b2d4c58a6e1d2b7' } }); // VULN: hardcoded-secret

function issueToken(user) {
  return jwt.sign({ sub: user.id, role: user.role }, 'shop-jwt-signing-key-2023', { expiresIn: '7d' }); // VULN: hardcoded-secret
}

function issueTokenV2(user) {
  return jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '15m' }); // SAFE: hardcoded-secret
}

const sessionMiddleware = session({ secret: 'keyboard cat', resave: false, saveUninitialized: true }); // VULN: hardcoded-secret

const sessionMiddlewareV2 = session({ secret: process.env.SESSION_SECRETS.split(','), resave: false, saveUninitialized: false }); // SAFE: hardcoded-secret

const WEBHOOK_SIGNING_SECRET = '9f8e7d6c5b4a39281706f5e4d3c2b1a0'; // VULN: hardcoded-secret

function signWebhook(body) {
  return crypto.createHmac('sha256', WEBHOOK_SIGNING_SECRET).update(body).digest('hex');
}

module.exports = {
  TOKEN_HEADER,
  PASSWORD_MIN_LENGTH,
  reportingPool,
  appPool,
  analyticsPg,
  billingPg,
  mailTransport,
  issueToken,
  issueTokenV2,
  sessionMiddleware,
  sessionMiddlewareV2,
  signWebhook,
};
