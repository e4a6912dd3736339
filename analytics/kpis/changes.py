"""What changed between audits, by fingerprint: new, fixed and persisting findings, and the
time a finding took to be fixed.

A fingerprint (rule, repo, path, normalised flagged code; see codeprism.findings) survives
line shifts and reformatting, so it is what links a finding across runs. Matching is per
repository (`repo_id`), as fingerprints are.
"""

from __future__ import annotations

import polars as pl

from analytics.kpis.scope import ordered_runs, repo_snapshots, resolve_run, run_findings
from analytics.kpis.source import KpiInputError, KpiSource
from analytics.kpis.stats import SEVERITIES, percentiles

DIFF_STATUSES = ("new", "fixed", "persisting")

_DIFF_COLUMNS = (
    "repo_id", "repo", "org", "fingerprint", "finding_id", "rule_id", "analyzer", "source",
    "severity", "file_path", "start_line", "end_line", "title",
)  # fmt: skip


def diff_runs(source: KpiSource, base_run_id: str, head_run_id: str) -> pl.DataFrame:
    """Findings of `head_run_id` compared with `base_run_id` (both visible runs), per repo.

    One row per finding with `status`:
    - new: in head, its fingerprint absent from the same repo in base (a repo that base did
      not measure has only new findings);
    - persisting: in both (the head row is shown, with its current lines);
    - fixed: in base, absent from head, for repos that head measured (the base row is shown).
      A repo that head did not measure (failed, not targeted) is not compared: absence of
      data is not a fix.
    Columns: status, then repo_id, repo, org, fingerprint, finding_id, rule_id, analyzer,
    source, severity, file_path, start_line, end_line, title. Sorted by status, repo, path,
    line, rule.
    """
    base = resolve_run(source, base_run_id)
    head = resolve_run(source, head_run_id)
    if base == head:
        raise KpiInputError("base and head are the same run; give two different runs")
    snaps = repo_snapshots(source, [base, head])
    findings = run_findings(source, snapshots=snaps)
    return diff_frame(
        findings.filter(pl.col("run_id") == base),
        findings.filter(pl.col("run_id") == head),
        snaps.filter(pl.col("run_id") == head).select("repo_id"),
    ).collect()


def diff_frame(base: pl.LazyFrame, head: pl.LazyFrame, head_repos: pl.LazyFrame) -> pl.LazyFrame:
    """diff_runs over given findings of base and head and the repo_ids head measured (pure)."""
    key = ["repo_id", "fingerprint"]
    base_keys = base.select(key).unique()
    head_keys = head.select(key).unique()
    cols = list(_DIFF_COLUMNS)
    new = head.join(base_keys, on=key, how="anti").select(cols).with_columns(status=pl.lit("new"))
    persisting = (
        head.join(base_keys, on=key, how="semi")
        .select(cols)
        .with_columns(status=pl.lit("persisting"))
    )
    fixed = (
        base.join(head_repos.unique(), on="repo_id", how="semi")
        .join(head_keys, on=key, how="anti")
        .select(cols)
        .with_columns(status=pl.lit("fixed"))
    )
    return (
        pl.concat([new, fixed, persisting])
        .with_columns(pl.col("status").cast(pl.Enum(list(DIFF_STATUSES))))
        .sort("status", "repo", "file_path", "start_line", "rule_id", "fingerprint")
        .select("status", *cols)
    )


def diff_summary(diff: pl.DataFrame) -> pl.DataFrame:
    """Counts per repo of a `diff_runs` result: repo_id, repo, new, fixed, persisting
    (zeros included), repos in name order."""
    counts = diff.group_by("repo_id", "repo").agg(
        *[(pl.col("status") == status).sum().alias(status) for status in DIFF_STATUSES]
    )
    return counts.sort("repo", "repo_id").select("repo_id", "repo", *DIFF_STATUSES)


