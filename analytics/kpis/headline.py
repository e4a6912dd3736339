"""The headline: the newest visible run in one row, for `codeprism kpi` and the report."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import polars as pl

from analytics.kpis.scope import ordered_runs, repo_snapshots, run_counts, run_findings
from analytics.kpis.source import KpiSource
from analytics.kpis.stats import per_kloc

HEADLINE_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "started_at": pl.Datetime("us", "UTC"),
    "repos": pl.UInt32(),
    "files": pl.Int64(),
    "lines": pl.Int64(),
    "findings": pl.UInt32(),
    "per_kloc": pl.Float64(),
    "critical": pl.UInt32(),
    "high": pl.UInt32(),
    "previous_run_id": pl.String(),
    "new": pl.UInt32(),
    "fixed": pl.UInt32(),
}


SOURCE_ONLY = ("source",)


def in_roles(roles: Collection[str] | None) -> pl.Expr | None:
    """A findings filter for files of `roles` (None: every role); rows written before file
    roles existed count as source."""
    if roles is None:
        return None
    return pl.col("file_role").fill_null("source").is_in(list(roles))


def headline(source: KpiSource, roles: Collection[str] | None = SOURCE_ONLY) -> pl.DataFrame:
    """One row for the newest visible run (no row when there is none).

    Findings are those in files of `roles`: source code by default, None for every role
    (tests, examples, vendored and generated code too).

    Columns: run_id, started_at, repos (measured: audited or skipped with a visible earlier
    audit), files, lines, findings, per_kloc, critical, high, previous_run_id (the visible
    run before it, null for the first), new and fixed versus that run (as `diff_runs`; null
    for the first run).
    """
    last_two = ordered_runs(source).select("run_id", "started_at").tail(2).collect()
    if not last_two.height:
        return pl.DataFrame(schema=HEADLINE_SCHEMA)
    run, started = str(last_two["run_id"][-1]), last_two["started_at"][-1]
    previous = str(last_two["run_id"][0]) if last_two.height == 2 else None
    snaps = repo_snapshots(source, [run] if previous is None else [previous, run])
    head_snaps = snaps.filter(pl.col("run_id") == run)
    sizes = head_snaps.select(
        repos=pl.len(), files=pl.col("files").sum(), lines=pl.col("lines").sum()
    )
    found = pl.col("findings")
    where = in_roles(roles)
    counts = run_counts(source, ["severity"], snapshots=head_snaps, where=where).select(
        found.sum(),
        critical=found.filter(pl.col("severity") == "critical").sum(),
        high=found.filter(pl.col("severity") == "high").sum(),
    )
    row = pl.concat([sizes, counts], how="horizontal")
    if previous is None:
        changes = pl.LazyFrame(
            {"new": [None], "fixed": [None]}, schema={"new": pl.UInt32, "fixed": pl.UInt32}
        )
    else:
        prints = run_findings(source, snapshots=snaps, where=where).select(
            "run_id", "repo_id", "fingerprint"
        )
        changes = _new_and_fixed(
            prints.filter(pl.col("run_id") == previous),
            prints.filter(pl.col("run_id") == run),
            head_snaps.select("repo_id"),
        )
    return (
        pl.concat([row, changes], how="horizontal")
        .with_columns(
            run_id=pl.lit(run),
            started_at=pl.lit(_as_datetime(started), dtype=pl.Datetime("us", "UTC")),
            previous_run_id=pl.lit(previous, dtype=pl.String),
            per_kloc=per_kloc("findings", "lines"),
        )
        .select(list(HEADLINE_SCHEMA))
        .cast(HEADLINE_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def _new_and_fixed(
    base: pl.LazyFrame, head: pl.LazyFrame, head_repos: pl.LazyFrame
) -> pl.LazyFrame:
    """How many findings `diff_runs` would call new and fixed, from fingerprints alone."""
    key = ["repo_id", "fingerprint"]
    measured = head_repos.collect()["repo_id"]
    joined = head.select(*key, _in_head=pl.lit(True)).join(
        base.select(*key, _in_base=pl.lit(True)), on=key, how="full", coalesce=True
    )
    in_head, in_base = pl.col("_in_head").is_not_null(), pl.col("_in_base").is_not_null()
    fixed = ~in_head & pl.col("repo_id").is_in(measured.implode())
    return joined.select(
        new=(in_head & ~in_base).sum().cast(pl.UInt32), fixed=fixed.sum().cast(pl.UInt32)
    )


def _as_datetime(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value
