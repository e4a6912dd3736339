'use strict';

const express = require('express');
const vm = require('vm');
const fs = require('fs');
const path = require('path');

const router = express.Router();

// Discount rules are created by merchants in the dashboard and stored as text.
const rules = new Map();

// POST /pricing/rules  { id, condition: "cart.total > 100", discount: 0.1 }
router.post('/pricing/rules', (req, res) => {
  const { id, condition, discount } = req.body;
  const predicate = new Function('cart', 'return (' + condition + ');'); // VULN: code-injection
  rules.set(id, { predicate, discount: Number(discount) });
  res.status(201).json({ id });
});

// POST /pricing/quote  { expression: "2 * 19.99" }
router.post('/pricing/quote', (req, res) => {
  const total = eval(req.body.expression); // VULN: code-injection
  res.json({ total });
});

// POST /pricing/simulate  { script: "...", cart: {...} }
router.post('/pricing/simulate', (req, res) => {
  const sandbox = { cart: req.body.cart, result: null };
  vm.runInNewContext(req.body.script, sandbox, { timeout: 50 }); // VULN: code-injection
  res.json({ result: sandbox.result });
});

// POST /pricing/import  { payload: "{...json...}" }
router.post('/pricing/import', (req, res) => {
  const imported = JSON.parse(req.body.payload); // SAFE: code-injection
  for (const r of imported.rules || []) {
    rules.set(r.id, { predicate: () => false, discount: Number(r.discount) });
  }
  res.json({ imported: rules.size });
});

// Built-in rules ship with the application and are compiled once at startup.
const builtinSource = fs.readFileSync(path.join(__dirname, 'builtin-rules.js'), 'utf8');
const builtinScript = new vm.Script(builtinSource, { filename: 'builtin-rules.js' }); // SAFE: code-injection
const builtinContext = vm.createContext({ rules: [] });
builtinScript.runInContext(builtinContext);

const percentOff = new Function('price', 'pct', 'return Math.round(price * (100 - pct)) / 100;'); // SAFE: code-injection

function applyTemplate(tpl, vars) {
  const body = 'with (vars) { return `' + tpl + '`; }';
  return new Function('vars', body)(vars); // VULN: code-injection
}

// POST /pricing/banner  { template: "Save ${pct}% today" }
router.post('/pricing/banner', (req, res) => {
  res.json({ text: applyTemplate(req.body.template, { pct: 10 }) });
});

// GET /pricing/apply?price=20&pct=15
router.get('/pricing/apply', (req, res) => {
  const price = Number(req.query.price);
  const pct = Math.min(100, Math.max(0, Number(req.query.pct)));
  res.json({ price: percentOff(price, pct) });
});

module.exports = router;
