"""codeprism's own semgrep rule pack: `<language>/<topic>.yaml`, one file per class of problem.

Every rule carries `metadata.cwe`, `metadata.confidence`, `metadata.category` and, for Python,
`metadata.overlaps`: the bandit and ruff rules that report the same problem on the same line,
so that codeprism merges them into one finding (see `codeprism.equivalence`). Each rule file
has a test file of `ruleid:` and `ok:` lines in `tests/rules/<language>/`, run by
`semgrep --test` in CI.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parent


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*/*.yaml"))


@cache
def rule_pack() -> dict[str, dict[str, Any]]:
    """Rule id -> its definition, for every rule of the pack."""
    rules: dict[str, dict[str, Any]] = {}
    for path in rule_files():
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            rules[rule["id"]] = rule
    return rules


@cache
def rules_digest() -> str:
    """Changes whenever any rule changes: part of the semgrep analyzer's version."""
    digest = hashlib.sha256()
    for path in rule_files():
        digest.update(path.relative_to(RULES_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def rule_overlaps() -> dict[str, tuple[str, ...]]:
    """Rule id -> the bandit and ruff rules that report the same problem on the same line."""
    return {
        rule_id: tuple(rule.get("metadata", {}).get("overlaps") or ())
        for rule_id, rule in rule_pack().items()
    }
