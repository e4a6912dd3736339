"""Online review KPIs, from the `reviews` table (one row per review; not tied to audit runs,
so run visibility does not apply, time travel does)."""

from __future__ import annotations

import polars as pl

from analytics.kpis.source import KpiSource
from analytics.kpis.stats import percentiles

LATENCY_POINTS = (0.5, 0.9, 0.99)


def review_latency(source: KpiSource, by_provider: bool = False) -> pl.DataFrame:
    """Latency (seconds from the webhook received to the review finished) of finished reviews.

    Columns: [provider], reviews, mean_s, p50, p90, p99 (linear interpolation). Reviews
    without a latency (still running, or failed before finishing) are left out.
    """
    return latency_frame(source.reviews(), by_provider).collect()


def latency_frame(reviews: pl.LazyFrame, by_provider: bool = False) -> pl.LazyFrame:
    """review_latency over a reviews frame (pure)."""
    done = reviews.filter(pl.col("latency_s").is_not_null())
    aggs = [pl.len().alias("reviews"), pl.col("latency_s").mean().alias("mean_s")]
    aggs += percentiles("latency_s", LATENCY_POINTS)
    if by_provider:
        return done.group_by("provider").agg(aggs).sort("provider")
    return done.select(aggs)


def findings_per_review(source: KpiSource, by_provider: bool = False) -> pl.DataFrame:
    """How much a review says: columns [provider], reviews, findings (total), mean, median,
    posted (comments posted, total), posted_share (posted / findings). Reviews whose
    findings count is unknown are left out."""
    return per_review_frame(source.reviews(), by_provider).collect()


def per_review_frame(reviews: pl.LazyFrame, by_provider: bool = False) -> pl.LazyFrame:
    """findings_per_review over a reviews frame (pure)."""
    known = reviews.filter(pl.col("findings").is_not_null())
    aggs = [
        pl.len().alias("reviews"),
        pl.col("findings").sum().alias("findings"),
        pl.col("findings").mean().alias("mean"),
        pl.col("findings").median().alias("median"),
        pl.col("posted").sum().alias("posted"),
    ]
    share = (
        pl.when(pl.col("findings") > 0)
        .then(pl.col("posted") / pl.col("findings"))
        .alias("posted_share")
    )
    if by_provider:
        return known.group_by("provider").agg(aggs).with_columns(share).sort("provider")
    return known.select(aggs).with_columns(share)
