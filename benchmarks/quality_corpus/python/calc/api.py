"""Pricing-rule playground: lets merchants preview discount formulas."""

import ast
import operator

from fastapi import Body, FastAPI, HTTPException, Query
from pydantic import BaseModel

app = FastAPI(title="pricing-rules")

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class Rule(BaseModel):
    name: str
    formula: str
    action: str = "pass"


def _safe_arith(node):
    if isinstance(node, ast.Expression):
        return _safe_arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_safe_arith(node.left), _safe_arith(node.right))
    raise HTTPException(status_code=400, detail="unsupported expression")


@app.get("/calc")
def calculate(expr: str = Query(..., max_length=200)):
    return {"result": eval(expr)}  # VULN: code-injection


@app.get("/calc/v2")
def calculate_v2(expr: str = Query(..., max_length=200)):
    return {"result": _safe_arith(ast.parse(expr, mode="eval"))}  # SAFE: code-injection


@app.get("/discount/{base_price}")
def preview_discount(base_price: float, formula: str = "price * 0.9"):
    scope = {"price": base_price, "__builtins__": {}}
    return {"price": eval(formula, scope)}  # VULN: code-injection


@app.post("/rules/validate")
def validate_rule(rule: Rule):
    source = f"def rule(order):\n    if {rule.formula}:\n        {rule.action}\n"
    namespace: dict = {}
    exec(source, namespace)  # VULN: code-injection
    return {"ok": callable(namespace.get("rule"))}


@app.post("/config/parse")
def parse_constants(payload: str = Body(..., embed=True)):
    return {"value": ast.literal_eval(payload)}  # SAFE: code-injection


@app.post("/rules/compile")
def compile_rule(rule: Rule):
    code = compile(rule.formula, "<rule>", "eval")
    return {"value": eval(code, {"price": 100.0})}  # VULN: code-injection


TIERS = {"gold": "price * 0.8", "silver": "price * 0.9", "bronze": "price * 0.95"}


@app.get("/tier-price")
def tier_price(tier: str, price: float):
    if tier not in TIERS:
        raise HTTPException(status_code=404)
    return {"price": eval(TIERS[tier], {"__builtins__": {}}, {"price": price})}  # SAFE: code-injection
