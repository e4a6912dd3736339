"""Which data a KPI counts: the visible runs, each run's view of its repos, and their findings.

An incremental audit does not re-analyse an unchanged repository: its `repos` row says
`skipped` and points at `previous_run_id`, the run that analysed that same revision. So the
state of a repo "in run R" comes from R itself when R audited it, and from the run it names
when R skipped it. `repo_snapshots` makes that explicit (column `audit_run_id`), and
`run_findings` gives each run the findings of its snapshots, carried ones included, exactly as
`codeprism audit` reports them. A repo that failed in a run has no state in it, and a
snapshot whose audit run is not visible (quarantined, failed) is dropped: its data is not
trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.kpis.source import KpiInputError, KpiSource

MEASURED = ("audited", "skipped")


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

    Columns: run_id, started_at, repo_id, repo, org, status (audited|skipped), audit_run_id,
    commit_sha, files, lines, languages (Map language -> lines). Sizes come from the audit row.
    """
    runs = ordered_runs(source).select("run_id", "started_at")
    if run_ids is not None:
        runs = runs.filter(pl.col("run_id").is_in(list(run_ids)))
    repos = source.repos()
    members = (
        repos.filter(pl.col("status").is_in(MEASURED))
        .join(runs, on="run_id", how="inner")
        .select(
            "run_id",
            "started_at",
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
        .join(ordered_runs(source).select("run_id"), on="run_id", how="semi")
        .select(
            "repo_id",
            "repo",
            "org",
            "files",
            "lines",
            "languages",
            audit_run_id=pl.col("run_id"),
        )
    )
    return members.join(visible_audits, on=["repo_id", "audit_run_id"], how="inner").select(
        "run_id",
        "started_at",
        "repo_id",
        "repo",
        "org",
        "status",
        "audit_run_id",
        "commit_sha",
        "files",
        "lines",
        "languages",
    )


def run_findings(
    source: KpiSource,
    run_ids: Sequence[str] | None = None,
    snapshots: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The findings each visible run stands for, carried ones included.

    Every findings column, with `run_id` the run asked about and `audit_run_id` the run that
    wrote the row (they differ for repos the run skipped), plus the run's `started_at`.
    """
    snaps = snapshots if snapshots is not None else repo_snapshots(source, run_ids)
    keys = snaps.select("run_id", "started_at", "repo_id", "audit_run_id")
    findings = source.findings().rename({"run_id": "audit_run_id"})
    return findings.join(keys, on=["repo_id", "audit_run_id"], how="inner")


def own_findings(source: KpiSource, run_ids: Sequence[str] | None = None) -> pl.LazyFrame:
    """Findings rows written by visible runs themselves (no carrying), for per-run questions
    such as LLM/static agreement."""
    runs = ordered_runs(source).select("run_id", "started_at")
    if run_ids is not None:
        runs = runs.filter(pl.col("run_id").is_in(list(run_ids)))
    return source.findings().join(runs, on="run_id", how="inner")
