"""Where the findings are: per thousand lines by repo, org and language; severity mix; the
top rules and the noisiest analyzers; the trend across runs.

Each function reads one visible run (default: the newest) through its repo snapshots, so a
repo the run skipped counts with the lines and findings of the run that last analysed it.
The `*_frame` twins take a snapshot frame and a counts frame (columns of `run_counts`; a
frame of single findings with `findings = 1` each is one too) and do the arithmetic.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from analytics.kpis.scope import ordered_runs, repo_snapshots, resolve_run, run_counts
from analytics.kpis.source import KpiInputError, KpiSource
from analytics.kpis.stats import OTHER_LANGUAGE, SEVERITIES, language_of, per_kloc, share

Grouping = Literal["repo", "org", "language"]
_KEYS: dict[str, list[str]] = {"repo": ["repo_id", "repo", "org"], "org": ["org"]}


def findings_per_kloc(
    source: KpiSource, by: Grouping = "repo", run_id: str | None = None
) -> pl.DataFrame:
    """Findings per thousand lines in one run, grouped `by` repo, org or language.

    Columns: the key (repo_id, repo, org | org | language), lines, findings, per_kloc;
    worst first. Lines are the inventory's (text lines of every decoded file); repo name and
    org are the repo's, from its audit row. By language, a finding counts for the language
    of its file's extension (the inventory's own mapping, so numerator and denominator
    agree), and lines of files in no known language, with the findings in them, form the
    language "(other)".
    """
    if by not in ("repo", "org", "language"):
        raise KpiInputError(f"by must be one of repo, org, language; got {by!r}")
    run = resolve_run(source, run_id)
    snaps = repo_snapshots(source, [run])
    if by == "language":  # per file path, over all repos
        counts = run_counts(source, ["file_path"], snapshots=snaps, per_repo=False)
    else:
        counts = run_counts(source, [], snapshots=snaps)
    return density_frame(snaps, counts, by).collect()


def density_frame(snaps: pl.LazyFrame, counts: pl.LazyFrame, by: Grouping) -> pl.LazyFrame:
    """findings_per_kloc over the snapshots and counts of one run (pure): counts has
    repo_id and findings, or file_path and findings when `by` is language."""
    if by == "language":
        lines = _lines_by_language(snaps)
        paths = counts.group_by("file_path").agg(pl.col("findings").sum())
        found = paths.group_by(language=language_of("file_path")).agg(pl.col("findings").sum())
        keys = ["language"]
    elif by in _KEYS:
        keys = _KEYS[by]
        per_repo = counts.group_by("repo_id").agg(pl.col("findings").sum())
        joined = (
            snaps.select("repo_id", "repo", "org", "lines")
            .join(per_repo, on="repo_id", how="left")
            .group_by(keys)
            .agg(pl.col("lines").sum(), pl.col("findings").sum())
        )
    else:
        raise KpiInputError(f"by must be one of repo, org, language; got {by!r}")
    if by == "language":  # "(other)" exists for every run; show it only when it holds anything
        joined = lines.join(found, on=keys, how="full", coalesce=True).filter(
            (pl.col("lines") > 0) | pl.col("findings").is_not_null()
        )
    return (
        joined.with_columns(pl.col("findings").fill_null(0).cast(pl.UInt32))
        .with_columns(per_kloc=per_kloc("findings", "lines"))
        .sort(
            ["per_kloc", "findings", *keys],
            descending=[True, True] + [False] * len(keys),
            nulls_last=True,
        )
        .select(*keys, "lines", "findings", "per_kloc")
    )


def _lines_by_language(snaps: pl.LazyFrame) -> pl.LazyFrame:
    entries = (
        snaps.select(pl.col("languages").map.entries().alias("entry"))
        .explode("entry")
        .select(
            language=pl.col("entry").struct.field("key"),
            lines=pl.col("entry").struct.field("value"),
        )
        .drop_nulls("language")
    )
    known = snaps.select(
        known=pl.col("languages").map.values().list.sum().fill_null(0), total="lines"
    )
    other = known.select(
        language=pl.lit(OTHER_LANGUAGE), lines=(pl.col("total") - pl.col("known")).sum()
    )
    return pl.concat([entries, other]).group_by("language").agg(pl.col("lines").sum())


def severity_mix(source: KpiSource) -> pl.DataFrame:
    """Per visible run, oldest first: count and share of each severity (all five, zeros too).

    Columns: run_id, started_at, severity, findings, share (of the run's findings).
    """
    counts = run_counts(source, ["severity"])
    return severity_mix_frame(ordered_runs(source), counts).collect()


def severity_mix_frame(runs: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """severity_mix over runs (run_id, started_at) and counts (run_id, severity, findings)
    (pure)."""
    grid = runs.select("run_id", "started_at").join(
        pl.LazyFrame({"severity": list(SEVERITIES), "order": list(range(len(SEVERITIES)))}),
        how="cross",
    )
    per_run = counts.group_by("run_id", "severity").agg(pl.col("findings").sum())
    return (
        grid.join(per_run, on=["run_id", "severity"], how="left")
        .with_columns(pl.col("findings").fill_null(0).cast(pl.UInt32))
        .with_columns(share=share("findings", pl.col("findings").sum().over("run_id")))
        .sort("started_at", "run_id", "order")
        .select("run_id", "started_at", "severity", "findings", "share")
    )


def top_rules(source: KpiSource, run_id: str | None = None, limit: int = 20) -> pl.DataFrame:
    """The rules with the most findings in one run.

    Columns: analyzer, rule_id, findings, repos (how many repos it fires in), share (of the
    run's findings); most findings first, then most repos, then by name.
    """
    run = resolve_run(source, run_id)
    counts = run_counts(source, ["analyzer", "rule_id"], [run])
    return (
        counts.group_by("analyzer", "rule_id")
        .agg(pl.col("findings").sum().cast(pl.UInt32), repos=pl.col("repo_id").n_unique())
        .with_columns(share=share("findings", pl.col("findings").sum()))
        .sort(["findings", "repos", "analyzer", "rule_id"], descending=[True, True, False, False])
        .head(limit)
        .collect()
    )


def noisiest_analyzers(source: KpiSource, run_id: str | None = None) -> pl.DataFrame:
    """How much each analyzer says, and how much of it is minor, in one run.

    Columns: analyzer, findings, per_kloc (over all lines of the run's repos), low_info
    (its findings of severity low or info), low_info_share; most findings per kloc first.
    A loud analyzer whose output is mostly low/info is the first candidate for tuning.
    """
    run = resolve_run(source, run_id)
    snaps = repo_snapshots(source, [run])
    counts = run_counts(source, ["analyzer", "severity"], snapshots=snaps)
    return noisiest_frame(snaps, counts).collect()


def noisiest_frame(snaps: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """noisiest_analyzers over the snapshots and counts (analyzer, severity, findings) of one
    run (pure)."""
    lines = snaps.select(total_lines=pl.col("lines").sum())
    minor = pl.col("severity").is_in(["low", "info"])
    return (
        counts.group_by("analyzer")
        .agg(
            pl.col("findings").sum().cast(pl.UInt32),
            low_info=pl.col("findings").filter(minor).sum().cast(pl.UInt32),
        )
        .join(lines, how="cross")
        .with_columns(
            per_kloc=per_kloc("findings", "total_lines"),
            low_info_share=share("low_info", "findings"),
        )
        .sort(["per_kloc", "analyzer"], descending=[True, False], nulls_last=True)
        .select("analyzer", "findings", "per_kloc", "low_info", "low_info_share")
    )


def run_trend(source: KpiSource) -> pl.DataFrame:
    """One row per visible run, oldest first: is the risk going down?

    Columns: run_id, started_at, repos (measured), files, lines, findings, per_kloc,
    critical, high.
    """
    snaps = repo_snapshots(source)
    counts = run_counts(source, ["severity"], snapshots=snaps)
    sizes = snaps.group_by("run_id").agg(
        repos=pl.len(), files=pl.col("files").sum(), lines=pl.col("lines").sum()
    )
    found = pl.col("findings")
    per_run = counts.group_by("run_id").agg(
        found.sum(),
        critical=found.filter(pl.col("severity") == "critical").sum(),
        high=found.filter(pl.col("severity") == "high").sum(),
    )
    return (
        ordered_runs(source)
        .select("run_id", "started_at")
        .join(sizes, on="run_id", how="left")
        .join(per_run, on="run_id", how="left")
        .with_columns(
            pl.col("repos", "files", "lines").fill_null(0),
            pl.col("findings", "critical", "high").fill_null(0).cast(pl.UInt32),
        )
        .with_columns(per_kloc=per_kloc("findings", "lines"))
        .sort("started_at", "run_id")
        .select(
            "run_id",
            "started_at",
            "repos",
            "files",
            "lines",
            "findings",
            "per_kloc",
            "critical",
            "high",
        )  # fmt: skip
        .collect()
    )