def time_to_fix(source: KpiSource) -> pl.DataFrame:
    """For every fingerprint ever seen in a visible run: when it appeared and when it was fixed.

    first seen: the earliest visible run (by started_at) whose state of the repo holds it.
    fixed: the first later visible run that *audited* the repo (a skip re-states the old
    result, so it proves nothing) and does not hold the fingerprint; null while open.
    Columns: repo_id, repo, fingerprint, rule_id, analyzer, severity, file_path (as first
    seen), first_seen_run, first_seen_at, fixed_run, fixed_at, days_to_fix (null while open),
    reappeared (seen again in a run after the fix: it came back). Times are run start times,
    so the resolution is the audit cadence.
    """
    snaps = repo_snapshots(source)
    findings = run_findings(source, snapshots=snaps)
    audits = snaps.filter(pl.col("status") == "audited").select("repo_id", "run_id", "started_at")
    return time_to_fix_frame(findings, audits, ordered_runs(source)).collect()


def time_to_fix_frame(
    findings: pl.LazyFrame, audits: pl.LazyFrame, runs: pl.LazyFrame
) -> pl.LazyFrame:
    """time_to_fix over run findings (run_id, started_at, repo_id, fingerprint, ...), the
    (repo_id, run_id, started_at) of audits, and the ordered runs (run_id, run_seq) (pure)."""
    key = ["repo_id", "fingerprint"]
    seq = runs.select("run_id", "run_seq")
    seen = findings.join(seq, on="run_id", how="inner")
    first = (
        seen.sort("run_seq")
        .unique(subset=key, keep="first", maintain_order=True)
        .select(
            *key,
            "repo",
            "rule_id",
            "analyzer",
            "severity",
            "file_path",
            first_seen_run="run_id",
            first_seen_at="started_at",
            first_seq="run_seq",
        )  # fmt: skip
    )
    presence = seen.select(*key, "run_seq").unique()
    audit_seq = audits.join(seq, on="run_id", how="inner").select(
        "repo_id", fixed_run="run_id", fixed_at="started_at", fix_seq="run_seq"
    )
    fixes = (
        first.select(*key, "first_seq")
        .join(audit_seq, on="repo_id", how="inner")
        .filter(pl.col("fix_seq") > pl.col("first_seq"))
        .join(presence, left_on=[*key, "fix_seq"], right_on=[*key, "run_seq"], how="anti")
        .sort("fix_seq")
        .unique(subset=key, keep="first", maintain_order=True)
        .select(*key, "fixed_run", "fixed_at", "fix_seq")
    )
    back = (
        presence.join(fixes.select(*key, "fix_seq"), on=key, how="inner")
        .filter(pl.col("run_seq") > pl.col("fix_seq"))
        .select(key)
        .unique()
        .with_columns(reappeared=pl.lit(True))
    )
    return (
        first.join(fixes, on=key, how="left")
        .join(back, on=key, how="left")
        .with_columns(
            days_to_fix=(pl.col("fixed_at") - pl.col("first_seen_at")).dt.total_microseconds()
            / 86_400e6,
            reappeared=pl.col("reappeared").fill_null(False),
        )
        .sort("first_seen_at", "repo", "file_path", "rule_id", "fingerprint")
        .select(
            "repo_id",
            "repo",
            "fingerprint",
            "rule_id",
            "analyzer",
            "severity",
            "file_path",
            "first_seen_run",
            "first_seen_at",
            "fixed_run",
            "fixed_at",
            "days_to_fix",
            "reappeared",
        )  # fmt: skip
    )


def time_to_fix_summary(ttf: pl.DataFrame) -> pl.DataFrame:
    """Per severity (worst first; all five): findings seen, fixed, open, and the median and
    p90 of days_to_fix over the fixed ones (linear interpolation; null when none is fixed)."""
    grid = pl.DataFrame({"severity": list(SEVERITIES), "order": list(range(len(SEVERITIES)))})
    stats = ttf.group_by("severity").agg(
        pl.len().alias("findings"),
        pl.col("fixed_run").is_not_null().sum().alias("fixed"),
        *percentiles("days_to_fix", [0.5, 0.9], prefix="p"),
    )
    return (
        grid.join(stats, on="severity", how="left")
        .with_columns(
            pl.col("findings", "fixed").fill_null(0).cast(pl.UInt32),
        )
        .with_columns(open=pl.col("findings") - pl.col("fixed"))
        .sort("order")
        .select(
            "severity",
            "findings",
            "fixed",
            "open",
            median_days="p50",
            p90_days="p90",
        )  # fmt: skip
    )
