"""Which rules of different analyzers name the same problem, so one problem is one finding.

- ruff's flake8-bandit `S` rules re-implement bandit's checks under bandit's numbers (ruff's
  rule documentation names the bandit test each one is derived from): S602 is B602, S307 is
  B307, S101 is B101, and so on for every number both tools have.
- `mark_safe` is reported by bandit's blacklist (B308), its Django plugin (B703) and ruff (S308).
- A password literal is bandit's B105/B106/B107 and detect-secrets' "Secret Keyword".
- A rule of codeprism's semgrep pack lists the bandit and ruff rules it overlaps on the same line
  (`metadata.overlaps`).

Rules related by these facts form one group; its canonical name (the smallest rule id in it)
is the identity a merged finding's fingerprint is computed from, so the fingerprint does not
depend on which of the tools happened to report the problem.
"""

from __future__ import annotations

import re
from functools import cache

from codeprism.rules import rule_overlaps

_BANDIT_NUMBERED = re.compile(r"^[BS](\d{3})$")
EXTRA_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"B308", "B703", "S308"}),
    frozenset({"B105", "B106", "B107", "secret-keyword"}),
)


@cache
def _groups() -> dict[str, str]:
    """Rule id -> canonical rule id of its group, for every rule that has a partner."""
    parent: dict[str, str] = {}

    def find(rule: str) -> str:
        while parent.setdefault(rule, rule) != rule:
            rule = parent[rule]
        return rule

    def union(a: str, b: str) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)

    for group in EXTRA_GROUPS:
        first, *rest = sorted(group)
        for rule in rest:
            union(first, rule)
    for rule_id, overlaps in rule_overlaps().items():
        for other in overlaps:
            union(rule_id, _numbered(other))
    return {rule: find(rule) for rule in parent}


def _numbered(rule: str) -> str:
    """bandit's and ruff's rules of one number share a name: the bandit one (B602 for S602)."""
    match = _BANDIT_NUMBERED.match(rule)
    return f"B{match[1]}" if match else rule


def canonical_rule(rule_id: str) -> str:
    """The name of the problem `rule_id` reports, shared by every equivalent rule."""
    numbered = _numbered(rule_id)
    return _groups().get(numbered, numbered)


@cache
def direct_names(rule_id: str) -> frozenset[str]:
    """The rule ids that name what `rule_id` names directly (not through a chain of groups):
    itself, its bandit/ruff twin, the rules of its explicit group, and the semgrep rules it
    overlaps or that overlap it. Muting or ignoring B307 (eval) must not mute B102 (exec),
    although a semgrep rule covering both puts them in one group for merging."""
    numbered = _numbered(rule_id)
    names = {rule_id, numbered}
    for group in EXTRA_GROUPS:
        if numbered in group:
            names |= group
    for semgrep_rule, overlaps in rule_overlaps().items():
        twins = {_numbered(other) for other in overlaps}
        if semgrep_rule == rule_id:
            names |= twins
        elif numbered in twins:
            names.add(semgrep_rule)
    return frozenset(names | {f"S{n[1:]}" for n in names if _BANDIT_NUMBERED.match(n)})


def same_problem(rule_a: str, rule_b: str) -> bool:
    return canonical_rule(rule_a) == canonical_rule(rule_b)
