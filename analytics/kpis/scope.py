"""Which data a KPI counts: the visible runs, each run's view of its repos, and their findings.

An incremental audit does not re-analyse an unchanged repository: its `repos` row says
`skipped` and points at `previous_run_id`, the run that analysed that same revision. So the
state of a repo "in run R" comes from R itself when R audited it, and from the run it names
when R skipped it. `repo_snapshots` makes that explicit (column `audit_run_id`), and
`run_findings` gives each run the findings of its snapshots, carried ones included, exactly as
`codeprism audit` reports them. A repo that failed in a run has no state in it, and a
snapshot whose audit run is not visible (quarantined, failed) is dropped: its data is not
trusted. Findings are the reported ones (`KpiSource.findings`): accepted (suppressed) rows
are counted only where asked for (`run_counts(..., suppressed=True)`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from analytics.kpis.source import KpiInputError, KpiSource

MEASURED = ("audited", "skipped")
_SNAPSHOT_SOURCE = (
    "run_id", "run_date", "repo_id", "repo", "org", "status", "previous_run_id", "commit_sha",
    "files", "lines", "languages",
)  # fmt: skip


def ordered_runs(source: KpiSource) -> pl.LazyFrame:
    """Visible runs, oldest first (by started_at, then run_id), numbered from 0 in `run_seq`."""
    return (
        source.visible_runs()
        .select("run_id", "run_date", "started_at", "finished_at")
        .sort("started_at", "run_id")
        .with_row_index("run_seq")
    )


def latest_run_id(source: KpiSource) -> str | None:
    """The newest visible run, or None when there is none."""
    last = ordered_runs(source).select("run_id").last().collect()
    return str(last.item()) if last.height else None


def resolve_run(source: KpiSource, run_id: str | None) -> str:
    """`run_id` checked to be visible, or the newest visible run when None."""
    if run_id is None:
        latest = latest_run_id(source)
        if latest is None:
            raise KpiInputError("the warehouse has no visible (succeeded) run")
        return latest
    found = source.runs().filter(pl.col("run_id") == run_id).select("status").collect()
    if not found.height:
        raise KpiInputError(f"no run {run_id!r} in the warehouse")
    status = found.item(0, 0)
    if status != "succeeded":
        raise KpiInputError(f"run {run_id!r} is {status}: only succeeded runs are visible")
    return run_id


def repo_snapshots(source: KpiSource, run_ids: Sequence[str] | None = None) -> pl.LazyFrame:
    """One row per (visible run, repo it measured), with the run that analysed that state.

    Columns: run_id, started_at, run_seq, repo_id, repo, org, status (audited|skipped),
    audit_run_id,
    audit_run_date, commit_sha, files, lines, languages (Map language -> lines). Sizes come
    from the audit row. The table is small (runs x repos): it is collected here, once, and
    handed back as a LazyFrame over memory, so KPIs that use it twice do not compute it twice.
    """
    # Small tables: read once each, then joined in memory (cheaper than a lazy plan here).
    visible = ordered_runs(source).select("run_id", "started_at", "run_seq").collect()
    runs = visible if run_ids is None else visible.filter(pl.col("run_id").is_in(list(run_ids)))
    repos = source.repos().select(_SNAPSHOT_SOURCE).collect()
    members = (
        repos.filter(pl.col("status").is_in(MEASURED))
        .join(runs, on="run_id", how="inner")
        .select(
            "run_id",
            "started_at",
            "run_seq",
            "repo_id",
            "status",
            "commit_sha",
            audit_run_id=pl.when(pl.col("status") == "audited")
            .then(pl.col("run_id"))
            .otherwise(pl.col("previous_run_id")),
        )
    )
    visible_audits = (
        repos.filter(pl.col("status") == "audited")
        .join(visible.select("run_id"), on="run_id", how="semi")
        .select(
            "repo_id",
            "repo",
            "org",
            "files",
            "lines",
            "languages",
            audit_run_id=pl.col("run_id"),
            audit_run_date=pl.col("run_date"),
        )
    )
    snapshots = members.join(visible_audits, on=["repo_id", "audit_run_id"], how="inner")
    return snapshots.select(
        "run_id",
        "started_at",
        "run_seq",
        "repo_id",
        "repo",
        "org",
        "status",
        "audit_run_id",
        "audit_run_date",
        "commit_sha",
        "files",
        "lines",
        "languages",
    ).lazy()


SPLIT_SCANS_UP_TO = 2
"""For up to this many runs, findings are read by one filtered scan per (run, audit run)
pair instead of one scan joined to the snapshot keys (see `_Rows`): beyond, the same audit
run's files would be decoded again for every run that carries them."""


