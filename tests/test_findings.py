from dataclasses import FrozenInstanceError

import pytest

from codeprism.findings import (
    Finding,
    Severity,
    at_or_above,
    finding_id,
    fingerprint,
    with_fingerprints,
)


def make(rule: str = "S105", path: str = "a.py", line: int = 3, snippet: str = "x = 1") -> Finding:
    return Finding(
        rule_id=rule,
        analyzer="ruff",
        file_path=path,
        start_line=line,
        end_line=line,
        severity=Severity.HIGH,
        title="t",
        repo="org/repo",
        snippet=snippet,
    )


def test_finding_is_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        make().start_line = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "end", "confidence"), [(0, 1, 1.0), (5, 4, 1.0), (1, 1, 1.5), (1, 1, -0.1)]
)
def test_invalid_finding_is_rejected(start: int, end: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        Finding("R", "a", "p", start, end, Severity.LOW, "t", confidence=confidence)


def test_fingerprint_survives_line_shift_and_reformatting() -> None:
    before = with_fingerprints([make(line=3, snippet="password = 'x'")])[0]
    after = with_fingerprints([make(line=40, snippet="password   =  'x'  ")])[0]
    assert before.fingerprint == after.fingerprint
    assert len(before.fingerprint) == 64


def test_fingerprint_changes_with_rule_path_repo_or_code() -> None:
    base = fingerprint("S105", "org/repo", "a.py", "x=1")
    assert base != fingerprint("S106", "org/repo", "a.py", "x=1")
    assert base != fingerprint("S105", "org/other", "a.py", "x=1")
    assert base != fingerprint("S105", "org/repo", "b.py", "x=1")
    assert base != fingerprint("S105", "org/repo", "a.py", "x=2")


def test_identical_code_twice_in_a_file_gets_distinct_fingerprints() -> None:
    first, second = with_fingerprints([make(line=9), make(line=2)])
    assert (first.start_line, second.start_line) == (2, 9)
    assert first.fingerprint != second.fingerprint
    # The n-th occurrence keeps its identity when both move down.
    moved = with_fingerprints([make(line=12), make(line=5)])
    assert [f.fingerprint for f in moved] == [first.fingerprint, second.fingerprint]


def test_finding_id_is_unique_per_run() -> None:
    assert finding_id("r1", "f") != finding_id("r2", "f")
    assert finding_id("r1", "f") == finding_id("r1", "f")


def test_severity_parse_and_threshold() -> None:
    assert Severity.parse(" HIGH ") is Severity.HIGH
    with pytest.raises(ValueError, match="unknown severity 'bogus'"):
        Severity.parse("bogus")
    low = make()
    findings = [low, Finding("R", "a", "p", 1, 1, Severity.CRITICAL, "t")]
    assert [f.severity for f in at_or_above(findings, Severity.CRITICAL)] == [Severity.CRITICAL]
    assert len(at_or_above(findings, Severity.INFO)) == 2
