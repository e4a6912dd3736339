"""Baseline files: create from findings, write, load, apply; bad files are clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from codeprism import __version__
from codeprism.baseline import (
    DEFAULT_FILE,
    Baseline,
    baseline_document,
    load_baseline,
)
from codeprism.errors import ConfigError
from codeprism.findings import Finding, Severity, with_fingerprints
from codeprism.suppressions import BASELINE


def finding(
    rule: str,
    line: int,
    snippet: str,
    path: str = "app.py",
    analyzer: str = "bandit",
    severity: Severity = Severity.HIGH,
    reported_by: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule_id=rule,
        analyzer=analyzer,
        file_path=path,
        start_line=line,
        end_line=line,
        severity=severity,
        title="t",
        repo="org/app",
        snippet=snippet,
        reported_by=reported_by,
    )


def today() -> list[Finding]:
    return with_fingerprints(
        [
            finding("B602", 10, "run(cmd, shell=True)", reported_by=("bandit:B602", "ruff:S602")),
            finding("B311", 4, "random.random()", severity=Severity.LOW),
            finding("B101", 7, "assert x", path="lib/a.py", severity=Severity.LOW),
            replace(finding("B307", 12, "eval(e)"), suppression="codeprism: ignore[B307] -- ok"),
        ]
    )


def write_document(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_document() -> None:
    findings = today()
    document = baseline_document(findings, "org/app")
    assert set(document) == {
        "format",
        "version",
        "created_at",
        "codeprism_version",
        "repo",
        "findings",
    }
    assert document["format"] == "codeprism-baseline"
    assert document["version"] == 1
    assert document["codeprism_version"] == __version__
    assert document["repo"] == "org/app"
    by_rule = {f.rule_id: f for f in findings}
    # sorted by file and line; the suppressed finding needs no entry
    assert document["findings"] == [
        {
            "fingerprint": by_rule["B311"].fingerprint,
            "rule": "B311",
            "file": "app.py",
            "line": 4,
            "severity": "low",
        },
        {
            "fingerprint": by_rule["B602"].fingerprint,
            "rule": "B602",
            "file": "app.py",
            "line": 10,
            "severity": "high",
        },
        {
            "fingerprint": by_rule["B101"].fingerprint,
            "rule": "B101",
            "file": "lib/a.py",
            "line": 7,
            "severity": "low",
        },
    ]
    assert all(len(e["fingerprint"]) == 64 for e in document["findings"])
    # no code, no secret: only fingerprints, rules and places
    assert "run(cmd" not in json.dumps(document)


def test_entries_name_the_rule_as_reported() -> None:
    """eval's B307 shares a problem with exec's B102 (the semgrep rule overlapping both): the
    entry names B307, the fingerprint is the problem's."""
    (evaluated,) = with_fingerprints([finding("B307", 6, "eval(x)")])
    assert evaluated.problem == "B102"
    (entry,) = baseline_document([evaluated], "org/app")["findings"]
    assert entry["rule"] == "B307"
    assert entry["fingerprint"] == evaluated.fingerprint


def test_findings_without_a_fingerprint_get_no_entry() -> None:
    document = baseline_document([finding("B101", 1, "assert x")], "org/app")
    assert document["findings"] == []


def test_round_trip(tmp_path: Path) -> None:
    path = write_document(tmp_path / DEFAULT_FILE, baseline_document(today(), "org/app"))
    baseline = load_baseline(path)
    assert baseline.path == str(path)
    assert len(baseline.fingerprints) == 3
    # tomorrow: the code moved down five lines, B311 was fixed, one new problem appeared
    tomorrow = with_fingerprints(
        [
            finding("S602", 15, "run(cmd,  shell=True)", analyzer="ruff"),  # reformatted
            finding("B101", 12, "assert x", path="lib/a.py", severity=Severity.LOW),
            finding("B608", 20, "db.execute(q % x)"),
            replace(finding("B307", 17, "eval(e)"), suppression="codeprism: ignore[B307] -- ok"),
        ]
    )
    applied = baseline.apply(tomorrow)
    assert [(f.rule_id, f.suppression) for f in applied] == [
        ("S602", BASELINE),  # the same problem as bandit's B602: the same fingerprint
        ("B307", "codeprism: ignore[B307] -- ok"),  # an in-source marker stays
        ("B608", None),
        ("B101", BASELINE),
    ]


