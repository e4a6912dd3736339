const express = require("express");
const vm = require("vm");
const app = express();

app.post("/calc", (req, res) => {
  const expr = req.body.expression;
  // ruleid: js-code-injection-eval
  const result = eval(expr);
  res.json({ result });
});

app.get("/filter", (req, res) => {
  const body = "return item." + req.query.field + " > 10";
  // ruleid: js-code-injection-eval, js-code-injection-dynamic-code-string
  const fn = new Function("item", body);
  // ruleid: js-code-injection-eval
  setTimeout("notify('" + req.query.user + "')", 1000);
  res.json(items.filter(fn));
});

app.post("/sandbox", (req, res) => {
  const code = req.body.code;
  // ruleid: js-code-injection-vm
  const out = vm.runInNewContext(code, { console });
  // ruleid: js-code-injection-vm, js-code-injection-dynamic-code-string
  const script = new vm.Script(`(function(){ ${req.body.snippet} })()`);
  // ruleid: js-code-injection-vm
  vm.runInThisContext(req.query.js);
  res.json({ out, script });
});

function runHash() {
  const h = decodeURIComponent(window.location.hash.slice(1));
  // ruleid: js-code-injection-eval
  eval(h);
}

// ---------- safe ----------
app.post("/safe/calc", (req, res) => {
  // ok: js-code-injection-eval
  const data = JSON.parse(req.body.json);
  // ok: js-code-injection-eval
  setTimeout(() => cleanup(req.query.id), 1000);
  // ok: js-code-injection-eval
  setTimeout(function () { audit(req.body.user); }, 500);
  // ok: js-code-injection-eval
  eval("1 + 1");
  const ops = { add: (a, b) => a + b, sub: (a, b) => a - b };
  // ok: js-code-injection-eval
  const r = ops[req.body.op] ? ops[req.body.op](1, 2) : null;
  // ok: js-code-injection-vm
  const out = vm.runInNewContext("x + y", { x: Number(req.query.x), y: 2 });
  res.json({ data, r, out });
});

// --- code assembled from variables (no request source in sight) ---
function compileCondition(condition) {
  // ruleid: js-code-injection-dynamic-code-string
  return new Function("order", "return (" + condition + ");");
}

function runFormula(expression, scope) {
  // ruleid: js-code-injection-dynamic-code-string
  return eval(`(function (s) { with (s) { return ${expression}; } })`)(scope);
}

function renderTemplate(source, data) {
  const fnBody = "with (data) { return `" + source + "`; }";
  // ruleid: js-code-injection-dynamic-code-string
  return new Function("data", fnBody)(data);
}

function reviveValue(obj, key) {
  // ruleid: js-code-injection-dynamic-code-string
  return eval("(" + obj[key] + ")");
}

function runInSandbox(userScript) {
  // ruleid: js-code-injection-dynamic-code-string
  return vm.runInNewContext(`"use strict"; ${userScript}`, {});
}

const CONDITION_PATTERN = /^total\s*(>|<)\s*\d+$/;
function compileChecked(condition) {
  if (!CONDITION_PATTERN.test(condition)) throw new Error("unsupported condition");
  // ok: js-code-injection-dynamic-code-string
  return new Function("order", `return ${condition};`);
}

// ok: js-code-injection-dynamic-code-string
const discount = new Function("price", "pct", "return price * (100 - pct) / 100;");

function versionBanner() {
  // ok: js-code-injection-dynamic-code-string
  return eval(`"v" + ${APP_VERSION}`);
}

function fromJson(text) {
  // ok: js-code-injection-dynamic-code-string
  return JSON.parse(text);
}
