"""`table`: the default format, for people reading a terminal.

One aligned row per reported finding, worst first, then a line saying how many suppressed
ones were left out (if any). A REPO column appears only when the findings come from more than
one repository (an org audit); in a single repo it would repeat one value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codeprism.findings import Finding
from codeprism.formatters._common import (
    cut_left,
    left_out_line,
    one_line,
    ordered,
    reported,
    severity_counts,
    total,
)

TITLE_WIDTH = 72
LOCATION_WIDTH = 60
RULE_WIDTH = 32


def render(
    findings: Sequence[Finding],
    *,
    tool_version: str,
    summary: Mapping[str, object] | None = None,
) -> str:
    shown = reported(findings)
    lines = _rows(shown) if shown else ["no findings"]
    if len(shown) < len(findings):
        lines += ["", left_out_line(len(findings) - len(shown))]
    if summary is not None:
        lines += ["", *_summary_block(findings, summary)]
    return "\n".join(lines) + "\n"


def _rows(findings: Sequence[Finding]) -> list[str]:
    show_repo = len({f.repo for f in findings}) > 1
    header = ["SEVERITY", *(["REPO"] if show_repo else []), "LOCATION", "RULE", "ANALYZER"]
    rows = [header]
    titles = ["TITLE"]
    for f in ordered(findings):
        repo = [f.repo] if show_repo else []
        location = cut_left(f.location, LOCATION_WIDTH)
        rows.append([f.severity.value, *repo, location, one_line(f.rule_id, RULE_WIDTH), _by(f)])
        titles.append(one_line(f.title, TITLE_WIDTH))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    # The title is last and unpadded: no trailing blanks, however long the other cells.
    return [
        (
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + "  " + title
        ).rstrip()
        for row, title in zip(rows, titles, strict=True)
    ]


def _by(finding: Finding) -> str:
    """The analyzers that reported it: "bandit+ruff" for a merged finding."""
    return "+".join(dict.fromkeys(r.split(":", 1)[0] for r in finding.reporters))


def _summary_block(findings: Sequence[Finding], summary: Mapping[str, object]) -> list[str]:
    counts = severity_counts(findings, summary)
    rows = [*counts.items(), ("total", total(counts, summary))]
    return ["findings by severity"] + [f"  {name:<9} {n:>6}" for name, n in rows]
