"""The KPI library: on real audits of a git repository at two commits, and on small hand-made
frames with exact expected values."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from analytics.kpis import (
    KpiInputError,
    KpiSource,
    agreement_frame,
    complexity_hotspots,
    density_frame,
    diff_frame,
    diff_runs,
    diff_summary,
    findings_per_kloc,
    findings_per_review,
    headline,
    language_of,
    latency_frame,
    latest_run_id,
    llm_static_agreement,
    noisiest_analyzers,
    per_review_frame,
    repo_snapshots,
    review_latency,
    run_findings,
    run_trend,
    secrets_by_type,
    severity_mix,
    severity_mix_frame,
    suppression_kind,
    suppression_kinds,
    suppressions_frame,
    suppressions_in_run,
    suppressions_over_time,
    time_to_fix,
    time_to_fix_frame,
    time_to_fix_summary,
    top_rules,
)
from analytics.kpis.stats import per_kloc
from codeprism.analyzers.inventory import language_of as inventory_language_of
from codeprism.findings import fingerprint
from codeprism.schema import TABLES
from codeprism.warehouse import Warehouse
from jobs.audit import main as audit_main

# -- the acceptance scenario: a repository audited at two commits -------------------------

FIRST_APP = """\
import os
import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)


def calc(expr):
    return eval(expr)
"""
# The second commit fixes eval and the unused import, adds pickle, and moves the rest down.
SECOND_APP = """\
import pickle
import subprocess

# lines added above the shell call: it moves, its fingerprint does not


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(blob):
    return pickle.loads(blob)
