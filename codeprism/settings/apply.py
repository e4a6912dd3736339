"""What settings do to a repository's files and findings.

- `paths.include` / `paths.exclude` / `paths.extend_exclude`: excluded files are not read at
  all (counted in the repos table's `excluded_files`), except by the secrets analyzer where
  only the repository's own settings excluded them (`secrets_only`);
- `paths.tests`: more test code, on top of the conventions of `file_roles.py`;
- `analyzers`: a static finding none of whose reporters is on is not reported;
- `rules.disabled`: a finding of a muted problem is not reported;
- `rules.severity`: the finding's severity is the configured one.

A rule is named by any of its tools' ids: muting `S602`, `B602` or a semgrep rule that
overlaps them mutes the one merged finding (see `equivalence.py`). What is not reported is
counted per reason, like the noise policy's drops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from codeprism.file_roles import FileRole, file_role
from codeprism.findings import Finding, Source
from codeprism.settings.globs import matches_any
from codeprism.settings.model import PathSettings, Settings


def is_excluded(path: str, settings: Settings) -> bool:
    return _excluded(path, settings.paths)


def secrets_only(path: str, settings: Settings) -> bool:
    """An excluded file that the secrets analyzer still reads: the repository's own settings
    excluded it, the operator's did not (see `Settings.secrets_paths`)."""
    return settings.secrets_paths is not None and not _excluded(path, settings.secrets_paths)


def _excluded(path: str, paths: PathSettings) -> bool:
    if paths.include and not matches_any(path, paths.include):
        return True
    return matches_any(path, (*paths.exclude, *paths.extend_exclude))


def role_of(path: str, text: str | None, settings: Settings) -> FileRole:
    """The file's role by convention, or `test` where `paths.tests` says so (vendored and
    generated code keep their role: a vendored library's tests are vendored code)."""
    role = file_role(path, text)
    if role in (FileRole.SOURCE, FileRole.EXAMPLE) and matches_any(path, settings.paths.tests):
        return FileRole.TEST
    return role


def apply_rule_settings(
    findings: Iterable[Finding], settings: Settings
) -> tuple[list[Finding], Counter[str]]:
    """The findings the settings report (severities overridden), and the count of those they
    do not, per reason."""
    enabled = set(settings.analyzers)
    kept: list[Finding] = []
    dropped: Counter[str] = Counter()
    for finding in findings:
        analyzers = {r.split(":", 1)[0] for r in finding.reporters}
        if finding.source is Source.STATIC and not analyzers & enabled:
            dropped[f"analyzer off by configuration: {'/'.join(sorted(analyzers))}"] += 1
            continue
        muted = next((r for r in settings.rules.disabled if finding.named_by(r)), None)
        if muted is not None:
            dropped[f"rule disabled by configuration: {muted}"] += 1
            continue
        level = next((s for r, s in settings.rules.severity.items() if finding.named_by(r)), None)
        kept.append(replace(finding, severity=level) if level is not None else finding)
    return kept, dropped
