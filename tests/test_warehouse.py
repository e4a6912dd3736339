from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from codeprism.schema import ERRORS, FINDINGS, REPOS, RUNS, TABLES
from codeprism.warehouse import Warehouse, versions_key

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def repo_row(run_id: str, repo_id: str, status: str = "audited", revision: str = "abc") -> dict:
    return {
        "run_id": run_id,
        "run_date": date(2026, 11, 22),
        "repo_id": repo_id,
        "repo": repo_id,
        "source_kind": "path",
        "status": status,
        "revision": revision,
        "analyzer_versions": versions_key({"ruff": "1"}),
        "audited_at": NOW,
    }


def finding_row(run_id: str, repo_id: str, n: int) -> dict:
    return {
        "finding_id": f"{run_id}-{repo_id}-{n}",
        "fingerprint": f"fp{n}",
        "run_id": run_id,
        "run_date": date(2026, 11, 22),
        "repo": repo_id,
        "repo_id": repo_id,
        "file_path": "a.py",
        "start_line": 1,
        "end_line": 1,
        "severity": "low",
        "confidence": 1.0,
        "rule_id": "R1",
        "analyzer": "ruff",
        "source": "static",
        "title": "t",
        "created_at": NOW,
    }


def write(wh: Warehouse, run_id: str, repo_id: str, n_findings: int) -> None:
    wh.write_repo_results(
        run_id,
        [repo_id],
        repos=pa.Table.from_pylist([repo_row(run_id, repo_id)], schema=REPOS),
        findings=pa.Table.from_pylist(
            [finding_row(run_id, repo_id, i) for i in range(n_findings)], schema=FINDINGS
        ),
        errors=ERRORS.empty_table(),
    )


def test_ensure_tables_creates_every_table_empty(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    wh.ensure_tables()  # idempotent
    for name, schema in TABLES.items():
        table = wh.read(name)
        assert table.num_rows == 0
        assert table.schema == schema


def test_rewriting_a_repo_of_a_run_replaces_instead_of_duplicating(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    write(wh, "r1", "a", 3)
    write(wh, "r1", "b", 2)
    write(wh, "r1", "a", 3)  # a retried attempt of the same (run, repo)
    assert wh.count_rows("findings", "r1") == 5
    assert wh.count_rows("repos", "r1") == 2
    assert wh.done_repo_ids("r1") == {"a", "b"}
    write(wh, "r2", "a", 1)
    assert wh.count_rows("findings") == 6
    assert wh.done_repo_ids("r2") == {"a"}


def test_prior_audits_returns_newest_audited_revision_of_other_runs(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    write(wh, "r1", "a", 0)
    prior = wh.prior_audits("r2")
    assert prior["a"].run_id == "r1"
    assert prior["a"].revision == "abc"
    assert wh.prior_audits("r1") == {}


def test_prior_audits_skip_quarantined_runs(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    write(wh, "r1", "a", 0)
    write(wh, "r2", "a", 0)
    run = {"run_date": date(2026, 11, 22), "started_at": NOW}
    wh.write_run(pa.Table.from_pylist([{"run_id": "r1", "status": "succeeded", **run}], RUNS))
    wh.write_run(pa.Table.from_pylist([{"run_id": "r2", "status": "quarantined", **run}], RUNS))
    assert wh.prior_audits("r3")["a"].run_id == "r1"  # not r2: it is quarantined
    wh.write_run(pa.Table.from_pylist([{"run_id": "r1", "status": "quarantined", **run}], RUNS))
    assert wh.prior_audits("r3") == {}


def test_repo_ids_with_quotes_are_escaped(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    write(wh, "r1", "path:/tmp/it's", 2)
    write(wh, "r1", "path:/tmp/it's", 2)
    assert wh.count_rows("findings", "r1") == 2


def test_tables_of_schema_version_1_gain_the_new_columns_and_keep_their_rows(
    tmp_path: Path,
) -> None:
    from deltalake import DeltaTable, write_deltalake

    from analytics.kpis import KpiSource, headline

    # what codeprism wrote before schema version 2: no reported_by, file_role, not_reported
    old = {"reported_by", "file_role", "not_reported"}
    for name, schema in (("findings", FINDINGS), ("repos", REPOS)):
        v1 = pa.schema([f for f in schema if f.name not in old])
        rows = [finding_row("r1", "a", 0)] if name == "findings" else [repo_row("r1", "a")]
        partitions = ["run_date"] if name == "findings" else None
        write_deltalake(
            tmp_path / name, pa.Table.from_pylist(rows, schema=v1), partition_by=partitions
        )
    # the KPIs read a version-1 findings table as it is: its rows count as source
    assert "file_role" not in DeltaTable(tmp_path / "findings").schema().to_arrow().names
    assert KpiSource(str(tmp_path)).findings().collect()["file_role"].to_list() == [None]
    assert headline(KpiSource(str(tmp_path))).height == 0  # no runs table, no crash

    wh = Warehouse(tmp_path)
    write(wh, "r2", "b", 1)  # the first write upgrades the tables in place
    for name in ("findings", "repos"):
        names = {f.name for f in DeltaTable(tmp_path / name).schema().fields}
        assert old & names == old & set(TABLES[name].names)
    findings = wh.read("findings").sort_by("run_id").to_pylist()
    assert [(f["run_id"], f["file_role"], f["reported_by"]) for f in findings] == [
        ("r1", None, None),
        ("r2", None, None),
    ]
