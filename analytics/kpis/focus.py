"""Two focused views of one run: leaked secrets by type, and complexity hot spots."""

from __future__ import annotations

import polars as pl

from analytics.kpis.scope import resolve_run, run_counts, run_findings
from analytics.kpis.source import KpiSource

SECRETS_ANALYZER = "secrets"
COMPLEXITY_ANALYZER = "complexity"


def secrets_by_type(source: KpiSource, run_id: str | None = None) -> pl.DataFrame:
    """Findings the `secrets` analyzer reported, per type (the finding's rule_id), in one run.

    Columns: rule_id, findings, repos, files (distinct repo/file pairs); most first. The
    secret values themselves are never in the warehouse (only type and location).
    """
    run = resolve_run(source, run_id)
    # a secret detect-secrets found and another tool confirmed is one merged finding, named by
    # its best-ranked rule; reported_by still lists detect-secrets
    secrets = (pl.col("analyzer") == SECRETS_ANALYZER) | pl.col("reported_by").list.eval(
        pl.element().str.starts_with(f"{SECRETS_ANALYZER}:")
    ).list.any().fill_null(False)
    counts = run_counts(source, ["rule_id", "file_path"], [run], where=secrets)
    return secrets_frame(counts).collect()


def secrets_frame(counts: pl.LazyFrame) -> pl.LazyFrame:
    """secrets_by_type over counts of secrets findings (repo_id, rule_id, file_path,
    findings) of one run (pure)."""
    return (
        counts.group_by("rule_id")
        .agg(
            pl.col("findings").sum().cast(pl.UInt32),
            repos=pl.col("repo_id").n_unique(),
            files=pl.struct("repo_id", "file_path").n_unique(),
        )
        .sort(["findings", "rule_id"], descending=[True, False])
    )


def complexity_hotspots(
    source: KpiSource, run_id: str | None = None, limit: int = 20
) -> pl.DataFrame:
    """The files with the most functions that the `complexity` analyzer flags, in one run.

    Columns: repo_id, repo, file_path, functions (findings: one per rule per function),
    too_complex (rule cyclomatic-complexity), too_long (rule function-length),
    flagged_lines (lines spanned by the flagged functions, summed); most first.
    """
    run = resolve_run(source, run_id)
    rows = run_findings(source, [run], where=pl.col("analyzer") == COMPLEXITY_ANALYZER)
    return hotspots_frame(rows).head(limit).collect()


def hotspots_frame(findings: pl.LazyFrame) -> pl.LazyFrame:
    """complexity_hotspots over given findings of one run, without the limit (pure)."""
    return (
        findings.filter(pl.col("analyzer") == COMPLEXITY_ANALYZER)
        .group_by("repo_id", "repo", "file_path")
        .agg(
            functions=pl.len(),
            too_complex=(pl.col("rule_id") == "cyclomatic-complexity").sum(),
            too_long=(pl.col("rule_id") == "function-length").sum(),
            flagged_lines=(pl.col("end_line") - pl.col("start_line") + 1).sum(),
        )
        .sort(
            ["functions", "flagged_lines", "repo", "file_path"],
            descending=[True, True, False, False],
        )
    )
