"""The noise policy: what is not reported at all, and which roles are counted by default.

Explicit and counted: a finding the policy drops is not lost silently, it is counted per
reason (`RepoAnalysis.not_reported`, the repos table's `not_reported`, the summaries).

- `assert` in a test file (bandit B101 / ruff S101) is how tests are written, not a problem:
  not reported. An assert in source code is still reported (it vanishes under `python -O`).
- Importing a module whose dangerous calls bandit checks where they happen (subprocess, pickle,
  the XML parsers: B403, B404, B405-B411) says nothing the call findings do not: not reported.
  Imports of cleartext protocols and dead crypto libraries (telnetlib, ftplib, pycrypto) are.
- A subprocess call without a shell (B603 / S603) is a reminder to check the input, not a
  problem: the command-injection rules report the calls that do take untrusted input.
- Every other finding keeps its file's role; summaries, the KPI headline and PR reviews count
  source files by default (`--all-roles` shows tests, examples, vendored and generated code).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from codeprism.file_roles import FileRole
from codeprism.findings import Finding

ASSERT_PROBLEM = "B101"  # canonical name of bandit B101 / ruff S101
CHECKED_AT_CALL_IMPORTS = frozenset({"B403", "B404", *(f"B{n}" for n in range(405, 412))})
NO_SHELL_SUBPROCESS = "B603"
DEFAULT_ROLES: frozenset[FileRole] = frozenset({FileRole.SOURCE})
ALL_ROLES: frozenset[FileRole] = frozenset(FileRole)


def not_reported_reason(finding: Finding) -> str | None:
    """Why the policy drops this finding, or None when it is reported."""
    problem = finding.problem
    if finding.file_role is FileRole.TEST and problem == ASSERT_PROBLEM:
        return "assert in a test file"
    if problem in CHECKED_AT_CALL_IMPORTS:
        return "import of a module whose calls are checked"
    if problem == NO_SHELL_SUBPROCESS:
        return "subprocess call without a shell"
    return None


def apply_noise_policy(findings: Iterable[Finding]) -> tuple[list[Finding], Counter[str]]:
    """The findings that are reported, and how many were not, per reason."""
    kept: list[Finding] = []
    dropped: Counter[str] = Counter()
    for finding in findings:
        reason = not_reported_reason(finding)
        if reason is None:
            kept.append(finding)
        else:
            dropped[reason] += 1
    return kept, dropped


def in_roles(findings: Iterable[Finding], roles: frozenset[FileRole]) -> list[Finding]:
    return [f for f in findings if f.file_role in roles]


def by_role(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.file_role.value for f in findings)