def test_same_code_elsewhere_is_new() -> None:
    baseline = Baseline(frozenset(f.fingerprint for f in today()), "b.json")
    moved = with_fingerprints([finding("B311", 4, "random.random()", path="other.py")])
    assert baseline.apply(moved)[0].suppression is None
    another_repo = with_fingerprints([replace(finding("B311", 4, "random.random()"), repo="x/y")])
    assert baseline.apply(another_repo)[0].suppression is None


def test_empty_baseline_accepts_nothing(tmp_path: Path) -> None:
    path = write_document(tmp_path / "b.json", baseline_document([], "org/app"))
    baseline = load_baseline(path)
    assert baseline == Baseline(frozenset(), str(path))
    findings = today()
    assert baseline.apply(findings) == findings


def valid() -> dict[str, Any]:
    return baseline_document(today(), "org/app")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "the baseline {p} is not JSON"),
        ("", "the baseline {p} is not JSON"),
        ("[" * 100_000 + "]" * 100_000, "the baseline {p} is not JSON"),
        (b"\xff\xfe{}", "the baseline {p} is not JSON"),
        ([], "{p} is not a codeprism baseline (create one with `codeprism baseline create`)"),
        (
            {"findings": []},
            "{p} is not a codeprism baseline (create one with `codeprism baseline create`)",
        ),
        (
            {**valid(), "format": "sarif"},
            "{p} is not a codeprism baseline (create one with `codeprism baseline create`)",
        ),
        ({**valid(), "version": 2}, "the baseline {p} has version 2; this codeprism reads 1"),
        ({**valid(), "version": "1"}, "the baseline {p} has version '1'; this codeprism reads 1"),
        ({**valid(), "version": True}, "the baseline {p} has version True; this codeprism reads 1"),
        ({**valid(), "version": 1.0}, "the baseline {p} has version 1.0; this codeprism reads 1"),
        (
            {k: v for k, v in valid().items() if k != "version"},
            "the baseline {p} has version None; this codeprism reads 1",
        ),
        ({**valid(), "findings": None}, "the baseline {p} has no valid findings list"),
        ({**valid(), "findings": {"a": 1}}, "the baseline {p} has no valid findings list"),
        ({**valid(), "findings": ["abc"]}, "the baseline {p} has no valid findings list"),
        ({**valid(), "findings": [{"rule": "B1"}]}, "the baseline {p} has no valid findings list"),
        (
            {**valid(), "findings": [{"fingerprint": 5}]},
            "the baseline {p} has no valid findings list",
        ),
    ],
)
def test_bad_files(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "baseline.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        write_document(path, content)
    with pytest.raises(ConfigError) as caught:
        load_baseline(path)
    assert str(caught.value) == message.format(p=path)


def test_missing_or_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigError) as caught:
        load_baseline(missing)
    assert str(caught.value) == f"cannot read the baseline {missing}: No such file or directory"
    with pytest.raises(ConfigError) as caught:
        load_baseline(tmp_path)
    assert str(caught.value) == f"cannot read the baseline {tmp_path}: Is a directory"


def test_load_accepts_str_paths_and_extra_fields(tmp_path: Path) -> None:
    document = {**valid(), "comment": "accepted on 2026-01-01"}
    path = write_document(tmp_path / "b.json", document)
    baseline = load_baseline(str(path))
    assert baseline.fingerprints == {e["fingerprint"] for e in document["findings"]}
