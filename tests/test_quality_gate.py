"""The data-quality gate on a warehouse written by a real audit (real Ray, Delta and GE)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from analytics.quality import FailedExpectation, GateResult, apply_gate, validate_run
from analytics.quality_suites import SUITES
from codeprism.cli import main as cli_main
from codeprism.schema import FINDINGS, REPOS, REVIEWS, RUNS
from codeprism.warehouse import Warehouse
from jobs.audit import main as audit_main
from tests.test_audit import git

pytestmark = pytest.mark.usefixtures("ray_local")

RUN = "clean"
EXPECTATIONS = sum(len(checks) for checks in SUITES.values())


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, corpus: list[Path]) -> dict[str, Any]:
    """One real audit of a plain directory and a git repository (so commit_sha is set)."""
    base = tmp_path_factory.mktemp("quality")
    work = base / "itsdangerous"
    subprocess.run(["cp", "-r", str(corpus[2]), str(work)], check=True)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "import", cwd=work)
    bare = base / "itsdangerous.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=base)
    warehouse = base / "wh"
    args = [str(corpus[0]), f"file://{bare}", "--warehouse", str(warehouse), "--run-id", RUN]
    args += ["--cache-dir", str(base / "cache"), "--no-progress"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = audit_main(args)
    return {"code": code, "stdout": out.getvalue(), "warehouse": warehouse, "args": args}


@pytest.fixture
def wh_path(audited: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the audited warehouse, free for a test to spoil."""
    copy = tmp_path / "wh"
    shutil.copytree(audited["warehouse"], copy)
    return copy


def status(warehouse: Path, run_id: str = RUN) -> str:
    rows = Warehouse(warehouse).read("runs", f"run_id = '{run_id}'").to_pylist()
    return str(rows[0]["status"])


def validate(*args: str) -> int:
    return cli_main(["validate", *args])


def failures(result: GateResult) -> set[tuple[str, str, str | None, int]]:
    return {(f.table, f.expectation, f.column, f.bad_rows) for f in result.failures}


def inject_bad_findings(warehouse: Path) -> None:
    """Severity "bogus", confidence 1.5, start line -1, and a duplicate finding_id."""
    wh = Warehouse(warehouse)
    good = wh.read("findings", f"run_id = '{RUN}'").to_pylist()[0]
    bad = [
        good | {"finding_id": "bad-severity", "severity": "bogus"},
        good | {"finding_id": "bad-confidence", "confidence": 1.5},
        good | {"finding_id": "bad-line", "start_line": -1},
        dict(good),  # the same finding_id twice
    ]
    wh.append("findings", pa.Table.from_pylist(bad, schema=FINDINGS))


BAD_FINDINGS = {
    ("findings", "expect_column_values_to_be_unique", "finding_id", 2),
    ("findings", "expect_column_values_to_be_in_set", "severity", 1),
    ("findings", "expect_column_values_to_be_between", "confidence", 1),
    ("findings", "expect_column_values_to_be_between", "start_line", 1),
}


