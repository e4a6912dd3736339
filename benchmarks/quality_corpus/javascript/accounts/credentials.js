'use strict';

const crypto = require('crypto');
const bcrypt = require('bcrypt');
const { promisify } = require('util');

const scrypt = promisify(crypto.scrypt);

// Legacy user table (v1): unsalted MD5 of the password.
function legacyPasswordHash(password) {
  return crypto.createHash('md5').update(password).digest('hex'); // VULN: weak-crypto
}

// v2: "salted" SHA-1.
function hashPasswordV2(password, salt) {
  const digest = crypto.createHash('sha1'); // VULN: weak-crypto
  digest.update(salt + ':' + password);
  return salt + '$' + digest.digest('hex');
}

// v3: bcrypt, cost 12.
async function hashPasswordV3(password) {
  return bcrypt.hash(password, 12); // SAFE: weak-crypto
}

// v4: scrypt with a random salt.
async function hashPasswordV4(password) {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 64); // SAFE: weak-crypto
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

// Encrypts bank account numbers before they are written to the database.
function encryptAccountNumber(plain, key) {
  const iv = crypto.randomBytes(8);
  const cipher = crypto.createCipheriv('des-cbc', key.subarray(0, 8), iv); // VULN: weak-crypto
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

function encryptAccountNumberV2(plain, key) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv); // SAFE: weak-crypto
  const enc = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64');
}

function encryptCardToken(plain, key) {
  const cipher = crypto.createCipheriv('aes-128-ecb', key, null); // VULN: weak-crypto
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('hex');
}

// HTTP caching: ETag for a rendered JSON document.
function etagFor(body) {
  return '"' + crypto.createHash('md5').update(body).digest('base64') + '"'; // SAFE: weak-crypto
}

// Deduplicate uploaded assets by content.
function contentKey(buffer) {
  return crypto.createHash('sha1').update(buffer).digest('hex'); // SAFE: weak-crypto
}

// Verifies the signature of incoming webhooks from the payments provider.
function verifyWebhook(rawBody, signatureHex, secret) {
  const expected = crypto.createHmac('sha256', secret).update(rawBody).digest(); // SAFE: weak-crypto
  const given = Buffer.from(signatureHex, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

module.exports = {
  legacyPasswordHash,
  hashPasswordV2,
  hashPasswordV3,
  hashPasswordV4,
  encryptAccountNumber,
  encryptAccountNumberV2,
  encryptCardToken,
  etagFor,
  contentKey,
  verifyWebhook,
};