"""
SETTINGS = 'PASSWORD = "correct-horse-battery-staple"\n'

# One problem, one finding: bandit's, ruff's and semgrep's reports of the eval, the shell
# call, the pickle load and the password each merge into one finding (rule_id: the best-ranked).
FIXED = {("F401", "app.py"), ("B307", "app.py")}
NEW = {("B301", "app.py"), ("B403", "app.py")}
PERSISTING = {
    ("B602", "app.py"),
    ("B404", "app.py"),
    ("py-hardcoded-secret-assignment", "settings.py"),
}


def git(repo: Path, *args: str) -> str:
    env = os.environ | {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def every_kpi(source: KpiSource) -> dict[str, pl.DataFrame]:
    """Every KPI that reads audit runs, for comparing two views of a warehouse."""
    ttf = time_to_fix(source)
    return {
        "headline": headline(source),
        "trend": run_trend(source),
        "severity": severity_mix(source),
        "by_repo": findings_per_kloc(source, "repo"),
        "by_org": findings_per_kloc(source, "org"),
        "by_language": findings_per_kloc(source, "language"),
        "rules": top_rules(source),
        "analyzers": noisiest_analyzers(source),
        "ttf": ttf,
        "ttf_summary": time_to_fix_summary(ttf),
        "secrets": secrets_by_type(source),
        "complexity": complexity_hotspots(source),
        "agreement": llm_static_agreement(source),
    }


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, ray_local: None) -> dict[str, Any]:
    """`svc` audited at its first commit (run r1) and at its second (run r2), with what the
    KPIs said right after r1 and the table versions and time at that moment."""
    base = tmp_path_factory.mktemp("kpi-audit")
    repo = base / "svc"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text(FIRST_APP)
    (repo / "settings.py").write_text(SETTINGS)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first: problems")
    first_sha = git(repo, "rev-parse", "HEAD")
    warehouse = base / "wh"
    args = [str(repo), "--warehouse", str(warehouse), "--cache-dir", str(base / "cache")]
    assert audit_main([*args, "--run-id", "r1", "--no-progress"]) == 0
    after_first = KpiSource(str(warehouse))
    kpis_after_first = every_kpi(after_first)
    versions_after_first = after_first.versions()
    time_after_first = datetime.now(UTC)
    (repo / "app.py").write_text(SECOND_APP)
    git(repo, "commit", "-qam", "second: fixes some, adds others")
    second_sha = git(repo, "rev-parse", "HEAD")
    assert audit_main([*args, "--run-id", "r2", "--no-progress"]) == 0
    return {
        "repo": repo,
        "args": args,
        "warehouse": warehouse,
        "shas": (first_sha, second_sha),
        "kpis_after_first": kpis_after_first,
        "versions_after_first": versions_after_first,
        "time_after_first": time_after_first,
    }


def rule_files(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return {(r["rule_id"], r["file_path"]) for r in frame.iter_rows(named=True)}


def test_diff_shows_exactly_the_fixed_new_and_persisting_findings(audited: dict) -> None:
    source = KpiSource(str(audited["warehouse"]))
    diff = diff_runs(source, "r1", "r2")
    assert rule_files(diff.filter(pl.col("status") == "fixed")) == FIXED
    assert rule_files(diff.filter(pl.col("status") == "new")) == NEW
    assert rule_files(diff.filter(pl.col("status") == "persisting")) == PERSISTING
    assert diff.height == len(FIXED) + len(NEW) + len(PERSISTING)
    # persisting rows show where the finding is now: the shell call moved from line 6 to 8
    shell = diff.filter(pl.col("rule_id") == "B602").row(0, named=True)
    assert (shell["status"], shell["start_line"]) == ("persisting", 8)
    # fixed rows show where it was: eval on line 10 of the first commit
    assert diff.filter(pl.col("rule_id") == "B307")["start_line"].to_list() == [10]
    summary = diff_summary(diff)
    assert summary.drop("repo_id").to_dicts() == [
        {"repo": "svc", "new": 2, "fixed": 2, "persisting": 3}
    ]
    # the other way round, fixed and new swap
    back = diff_runs(source, "r2", "r1")
    assert rule_files(back.filter(pl.col("status") == "fixed")) == NEW
    assert rule_files(back.filter(pl.col("status") == "new")) == FIXED


def test_headline_and_trend_of_the_two_audits(audited: dict) -> None:
    source = KpiSource(str(audited["warehouse"]))
    row = headline(source).row(0, named=True)
    assert {k: v for k, v in row.items() if k != "started_at"} == {
        "run_id": "r2",
        "repos": 1,
        "files": 2,
        "lines": 13,
        "findings": 5,
        "per_kloc": pytest.approx(5 * 1000 / 13),
        "critical": 0,
        "high": 1,  # the shell call (bandit, ruff and semgrep: one finding), persisting
        "previous_run_id": "r1",
        "new": 2,
        "fixed": 2,
    }
    trend = run_trend(source)
    assert trend.select("run_id", "lines", "findings", "high").to_dicts() == [
        {"run_id": "r1", "lines": 11, "findings": 5, "high": 1},
        {"run_id": "r2", "lines": 13, "findings": 5, "high": 1},
    ]
    commits = repo_snapshots(source).sort("started_at").collect()["commit_sha"].to_list()
    assert commits == list(audited["shas"])


def test_time_to_fix_of_the_two_audits(audited: dict) -> None:
    source = KpiSource(str(audited["warehouse"]))
    ttf = time_to_fix(source)
    fixed = ttf.filter(pl.col("fixed_run").is_not_null())
    assert rule_files(fixed) == FIXED
    assert set(fixed["first_seen_run"]) == {"r1"} and set(fixed["fixed_run"]) == {"r2"}
    open_ = ttf.filter(pl.col("fixed_run").is_null())
    assert rule_files(open_) == PERSISTING | NEW
    assert open_["days_to_fix"].null_count() == open_.height
    runs = run_trend(source)
    gap = (runs["started_at"][1] - runs["started_at"][0]).total_seconds() / 86400
    assert fixed["days_to_fix"].to_list() == pytest.approx([gap] * 2)
    summary = time_to_fix_summary(ttf).drop("median_days", "p90_days")
    assert summary.to_dicts() == [
        {"severity": "critical", "findings": 0, "fixed": 0, "open": 0},
        {"severity": "high", "findings": 1, "fixed": 0, "open": 1},
        {"severity": "medium", "findings": 3, "fixed": 1, "open": 2},  # the eval fixed
        {"severity": "low", "findings": 1, "fixed": 1, "open": 0},  # F401 fixed
        {"severity": "info", "findings": 2, "fixed": 0, "open": 2},  # imports: reminders
    ]


def test_kpis_of_the_latest_run(audited: dict) -> None:
    source = KpiSource(str(audited["warehouse"]))
    assert secrets_by_type(source).to_dicts() == [
        {"rule_id": "py-hardcoded-secret-assignment", "findings": 1, "repos": 1, "files": 1}
    ]
    assert findings_per_kloc(source, "language").to_dicts() == [
        {"language": "Python", "lines": 13, "findings": 5, "per_kloc": pytest.approx(5000 / 13)}
    ]
    analyzers = noisiest_analyzers(source).select("analyzer", "findings", "low_info")
    assert analyzers.to_dicts() == [
        # a merged finding counts once, for its best-ranked analyzer
        {"analyzer": "bandit", "findings": 4, "low_info": 2},  # B403, B404 reminders
        {"analyzer": "semgrep", "findings": 1, "low_info": 0},  # the password
    ]
    assert top_rules(source)["findings"].to_list() == [1] * 5
    mix = severity_mix(source).filter(pl.col("run_id") == "r2")
    assert dict(zip(mix["severity"], mix["findings"], strict=True)) == {
        "critical": 0,
        "high": 1,
        "medium": 2,
        "low": 0,
        "info": 2,
    }


def test_time_travel_shows_the_warehouse_as_it_was_after_the_first_run(audited: dict) -> None:
    uri = str(audited["warehouse"])
    then = audited["kpis_after_first"]
    assert then["headline"]["run_id"].to_list() == ["r1"]
    by_time = every_kpi(KpiSource(uri, as_of=audited["time_after_first"]))
    by_version = every_kpi(KpiSource(uri, version=audited["versions_after_first"]))
    now = every_kpi(KpiSource(uri))
    for name, frame in then.items():
        assert_frame_equal(by_time[name], frame, check_exact=True)
        assert_frame_equal(by_version[name], frame, check_exact=True)
    assert now["headline"]["run_id"].to_list() == ["r2"]
    # a version pinned for one table only: the runs table as after r1 hides r2 everywhere
    runs_only = KpiSource(uri, version={"runs": audited["versions_after_first"]["runs"]})
    assert latest_run_id(runs_only) == "r1"


@pytest.mark.parametrize("status", ["quarantined", "failed", "running"])
def test_runs_that_did_not_succeed_are_invisible(
    audited: dict, tmp_path: Path, status: str
) -> None:
    warehouse = tmp_path / "wh"
    shutil.copytree(audited["warehouse"], warehouse)
    wh = Warehouse(warehouse)
    run = wh.read("runs", "run_id = 'r2'")
    wh.replace("runs", run.set_column(4, "status", pa.array([status])), "run_id = 'r2'")
    source = KpiSource(str(warehouse))
    seen = every_kpi(source)
    for name, frame in audited["kpis_after_first"].items():
        assert_frame_equal(seen[name], frame, check_exact=True)
    with pytest.raises(KpiInputError, match=f"r2.*{status}"):
        diff_runs(source, "r1", "r2")
    with pytest.raises(KpiInputError, match=status):
        top_rules(source, run_id="r2")


def test_an_unchanged_rerun_carries_the_state_forward(audited: dict, tmp_path: Path) -> None:
    """Run r3 skips the unchanged repo: its state is r2's, and nothing is new or fixed."""
    warehouse = tmp_path / "wh"
    shutil.copytree(audited["warehouse"], warehouse)
    args = [a if a != str(audited["warehouse"]) else str(warehouse) for a in audited["args"]]
    assert audit_main([*args, "--run-id", "r3", "--no-progress"]) == 0
    source = KpiSource(str(warehouse))
    snapshot = repo_snapshots(source, ["r3"]).select("status", "audit_run_id").collect()
    assert snapshot.to_dicts() == [{"status": "skipped", "audit_run_id": "r2"}]
    diff = diff_runs(source, "r2", "r3")
    assert rule_files(diff) == NEW | PERSISTING
    assert set(diff["status"]) == {"persisting"}
    row = headline(source).row(0, named=True)
    assert (row["run_id"], row["lines"], row["findings"], row["new"], row["fixed"]) == (
        "r3",
        13,
        5,
        0,
        0,
    )
    # a skip proves nothing: the open findings stay open, the fixed ones keep their fix run
    ttf = time_to_fix(source)
    assert set(ttf.filter(pl.col("fixed_run").is_not_null())["fixed_run"]) == {"r2"}
    assert ttf.filter(pl.col("fixed_run").is_null()).height == len(NEW | PERSISTING)


