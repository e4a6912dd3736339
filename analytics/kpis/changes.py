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
      data is not a fix, and neither is a finding head holds as accepted (suppressed in the
      code or by a baseline): it is left out of the diff.
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
    accepted = run_findings(source, snapshots=snaps, suppressed=True)
    return diff_frame(
        findings.filter(pl.col("run_id") == base),
        findings.filter(pl.col("run_id") == head),
        snaps.filter(pl.col("run_id") == head).select("repo_id"),
        accepted.filter(pl.col("run_id") == head).select("repo_id", "fingerprint"),
    ).collect()


def diff_frame(
    base: pl.LazyFrame,
    head: pl.LazyFrame,
    head_repos: pl.LazyFrame,
    head_accepted: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """diff_runs over given findings of base and head, the repo_ids head measured and the
    (repo_id, fingerprint) head holds as accepted (pure).

    One full join on (repo_id, fingerprint): a row only in head is new, only in base fixed
    (kept for repos head measured, unless head accepted it), in both persisting.
    """
    key = ["repo_id", "fingerprint"]
    cols = list(_DIFF_COLUMNS)
    attrs = [c for c in cols if c not in key]
    measured = head_repos.select("repo_id").unique().collect()["repo_id"]
    in_head, in_base = pl.col("_in_head").is_not_null(), pl.col("_in_base").is_not_null()
    joined = head.select(*cols, _in_head=pl.lit(True)).join(
        base.select(*cols, _in_base=pl.lit(True)),
        on=key,
        how="full",
        coalesce=True,
        suffix="_base",
    )
    status = (
        pl.when(~in_base).then(pl.lit("new")).when(~in_head).then(pl.lit("fixed"))
        .otherwise(pl.lit("persisting"))
        .cast(pl.Enum(list(DIFF_STATUSES)))
    )  # fmt: skip
    if head_accepted is not None:
        accepted = head_accepted.select(*key).unique().with_columns(_accepted=pl.lit(True))
        joined = joined.join(accepted, on=key, how="left").filter(
            in_head | pl.col("_accepted").is_null()
        )
    return (
        joined.filter(in_head | pl.col("repo_id").is_in(measured.implode()))
        .select(
            status.alias("status"),
            *key,
            *[
                pl.when(in_head).then(pl.col(c)).otherwise(pl.col(f"{c}_base")).alias(c)
                for c in attrs
            ],
        )
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
    result, so it proves nothing) and does not hold the fingerprint, reported or accepted
    (a finding suppressed in the code or by a baseline is accepted, not fixed); null while
    open.
    Columns: repo_id, repo, fingerprint, rule_id, analyzer, severity, file_path (as first
    seen), first_seen_run, first_seen_at, fixed_run, fixed_at, days_to_fix (null while open),
    reappeared (seen again in a run after the fix: it came back). Times are run start times,
    so the resolution is the audit cadence.
    """
    snaps = repo_snapshots(source)
    findings = run_findings(source, snapshots=snaps)
    audits = snaps.filter(pl.col("status") == "audited")
    accepted = run_findings(source, snapshots=snaps, suppressed=True)
    return time_to_fix_frame(
        findings, audits, ordered_runs(source), accepted.select("repo_id", "fingerprint", "run_seq")
    ).collect()


_FIRST_SEEN = ("repo", "rule_id", "analyzer", "severity", "file_path")


def time_to_fix_frame(
    findings: pl.LazyFrame,
    audits: pl.LazyFrame,
    runs: pl.LazyFrame,
    accepted: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """time_to_fix over run findings (repo_id, fingerprint, run_seq and the first-seen
    columns), the audits (repo_id, run_seq) and the runs (run_seq, run_id, started_at) (pure).

    Per fingerprint, one pass collects the runs holding it; the fix is the first audit of its
    repo after the first sighting that is not among them.
    """
    key = ["repo_id", "fingerprint"]
    seen = findings.select(*key, "run_seq", *_FIRST_SEEN).with_row_index("row")
    # the first sighting's row: the smallest (run_seq, row), packed in one integer
    packed = pl.col("run_seq").cast(pl.UInt64) * (1 << 32) + pl.col("row").cast(pl.UInt64)
    per_print = seen.group_by(key).agg(first=packed.min(), seqs=pl.col("run_seq"))
    if accepted is not None:  # runs that hold it accepted did not fix it
        held = accepted.group_by(key).agg(accepted_seqs=pl.col("run_seq"))
        per_print = (
            per_print.join(held, on=key, how="left")
            .with_columns(seqs=pl.concat_list("seqs", pl.col("accepted_seqs").fill_null([])))
            .drop("accepted_seqs")
        )
    first_rows = seen.select("row", *_FIRST_SEEN)
    audit_seqs = audits.group_by("repo_id").agg(audit_seqs=pl.col("run_seq"))
    seen_seq = pl.col("first_seq")
    earlier = pl.int_ranges(0, seen_seq + 1, dtype=pl.UInt32)
    return (
        per_print.with_columns(
            first_seq=(pl.col("first") // (1 << 32)).cast(pl.UInt32),
            row=(pl.col("first") % (1 << 32)).cast(pl.UInt32),
        )
        .join(first_rows, on="row", how="inner")
        .join(audit_seqs, on="repo_id", how="left")
        .with_columns(
            fix_seq=pl.col("audit_seqs")
            .list.set_difference(pl.concat_list("seqs", earlier))
            .list.min()
        )
        .with_columns(reappeared=(pl.col("seqs").list.max() > pl.col("fix_seq")).fill_null(False))
        .join(
            runs.select(first_seq="run_seq", first_seen_run="run_id", first_seen_at="started_at"),
            on="first_seq",
            how="left",
        )
        .join(
            runs.select(fix_seq="run_seq", fixed_run="run_id", fixed_at="started_at"),
            on="fix_seq",
            how="left",
        )
        .with_columns(
            days_to_fix=(pl.col("fixed_at") - pl.col("first_seen_at")).dt.total_microseconds()
            / 86_400e6
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
