'use strict';

const jwt = require('jsonwebtoken');
const jose = require('jose');
const fs = require('fs');

const JWT_SECRET = process.env.JWT_SECRET;
const PUBLIC_KEYS = JSON.parse(fs.readFileSync('/etc/app/jwt-keys.json', 'utf8')); // { kid: pem }
const JWKS = jose.createRemoteJWKSet(new URL('https://login.example.com/.well-known/jwks.json'));

function bearer(req) {
  const header = req.headers.authorization || '';
  return header.startsWith('Bearer ') ? header.slice(7) : null;
}

// Used by the public API: verifies signature and pins the algorithm.
function requireApiUser(req, res, next) {
  try {
    req.user = jwt.verify(bearer(req), JWT_SECRET, { algorithms: ['HS256'], audience: 'api' }); // SAFE: jwt
    next();
  } catch (e) {
    res.sendStatus(401);
  }
}

// Used by the legacy mobile endpoints.
function requireMobileUser(req, res, next) {
  const claims = jwt.decode(bearer(req)); // VULN: jwt
  if (!claims || !claims.sub) return res.sendStatus(401);
  req.user = { id: claims.sub, role: claims.role };
  next();
}

// Internal service-to-service calls during the migration accept unsigned tokens.
function requireService(req, res, next) {
  try {
    req.service = jwt.verify(bearer(req), undefined, { algorithms: ['none'] }); // VULN: jwt
    next();
  } catch (e) {
    res.sendStatus(401);
  }
}

// Partner tokens: select the key by kid, then verify with it.
function requirePartner(req, res, next) {
  const token = bearer(req);
  const decoded = jwt.decode(token, { complete: true }); // SAFE: jwt
  const pem = decoded && PUBLIC_KEYS[decoded.header.kid];
  if (!pem) return res.sendStatus(401);
  jwt.verify(token, pem, { algorithms: ['RS256'] }, (err, claims) => { // SAFE: jwt
    if (err) return res.sendStatus(401);
    req.partner = claims;
    next();
  });
}

async function requireSsoUser(req, res, next) {
  try {
    const { payload } = await jose.jwtVerify(bearer(req), JWKS, { issuer: 'https://login.example.com/', audience: 'web' }); // SAFE: jwt
    req.user = payload;
    next();
  } catch (e) {
    res.sendStatus(401);
  }
}

async function requireSsoUserFast(req, res, next) {
  const payload = jose.decodeJwt(bearer(req)); // VULN: jwt
  if (payload.iss !== 'https://login.example.com/') return res.sendStatus(401);
  req.user = payload;
  next();
}

// Cookie set by the old PHP frontend: "header.payload.signature"
function requireLegacySession(req, res, next) {
  const raw = req.cookies.legacy_session || '';
  const parts = raw.split('.');
  if (parts.length !== 3) return res.sendStatus(401);
  const session = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')); // VULN: jwt
  req.user = { id: session.uid, admin: session.admin === true };
  next();
}

module.exports = { requireApiUser, requireMobileUser, requireService, requirePartner, requireSsoUser, requireSsoUserFast, requireLegacySession };