# -- hand-made warehouses --------------------------------------------------------------

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _run(run_id: str, day: int, status: str = "succeeded") -> dict[str, Any]:
    started = T0 + timedelta(days=day)
    return {
        "run_id": run_id,
        "run_date": started.date(),
        "started_at": started,
        "finished_at": started + timedelta(minutes=5),
        "status": status,
    }


def _repo(run_id: str, repo: str, status: str, **extra: Any) -> dict[str, Any]:
    row = {
        "run_id": run_id,
        "run_date": date(2026, 1, 5),
        "repo_id": f"git:{repo}",
        "repo": repo,
        "org": "acme",
        "source_kind": "git",
        "status": status,
        "audited_at": T0,
    }
    return row | extra


def _finding(run_id: str, repo: str, rule: str, path: str, line: int, **extra: Any) -> dict:
    fp = fingerprint(rule, repo, path, f"code {rule} {line}")
    row = {
        "finding_id": f"{run_id}-{fp[:12]}",
        "fingerprint": fp,
        "run_id": run_id,
        "run_date": date(2026, 1, 5),
        "org": "acme",
        "repo": repo,
        "repo_id": f"git:{repo}",
        "file_path": path,
        "start_line": line,
        "end_line": line,
        "severity": "medium",
        "confidence": 1.0,
        "rule_id": rule,
        "analyzer": "ruff",
        "source": "static",
        "title": rule,
        "created_at": T0,
    }
    return row | extra


def write(warehouse: Path, name: str, rows: list[dict[str, Any]]) -> None:
    wh = Warehouse(warehouse)
    wh.ensure_tables()
    wh.append(name, pa.Table.from_pylist(rows, schema=TABLES[name]))


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    """r1 audits a and b; r2 (quarantined) audits a; r3 skips a (pointing at r2) and b (at r1)."""
    wh = tmp_path / "wh"
    write(wh, "runs", [_run("r1", 0), _run("r2", 1, "quarantined"), _run("r3", 2)])
    langs = [("Python", 800), ("Go", 100)]
    write(
        wh,
        "repos",
        [
            _repo("r1", "a", "audited", lines=1000, files=3, languages=langs),
            _repo("r1", "b", "audited", lines=500, files=1, languages=[("Go", 500)]),
            _repo("r2", "a", "audited", lines=2000, files=4, languages=langs),
            _repo("r3", "a", "skipped", previous_run_id="r2"),
            _repo("r3", "b", "skipped", previous_run_id="r1"),
        ],
    )
    write(
        wh,
        "findings",
        [
            _finding("r1", "a", "S1", "x.py", 1),
            _finding("r1", "a", "S2", "y.go", 2),
            _finding("r1", "b", "S1", "m.go", 3),
            _finding("r2", "a", "S1", "x.py", 1),
        ],
    )
    return wh


