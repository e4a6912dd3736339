"""Arrow schemas of the warehouse tables: the stable, versioned data contract.

Change a column only by adding a nullable one and bumping SCHEMA_VERSION.
"""

from __future__ import annotations

import pyarrow as pa

# 2: findings.reported_by and findings.file_role (one problem, one finding; file roles),
#    repos.not_reported (the noise policy's counts). Older tables gain them on open.
# 3: findings.suppression (accepted findings are kept, with the marker or "baseline"),
#    repos.excluded_files (files the path settings left out).
SCHEMA_VERSION = 3

_ts = pa.timestamp("us", tz="UTC")

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_date", pa.date32(), nullable=False),
        pa.field("started_at", _ts, nullable=False),
        pa.field("finished_at", _ts),
        # running | succeeded | failed | quarantined (failed the data-quality gate,
        # analytics/quality.py). The KPIs count only succeeded runs.
        pa.field("status", pa.string(), nullable=False),
        pa.field("targets", pa.int64()),
        pa.field("repos_audited", pa.int64()),
        pa.field("repos_skipped", pa.int64()),
        pa.field("repos_failed", pa.int64()),
        pa.field("findings", pa.int64()),
        pa.field("analyzer_versions", pa.string()),  # JSON object name -> version
        pa.field("codeprism_version", pa.string()),
        pa.field("schema_version", pa.int32()),
    ]
)

REPOS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_date", pa.date32(), nullable=False),
        pa.field("repo_id", pa.string(), nullable=False),  # stable key of the source
        pa.field("org", pa.string()),
        pa.field("repo", pa.string(), nullable=False),
        pa.field("source_kind", pa.string(), nullable=False),  # path | git | github
        pa.field("location", pa.string()),  # path or URL, credentials removed
        pa.field("commit_sha", pa.string()),
        pa.field("revision", pa.string()),  # commit sha, or content digest of a plain directory
        pa.field("status", pa.string(), nullable=False),  # audited | skipped | failed
        pa.field("previous_run_id", pa.string()),  # for skipped: the run that audited it
        pa.field("languages", pa.map_(pa.string(), pa.int64())),  # language -> lines
        pa.field("files", pa.int64()),
        pa.field("lines", pa.int64()),
        pa.field("bytes", pa.int64()),
        pa.field("manifests", pa.list_(pa.string())),
        pa.field("findings", pa.int64()),
        pa.field("errors", pa.int64()),
        pa.field("analyzer_versions", pa.string()),
        pa.field("duration_s", pa.float64()),
        pa.field("audited_at", _ts, nullable=False),
        pa.field("not_reported", pa.map_(pa.string(), pa.int64())),  # policy reason -> count
        pa.field("excluded_files", pa.int64()),  # not read: paths.include / paths.exclude
    ]
)

FINDINGS = pa.schema(
    [
        pa.field("finding_id", pa.string(), nullable=False),
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_date", pa.date32(), nullable=False),
        pa.field("org", pa.string()),
        pa.field("repo", pa.string(), nullable=False),
        pa.field("repo_id", pa.string()),  # links to repos.repo_id; null for online reviews
        pa.field("commit_sha", pa.string()),
        pa.field("file_path", pa.string(), nullable=False),
        pa.field("start_line", pa.int64(), nullable=False),
        pa.field("end_line", pa.int64(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("confidence", pa.float64(), nullable=False),
        pa.field("rule_id", pa.string(), nullable=False),
        pa.field("analyzer", pa.string(), nullable=False),
        pa.field("agent", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("title", pa.string(), nullable=False),
        pa.field("description", pa.string()),
        pa.field("suggested_fix", pa.string()),
        pa.field("cwe", pa.string()),
        pa.field("snippet", pa.string()),
        pa.field("model", pa.string()),
        pa.field("prompt_version", pa.string()),
        pa.field("created_at", _ts, nullable=False),
        # every "analyzer:rule" that reported this problem at this place (merged findings)
        pa.field("reported_by", pa.list_(pa.string())),
        # source | test | example | vendored | generated; null in tables older than version 2
        pa.field("file_role", pa.string()),
        # null: reported; else why it is accepted (suppressions.py): a marker or "baseline"
        pa.field("suppression", pa.string()),
    ]
)

ERRORS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_date", pa.date32(), nullable=False),
        pa.field("repo_id", pa.string(), nullable=False),
        pa.field("repo", pa.string(), nullable=False),
        pa.field("path", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("analyzer", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("created_at", _ts, nullable=False),
    ]
)

REVIEWS = pa.schema(
    [
        pa.field("review_id", pa.string(), nullable=False),
        pa.field("delivery_id", pa.string()),
        pa.field("provider", pa.string(), nullable=False),  # github | gitlab | api
        pa.field("repo", pa.string(), nullable=False),
        pa.field("pr_number", pa.int64()),
        pa.field("head_sha", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("received_at", _ts, nullable=False),
        pa.field("finished_at", _ts),
        pa.field("latency_s", pa.float64()),
        pa.field("findings", pa.int64()),
        pa.field("posted", pa.int64()),
    ]
)

# One row per repository per run that the audit's LLM pass reviewed: its accounting, and the
# marker that the pass is done for that repository (written after its findings and errors).
LLM_PASSES = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_date", pa.date32(), nullable=False),
        pa.field("repo_id", pa.string(), nullable=False),
        pa.field("repo", pa.string(), nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("prompt_versions", pa.list_(pa.string())),  # one per agent
        pa.field("files", pa.list_(pa.string())),  # reviewed, riskiest first
        pa.field("requests", pa.int64()),
        pa.field("findings", pa.int64()),  # source=llm rows written for the repo
        pa.field("dropped", pa.map_(pa.string(), pa.int64())),  # reason -> items
        pa.field("left_out", pa.int64()),  # errors rows of stage llm (clipped, failed, ...)
        pa.field("output_tokens", pa.int64()),
        pa.field("finished_at", _ts, nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "runs": RUNS,
    "repos": REPOS,
    "findings": FINDINGS,
    "errors": ERRORS,
    "reviews": REVIEWS,
    "llm_passes": LLM_PASSES,
}

PARTITIONS: dict[str, list[str]] = {"findings": ["run_date"]}
