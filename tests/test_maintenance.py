"""Warehouse maintenance on real Delta tables: compaction, vacuum, time travel, dry runs."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from codeprism.cli import main as cli_main
from codeprism.maintenance import (
    MaintenanceOptions,
    compact_after_run,
    maintain,
    oldest_version_kept,
    parse_interval_hours,
)
from codeprism.schema import FINDINGS, REPOS
from codeprism.warehouse import Warehouse

DAY_1 = date(2026, 11, 20)
DAY_2 = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
BATCHES = 12  # appends per findings partition; one small file each


def finding(run_id: str, run_date: date, repo: str, n: int) -> dict[str, object]:
    return {
        "finding_id": f"{run_id}-{repo}-{n}",
        "fingerprint": f"fp-{repo}-{n}",
        "run_id": run_id,
        "run_date": run_date,
        "repo": repo,
        "repo_id": repo,
        "file_path": f"src/m{n}.py",
        "start_line": n + 1,
        "end_line": n + 2,
        "severity": "medium",
        "confidence": 0.5,
        "rule_id": f"R{n % 3}",
        "analyzer": "ruff",
        "source": "static",
        "title": f"finding {n}",
        "created_at": NOW,
    }


def repo_row(run_id: str, run_date: date, repo: str) -> dict[str, object]:
    return {
        "run_id": run_id,
        "run_date": run_date,
        "repo_id": repo,
        "repo": repo,
        "source_kind": "path",
        "status": "audited",
        "lines": 100,
        "audited_at": NOW,
    }


def small_appends(wh: Warehouse) -> None:
    """What an audit in many small batches leaves: one file per batch, per partition."""
    wh.ensure_tables()
    for run_id, run_date in (("run-1", DAY_1), ("run-2", DAY_2)):
        for b in range(BATCHES):
            repo = f"repo-{b}"
            rows = [finding(run_id, run_date, repo, n) for n in range(5)]
            wh.append("findings", pa.Table.from_pylist(rows, schema=FINDINGS))
            wh.append("repos", pa.Table.from_pylist([repo_row(run_id, run_date, repo)], REPOS))


def sorted_rows(table: DeltaTable, key: str, version: int | None = None) -> list[dict[str, object]]:
    if version is not None:
        table.load_as_version(version)
    rows = pa.table(table.to_pyarrow_dataset().to_table()).to_pylist()
    return sorted(rows, key=lambda r: (str(r[key]), str(r.get("run_id"))))


def disk_state(root: Path) -> dict[str, int]:
    """Every file under the warehouse (data and logs) with its size."""
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path / "wh")
    small_appends(wh)
    return wh


def test_compaction_merges_small_files_keeps_data_and_time_travel(warehouse: Warehouse) -> None:
    findings = warehouse.table("findings")
    early_version = 5  # five batches into the first run
    early_rows = sorted_rows(DeltaTable(warehouse.table_uri("findings")), "finding_id", 5)
    before_rows = sorted_rows(findings, "finding_id")
    repos_before = sorted_rows(warehouse.table("repos"), "repo_id")
    assert len(findings.file_uris()) == 2 * BATCHES
    assert len(early_rows) == 5 * 5

    reports = {r.table: r for r in maintain(warehouse, MaintenanceOptions())}

    f = reports["findings"]
    assert (f.active_before.files, f.active_after.files) == (2 * BATCHES, 2)  # one per day
    assert (f.partitions_compacted, f.files_compacted) == (2, 2 * BATCHES)
    # within retention nothing is deleted: the small files still serve older versions
    assert f.files_vacuumed == 0
    assert f.disk_before is not None and f.disk_after is not None
    assert (f.disk_before.files, f.disk_after.files) == (2 * BATCHES, 2 * BATCHES + 2)
    assert f.retention_hours == 168 and f.retention_enforced
    assert f.oldest_version_kept == 0 and f.version_after > f.version_before
    assert f.error is None
    r = reports["repos"]
    assert (r.active_before.files, r.active_after.files) == (2 * BATCHES, 1)
    # empty tables have nothing to merge
    assert reports["errors"].active_after.files == 0 and reports["errors"].files_compacted == 0

    after = warehouse.table("findings")
    assert sorted_rows(after, "finding_id") == before_rows
    assert sorted_rows(warehouse.table("repos"), "repo_id") == repos_before
    assert sorted_rows(after, "finding_id", early_version) == early_rows
    # a second run finds nothing left to merge and changes no data
    again = {r.table: r for r in maintain(warehouse, MaintenanceOptions())}
    assert again["findings"].files_compacted == 0
    assert again["findings"].active_after.files == 2


def test_dry_run_changes_nothing(warehouse: Warehouse) -> None:
    root = Path(warehouse.uri)
    state = disk_state(root)
    versions = {name: warehouse.table(name).version() for name in ("findings", "repos")}

    reports = {r.table: r for r in maintain(warehouse, MaintenanceOptions(dry_run=True))}

    assert disk_state(root) == state
    assert {name: warehouse.table(name).version() for name in versions} == versions
    # it still says what it would do
    assert reports["findings"].files_compacted == 2 * BATCHES
    assert reports["findings"].active_after == reports["findings"].active_before
    assert reports["repos"].files_compacted == 2 * BATCHES


def test_dry_run_counts_what_vacuum_would_delete(warehouse: Warehouse) -> None:
    maintain(warehouse, MaintenanceOptions())
    root = Path(warehouse.uri)
    state = disk_state(root)

    reports = {
        r.table: r for r in maintain(warehouse, MaintenanceOptions(retention_hours=0, dry_run=True))
    }

    assert reports["findings"].files_vacuumed == 2 * BATCHES
    assert reports["repos"].files_vacuumed == 2 * BATCHES
    assert not reports["findings"].retention_enforced
    assert disk_state(root) == state


def test_explicit_short_retention_deletes_old_files_and_cuts_time_travel(
    warehouse: Warehouse,
) -> None:
    before_rows = sorted_rows(warehouse.table("findings"), "finding_id")
    maintain(warehouse, MaintenanceOptions())

    reports = {r.table: r for r in maintain(warehouse, MaintenanceOptions(retention_hours=0))}

    f = reports["findings"]
    assert f.files_vacuumed == 2 * BATCHES and not f.retention_enforced
    assert f.disk_after is not None and f.disk_after.files == 2
    assert sorted_rows(warehouse.table("findings"), "finding_id") == before_rows
    # the price of the short retention: versions before the compaction lost their files
    with pytest.raises(Exception, match=r"(?i)not found|no such file|does not exist"):
        sorted_rows(DeltaTable(warehouse.table_uri("findings")), "finding_id", 5)
    assert f.oldest_version_kept > 5


def test_vacuum_removes_only_files_no_version_needs_past_the_retention(
    warehouse: Warehouse,
) -> None:
    """Files of an interrupted write (named by no commit) go once older than the retention;
    younger ones, which a writer may be about to commit, stay."""
    partition = Path(warehouse.table_uri("findings")) / f"run_date={DAY_1.isoformat()}"
    old, fresh = partition / "part-orphan-old.parquet", partition / "part-orphan-new.parquet"
    for path in (old, fresh):
        path.write_bytes(b"PAR1 interrupted PAR1")
    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).timestamp()
    os.utime(old, (eight_days_ago, eight_days_ago))

    reports = {r.table: r for r in maintain(warehouse, MaintenanceOptions())}

    assert reports["findings"].files_vacuumed == 1
    assert not old.exists() and fresh.exists()
    # the small files the compaction replaced are young: time travel still reads them
    assert len(sorted_rows(DeltaTable(warehouse.table_uri("findings")), "finding_id", 5)) == 25


def test_a_table_retention_setting_is_honoured(warehouse: Warehouse) -> None:
    repos = warehouse.table("repos")
    repos.alter.set_table_properties({"delta.deletedFileRetentionDuration": "interval 2 days"})

    default = {r.table: r for r in maintain(warehouse, MaintenanceOptions(dry_run=True))}
    longer = {
        r.table: r
        for r in maintain(warehouse, MaintenanceOptions(retention_hours=72, dry_run=True))
    }
    shorter = {
        r.table: r
        for r in maintain(warehouse, MaintenanceOptions(retention_hours=24, dry_run=True))
    }

    assert default["repos"].retention_hours == 48 and default["repos"].retention_enforced
    assert default["findings"].retention_hours == 168
    assert longer["repos"].retention_enforced  # 72 h keeps more than the table asks
    assert not longer["findings"].retention_enforced  # but less than findings' 7 days
    assert not shorter["repos"].retention_enforced


def test_oldest_version_kept_follows_the_retention_window(warehouse: Warehouse) -> None:
    table = warehouse.table("findings")
    newest = max(int(c["timestamp"]) for c in table.history())
    last_commit = datetime.fromtimestamp(newest / 1000, tz=UTC)

    assert oldest_version_kept(table, 168, last_commit + timedelta(hours=1)) == 0
    # a week and more later, only the newest version is guaranteed
    assert oldest_version_kept(table, 168, last_commit + timedelta(hours=169)) == table.version()


def test_parse_interval_hours() -> None:
    assert parse_interval_hours("interval 7 days") == 168
    assert parse_interval_hours("interval 1 week") == 168
    assert parse_interval_hours("interval 36 hours") == 36
    assert parse_interval_hours("interval 90 minutes") == 1.5
    assert parse_interval_hours("7 days") is None
    assert parse_interval_hours("interval 3 fortnights") is None


def test_compact_after_run_touches_only_the_run_partition(warehouse: Warehouse) -> None:
    merged = compact_after_run(warehouse, DAY_2)

    assert merged == {"findings": BATCHES, "repos": 2 * BATCHES, "errors": 0, "llm_passes": 0}
    actions = pa.table(warehouse.table("findings").get_add_actions(flatten=True)).to_pylist()
    per_day: dict[date, int] = {}
    for action in actions:
        per_day[action["partition.run_date"]] = per_day.get(action["partition.run_date"], 0) + 1
    assert per_day == {DAY_1: BATCHES, DAY_2: 1}


def test_cli_prints_files_before_and_after(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["maintain", "--warehouse", warehouse.uri, "--dry-run"]) == 0
    dry = capsys.readouterr().out
    cells = _row(dry, "findings")
    assert (cells[0], cells[2], cells[4], cells[5], cells[6]) == (
        "24 -> 24", "24 -> 24", "24", "0", "0..24"
    )  # fmt: skip
    assert "dry run: nothing was changed" in dry

    assert cli_main(["maintain", "--warehouse", warehouse.uri]) == 0
    out = capsys.readouterr().out
    cells = _row(out, "findings")
    assert (cells[0], cells[2], cells[4], cells[5]) == ("24 -> 2", "24 -> 26", "24", "0")
    assert re.fullmatch(r"0\.\.2[6-9]", cells[6])
    assert _row(out, "repos")[0] == "24 -> 1"
    assert "retention 168 h (the tables' setting)" in out
    assert "warning" not in out

    assert cli_main(["maintain", "--warehouse", warehouse.uri, "--retention-hours", "0"]) == 0
    short = capsys.readouterr().out
    assert _row(short, "findings")[2] == "26 -> 2"
    assert "retention 0 h (--retention-hours)" in short
    assert "warning: --retention-hours is shorter than the retention set for every table" in short


def _row(text: str, table: str) -> list[str]:
    """The cells after the table name of that table's line (cells are 2+ spaces apart)."""
    line = next(line for line in text.splitlines() if line.startswith(f"{table} "))
    return re.split(r"\s{2,}", line.strip())[1:]