def test_a_skip_that_points_at_an_invisible_run_has_no_state(small_warehouse: Path) -> None:
    source = KpiSource(str(small_warehouse))
    assert latest_run_id(source) == "r3"
    snaps = repo_snapshots(source, ["r3"]).collect()
    assert snaps.select("repo", "audit_run_id", "lines").to_dicts() == [
        {"repo": "b", "audit_run_id": "r1", "lines": 500}
    ]
    assert run_findings(source, ["r3"]).collect()["file_path"].to_list() == ["m.go"]
    assert findings_per_kloc(source, "repo").drop("repo_id").to_dicts() == [
        {"repo": "b", "org": "acme", "lines": 500, "findings": 1, "per_kloc": 2.0}
    ]
    by_lang = findings_per_kloc(source, "language", run_id="r1")
    assert by_lang.to_dicts() == [
        {"language": "Go", "lines": 600, "findings": 2, "per_kloc": pytest.approx(2000 / 600)},
        {"language": "Python", "lines": 800, "findings": 1, "per_kloc": 1.25},
        # a's 1000 lines minus its 900 in known languages
        {"language": "(other)", "lines": 100, "findings": 0, "per_kloc": 0.0},
    ]


def test_source_arguments_are_checked(small_warehouse: Path) -> None:
    uri = str(small_warehouse)
    with pytest.raises(KpiInputError, match="map table names"):
        KpiSource(uri, version=3)  # type: ignore[arg-type]
    with pytest.raises(KpiInputError, match="unknown table"):
        KpiSource(uri, version={"finding": 1})
    with pytest.raises(KpiInputError, match="int >= 0"):
        KpiSource(uri, version={"findings": -1})
    with pytest.raises(KpiInputError, match="timezone-aware"):
        KpiSource(uri, as_of=datetime(2026, 1, 1))
    with pytest.raises(KpiInputError, match="not both"):
        KpiSource(uri, version={"runs": 0}, as_of=T0)
    with pytest.raises(KpiInputError, match="cannot be read at version 99"):
        KpiSource(uri, version={"runs": 99}).runs()
    source = KpiSource(uri)
    with pytest.raises(KpiInputError, match="no run 'nope'"):
        diff_runs(source, "r1", "nope")
    with pytest.raises(KpiInputError, match="same run"):
        diff_runs(source, "r1", "r1")
    with pytest.raises(KpiInputError, match="by must be"):
        findings_per_kloc(source, "team")  # type: ignore[arg-type]


def test_before_the_warehouse_existed_every_table_is_empty(small_warehouse: Path) -> None:
    early = KpiSource(str(small_warehouse), as_of=datetime(2020, 1, 1, tzinfo=UTC))
    assert early.versions() == {}
    assert headline(early).height == 0
    assert run_trend(early).height == 0
    with pytest.raises(KpiInputError, match="no visible"):
        top_rules(early)
    missing = KpiSource(str(small_warehouse.parent / "nothing-here"))
    assert headline(missing).height == 0
    assert review_latency(missing)["reviews"].to_list() == [0]


def test_review_kpis_read_the_reviews_table(tmp_path: Path) -> None:
    rows = []
    for i, (provider, latency, findings) in enumerate(
        [("github", 1.0, 2), ("github", 3.0, 4), ("gitlab", 2.0, 0), ("github", None, None)]
    ):
        rows.append(
            {
                "review_id": f"rev-{i}",
                "provider": provider,
                "repo": "acme/a",
                "status": "posted" if latency else "running",
                "received_at": T0,
                "latency_s": latency,
                "findings": findings,
                "posted": findings,
            }
        )
    write(tmp_path / "wh", "reviews", rows)
    source = KpiSource(str(tmp_path / "wh"))
    assert review_latency(source).to_dicts() == [
        {"reviews": 3, "mean_s": 2.0, "p50": 2.0, "p90": 2.8, "p99": pytest.approx(2.98)}
    ]
    by_provider = review_latency(source, by_provider=True)
    assert by_provider.select("provider", "reviews", "p50").to_dicts() == [
        {"provider": "github", "reviews": 2, "p50": 2.0},
        {"provider": "gitlab", "reviews": 1, "p50": 2.0},
    ]
    assert findings_per_review(source).to_dicts() == [
        {"reviews": 3, "findings": 6, "mean": 2.0, "median": 2.0, "posted": 6, "posted_share": 1.0}
    ]


# -- pure arithmetic on hand-made frames ---------------------------------------------------


