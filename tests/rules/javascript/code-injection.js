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
  // ruleid: js-code-injection-eval
  const fn = new Function("item", body);
  // ruleid: js-code-injection-eval
  setTimeout("notify('" + req.query.user + "')", 1000);
  res.json(items.filter(fn));
});

app.post("/sandbox", (req, res) => {
  const code = req.body.code;
  // ruleid: js-code-injection-vm
  const out = vm.runInNewContext(code, { console });
  // ruleid: js-code-injection-vm
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
