"""Do the LLM agents and the static analyzers point at the same code?

Two findings are neighbours when they are in the same run, repository and file and their
line ranges overlap (a.start <= b.end and b.start <= a.end). Per run, the share of LLM
findings that have a static neighbour, and the share of static findings that have an LLM
one. The LLM pass reads only a repository's riskiest files, so the static side counts only
files that the pass reviewed (`llm_passes.files`); else every static finding elsewhere would
count as a disagreement.
"""

from __future__ import annotations

import polars as pl

from analytics.kpis.scope import ordered_runs, own_findings, resolve_run
from analytics.kpis.source import KpiSource
from analytics.kpis.stats import share

_PLACE = ["run_id", "repo_id", "file_path"]


def llm_static_agreement(source: KpiSource, run_id: str | None = None) -> pl.DataFrame:
    """Agreement per visible run that has an LLM pass (all of them, oldest first, or only
    `run_id`). Columns as `agreement_frame`."""
    runs = [resolve_run(source, run_id)] if run_id is not None else None
    findings = own_findings(source, runs)
    reviewed = (
        source.llm_passes()
        .select("run_id", "repo_id", file_path=pl.col("files"))
        .explode("file_path")
        .drop_nulls("file_path")
    )
    order = ordered_runs(source).select("run_id", "run_seq")
    return (
        agreement_frame(findings, reviewed)
        .join(order, on="run_id", how="inner")
        .sort("run_seq")
        .drop("run_seq")
        .collect()
    )


def agreement_frame(findings: pl.LazyFrame, reviewed: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Agreement over findings (run_id, repo_id, file_path, start_line, end_line, source,
    finding_id); `reviewed` (run_id, repo_id, file_path) limits the static side, None keeps
    every static finding (pure).

    Columns: run_id, llm_findings, llm_with_static, llm_share, static_findings,
    static_with_llm, static_share. Only runs with at least one LLM finding or reviewed file.
    """
    cols = [*_PLACE, "finding_id", "start_line", "end_line"]
    llm = findings.filter(pl.col("source") == "llm").select(cols)
    static = findings.filter(pl.col("source") == "static").select(cols)
    if reviewed is not None:
        places = reviewed.select(_PLACE).unique().collect()  # a few files per repo
        # a cheap one-column filter first, then the exact three-column match
        static = static.filter(
            pl.col("file_path").is_in(places["file_path"].unique().implode())
        ).join(places.lazy(), on=_PLACE, how="semi")
    pairs = llm.join(static, on=_PLACE, how="inner", suffix="_s").filter(
        (pl.col("start_line") <= pl.col("end_line_s"))
        & (pl.col("start_line_s") <= pl.col("end_line"))
    )
    llm_hit = pairs.group_by("run_id").agg(llm_with_static=pl.col("finding_id").n_unique())
    static_hit = pairs.group_by("run_id").agg(static_with_llm=pl.col("finding_id_s").n_unique())
    llm_n = llm.group_by("run_id").agg(llm_findings=pl.len())
    static_n = static.group_by("run_id").agg(static_findings=pl.len())
    runs = llm.select("run_id")
    if reviewed is not None:
        runs = pl.concat([runs, places.lazy().select("run_id")])
    return (
        runs.unique()
        .join(llm_n, on="run_id", how="left")
        .join(llm_hit, on="run_id", how="left")
        .join(static_n, on="run_id", how="left")
        .join(static_hit, on="run_id", how="left")
        .with_columns(
            pl.col("llm_findings", "llm_with_static", "static_findings", "static_with_llm")
            .fill_null(0)
            .cast(pl.UInt32)
        )
        .with_columns(
            llm_share=share("llm_with_static", "llm_findings"),
            static_share=share("static_with_llm", "static_findings"),
        )
        .sort("run_id")
        .select(
            "run_id",
            "llm_findings",
            "llm_with_static",
            "llm_share",
            "static_findings",
            "static_with_llm",
            "static_share",
        )  # fmt: skip
    )
