'use strict';

const express = require('express');
const { MongoClient } = require('mongodb');

const client = new MongoClient(process.env.MONGO_URL);
const router = express.Router();

function items() {
  return client.db('inventory').collection('items');
}

// GET /stock/by-owner?owner=acme
router.get('/stock/by-owner', async (req, res) => {
  const owner = req.query.owner;
  const docs = await items().find({ $where: "this.owner == '" + owner + "' && this.qty > 0" }).toArray(); // VULN: sql-injection
  res.json(docs);
});

// GET /stock/by-sku?sku=ABC-1
router.get('/stock/by-sku', async (req, res) => {
  const docs = await items().find({ sku: String(req.query.sku), qty: { $gt: 0 } }).toArray(); // SAFE: sql-injection
  res.json(docs);
});

// GET /stock/low?threshold=5
router.get('/stock/low', async (req, res) => {
  const threshold = Number.parseInt(req.query.threshold, 10) || 5;
  const docs = await items().find({ $where: `this.qty < ${threshold}` }).toArray(); // SAFE: sql-injection
  res.json(docs);
});

module.exports = router;
