'use strict';

const express = require('express');
const libxmljs = require('libxmljs2');
const { XMLParser } = require('fast-xml-parser');
const xml2js = require('xml2js');

const router = express.Router();
router.use(express.text({ type: ['application/xml', 'text/xml'], limit: '2mb' }));

// POST /invoices/ubl  (UBL invoice uploaded by a supplier)
router.post('/invoices/ubl', (req, res) => {
  const doc = libxmljs.parseXml(req.body, { noent: true, nonet: false }); // VULN: xxe
  const total = doc.get('//*[local-name()="PayableAmount"]');
  res.json({ total: total ? total.text() : null });
});

// POST /invoices/ubl/v2
router.post('/invoices/ubl/v2', (req, res) => {
  const doc = libxmljs.parseXml(req.body, { nonet: true }); // SAFE: xxe
  const total = doc.get('//*[local-name()="PayableAmount"]');
  res.json({ total: total ? total.text() : null });
});

function parseCreditNote(xml) {
  const options = { dtdload: true, noent: true };
  return libxmljs.parseXmlString(xml, options); // VULN: xxe
}

// POST /invoices/credit-notes
router.post('/invoices/credit-notes', (req, res) => {
  const doc = parseCreditNote(req.body);
  res.json({ id: doc.get('//ID').text() });
});

// POST /invoices/simple
router.post('/invoices/simple', (req, res) => {
  const parser = new XMLParser({ ignoreAttributes: false });
  const data = parser.parse(req.body); // SAFE: xxe
  res.json({ invoice: data.Invoice && data.Invoice.ID });
});

// POST /invoices/legacy
router.post('/invoices/legacy', async (req, res) => {
  const data = await xml2js.parseStringPromise(req.body, { explicitArray: false }); // SAFE: xxe
  res.json({ invoice: data.Invoice.ID });
});

module.exports = router;
