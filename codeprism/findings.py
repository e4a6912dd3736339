"""The Finding contract shared by every table, output format and PR comment.

A finding is frozen: once an analyzer reports it, nothing changes it but `dataclasses.replace`,
so a finding can be hashed, deduplicated and compared across runs safely.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from codeprism.equivalence import canonical_rule, direct_names
from codeprism.file_roles import FileRole


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for sorting and for `--fail-on`."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of: {allowed}") from None


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Source(StrEnum):
    STATIC = "static"
    LLM = "llm"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place in one repository.

    `snippet` is the flagged code as stored (redacted for secrets); the fingerprint is
    derived from it, never from line numbers, so a finding keeps its identity when the code
    around it moves or is reformatted.
    """

    rule_id: str
    analyzer: str
    file_path: str
    start_line: int
    end_line: int
    severity: Severity
    title: str
    repo: str = ""
    org: str | None = None
    commit_sha: str | None = None
    confidence: float = 1.0
    description: str = ""
    suggested_fix: str | None = None
    cwe: str | None = None
    snippet: str = ""
    source: Source = Source.STATIC
    agent: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    fingerprint: str = ""
    # every "analyzer:rule" that reported this problem here (one entry unless merged)
    reported_by: tuple[str, ...] = ()
    file_role: FileRole = FileRole.SOURCE
    # why it is accepted and not reported: an in-source marker ("codeprism: ignore[B602] --
    # reason", "nosec", "noqa[S602]") or "baseline" (see suppressions.py); None: reported
    suppression: str | None = None

    def __post_init__(self) -> None:
        if self.start_line < 1 or self.end_line < self.start_line:
            raise ValueError(
                f"{self.file_path}: invalid line range {self.start_line}-{self.end_line}"
            )
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")

    @property
    def location(self) -> str:
        return f"{self.file_path}:{self.start_line}"

    @property
    def reporters(self) -> tuple[str, ...]:
        """ "analyzer:rule" of each tool that reported it (itself, when not merged)."""
        return self.reported_by or (f"{self.analyzer}:{self.rule_id}",)

    @property
    def analyzers_text(self) -> str:
        """Who reported it, for people: "bandit (B602), ruff (S602)"."""
        return ", ".join(
            f"{analyzer} ({rule})" if rule != self.rule_id or len(self.reporters) > 1 else analyzer
            for analyzer, _, rule in (r.partition(":") for r in self.reporters)
        )

    def named_by(self, rule: str) -> bool:
        """Whether `rule`, or a rule that names the same check directly, reported this
        finding: muting `S602` mutes the merged B602/S602 finding, but muting `B307` (eval)
        does not mute `B102` (exec) (see `equivalence.direct_names`)."""
        reported = {r.split(":", 1)[-1] for r in self.reporters}
        return not reported.isdisjoint(direct_names(rule))

    @property
    def problem(self) -> str:
        """The name of the problem, the same whichever equivalent rule reported it."""
        return min(canonical_rule(r.split(":", 1)[-1]) for r in self.reporters)


_WHITESPACE = re.compile(r"\s+")


def normalise_code(code: str) -> str:
    """Drop all whitespace so that reformatting does not change a fingerprint."""
    return _WHITESPACE.sub("", code)


def fingerprint(rule_id: str, repo: str, file_path: str, code: str, occurrence: int = 0) -> str:
    """Stable identity of a finding across runs: rule, repo, path and normalised code.

    `occurrence` tells apart identical code flagged twice by the same rule in one file (the
    n-th such finding, counted top-down), so two equal lines never share an identity.
    """
    key = "\x1f".join([rule_id, repo, file_path, normalise_code(code), str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def with_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Give each finding its fingerprint, numbering repeats of the same code top-down.

    The identity is the problem, not the rule: bandit's B602 and ruff's S602 on the same code
    have the same fingerprint (see `equivalence`).
    """
    ordered = sorted(findings, key=lambda f: (f.file_path, f.start_line, f.rule_id, f.end_line))
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for finding in ordered:
        problem = finding.problem
        key = (problem, finding.file_path, normalise_code(finding.snippet))
        occurrence = seen[key]
        seen[key] += 1
        result.append(
            replace(
                finding,
                fingerprint=fingerprint(
                    problem, finding.repo, finding.file_path, finding.snippet, occurrence
                ),
            )
        )
    return result


def finding_id(run_id: str, fingerprint_: str) -> str:
    """Unique within a run: a fingerprint occurs at most once per run."""
    return hashlib.sha256(f"{run_id}\x1f{fingerprint_}".encode()).hexdigest()[:32]


def at_or_above(findings: Iterable[Finding], threshold: Severity) -> list[Finding]:
    return [f for f in findings if f.severity.rank >= threshold.rank]


def finding_from_record(record: dict[str, Any]) -> Finding:
    """Rebuild a Finding from a warehouse row (extra run columns are ignored)."""
    fields: dict[str, Any] = {name: record.get(name) for name in Finding.__dataclass_fields__}
    fields["severity"] = Severity(fields["severity"])
    fields["source"] = Source(fields["source"])
    fields["confidence"] = float(fields["confidence"])
    fields["reported_by"] = tuple(fields["reported_by"] or ())
    # tables written before schema version 2 have no role: their rows count as source
    fields["file_role"] = FileRole(fields["file_role"] or FileRole.SOURCE)
    for text_field in ("repo", "description", "snippet", "fingerprint"):
        fields[text_field] = fields[text_field] or ""
    return Finding(**fields)
