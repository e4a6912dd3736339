"""Spreadsheet-style formula evaluation for the budgeting web app (Flask)."""

import json
import math
import operator
import re
import textwrap

from flask import Blueprint, abort, jsonify, request
from simpleeval import simple_eval

bp = Blueprint("formulas", __name__, url_prefix="/formulas")

CELL_REF = re.compile(r"^[A-Z]{1,2}[0-9]{1,4}$")
AGGREGATES = {"sum": sum, "min": min, "max": max, "avg": lambda xs: sum(xs) / len(xs)}
COMPARATORS = {"lt": operator.lt, "le": operator.le, "eq": operator.eq, "ge": operator.ge, "gt": operator.gt}


def _cells(sheet: dict, refs: list[str]) -> list[float]:
    return [float(sheet.get(ref, 0)) for ref in refs if CELL_REF.match(ref)]


@bp.post("/evaluate")
def evaluate():
    formula = request.json["formula"]
    sheet = request.json.get("cells", {})
    return jsonify({"value": eval(formula, {"math": math}, sheet)})  # VULN: code-injection


@bp.post("/evaluate/v2")
def evaluate_v2():
    formula = request.json["formula"]
    sheet = {k: float(v) for k, v in request.json.get("cells", {}).items()}
    return jsonify({"value": simple_eval(formula, names=sheet)})  # SAFE: code-injection


@bp.post("/aggregate")
def aggregate():
    fn_name = request.json["fn"]
    cells = _cells(request.json.get("cells", {}), request.json.get("refs", []))
    return jsonify({"value": eval(fn_name + "(" + repr(cells) + ")")})  # VULN: code-injection


@bp.post("/aggregate/v2")
def aggregate_v2():
    fn = AGGREGATES.get(request.json["fn"])
    if fn is None:
        abort(400)
    cells = _cells(request.json.get("cells", {}), request.json.get("refs", []))
    return jsonify({"value": fn(cells)})  # SAFE: code-injection


@bp.post("/filter")
def filter_rows():
    rows = request.json["rows"]
    cond = request.json["where"]
    kept = [r for r in rows if eval(cond, {}, {"row": r})]  # VULN: code-injection
    return jsonify(kept)


@bp.post("/filter/v2")
def filter_rows_v2():
    rows = request.json["rows"]
    op = COMPARATORS[request.json["op"]]
    column, value = request.json["column"], float(request.json["value"])
    return jsonify([r for r in rows if op(float(r.get(column, 0)), value)])  # SAFE: code-injection


@bp.post("/macros/run")
def run_macro():
    body = request.json["macro"]
    src = "def macro(sheet):\n" + textwrap.indent(body, "    ")
    scope: dict = {}
    exec(src, scope)  # VULN: code-injection
    return jsonify(scope["macro"](request.json.get("cells", {})))


@bp.post("/import")
def import_cells():
    cells = json.loads(request.data)  # SAFE: code-injection
    return jsonify({"count": len(cells)})


@bp.post("/currency")
def currency():
    rate_expr = request.form.get("rate", "1.0")
    rate = eval(compile(rate_expr, "<rate>", "eval"))  # VULN: code-injection
    return jsonify({"rate": float(rate)})


@bp.post("/currency/v2")
def currency_v2():
    rate = float(request.form.get("rate", "1.0"))  # SAFE: code-injection
    return jsonify({"rate": rate})
