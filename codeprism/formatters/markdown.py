"""`markdown`: a short report for a PR comment or a CI job summary (GitHub-flavoured).

Text from findings (titles may come from a model) is escaped so it cannot add links, HTML or
@-mentions to the comment, and the table is capped: GitHub limits a comment to 65,536
characters, and a reviewer reads the worst findings first anyway. Suppressed findings are not
listed; one line says how many were left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from codeprism.findings import Finding
from codeprism.formatters._common import (
    left_out_line,
    one_line,
    ordered,
    reported,
    severity_counts,
    total,
)

MAX_ROWS = 100
TITLE_WIDTH = 120

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start
# markup. `|` also ends a table cell.
_MARKUP = re.compile(r"([\\`*_\[\]<>|#~!])")


def render(
    findings: Sequence[Finding],
    *,
    tool_version: str,
    summary: Mapping[str, object] | None = None,
) -> str:
    counts = severity_counts(findings, summary)
    n = total(counts, summary)
    lines = [f"### codeprism: {_count(n)}", ""]
    if n:
        lines += [
            "| " + " | ".join(counts) + " |",
            "|" + " ---: |" * len(counts),
            "| " + " | ".join(str(c) for c in counts.values()) + " |",
            "",
        ]
    shown = reported(findings)
    if shown:
        lines += _table(shown)
    if len(shown) < len(findings):
        lines += [left_out_line(len(findings) - len(shown)), ""]
    lines.append(f"<sub>codeprism {_text(tool_version)}</sub>")
    return "\n".join(lines) + "\n"


def _table(findings: Sequence[Finding]) -> list[str]:
    rows = ordered(findings)
    lines = [
        "| Severity | Location | Rule | Analyzer | Title |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in rows[:MAX_ROWS]:
        cells = [
            f.severity.value,
            _code(f.location),
            _code(f.rule_id),
            _text(f.analyzers_text),
            _text(one_line(f.title, TITLE_WIDTH)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if len(rows) > MAX_ROWS:
        lines += [f"... and {len(rows) - MAX_ROWS} more (the json or sarif output has all).", ""]
    return lines


def _count(n: int) -> str:
    return "no findings" if n == 0 else f"{n} finding" + ("" if n == 1 else "s")


def _text(text: str) -> str:
    # A zero-width space after "@" keeps GitHub from notifying a user or team.
    return _MARKUP.sub(r"\\\1", " ".join(text.split())).replace("@", "@\u200b")


def _code(text: str) -> str:
    # Backticks cannot be escaped inside a code span; a path or rule id never needs one.
    return "`" + " ".join(text.split()).replace("`", "'").replace("|", "\\|") + "`"