def test_per_kloc_and_density_by_repo() -> None:
    snaps = pl.LazyFrame(
        {
            "repo_id": ["a", "b", "c"],
            "repo": ["a", "b", "c"],
            "org": ["x", "x", None],
            "lines": [2000, 500, 0],
            "languages": [None, None, None],
        }
    )
    # one row per finding (a count of 1 each) or pre-counted rows: both are counts
    findings = pl.LazyFrame({"repo_id": ["a", "a", "c"], "findings": [1, 2, 1]})
    by_repo = density_frame(snaps, findings, "repo").collect()
    assert by_repo.select("repo", "findings", "per_kloc").to_dicts() == [
        {"repo": "a", "findings": 3, "per_kloc": 1.5},
        {"repo": "b", "findings": 0, "per_kloc": 0.0},
        {"repo": "c", "findings": 1, "per_kloc": None},  # no lines: no rate, not inf
    ]
    by_org = density_frame(snaps, findings, "org").collect()
    assert by_org.to_dicts() == [
        {"org": "x", "lines": 2500, "findings": 3, "per_kloc": 1.2},
        {"org": None, "lines": 0, "findings": 1, "per_kloc": None},
    ]
    frame = pl.DataFrame({"f": [1, 0, 5], "l": [250, 0, 2000]})
    assert frame.select(per_kloc("f", "l"))["f"].to_list() == [4.0, None, 2.5]


def test_language_of_matches_the_inventory() -> None:
    paths = [
        "a.py", "src/b.pyi", "c.R", "d.r", "e.tsx", "Dockerfile", "deploy/Dockerfile.prod",
        "Makefile", "x/CMakeLists.txt", ".bashrc", "README", "notes.txt", "archive.tar.gz",
        "weird.", "dir.d/file", "..hidden.py", "lib/mod.rs",
    ]  # fmt: skip
    got = pl.DataFrame({"file_path": paths}).select(language_of())["file_path"].to_list()
    want = [inventory_language_of(p) or "(other)" for p in paths]
    assert got == want
    assert want[:3] == ["Python", "Python", "R"]


def test_severity_mix_counts_and_shares_with_zeros() -> None:
    runs = pl.LazyFrame({"run_id": ["r1", "r2"], "started_at": [T0, T0 + timedelta(days=1)]})
    findings = pl.LazyFrame(
        {
            "run_id": ["r1", "r1", "r1", "r1"],
            "severity": ["high", "high", "low", "critical"],
            "findings": [1, 1, 1, 1],
        }
    )
    mix = severity_mix_frame(runs, findings).collect()
    assert mix.filter(pl.col("run_id") == "r1").select("severity", "findings", "share").rows() == [
        ("critical", 1, 0.25),
        ("high", 2, 0.5),
        ("medium", 0, 0.0),
        ("low", 1, 0.25),
        ("info", 0, 0.0),
    ]
    r2 = mix.filter(pl.col("run_id") == "r2")
    assert r2["findings"].to_list() == [0] * 5 and r2["share"].null_count() == 5


def test_percentiles_interpolate_linearly() -> None:
    reviews = pl.LazyFrame(
        {"provider": ["api"] * 10, "latency_s": [float(v) for v in range(1, 11)]}
    )
    row = latency_frame(reviews).collect().row(0, named=True)
    assert row == {
        "reviews": 10,
        "mean_s": 5.5,
        "p50": 5.5,
        "p90": pytest.approx(9.1),
        "p99": pytest.approx(9.91),
    }
    per = per_review_frame(
        pl.LazyFrame({"findings": [0, 3, 9, None], "posted": [0, 1, 2, None]})
    ).collect()
    assert per.to_dicts() == [
        {
            "reviews": 3,
            "findings": 12,
            "mean": 4.0,
            "median": 3.0,
            "posted": 3,
            "posted_share": 0.25,
        }
    ]


def test_agreement_counts_overlapping_regions_in_the_same_file() -> None:
    def row(fid: str, source: str, path: str, start: int, end: int, run: str = "r1") -> dict:
        return {
            "run_id": run, "repo_id": "a", "file_path": path, "finding_id": fid,
            "source": source, "start_line": start, "end_line": end,
        }  # fmt: skip

    findings = pl.LazyFrame(
        [
            row("L1", "llm", "a.py", 10, 12),
            row("L2", "llm", "a.py", 30, 30),
            row("L3", "llm", "b.py", 5, 5),
            row("S1", "static", "a.py", 12, 14),  # touches L1 at line 12
            row("S2", "static", "a.py", 13, 20),  # between L1 and L2: no neighbour
            row("S3", "static", "b.py", 1, 4),  # ends just before L3
            row("S4", "static", "c.py", 5, 5),  # a file the LLM pass did not read
            row("S5", "static", "a.py", 11, 11, run="r2"),  # another run: not a neighbour
        ]
    )
    reviewed = pl.LazyFrame(
        {"run_id": ["r1", "r1"], "repo_id": ["a", "a"], "file_path": ["a.py", "b.py"]}
    )
    limited = agreement_frame(findings, reviewed).collect()
    assert limited.to_dicts() == [
        {
            "run_id": "r1",
            "llm_findings": 3,
            "llm_with_static": 1,
            "llm_share": pytest.approx(1 / 3),
            "static_findings": 3,
            "static_with_llm": 1,
            "static_share": pytest.approx(1 / 3),
        }
    ]
    everything = agreement_frame(findings).collect()
    assert everything.select("run_id", "static_findings", "static_share").to_dicts() == [
        {"run_id": "r1", "static_findings": 4, "static_share": 0.25}
    ]


