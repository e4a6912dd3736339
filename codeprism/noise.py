"""The noise policy: what is not reported at all, and which roles are counted by default.

Explicit and counted: a finding the policy drops is not lost silently, it is counted per
reason (`RepoAnalysis.not_reported`, the repos table's `not_reported`, the summaries).

- `assert` in a test file (bandit B101 / ruff S101) is how tests are written, not a problem:
  not reported. An assert in source code is still reported (it vanishes under `python -O`).
- Reminders are kept but demoted to `info`, below every problem (ranked last under a review's
  cap, not counted by `--fail-on low`): importing a module whose dangerous calls are checked
  where they happen (subprocess, pickle, the XML parsers: B403, B404, B405-B411), and a
  subprocess call without a shell (B603 / S603), whose untrusted input the command-injection
  rules report; a process started by a partial path (B607 / S607). Imports of cleartext
  protocols and dead crypto (telnetlib, ftplib, pycrypto) keep their severity.
- Pattern matches that the context-aware rules did not confirm are reminders too. bandit and
  ruff flag every `random.choice`, every `hashlib.md5`, every `urlopen`, every SQL string
  built with `%`, every `mark_safe`; codeprism's semgrep rules for the same problems (those
  their `overlaps` name) look at where the data comes from and what it is used for. When
  semgrep checked the file and none of its rules reported the problem there, the bandit/ruff
  finding is kept at `info`; when semgrep agrees, the merged finding keeps its severity.
- Every other finding keeps its file's role; summaries, the KPI headline and PR reviews count
  source files by default (`--all-roles` shows tests, examples, vendored and generated code).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import replace
from functools import cache

from codeprism.equivalence import canonical_rule
from codeprism.file_roles import FileRole
from codeprism.findings import Finding, Severity
from codeprism.rules import rule_overlaps

ASSERT_PROBLEM = "B101"  # canonical name of bandit B101 / ruff S101
CHECKED_AT_CALL_IMPORTS = frozenset({"B403", "B404", *(f"B{n}" for n in range(405, 412))})
NO_SHELL_SUBPROCESS = "B603"
PARTIAL_PATH = "B607"
DEFAULT_ROLES: frozenset[FileRole] = frozenset({FileRole.SOURCE})
ALL_ROLES: frozenset[FileRole] = frozenset(FileRole)


def not_reported_reason(finding: Finding) -> str | None:
    """Why the policy drops this finding, or None when it is reported."""
    if finding.file_role is FileRole.TEST and finding.problem == ASSERT_PROBLEM:
        return "assert in a test file"
    return None


@cache
def context_checked_problems() -> frozenset[str]:
    """The problems some semgrep rule of the pack checks with context (its `overlaps`)."""
    return frozenset(
        canonical_rule(rule) for overlaps in rule_overlaps().values() for rule in overlaps
    )


def is_reminder(finding: Finding, semgrep_checked: Collection[str] = ()) -> bool:
    """Whether the finding is a reminder; `semgrep_checked` holds the files semgrep analysed
    without a problem (where its silence means something)."""
    problem = finding.problem
    if problem in CHECKED_AT_CALL_IMPORTS or problem in (NO_SHELL_SUBPROCESS, PARTIAL_PATH):
        return True
    return (
        finding.file_path in semgrep_checked
        and problem in context_checked_problems()
        and not any(r.startswith("semgrep:") for r in finding.reporters)
    )


def apply_noise_policy(
    findings: Iterable[Finding], semgrep_checked: Collection[str] = ()
) -> tuple[list[Finding], Counter[str]]:
    """The findings that are reported (reminders demoted to info), and how many were not,
    per reason."""
    kept: list[Finding] = []
    dropped: Counter[str] = Counter()
    for finding in findings:
        reason = not_reported_reason(finding)
        if reason is not None:
            dropped[reason] += 1
        elif is_reminder(finding, semgrep_checked):
            kept.append(replace(finding, severity=Severity.INFO))
        else:
            kept.append(finding)
    return kept, dropped


def in_roles(findings: Iterable[Finding], roles: frozenset[FileRole]) -> list[Finding]:
    return [f for f in findings if f.file_role in roles]


def by_role(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.file_role.value for f in findings)
