"""The findings warehouse: Delta tables under one URI (a local path or anything deltalake accepts).

Writes are idempotent per (run, repo): results replace whatever an earlier, interrupted
attempt of the same run left for those repos, and the `repos` row is written last, so its
presence marks a repo as done. Reads go through deltalake's own query engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, Field, QueryBuilder, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

from codeprism.schema import PARTITIONS, TABLES

COMMIT_ATTEMPTS = 5


def sql_literal(value: str) -> str:
    """Quote a string for a SQL predicate (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(sql_literal(v) for v in values) + ")"


@dataclass(frozen=True)
class PriorAudit:
    """The newest successful audit of a repo: what incremental runs compare against."""

    run_id: str
    revision: str
    analyzer_versions: str


class Warehouse:
    def __init__(self, uri: str | Path, storage_options: dict[str, str] | None = None) -> None:
        uri = str(uri)
        if "://" not in uri:
            uri = str(Path(uri).expanduser().resolve())
        self.uri = uri.rstrip("/")
        self.storage_options = storage_options
        self._current: set[str] = set()  # tables known to have this version's columns

    def table_uri(self, name: str) -> str:
        if name not in TABLES:
            raise KeyError(f"unknown warehouse table {name!r}")
        return f"{self.uri}/{name}"

    def ensure_tables(self) -> None:
        """Create every missing table empty, with its schema, so readers never fail; add the
        columns of the current schema version to tables an older codeprism wrote."""
        for name, schema in TABLES.items():
            if not self._exists(name):
                write_deltalake(
                    self.table_uri(name),
                    schema.empty_table(),
                    mode="ignore",
                    partition_by=PARTITIONS.get(name),
                    storage_options=self.storage_options,
                )
            else:
                self._add_missing_columns(name, schema)
            self._current.add(name)

    def _make_current(self, name: str) -> None:
        """Before the first write to a table: it exists and has every column of this version."""
        if name not in self._current:
            self.ensure_tables()

    def _add_missing_columns(self, name: str, schema: pa.Schema) -> None:
        """New columns are nullable (see schema.py): old rows read as null in them. Another
        writer may upgrade the table at the same moment: the table is read again per try."""

        def add() -> None:
            table = DeltaTable(self.table_uri(name), storage_options=self.storage_options)
            have = {field.name for field in table.schema().fields}
            missing = [Field.from_arrow(f) for f in schema if f.name not in have]
            if missing:
                table.alter.add_columns(missing)

        _retry_commit(add)

    def _exists(self, name: str) -> bool:
        return DeltaTable.is_deltatable(self.table_uri(name), storage_options=self.storage_options)

    def table(self, name: str) -> DeltaTable:
        try:
            return DeltaTable(self.table_uri(name), storage_options=self.storage_options)
        except TableNotFoundError:
            self.ensure_tables()
            return DeltaTable(self.table_uri(name), storage_options=self.storage_options)

    # -- writing ---------------------------------------------------------------------------

    def replace(self, name: str, rows: pa.Table, predicate: str) -> None:
        """Atomically replace the rows matching `predicate` with `rows` (which must match it).

        Writers of disjoint rows can still collide on a commit (online reviews finish
        concurrently); Delta then refuses one commit, which is simply tried again.
        """
        self._make_current(name)
        data = rows.select(TABLES[name].names).cast(TABLES[name])
        _retry_commit(
            lambda: write_deltalake(
                self.table_uri(name),
                data,
                mode="overwrite",
                predicate=predicate,
                partition_by=PARTITIONS.get(name),
                storage_options=self.storage_options,
            )
        )

    def append(self, name: str, rows: pa.Table) -> None:
        self._make_current(name)
        write_deltalake(
            self.table_uri(name),
            rows.select(TABLES[name].names).cast(TABLES[name]),
            mode="append",
            partition_by=PARTITIONS.get(name),
            storage_options=self.storage_options,
        )

    def write_repo_results(
        self,
        run_id: str,
        repo_ids: Sequence[str],
        repos: pa.Table,
        findings: pa.Table,
        errors: pa.Table,
    ) -> None:
        """Write the results of some repos of a run, exactly once however often it is retried.

        Findings and errors replace any partial rows of an interrupted attempt; the repos
        rows come last and are the marker that the repos are done.
        """
        if not repo_ids:
            return
        where = f"run_id = {sql_literal(run_id)} AND repo_id IN {_in_list(repo_ids)}"
        self.replace("findings", findings, where)
        self.replace("errors", errors, where)
        self.replace("repos", repos, where)

    def write_llm_results(
        self,
        run_id: str,
        repo_ids: Sequence[str],
        findings: pa.Table,
        errors: pa.Table,
        passes: pa.Table,
    ) -> None:
        """Write the LLM pass of some repos of a run, exactly once however often it is retried.

        Only the pass's own rows are replaced (`source = 'llm'` findings, `stage = 'llm'`
        errors), never the static ones; the `llm_passes` rows come last and mark the repos done.
        """
        if not repo_ids:
            return
        where = f"run_id = {sql_literal(run_id)} AND repo_id IN {_in_list(repo_ids)}"
        self.replace("findings", findings, f"{where} AND source = 'llm'")
        self.replace("errors", errors, f"{where} AND stage = 'llm'")
        self.replace("llm_passes", passes, where)

    def write_review(self, review_id: str, reviews: pa.Table, findings: pa.Table) -> None:
        """Write one online review's row and findings (run_id = review id), exactly once
        however often it is retried; the reviews row comes last."""
        self.replace("findings", findings, f"run_id = {sql_literal(review_id)}")
        self.replace("reviews", reviews, f"review_id = {sql_literal(review_id)}")

    def write_run(self, run: pa.Table) -> None:
        run_id = run.column("run_id")[0].as_py()
        self.replace("runs", run, f"run_id = {sql_literal(run_id)}")

    # -- reading ---------------------------------------------------------------------------

    def query(self, sql: str, tables: Iterable[str]) -> pa.Table:
        """Run SQL over the named tables (registered under their own names)."""
        builder = QueryBuilder()
        for name in tables:
            builder = builder.register(name, self.table(name))
        reader = builder.execute(sql)
        return pa.table(reader.read_all())

    def done_repo_ids(self, run_id: str) -> set[str]:
        """Repos whose results this run has already written (the resume set)."""
        rows = self.query(
            f"SELECT repo_id FROM repos WHERE run_id = {sql_literal(run_id)}", ["repos"]
        )
        return {str(v) for v in rows.column("repo_id").to_pylist()}

    def llm_done_repo_ids(self, run_id: str) -> set[str]:
        """Repos whose LLM pass this run has already written."""
        rows = self.query(
            f"SELECT repo_id FROM llm_passes WHERE run_id = {sql_literal(run_id)}", ["llm_passes"]
        )
        return {str(v) for v in rows.column("repo_id").to_pylist()}

    def prior_audits(self, before_run_id: str) -> dict[str, PriorAudit]:
        """Newest audited revision of each repo in runs other than `before_run_id`.

        Quarantined runs (failed the data-quality gate) do not count: a repo skipped as
        unchanged points at its prior run's findings, which the KPIs would not show."""
        rows = self.query(
            "SELECT repo_id, run_id, revision, analyzer_versions, audited_at FROM repos "
            f"WHERE status = 'audited' AND run_id <> {sql_literal(before_run_id)} "
            "AND revision IS NOT NULL AND run_id NOT IN "
            "(SELECT run_id FROM runs WHERE status = 'quarantined') ORDER BY audited_at",
            ["repos", "runs"],
        )
        latest: dict[str, PriorAudit] = {}
        for row in rows.to_pylist():
            latest[row["repo_id"]] = PriorAudit(
                run_id=row["run_id"],
                revision=row["revision"],
                analyzer_versions=row["analyzer_versions"],
            )
        return latest

    def count_rows(self, name: str, run_id: str | None = None) -> int:
        where = f" WHERE run_id = {sql_literal(run_id)}" if run_id else ""
        rows = self.query(f"SELECT COUNT(*) AS n FROM {name}{where}", [name])
        return int(rows.column("n")[0].as_py())

    def read(self, name: str, where: str | None = None) -> pa.Table:
        sql = f"SELECT * FROM {name}" + (f" WHERE {where}" if where else "")
        table = self.query(sql, [name])
        return table.select(TABLES[name].names).cast(TABLES[name])


def _retry_commit(action: Callable[[], object]) -> None:
    """Run a commit, again (with back-off) when Delta refuses it for a concurrent one."""
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            action()
            return
        except CommitFailedError:
            if attempt == COMMIT_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2**attempt)


def versions_key(versions: dict[str, str]) -> str:
    """Canonical text of analyzer versions, compared by incremental runs."""
    return json.dumps(versions, sort_keys=True, separators=(",", ":"))