def test_diff_frame_compares_only_repos_the_head_measured() -> None:
    def f(repo: str, fp: str, line: int = 1) -> dict:
        return {
            "repo_id": repo, "repo": repo, "org": None, "fingerprint": fp,
            "finding_id": f"{repo}{fp}", "rule_id": fp.upper(), "analyzer": "ruff",
            "source": "static", "severity": "low", "file_path": "f.py", "start_line": line,
            "end_line": line, "title": fp,
        }  # fmt: skip

    base = pl.LazyFrame([f("x", "p", 1), f("x", "q"), f("y", "r")])
    head = pl.LazyFrame([f("x", "p", 9), f("x", "s"), f("z", "t")])
    diff = diff_frame(base, head, pl.LazyFrame({"repo_id": ["x", "z"]})).collect()
    assert diff.select("status", "repo", "rule_id", "start_line").rows() == [
        ("new", "x", "S", 1),
        ("new", "z", "T", 1),  # a repo base did not have: all new
        ("fixed", "x", "Q", 1),
        ("persisting", "x", "P", 9),  # the head's place
    ]  # y's R: head did not measure y, so it is neither fixed nor persisting


def test_time_to_fix_needs_an_audit_without_the_finding() -> None:
    days = {"r1": 0, "r2": 1, "r3": 3, "r4": 10}
    seq = {run: i for i, run in enumerate(days)}
    runs = pl.LazyFrame(
        {
            "run_id": list(days),
            "run_seq": list(seq.values()),
            "started_at": [T0 + timedelta(days=d) for d in days.values()],
        },
        schema_overrides={"run_seq": pl.UInt32},
    )
    # repo a: audited in r1, r2, r4; r3 skipped it, so r3 re-states r2's findings
    audits = pl.LazyFrame(
        {"repo_id": ["a", "a", "a"], "run_seq": [seq["r1"], seq["r2"], seq["r4"]]},
        schema_overrides={"run_seq": pl.UInt32},
    )
    present = {
        "A": ["r1", "r2", "r3"],  # gone in r4: fixed after 10 days (r3 was a skip)
        "B": ["r1", "r2", "r3", "r4"],  # never fixed
        "C": ["r1", "r4"],  # gone in r2 (fixed after 1 day), back in r4
        "D": ["r2", "r3"],  # high; fixed in r4, 9 days after r2
    }
    rows = [
        {
            "run_seq": seq[run],
            "repo_id": "a",
            "repo": "a",
            "fingerprint": fp,
            "rule_id": fp,
            "analyzer": "ruff",
            "severity": "high" if fp == "D" else "low",
            "file_path": "f.py",
        }
        for fp, seen in present.items()
        for run in seen
    ]
    frame = pl.LazyFrame(rows, schema_overrides={"run_seq": pl.UInt32})
    ttf = time_to_fix_frame(frame, audits, runs).collect()
    got = {
        r["fingerprint"]: (r["first_seen_run"], r["fixed_run"], r["days_to_fix"], r["reappeared"])
        for r in ttf.iter_rows(named=True)
    }
    assert got == {
        "A": ("r1", "r4", 10.0, False),
        "B": ("r1", None, None, False),
        "C": ("r1", "r2", 1.0, True),
        "D": ("r2", "r4", 9.0, False),
    }
    summary = time_to_fix_summary(ttf)
    assert summary.filter(pl.col("severity").is_in(["high", "low"])).rows() == [
        ("high", 1, 1, 0, 9.0, 9.0),
        ("low", 3, 2, 1, 5.5, pytest.approx(9.1)),  # fixes after 10 and 1 days
    ]


def test_every_kpi_returns_a_dataframe(small_warehouse: Path) -> None:
    source = KpiSource(str(small_warehouse))
    calls: list[Callable[[KpiSource], Any]] = [
        headline, run_trend, severity_mix, top_rules, noisiest_analyzers, time_to_fix,
        secrets_by_type, complexity_hotspots, review_latency, findings_per_review,
        llm_static_agreement, lambda s: findings_per_kloc(s, "org"),
    ]  # fmt: skip
    for call in calls:
        assert isinstance(call(source), pl.DataFrame)


# -- accepted (suppressed) findings ---------------------------------------------------------

NOSEC = "nosec[B602]"
NOQA = "noqa[S602]"
IGNORE = "codeprism: ignore[B307] -- the input is a constant"