def test_cli_bad_input_is_a_clear_error(
    tmp_path: Path, warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["maintain", "--warehouse", str(tmp_path / "nothing")]) == 2
    assert "no warehouse tables under" in capsys.readouterr().err
    code = cli_main(["maintain", "--warehouse", warehouse.uri, "--retention-hours", "-1"])
    assert code == 2
    assert "--retention-hours must be 0 or more" in capsys.readouterr().err


@pytest.mark.usefixtures("ray_local")
def test_an_audit_leaves_one_file_per_table_for_its_run(tmp_path: Path) -> None:
    """20 repositories are written in two batches (16 per batch): the run's end merges them."""
    from jobs.audit import main as audit_main

    targets = []
    for i in range(20):
        repo = tmp_path / "repos" / f"r{i}"
        repo.mkdir(parents=True)
        (repo / "m.py").write_text(f"import subprocess\n\ndef f{i}(x):\n    eval(x)\n")
        targets.append(str(repo))
    wh = Warehouse(tmp_path / "wh")
    argv = [*targets, "--warehouse", wh.uri, "--workers", "2", "--no-progress"]
    assert audit_main(argv) == 0

    for name in ("findings", "repos"):
        table = wh.table(name)
        assert len(table.file_uris()) == 1, name
        merged = [c for c in table.history() if c["operation"] == "OPTIMIZE"]
        assert merged and merged[0]["operationMetrics"]["numFilesRemoved"] >= 2, name
    assert wh.count_rows("findings") >= 20
    assert wh.count_rows("repos") == 20
