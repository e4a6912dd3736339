"""One problem, one finding: merge what several analyzers report about the same problem.

Two findings are the same problem when they are in the same file, start on the same line, and
either their rules are equivalent (`equivalence`: ruff S602 and bandit B602, a semgrep rule
and the bandit rule it overlaps) or one comes from the semgrep pack and both name the same CWE
(two tools that see one injection sink). The merged finding keeps the best-ranked finding's
text, the highest severity and the highest confidence, and lists every analyzer and rule in
`reported_by`. It runs before fingerprinting, so the fingerprint is the problem's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from codeprism.findings import Finding

# On a tie of severity x confidence, the text of the first of these is kept: semgrep's rule
# messages say how to fix, bandit's titles are more specific than ruff's.
TEXT_PREFERENCE = ("semgrep", "bandit", "ruff")


def merge_same_problems(findings: Iterable[Finding]) -> list[Finding]:
    """The findings with each problem reported once, in the input order of their first."""
    by_place: dict[tuple[str, int], list[int]] = defaultdict(list)
    items = list(findings)
    for index, finding in enumerate(items):
        by_place[(finding.file_path, finding.start_line)].append(index)
    merged: dict[int, Finding] = {}
    for indexes in by_place.values():
        for group in _connected([items[i] for i in indexes]):
            first = indexes[group[0]]
            merged[first] = _merged([items[indexes[g]] for g in group])
    return [merged[i] for i in sorted(merged)]


def _connected(findings: Sequence[Finding]) -> list[list[int]]:
    """Indexes of the findings at one place, grouped by problem (transitively)."""
    parent = list(range(len(findings)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(findings):
        for j in range(i):
            if _same_problem(a, findings[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(findings)):
        groups[find(i)].append(i)
    return sorted(groups.values())


def _same_problem(a: Finding, b: Finding) -> bool:
    if a.source != b.source or a.agent is not None or b.agent is not None:
        return False  # LLM findings are merged with static ones by the review (review/merge)
    if a.problem == b.problem:
        return True
    return bool(a.cwe) and a.cwe == b.cwe and "semgrep" in (a.analyzer, b.analyzer)


def _rank(finding: Finding) -> tuple[float, int, int]:
    preference = (
        TEXT_PREFERENCE.index(finding.analyzer)
        if finding.analyzer in TEXT_PREFERENCE
        else len(TEXT_PREFERENCE)
    )
    # rounded: 3 x 0.6 must tie with 2 x 0.9, not lose to it by a float's last bit
    score = round(finding.severity.rank * finding.confidence, 6)
    return (-score, -finding.severity.rank, preference)


def _merged(group: Sequence[Finding]) -> Finding:
    if len(group) == 1:  # recorded the same way, so every report lists who found it
        return replace(group[0], reported_by=group[0].reporters)
    best = min(group, key=_rank)
    reporters = sorted({r for f in group for r in f.reporters})
    return replace(
        best,
        severity=max((f.severity for f in group), key=lambda s: s.rank),
        confidence=max(f.confidence for f in group),
        cwe=best.cwe or next((f.cwe for f in group if f.cwe), None),
        suggested_fix=best.suggested_fix
        or next((f.suggested_fix for f in group if f.suggested_fix), None),
        reported_by=tuple(reporters),
        # accepted where one tool's own marker accepted it (ruff's noqa on another line)
        suppression=best.suppression or next((f.suppression for f in group if f.suppression), None),
    )