def build_suppressed_warehouse(wh: Path, last_status: str = "succeeded") -> Path:
    """Runs on three dates, every kind of suppression, and runs that must not count:

    - r1 (Jan 5) audits a and b;
    - r2 and r3 (both Jan 6): r2 audits a (b skipped, at r1); r3 skips a (at r2), audits b;
      Jan 6 is r3's state;
    - r4 (Jan 7) is quarantined; r5 (Jan 8, `last_status`) audits a with nothing accepted,
      b failed.
    Reported findings: one S1 per audit of a (same code each time), one S1 in b in r3.
    """
    started = {"r1": 0.0, "r2": 1.0, "r3": 1.25, "r4": 2.0, "r5": 3.0}
    runs = [_run(run, 0) | {"started_at": T0 + timedelta(days=day)} for run, day in started.items()]
    for run in runs:
        run["run_date"] = run["started_at"].date()
    runs[3]["status"] = "quarantined"
    runs[4]["status"] = last_status
    write(wh, "runs", runs)
    size = {"lines": 1000, "files": 2, "languages": [("Python", 1000)]}
    write(
        wh,
        "repos",
        [
            _repo("r1", "a", "audited", **size),
            _repo("r1", "b", "audited", **size),
            _repo("r2", "a", "audited", **size),
            _repo("r2", "b", "skipped", previous_run_id="r1"),
            _repo("r3", "a", "skipped", previous_run_id="r2"),
            _repo("r3", "b", "audited", **size),
            _repo("r4", "a", "audited", **size),
            _repo("r5", "a", "audited", **size),
            _repo("r5", "b", "failed"),
        ],
    )
    write(
        wh,
        "findings",
        [
            _finding("r1", "a", "S1", "x.py", 1),
            _finding("r1", "a", "B602", "x.py", 2, suppression=NOSEC, severity="high"),
            _finding("r1", "a", "S2", "y.py", 3, suppression="baseline"),
            # in a test file: counted by every role, not by source files only
            _finding("r1", "b", "B307", "tests/t.py", 1, suppression=IGNORE, file_role="test"),
            _finding("r2", "a", "S1", "x.py", 1),
            _finding("r2", "a", "S602", "x.py", 2, suppression=NOQA, severity="high"),
            _finding("r2", "a", "S2", "y.py", 3, suppression="baseline"),
            _finding("r2", "a", "S3", "y.py", 4, suppression="baseline"),
            _finding("r3", "b", "S1", "m.py", 5),
            _finding("r3", "b", "B307", "tests/t.py", 1, suppression=IGNORE, file_role="test"),
            _finding("r4", "a", "S1", "x.py", 9, suppression="nosec"),
            _finding("r5", "a", "S1", "x.py", 1),
        ],
    )
    return wh


@pytest.fixture
def suppressed_warehouse(tmp_path: Path) -> Path:
    return build_suppressed_warehouse(tmp_path / "wh")


def test_kpis_count_only_reported_findings(suppressed_warehouse: Path) -> None:
    source = KpiSource(str(suppressed_warehouse))
    assert source.findings().collect().height == 4
    assert source.suppressed_findings().collect().height == 8
    trend = run_trend(source).select("run_id", "findings", "high")
    assert trend.rows() == [("r1", 1, 0), ("r2", 1, 0), ("r3", 2, 0), ("r5", 1, 0)]
    mix = severity_mix(source).filter(pl.col("run_id") == "r3")
    assert dict(mix.select("severity", "findings").rows()) == {
        "critical": 0, "high": 0, "medium": 2, "low": 0, "info": 0,
    }  # fmt: skip
    assert top_rules(source, run_id="r3").select("rule_id", "findings", "repos").rows() == [
        ("S1", 2, 2)
    ]
    assert noisiest_analyzers(source, run_id="r1")["findings"].to_list() == [1]
    assert findings_per_kloc(source, "repo", run_id="r3")["findings"].to_list() == [1, 1]
    assert run_findings(source, ["r2"]).collect()["rule_id"].to_list() == ["S1"]
    # the accepted rows are neither new, fixed nor persisting
    assert diff_runs(source, "r1", "r3").select("status", "repo", "rule_id").rows() == [
        ("new", "b", "S1"),
        ("persisting", "a", "S1"),
    ]
    assert set(time_to_fix(source)["rule_id"]) == {"S1"}
    row = headline(source, roles=None).row(0, named=True)
    assert (row["run_id"], row["findings"], row["high"], row["new"], row["fixed"]) == (
        "r5", 1, 0, 0, 0,
    )  # fmt: skip


