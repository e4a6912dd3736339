"""Accepted findings over time: what in-source markers and baseline files keep out of reports.

A findings row whose `suppression` is set was accepted (codeprism.suppressions): it stays in
the warehouse, is never reported, and no other KPI counts it (`KpiSource.findings`). These
KPIs count exactly those rows, per run date of the visible runs, by kind and by rule. A date
with several visible runs shows its newest one: each run states every repo it measured, so
two runs of one day are not added up. A repo that a run skipped keeps the accepted findings
of the run that audited it, as in every KPI.

The kind is the suppression text up to its first `[`, space or `:`: codeprism
(`codeprism: ignore[B602] -- reason`), nosec, noqa, or baseline (listed in a baseline file).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from analytics.kpis.headline import in_roles
from analytics.kpis.scope import ordered_runs, resolve_run, run_counts
from analytics.kpis.source import KpiSource

SUPPRESSION_KINDS = ("codeprism", "nosec", "noqa", "baseline")
OTHER_KIND = "other"
"""The column of `suppression_kinds` for any kind not in SUPPRESSION_KINDS."""


def suppression_kind(column: str = "suppression") -> pl.Expr:
    """The kind of a suppression text: what precedes its first `[`, space or `:`."""
    return pl.col(column).str.extract(r"^([^\[ :]*)", 1)


def suppressions_over_time(source: KpiSource, roles: Collection[str] | None = None) -> pl.DataFrame:
    """Accepted findings per run date (its newest visible run), by kind and rule.

    Findings are those in files of `roles` (None: every role). Columns: run_date, run_id,
    kind, rule_id, suppressed; oldest first, then kinds in SUPPRESSION_KINDS order (others
    after, by name), then rule. A date whose run accepted nothing has one row with kind and
    rule_id null and suppressed 0, so that every date is there.
    """
    days = (
        ordered_runs(source)
        .group_by("run_date")
        .agg(pl.col("run_id").sort_by("run_seq").last())
        .collect()
    )
    return _suppressions(source, days, roles)


def suppressions_in_run(
    source: KpiSource, run_id: str | None = None, roles: Collection[str] | None = None
) -> pl.DataFrame:
    """The accepted findings of one visible run (default: the newest), by kind and rule;
    columns as `suppressions_over_time`."""
    run = resolve_run(source, run_id)
    days = ordered_runs(source).filter(pl.col("run_id") == run).select("run_date", "run_id")
    return _suppressions(source, days.collect(), roles)


def _suppressions(
    source: KpiSource, days: pl.DataFrame, roles: Collection[str] | None
) -> pl.DataFrame:
    counts = run_counts(
        source,
        ["suppression", "rule_id"],
        days["run_id"].to_list(),
        where=in_roles(roles),
        per_repo=False,
        suppressed=True,
    )
    return suppressions_frame(days.lazy(), counts).collect()


def suppressions_frame(days: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """suppressions_over_time over the runs that stand for their dates (run_date, run_id) and
    counts of accepted findings (run_id, suppression, rule_id, findings) (pure)."""
    per_rule = counts.group_by("run_id", "rule_id", kind=suppression_kind()).agg(
        suppressed=pl.col("findings").sum()
    )
    order = {kind: i for i, kind in enumerate(SUPPRESSION_KINDS)}
    return (
        days.select("run_date", "run_id")
        .join(per_rule, on="run_id", how="left")
        .with_columns(pl.col("suppressed").fill_null(0).cast(pl.UInt32))
        .sort(
            pl.col("run_date"),
            pl.col("kind").replace_strict(order, default=len(order), return_dtype=pl.Int32),
            pl.col("kind"),
            pl.col("rule_id"),
            nulls_last=True,
        )
        .select("run_date", "run_id", "kind", "rule_id", "suppressed")
    )


def suppression_kinds(suppressions: pl.DataFrame) -> pl.DataFrame:
    """Per run date of a `suppressions_over_time` (or `suppressions_in_run`) frame: run_date,
    run_id, suppressed (all kinds), then one column per kind of SUPPRESSION_KINDS and
    OTHER_KIND, zeros included; oldest first."""
    kind = pl.col("kind")
    count = pl.col("suppressed")
    columns = [
        count.filter(kind == name).sum().cast(pl.UInt32).alias(name) for name in SUPPRESSION_KINDS
    ]
    other = kind.is_not_null() & ~kind.is_in(list(SUPPRESSION_KINDS))
    return (
        suppressions.group_by("run_date", "run_id")
        .agg(
            count.sum().cast(pl.UInt32),
            *columns,
            count.filter(other).sum().cast(pl.UInt32).alias(OTHER_KIND),
        )
        .sort("run_date")
    )