class _Rows:
    """The findings rows of a set of snapshots, read one of two ways, both exact.

    - split: one scan per (run, audit run) pair, filtered to that audit run's partition and
      run_id and to the repos the run took from it, with the run's columns added as
      constants. No join: for one or two runs (most KPIs) this is the cheap way.
    - joined: one scan of every audit run's rows, joined to the keys on (repo_id,
      audit_run_id): cheaper when many runs would each re-read the same files.
    The keys are a small table, collected here; either way the scan reads only the Parquet
    files of the runs concerned (their run_date partitions and run_id statistics tell).
    The rows are the reported findings, or the accepted (suppressed) ones when `suppressed`.
    """

    def __init__(
        self,
        source: KpiSource,
        run_ids: Sequence[str] | None,
        snapshots: pl.LazyFrame | None,
        where: pl.Expr | None,
        suppressed: bool = False,
    ) -> None:
        snaps = snapshots if snapshots is not None else repo_snapshots(source, run_ids)
        self.keys = snaps.select(
            "run_id", "started_at", "run_seq", "repo_id", "audit_run_id", "audit_run_date"
        ).collect()
        self.findings = source.suppressed_findings() if suppressed else source.findings()
        self.where = where

    def _filtered(self, condition: pl.Expr) -> pl.LazyFrame:
        return self.findings.filter(condition if self.where is None else condition & self.where)

    def _pairs(self) -> list[tuple[dict[str, Any], pl.Series]]:
        pairs = self.keys.group_by(
            "run_id", "started_at", "run_seq", "audit_run_id", "audit_run_date"
        ).agg("repo_id")
        return [
            (row, pl.Series(row.pop("repo_id"), dtype=pl.String))
            for row in pairs.sort("run_seq", "audit_run_id").iter_rows(named=True)
        ]

    def split(self) -> bool:
        return 0 < self.keys["run_id"].n_unique() <= SPLIT_SCANS_UP_TO

    def per_pair(self, each: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.LazyFrame:
        """`each` applied to every pair's rows, with run_id, started_at, run_seq and
        audit_run_id added, concatenated."""
        parts = []
        for row, repos in self._pairs():
            rows = self._filtered(
                (pl.col("run_date") == row["audit_run_date"])
                & (pl.col("run_id") == row["audit_run_id"])
                & pl.col("repo_id").is_in(repos.implode())
            ).drop("run_id")
            parts.append(
                each(rows).with_columns(
                    run_id=pl.lit(row["run_id"], pl.String),
                    started_at=pl.lit(row["started_at"], pl.Datetime("us", "UTC")),
                    run_seq=pl.lit(row["run_seq"], pl.UInt32),
                    audit_run_id=pl.lit(row["audit_run_id"], pl.String),
                )
            )
        return pl.concat(parts, how="vertical")

    def joined(self) -> pl.LazyFrame:
        """Every audit run's rows (run_id renamed audit_run_id), not yet joined to the keys."""
        audits = self.keys["audit_run_id"].unique().implode()
        dates = self.keys["audit_run_date"].unique().implode()
        rows = self._filtered(pl.col("run_date").is_in(dates) & pl.col("run_id").is_in(audits))
        return rows.rename({"run_id": "audit_run_id"})

    def join_keys(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        keys = self.keys.lazy().drop("audit_run_date")
        return frame.join(keys, on=["repo_id", "audit_run_id"], how="inner")


def run_findings(
    source: KpiSource,
    run_ids: Sequence[str] | None = None,
    snapshots: pl.LazyFrame | None = None,
    where: pl.Expr | None = None,
    suppressed: bool = False,
) -> pl.LazyFrame:
    """The findings rows each visible run stands for, carried ones included (only those
    matching `where`, a filter on findings columns, when given); the reported ones, or the
    accepted (suppressed) ones instead when `suppressed`.

    Every findings column, with `run_id` the run asked about and `audit_run_id` the run that
    wrote the row (they differ for repos the run skipped), plus the run's `started_at` and
    `run_seq`. For counting, `run_counts` is much cheaper: it joins counts, not rows.
    """
    rows = _Rows(source, run_ids, snapshots, where, suppressed)
    if not rows.keys.height:
        return rows.join_keys(rows.joined())  # empty, with every column
    if rows.split():
        return rows.per_pair(lambda pair: pair)
    return rows.join_keys(rows.joined())


def run_counts(
    source: KpiSource,
    by: Sequence[str],
    run_ids: Sequence[str] | None = None,
    snapshots: pl.LazyFrame | None = None,
    where: pl.Expr | None = None,
    per_repo: bool = True,
    suppressed: bool = False,
) -> pl.LazyFrame:
    """Findings counted per (run, repo, *by) for visible runs, carried ones included (only
    those matching `where`, a filter on findings columns, when given).

    The rows are counted per run that wrote them, grouped by the `by` columns, and the counts
    (thousands of rows, not millions) are attributed to every run whose snapshot carries
    them. Columns: run_id, started_at, run_seq, repo_id, *by, findings; without repo_id
    (summed over repos) when `per_repo` is False. Reported findings are counted, or the
    accepted (suppressed) ones instead when `suppressed`.
    """
    rows = _Rows(source, run_ids, snapshots, where, suppressed)
    if rows.split():
        group = ["repo_id", *by] if per_repo else list(by)
        counted = rows.per_pair(lambda pair: pair.group_by(group).agg(findings=pl.len()))
    else:
        counts = rows.joined().group_by("repo_id", "audit_run_id", *by).agg(findings=pl.len())
        counted = rows.join_keys(counts)
    if per_repo:
        return counted.select("run_id", "started_at", "run_seq", "repo_id", *by, "findings")
    return counted.group_by("run_id", "started_at", "run_seq", *by).agg(pl.col("findings").sum())


def own_findings(source: KpiSource, run_ids: Sequence[str] | None = None) -> pl.LazyFrame:
    """Findings rows written by visible runs themselves (no carrying), for per-run questions
    such as LLM/static agreement. Plain filters, so the scan skips other runs' files."""
    runs = ordered_runs(source).select("run_id", "run_date")
    if run_ids is not None:
        runs = runs.filter(pl.col("run_id").is_in(list(run_ids)))
    chosen = runs.collect()
    return source.findings().filter(
        pl.col("run_date").is_in(chosen["run_date"].unique().implode())
        & pl.col("run_id").is_in(chosen["run_id"].implode())
    )
