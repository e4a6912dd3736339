'use strict';

const https = require('https');
const tls = require('tls');
const fs = require('fs');
const axios = require('axios');
const request = require('request');

const PARTNER_CA = fs.readFileSync('/etc/ssl/partner/ca.pem');

// The partner's staging cert is self-signed, so verification was switched off.
const insecureAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false }); // VULN: tls-verification

const pinnedAgent = new https.Agent({ keepAlive: true, ca: PARTNER_CA, rejectUnauthorized: true }); // SAFE: tls-verification

const keepAliveAgent = new https.Agent({ keepAlive: true, maxSockets: 50 }); // SAFE: tls-verification

const partnerApi = axios.create({ baseURL: process.env.PARTNER_URL, httpsAgent: insecureAgent, timeout: 10000 });
const partnerApiV2 = axios.create({ baseURL: process.env.PARTNER_URL, httpsAgent: pinnedAgent, timeout: 10000 });
const catalogApi = axios.create({ baseURL: 'https://catalog.example.net', httpsAgent: keepAliveAgent });

async function fetchShipments(since) {
  const { data } = await partnerApi.get('/shipments', { params: { since } });
  return data;
}

async function fetchShipmentsV2(since) {
  const { data } = await partnerApiV2.get('/shipments', { params: { since } });
  return data;
}

function legacyStatus(orderId, cb) {
  request({ url: `https://legacy.partner.example/status/${encodeURIComponent(orderId)}`, json: true, strictSSL: false }, cb); // VULN: tls-verification
}

function openLedgerSocket(host, port) {
  return tls.connect({ host, port, rejectUnauthorized: false }); // VULN: tls-verification
}

function openLedgerSocketV2(host, port) {
  return tls.connect({ host, port, servername: host, ca: PARTNER_CA }); // SAFE: tls-verification
}

function configureForCi() {
  if (process.env.CI_SKIP_TLS) {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // VULN: tls-verification
  }
}

async function catalogItem(sku) {
  const { data } = await catalogApi.get(`/items/${encodeURIComponent(sku)}`); // SAFE: tls-verification
  return data;
}

module.exports = { fetchShipments, fetchShipmentsV2, legacyStatus, openLedgerSocket, openLedgerSocketV2, configureForCi, catalogItem };
