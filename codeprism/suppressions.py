"""In-source suppressions: a finding someone looked at and accepted, with the reason.

    x = eval(expr)  # codeprism: ignore[B307] -- expr is built from our own constants
    # codeprism: ignore[py-subprocess-shell-true-nonconstant] reviewed in SEC-12
    subprocess.call(cmd, shell=True)

- `codeprism: ignore[RULE, ...]` (any tool's id for the problem, see `equivalence.py`) or
  `codeprism: ignore` (every finding), on the finding's line or alone on the line above;
  whatever follows is the reason (`--` or `:` before it is optional).
- The tools' own markers, for the findings of the tool that defines them, on the line
  itself: `# nosec` / `# nosec B602,B607` (bandit), `# noqa` / `# noqa: S602` (ruff),
  `nosemgrep` / `nosemgrep: RULE` (semgrep).

A suppressed finding is not lost: it keeps its row in the warehouse with the marker in its
`suppression` column, it is counted per rule in the summaries, and it is never reported or
counted by `--fail-on`. bandit, ruff and semgrep run with their own markers switched off
(`ignore_nosec`, `--ignore-noqa`, `--disable-nosem`) so that they report these findings for
codeprism to keep.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from codeprism.files import split_lines
from codeprism.findings import Finding

MAX_MARKER_CHARS = 200
BASELINE = "baseline"  # the suppression of a finding that a baseline file lists
# `ignore` as a word: "codeprism: ignored here" is prose, not a marker for every finding
_CODEPRISM = re.compile(
    r"codeprism:\s*ignore(?![\w-])(?:\[(?P<rules>[^\]]*)\])?(?P<reason>.*)", re.IGNORECASE
)
_NOSEC = re.compile(r"#\s*nosec\b[:\s]*(?P<rules>(?:B\d{3}\b[,\s]*)*)")
_NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<rules>[A-Z]+\d+(?:[,\s]+[A-Z]+\d+)*))?", re.IGNORECASE)
# A line that is only a comment: code that starts with the same characters is not one
# (`*p = x;`, `--i;`, `#include`, `#[derive]`, `;(function` ...).
_NOSEMGREP = re.compile(
    r"nosemgrep\b(?::\s*(?P<rules>[\w.\-]+(?:\s*,\s*[\w.\-]+)*))?", re.IGNORECASE
)
TOOL_OF_MARKER = {"nosec": "bandit", "noqa": "ruff", "nosemgrep": "semgrep"}
_COMMENT_ONLY = re.compile(
    r"^\s*(?:#(?![\[!]|(?:include|define|undef|ifn?def|if|elif|else|endif|pragma|import)\b)"
    r"|//|/\*|\*(?=\s|/|$)|<!--|--(?=\s|$)|;+(?=\s|$))"
)
_CLOSERS = re.compile(r"\s*(\*/|-->)\s*$")


@dataclass(frozen=True, slots=True)
class Marker:
    """One suppression comment: which tool's findings it covers and which rules (all: empty)."""

    kind: str  # "codeprism" | "nosec" | "noqa"
    rules: tuple[str, ...]
    text: str  # as recorded in the `suppression` column

    def covers(self, finding: Finding) -> bool:
        if self.kind != "codeprism":
            tool = TOOL_OF_MARKER[self.kind]
            if not any(r.startswith(f"{tool}:") for r in finding.reporters):
                return False
        return not self.rules or any(finding.named_by(rule) for rule in self.rules)


def find_markers(text: str) -> dict[int, list[Marker]]:
    """Line number (1-based) -> the markers that apply to findings starting on it."""
    lowered = text.lower()  # the codeprism and noqa markers are case-insensitive
    if not any(word in lowered for word in ("codeprism", "nosec", "noqa", "nosemgrep")):
        return {}  # the common case, without splitting the file into lines
    found: dict[int, list[Marker]] = {}
    for number, line in enumerate(split_lines(text), start=1):
        match = _CODEPRISM.search(line)
        if match:
            rules = _rules(match.group("rules") or "")
            reason = _CLOSERS.sub("", match.group("reason")).strip().lstrip("-:—").strip()
            marker = Marker("codeprism", rules, _marker_text("codeprism: ignore", rules, reason))
            found.setdefault(number, []).append(marker)
            if _COMMENT_ONLY.match(line):
                found.setdefault(number + 1, []).append(marker)
        match = _NOSEC.search(line)
        if match:
            rules = _rules(match.group("rules") or "")
            found.setdefault(number, []).append(
                Marker("nosec", rules, _marker_text("nosec", rules))
            )
        match = _NOQA.search(line)
        if match:
            rules = _rules(match.group("rules") or "")
            found.setdefault(number, []).append(Marker("noqa", rules, _marker_text("noqa", rules)))
        match = _NOSEMGREP.search(line)
        if match:
            rules = _rules(match.group("rules") or "")
            marker = Marker("nosemgrep", rules, _marker_text("nosemgrep", rules))
            found.setdefault(number, []).append(marker)
    return found


def _rules(text: str) -> tuple[str, ...]:
    return tuple(r for r in re.split(r"[\s,:]+", text) if r)


def _marker_text(kind: str, rules: tuple[str, ...], reason: str = "") -> str:
    text = kind + (f"[{', '.join(rules)}]" if rules else "") + (f" -- {reason}" if reason else "")
    return text[:MAX_MARKER_CHARS]


def apply_suppressions(
    findings: Iterable[Finding], markers: Mapping[str, Mapping[int, list[Marker]]]
) -> list[Finding]:
    """Each finding, with `suppression` set where a marker covers it."""
    result = []
    for finding in findings:
        marker = next(
            (
                m
                for m in markers.get(finding.file_path, {}).get(finding.start_line, ())
                if m.covers(finding)
            ),
            None,
        )
        # a finding its tool already marked accepted (ruff's own noqa positions) stays so
        if finding.suppression is None and marker is not None:
            finding = replace(finding, suppression=marker.text)
        result.append(finding)
    return result


def reported(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that are not suppressed."""
    return [f for f in findings if f.suppression is None]


def suppressed_by_rule(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.problem for f in findings if f.suppression is not None)