class _Text(HTMLParser):
    """The visible text of an HTML page, one line per block element."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")
        if tag in ("tr", "td", "p", "div", "li", "span", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def page_lines(path: Path) -> list[str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return [line.strip() for line in "".join(parser.parts).splitlines() if line.strip()]


def validation_page(index: Path, table: str) -> Path:
    """The table's validation result page, found through the report's index."""
    links = set(re.findall(rf'validations/{table}/v1/[^"\']+\.html', index.read_text()))
    assert len(links) == 1, links
    return index.parent / links.pop()


# -- a clean audit -----------------------------------------------------------------------------


def test_clean_audit_passes_the_gate_and_prints_its_line(audited: dict[str, Any]) -> None:
    assert audited["code"] == 0
    report = audited["warehouse"] / "_quality" / RUN / "index.html"
    gate_lines = [line for line in audited["stdout"].splitlines() if "quality gate" in line]
    assert gate_lines == [
        f"quality gate: passed (4 suites, {EXPECTATIONS} expectations); report: {report}"
    ]
    assert report.is_file()
    assert status(audited["warehouse"]) == "succeeded"
    repos = Warehouse(audited["warehouse"]).read("repos").to_pylist()
    assert sum(1 for r in repos if r["commit_sha"]) == 1  # the regex saw a real commit


def test_validate_run_on_the_clean_run(wh_path: Path) -> None:
    result = validate_run(Warehouse(wh_path), RUN)
    assert result == GateResult(
        run_id=RUN,
        passed=True,
        failures=(),
        report_path=wh_path / "_quality" / RUN / "index.html",
        suites=4,
        expectations=EXPECTATIONS,
    )
    assert EXPECTATIONS == 34
    assert status(wh_path) == "succeeded"  # validate_run changes no status


def test_gate_runs_offline(wh_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.delenv("GX_ANALYTICS_ENABLED", raising=False)
    assert validate_run(Warehouse(wh_path), RUN).passed
    assert attempts == []
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"


def test_each_check_has_its_own_description() -> None:
    for table, checks in SUITES.items():
        assert len({c.description for c in checks}) == len(checks), table
        assert {c.table for c in checks} == {table}


# -- bad rows ----------------------------------------------------------------------------------


def test_an_audit_whose_run_fails_the_gate_exits_2(
    wh_path: Path, audited: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    inject_bad_findings(wh_path)
    # Resume the finished run (nothing left to analyse): the gate at its end sees the bad rows.
    args = [a if a != str(audited["warehouse"]) else str(wh_path) for a in audited["args"]]
    assert audit_main(args) == 2
    gate = [line for line in capsys.readouterr().out.splitlines() if "quality gate" in line]
    report = wh_path / "_quality" / RUN / "index.html"
    assert gate == [f"quality gate: FAILED — run quarantined; report: {report}"]
    assert status(wh_path) == "quarantined"


def test_bad_findings_quarantine_the_run(wh_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject_bad_findings(wh_path)
    assert validate("--warehouse", str(wh_path), "--run-id", RUN) == 1
    out = capsys.readouterr().out.splitlines()
    report = wh_path / "_quality" / RUN / "index.html"
    assert out[0] == f"run {RUN}: quality gate: FAILED — run quarantined; report: {report}"
    assert sorted(out[1:]) == sorted(
        [
            "  findings.v1 expect_column_values_to_be_unique(finding_id): 2 bad rows"
            " — findings.finding_id is unique within the run",
            "  findings.v1 expect_column_values_to_be_in_set(severity): 1 bad row"
            " — findings.severity is one of: critical, high, medium, low, info",
            "  findings.v1 expect_column_values_to_be_between(confidence): 1 bad row"
            " — findings.confidence is between 0 and 1",
            "  findings.v1 expect_column_values_to_be_between(start_line): 1 bad row"
            " — findings.start_line is at least 1 where present",
        ]
    )
    assert status(wh_path) == "quarantined"

    result = validate_run(Warehouse(wh_path), RUN)
    assert not result.passed
    assert failures(result) == BAD_FINDINGS
    assert len(result.failures) == 4

    # The saved report names each failed expectation, then its count of bad rows.
    lines = page_lines(validation_page(report, "findings"))
    for failure in result.failures:
        at = lines.index(failure.description)
        assert lines[at + 1].startswith(f"{failure.bad_rows} unexpected values found."), lines[at:]
    assert "bogus" in lines and "1.5" in lines and "-1" in lines  # the bad values themselves


def test_json_format_and_a_fixed_run_is_restored(
    wh_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wh = Warehouse(wh_path)
    clean = wh.read("findings", f"run_id = '{RUN}'")
    inject_bad_findings(wh_path)
    assert validate("--warehouse", str(wh_path), "--format", "json") == 1  # newest run
    record = json.loads(capsys.readouterr().out)
    assert (record["run_id"], record["passed"], record["status"]) == (RUN, False, "quarantined")
    assert record["previous_status"] == "succeeded"
    assert {
        (f["table"], f["expectation"], f["column"], f["bad_rows"]) for f in record["failures"]
    } == BAD_FINDINGS

    runs_before = wh.read("runs").to_pylist()[0]
    version = wh.table("runs").version()
    again = apply_gate(wh, RUN)  # idempotent: nothing to change
    assert (again.previous_status, again.status, again.passed) == (
        "quarantined",
        "quarantined",
        False,
    )
    assert wh.table("runs").version() == version

    wh.replace("findings", clean, f"run_id = '{RUN}'")  # the fix
    assert validate("--warehouse", str(wh_path), "--run-id", RUN) == 0
    assert "run restored to succeeded" in capsys.readouterr().out
    runs_after = wh.read("runs").to_pylist()[0]
    assert runs_after == runs_before | {"status": "succeeded"}  # every other field kept
    assert apply_gate(wh, RUN).status == "succeeded"


def test_repos_row_with_a_39_character_commit_fails_the_repos_suite(wh_path: Path) -> None:
    wh = Warehouse(wh_path)
    row = next(r for r in wh.read("repos").to_pylist() if r["commit_sha"])
    wh.append(
        "repos",
        pa.Table.from_pylist(
            [row | {"repo_id": "other", "commit_sha": row["commit_sha"][:39]}], schema=REPOS
        ),
    )
    outcome = apply_gate(wh, RUN)
    assert outcome.result is not None
    assert outcome.result.failures == (
        FailedExpectation(
            "repos",
            "expect_column_values_to_match_regex",
            "commit_sha",
            1,
            "repos.commit_sha is 40 lowercase hex characters where present",
        ),
    )
    assert status(wh_path) == "quarantined"


def test_runs_and_reviews_suites_check_keys_and_states(wh_path: Path) -> None:
    wh = Warehouse(wh_path)
    run = wh.read("runs").to_pylist()[0]
    wh.append("runs", pa.Table.from_pylist([run], schema=RUNS))  # a second row for the run
    review = {
        "review_id": "rv-1",
        "provider": "api",
        "repo": "acme/app",
        "status": "done",
        "received_at": run["started_at"],
        "latency_s": 1.5,
    }
    reviews = [
        review,
        review | {"status": "bogus", "latency_s": -2.0},
        review | {"review_id": "rv-2"},
    ]
    wh.append("reviews", pa.Table.from_pylist(reviews, schema=REVIEWS))
    result = validate_run(wh, RUN)
    assert failures(result) == {
        ("runs", "expect_column_values_to_be_unique", "run_id", 2),
        ("reviews", "expect_column_values_to_be_unique", "review_id", 2),
        ("reviews", "expect_column_values_to_be_in_set", "status", 1),
        ("reviews", "expect_column_values_to_be_between", "latency_s", 1),
    }


def test_all_runs(
    wh_path: Path, audited: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # A second run of the same targets (all repos skipped as unchanged), then spoil the first.
    args = [a if a != RUN else "second" for a in audited["args"]]
    args[args.index(str(audited["warehouse"]))] = str(wh_path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert audit_main(args) == 0
    inject_bad_findings(wh_path)
    capsys.readouterr()
    assert validate("--warehouse", str(wh_path), "--run-id", "all", "--format", "json") == 1
    records = json.loads(capsys.readouterr().out)
    assert [(r["run_id"], r["passed"], r["status"]) for r in records] == [
        (RUN, False, "quarantined"),
        ("second", True, "succeeded"),
    ]


# -- errors ------------------------------------------------------------------------------------


def test_unknown_run_and_missing_warehouse_are_clear_errors(
    wh_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate("--warehouse", str(wh_path), "--run-id", "nope") == 2
    err = capsys.readouterr().err
    assert err == f"codeprism validate: error: no run 'nope' in the warehouse at {wh_path}\n"
    assert status(wh_path) == "succeeded"

    missing = tmp_path / "missing"
    assert validate("--warehouse", str(missing)) == 2
    err = capsys.readouterr().err
    assert err == f"codeprism validate: error: no warehouse at {missing} (it has no runs table)\n"
    assert not missing.exists()  # validating never creates a warehouse


def test_a_gate_that_cannot_run_quarantines_and_keeps_the_data(
    wh_path: Path, audited: dict[str, Any], tmp_path: Path
) -> None:
    wh = Warehouse(wh_path)
    counts = {name: wh.count_rows(name, RUN) for name in ("findings", "repos")}
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the report directory should be")
    # Resume the finished run (nothing left to analyse): the gate at its end cannot save
    # its report, so it cannot run.
    args = [a if a != str(audited["warehouse"]) else str(wh_path) for a in audited["args"]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # The data stays, but the audit says the run is not usable: exit 2, as for an error.
        assert audit_main([*args, "--quality-report-dir", str(blocked)]) == 2
    gate = [line for line in out.getvalue().splitlines() if "quality gate" in line]
    assert len(gate) == 1 and gate[0].startswith("quality gate: ERROR — run quarantined; "), gate
    assert "FileExistsError" in gate[0] or "NotADirectoryError" in gate[0], gate
    assert status(wh_path) == "quarantined"
    assert {name: wh.count_rows(name, RUN) for name in ("findings", "repos")} == counts
    errors = wh.read("errors", f"run_id = '{RUN}' AND stage = 'quality'").to_pylist()
    assert len(errors) == 1
    assert errors[0]["reason"].startswith("quality gate could not run; run quarantined: ")

    # Once the gate can run again, the run is restored and the stale errors row goes.
    outcome = apply_gate(wh, RUN)
    assert (outcome.passed, outcome.status) == (True, "succeeded")
    assert wh.read("errors", f"run_id = '{RUN}' AND stage = 'quality'").num_rows == 0
