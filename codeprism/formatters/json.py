"""`json`: the machine-readable document, versioned like the warehouse schema.

Shape (version 1): {"version": 1, "tool_version": str, "findings": [every Finding field, enums
as their string values], "summary": {...}}. Add keys only; a change to an existing one bumps
`version`. Suppressed findings are listed too, their `suppression` set (null: reported); the
default summary counts the reported ones.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from enum import Enum

from codeprism.findings import Finding
from codeprism.formatters._common import ordered, severity_counts

VERSION = 1


def render(
    findings: Sequence[Finding],
    *,
    tool_version: str,
    summary: Mapping[str, object] | None = None,
) -> str:
    if summary is None:
        counts = severity_counts(findings)
        summary = {"findings": sum(counts.values()), "by_severity": counts}
    document = {
        "version": VERSION,
        "tool_version": tool_version,
        "findings": [finding_record(f) for f in ordered(findings)],
        "summary": dict(summary),
    }
    # default=str: a summary may carry paths or dates; they become their text, not an error.
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def finding_record(finding: Finding) -> dict[str, object]:
    """All fields in declaration order, enums as their values."""
    return {
        field.name: _plain(getattr(finding, field.name)) for field in dataclasses.fields(finding)
    }


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value
