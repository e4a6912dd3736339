"""Helpers every output format shares, so that all of them order and count alike.

A finding whose `suppression` is set was accepted (codeprism.suppressions): json and sarif
carry it, marked as such; the formats for people list only the reported findings and say how
many suppressed ones they left out. Counts are of reported findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from codeprism.findings import Finding, Severity
from codeprism.suppressions import reported

# Worst first: the order of every severity listing and summary.
SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))


def sort_key(f: Finding) -> tuple[int, str, str, int, int, str, str, str, str]:
    """Worst severity first, then by place; the tail makes the order total (stable output)."""
    return (
        -f.severity.rank,
        f.repo,
        f.file_path,
        f.start_line,
        f.end_line,
        f.rule_id,
        f.analyzer,
        f.fingerprint,
        f.title,
    )


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)


def left_out_line(suppressed: int) -> str:
    """The line that says how many suppressed findings a format for people does not list."""
    plural = "" if suppressed == 1 else "s"
    return (
        f"{suppressed} suppressed finding{plural} not shown "
        "(accepted in the code or the baseline; json and sarif list them)"
    )


def severity_counts(
    findings: Sequence[Finding], summary: Mapping[str, object] | None = None
) -> dict[str, int]:
    """Counts by severity of the reported findings, worst first, with zeros.

    A summary's `by_severity` wins: the caller may render a page of findings but count them
    all (the audit's summary does).
    """
    given = summary.get("by_severity") if summary else None
    if isinstance(given, Mapping):
        return {s.value: _as_int(given.get(s.value, 0)) for s in SEVERITIES}
    counts = Counter(f.severity.value for f in reported(findings))
    return {s.value: counts.get(s.value, 0) for s in SEVERITIES}


def total(counts: Mapping[str, int], summary: Mapping[str, object] | None) -> int:
    given = summary.get("findings") if summary else None
    return given if isinstance(given, int) else sum(counts.values())


def one_line(text: str, width: int) -> str:
    """Collapse whitespace (titles may hold newlines) and cut to `width` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(width - 3, 0)] + "..."


def cut_left(text: str, width: int) -> str:
    """Cut the front of a path, where it is least telling; the file name and line stay."""
    return text if len(text) <= width else "..." + text[len(text) - width + 3 :]


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))