def test_suppressions_over_time_by_kind_and_rule(suppressed_warehouse: Path) -> None:
    source = KpiSource(str(suppressed_warehouse))
    over_time = suppressions_over_time(source)
    jan = [date(2026, 1, d) for d in (5, 6, 8)]
    assert over_time.rows() == [
        (jan[0], "r1", "codeprism", "B307", 1),
        (jan[0], "r1", "nosec", "B602", 1),
        (jan[0], "r1", "baseline", "S2", 1),
        # Jan 6 is r3: a as r2 audited it, b as r3 did
        (jan[1], "r3", "codeprism", "B307", 1),
        (jan[1], "r3", "noqa", "S602", 1),
        (jan[1], "r3", "baseline", "S2", 1),
        (jan[1], "r3", "baseline", "S3", 1),
        (jan[2], "r5", None, None, 0),  # nothing accepted; r4 (quarantined) is invisible
    ]
    assert suppression_kinds(over_time).rows() == [
        # run_date, run_id, suppressed, codeprism, nosec, noqa, baseline, other
        (jan[0], "r1", 3, 1, 1, 0, 1, 0),
        (jan[1], "r3", 4, 1, 0, 1, 2, 0),
        (jan[2], "r5", 0, 0, 0, 0, 0, 0),
    ]
    # source files only: the ignores in b's test file are left out
    source_only = suppression_kinds(suppressions_over_time(source, roles=["source"]))
    assert source_only["suppressed"].to_list() == [2, 3, 0]
    assert suppressions_in_run(source, "r2").rows() == [
        (jan[1], "r2", "codeprism", "B307", 1),  # b, carried from r1
        (jan[1], "r2", "noqa", "S602", 1),
        (jan[1], "r2", "baseline", "S2", 1),
        (jan[1], "r2", "baseline", "S3", 1),
    ]
    assert suppressions_in_run(source).rows() == [(jan[2], "r5", None, None, 0)]
    with pytest.raises(KpiInputError, match="quarantined"):
        suppressions_in_run(source, "r4")


def test_suppression_kind_is_the_first_word_of_the_marker() -> None:
    texts = [
        "codeprism: ignore[B602] -- input is constant", "codeprism: ignore", "nosec",
        "nosec[B602]", "noqa", "noqa[S602]", "baseline", "custom thing", None,
    ]  # fmt: skip
    kinds = pl.DataFrame({"suppression": texts}).select(suppression_kind())["suppression"]
    assert kinds.to_list() == [
        "codeprism", "codeprism", "nosec", "nosec", "noqa", "noqa", "baseline", "custom", None,
    ]  # fmt: skip
    days = pl.LazyFrame({"run_date": [date(2026, 1, 5)], "run_id": ["r1"]})
    counts = pl.LazyFrame(
        {
            "run_id": ["r1", "r1", "r1"],
            "suppression": ["custom thing", "baseline", "nosec"],
            "rule_id": ["X", "Y", "Z"],
            "findings": [2, 3, 1],
        }
    )
    frame = suppressions_frame(days, counts).collect()
    assert frame.select("kind", "rule_id", "suppressed").rows() == [
        ("nosec", "Z", 1),
        ("baseline", "Y", 3),
        ("custom", "X", 2),  # unknown kinds last
    ]
    assert suppression_kinds(frame).drop("run_date").rows() == [("r1", 6, 0, 1, 0, 3, 2)]


def test_a_table_without_the_suppression_column_reads_as_all_reported(tmp_path: Path) -> None:
    """Findings written before schema version 3 have no `suppression`: every row is reported."""
    from deltalake import DeltaTable, write_deltalake

    wh = tmp_path / "wh"
    write(wh, "runs", [_run("r1", 0)])
    write(wh, "repos", [_repo("r1", "a", "audited", lines=500, files=1)])
    v2 = pa.schema([f for f in TABLES["findings"] if f.name != "suppression"])
    rows = [_finding("r1", "a", "S1", "x.py", 1), _finding("r1", "a", "S2", "x.py", 2)]
    write_deltalake(
        wh / "findings",
        pa.Table.from_pylist(rows, schema=v2),
        mode="overwrite",
        schema_mode="overwrite",
        partition_by=["run_date"],
    )
    assert "suppression" not in DeltaTable(wh / "findings").schema().to_arrow().names
    source = KpiSource(str(wh))
    assert headline(source, roles=None)["findings"].to_list() == [2]
    assert top_rules(source)["rule_id"].to_list() == ["S1", "S2"]
    assert suppressions_over_time(source).rows() == [(date(2026, 1, 5), "r1", None, None, 0)]
    assert source.suppressed_findings().collect().height == 0


def test_a_finding_accepted_later_is_not_fixed(tmp_path: Path) -> None:
    """r1 reports S1 and S2 in repo a; r2 holds S1 suppressed (`# nosec`) and no S2."""
    wh = tmp_path / "wh"
    write(wh, "runs", [_run("r1", 0), _run("r2", 1)])
    write(wh, "repos", [_repo("r1", "a", "audited"), _repo("r2", "a", "audited")])
    write(
        wh,
        "findings",
        [
            _finding("r1", "a", "S1", "x.py", 1),
            _finding("r1", "a", "S2", "x.py", 2),
            _finding("r2", "a", "S1", "x.py", 1, suppression="nosec"),
        ],
    )
    source = KpiSource(str(wh))
    diff = diff_runs(source, "r1", "r2")
    # S2 went away: fixed. S1 is still there, accepted: neither fixed nor reported
    assert diff.select("status", "rule_id").rows() == [("fixed", "S2")]
    fixes = time_to_fix(source).select("rule_id", "fixed_run").rows()
    assert sorted(fixes) == [("S1", None), ("S2", "r2")]
