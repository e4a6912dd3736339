"""Parse an untrusted request body as JSON, so that no body can crash the code that calls it.

The ingress verifies the signature first, but a signed body is not a well-formed one: an
attacker with a leaked secret, a proxy that cuts bodies short, or a buggy sender can send
anything. `json.loads` alone lets some bodies escape as something other than a ValueError
(5,000 nested `[` raise RecursionError) and accepts some that later code cannot handle
(`NaN`, `1e999` as infinity, nesting deep enough to break any recursive walk). Here each of
those becomes a refusal with a short reason, which the ingress answers with a 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Real GitHub and GitLab payloads nest 3 to 6 levels deep. The bound is far below the
# interpreter's recursion limit (1000), so anything that walks a payload recursively (repr,
# logging, pydantic) is safe with every body that gets through.
MAX_DEPTH = 64


class _Refused(ValueError):
    """A syntactically valid value that this parser declines (non-finite numbers)."""


def parse_json_body(body: bytes) -> tuple[bool, Any]:
    """(True, value) for a JSON document, else (False, reason). Never raises.

    The body must be UTF-8 (RFC 8259 requires it between systems; a leading BOM is
    tolerated), numbers must be finite and nesting at most `MAX_DEPTH` levels."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return False, f"not UTF-8 (invalid byte at offset {exc.start})"
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:  # the C scanner recurses once per level of nesting
        return False, f"nested deeper than {MAX_DEPTH} levels"
    except json.JSONDecodeError as exc:
        return False, f"{exc.msg} (character {exc.pos})"
    except _Refused as exc:
        return False, str(exc)
    except ValueError:  # int() refuses over 4300 digits (CVE-2020-10735)
        return False, "a number has too many digits"
    # Only a body with more brackets than MAX_DEPTH can nest that deep; counting them runs
    # at C speed. The walk visits containers only and costs a fraction of the parse.
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        return False, f"nested deeper than {MAX_DEPTH} levels"
    return True, value


def _refuse_constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are Python extensions, not JSON
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 is valid JSON syntax for a float that overflows
        raise _Refused(f"the number {text[:40]} is out of range")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (the top level is 1). Level by
    level, not recursive, so the check itself cannot hit the recursion limit; `type(c) is`
    because json.loads builds exact dicts and lists, and it is the fastest test."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            items = node.values() if type(node) is dict else node
            below += [c for c in items if type(c) is dict or type(c) is list]
        level = below
    return False
