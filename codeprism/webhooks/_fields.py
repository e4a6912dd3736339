"""Typed reads from an untrusted JSON object: each failure is a `Malformed` naming the field.

The classifiers catch `Malformed` and turn it into an "invalid" decision, so a payload with a
missing or mistyped field is reported as such instead of surfacing as a KeyError/TypeError.
Values are also bounded to what the code downstream of a review can hold: integers fit a
signed 64-bit column (SQLite, the warehouse's int64), and strings must encode as UTF-8 (the
JSON escape `\\ud800` parses to a lone surrogate, which SQLite, logging and JSON output all
refuse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")  # SHA-1 or SHA-256 object names
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_INT = 2**63 - 1  # the largest id a signed 64-bit column holds


class Malformed(ValueError):
    """The payload lacks a field a review needs, or the field has the wrong type or shape."""


def get_mapping(obj: Mapping[str, Any], key: str, where: str | None = None) -> Mapping[str, Any]:
    value = _required(obj, key, where)
    if not isinstance(value, Mapping):
        raise Malformed(f"{where or key} is not an object")
    return value


def get_str(obj: Mapping[str, Any], key: str, where: str | None = None) -> str:
    value = _required(obj, key, where)
    if not isinstance(value, str) or not value:
        raise Malformed(f"{where or key} is not a non-empty string")
    if not is_text(value):
        raise Malformed(f"{where or key} is not valid Unicode text")
    return value


def get_int(obj: Mapping[str, Any], key: str, where: str | None = None) -> int:
    value = _required(obj, key, where)
    # bool is an int subclass in Python, but `true` is no pull request number
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Malformed(f"{where or key} is not a positive integer")
    if value > MAX_INT:
        raise Malformed(f"{where or key} is too large (over 2**63 - 1)")
    return value


def get_sha(obj: Mapping[str, Any], key: str, where: str | None = None) -> str:
    value = _required(obj, key, where)
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise Malformed(f"{where or key} is not a commit SHA")
    return value.lower()


def get_bool(obj: Mapping[str, Any], key: str, where: str | None = None) -> bool:
    """An optional flag: absent or null is False; any other non-boolean is malformed."""
    value = obj.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Malformed(f"{where or key} is not a boolean")
    return value


def is_text(value: str) -> bool:
    """False for a string with a lone surrogate, which cannot be encoded as UTF-8."""
    return _SURROGATE.search(value) is None


def display_text(value: object, limit: int) -> str:
    """A string only shown to people (a title): anything else is "", a lone surrogate
    becomes U+FFFD and the text is cut at `limit` characters, never refused."""
    if not isinstance(value, str):
        return ""
    return _SURROGATE.sub("\ufffd", value[:limit])


def _required(obj: Mapping[str, Any], key: str, where: str | None) -> Any:
    if key not in obj or obj[key] is None:
        raise Malformed(f"{where or key} is missing")
    return obj[key]
