"""codeprism's own semgrep rule pack: `<language>/<topic>.yaml`, one file per class of problem.

Every rule carries `metadata.cwe`, `metadata.confidence`, `metadata.category` and, for Python,
`metadata.overlaps`: the bandit and ruff rules that report the same problem on the same line,
so that codeprism merges them into one finding (see `codeprism.equivalence`). Each rule file
has a test file of `ruleid:` and `ok:` lines in `tests/rules/<language>/`, run by
`semgrep --test` in CI.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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


@cache
def compiled_pack() -> Path:
    """The whole pack as one JSON rules file, written once per pack version.

    semgrep's command line takes ~14 s to load this pack from YAML (its YAML loader is slow)
    and ~0.3 s from the same rules as JSON: every semgrep process (one per repository) gets
    the JSON. The file is named by the pack's digest, so a changed rule gets a new file.
    """
    target = Path(tempfile.gettempdir()) / f"codeprism-semgrep-rules-{rules_digest()}.json"
    if not target.exists():
        rules = [rule for _, rule in sorted(rule_pack().items())]
        fd, staging = tempfile.mkstemp(dir=target.parent, prefix=".codeprism-rules-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"rules": rules}, handle)
        os.replace(staging, target)  # atomic: concurrent analyzers never read half a file
    return target
