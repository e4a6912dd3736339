import ast
import json
import sys

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "0")
    # ruleid: py-code-injection-taint, py-eval-nonconstant
    result = eval(expr)
    return str(result)


@app.route("/hook", methods=["POST"])
def hook():
    payload = request.get_json()
    code = "def hook(x):\n    return " + payload["body"]
    # ruleid: py-code-injection-taint, py-exec-nonconstant
    exec(code, {})
    return "ok"


def filter_view(request):
    condition = request.GET["where"]
    # ruleid: py-code-injection-taint, py-eval-nonconstant
    rows = [r for r in ROWS if eval(f"r.{condition}")]
    return rows


def handler(event, context):
    src = json.loads(event["body"])["script"]
    # ruleid: py-code-injection-taint
    obj = compile(src, "<lambda>", "exec")
    # ruleid: py-code-injection-taint, py-exec-nonconstant
    exec(obj)


def repl():
    line = input(">>> ")
    # ruleid: py-code-injection-taint, py-eval-nonconstant
    print(eval(line))
    # ruleid: py-code-injection-taint, py-eval-nonconstant
    print(eval(sys.argv[1]))


def apply_rule(rule, value):
    # ruleid: py-eval-nonconstant
    return eval(rule.expression, {"value": value})


# ---------------------------------------------------------------- safe code


@app.route("/calc/safe")
def calc_safe():
    expr = request.args.get("expr", "0")
    # ok: py-code-injection-taint, py-eval-nonconstant
    value = ast.literal_eval(expr)
    # ok: py-code-injection-taint, py-eval-nonconstant
    data = json.loads(request.data)
    # ok: py-code-injection-taint, py-eval-nonconstant
    total = eval("1 + 2")
    return str(value + total + len(data))


class Model:
    def run(self, x):
        # ok: py-eval-nonconstant
        self.model.eval()
        # ok: py-eval-nonconstant
        return self.eval(x)


DEFAULT_EXPR = "0"
# ok: py-eval-nonconstant
eval(DEFAULT_EXPR)

# ok: py-exec-nonconstant
exec(open("mypkg/_version.py").read())
# ok: py-exec-nonconstant
exec("import os")
