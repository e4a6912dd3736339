"""What a finished online review leaves behind: its inbox state, metrics and warehouse rows.

The warehouse gets one `reviews` row per review and its `findings` rows, with the review id
as their `run_id` (an online review is a run of one pull request). Both are written by
replacing the review's own rows, so a review retaken after a crash never duplicates them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from codeprism.audit import RunContext, findings_table
from codeprism.online.pipeline import ReviewOutcome
from codeprism.schema import REVIEWS
from codeprism.warehouse import Warehouse
from codeprism.webhooks.inbox import ClaimedReview, Inbox

log = logging.getLogger(__name__)


def finish_review(
    inbox: Inbox,
    warehouse: Warehouse | None,
    job: ClaimedReview,
    owner: str,
    outcome: ReviewOutcome | None,
    detail: str,
) -> None:
    """Record the outcome (None: the review crashed) in the inbox, metrics and warehouse."""
    status = outcome.status if outcome else "failed"
    findings = outcome.result.findings if outcome else []
    posted = outcome.posted if outcome else 0
    result = json.dumps(result_document(outcome, detail)) if outcome else None
    if not inbox.finish(
        job.review_id,
        owner,
        status,
        findings=len(findings),
        posted=posted,
        detail=detail,
        result=result,
    ):
        log.warning("review %s was taken over or superseded; its result is not kept", job.review_id)
        return
    if outcome is not None:
        _count(inbox, outcome)
    if warehouse is not None:
        record = inbox.get(job.review_id)
        finished_at = record.finished_at if record and record.finished_at else datetime.now(UTC)
        try:
            write_review_rows(warehouse, job, outcome, status, finished_at)
        except Exception:  # the review is done and in the inbox; say so, do not lose it
            log.exception("writing review %s to the warehouse failed", job.review_id)
            inbox.incr("warehouse_write_errors")


def result_document(outcome: ReviewOutcome, detail: str) -> dict[str, Any]:
    """What `GET /v1/reviews/{id}` shows besides the status: the findings and the summary."""
    return {
        "detail": detail,
        "summary": outcome.result.summary(),
        "notes": outcome.result.notes[:50],
        "findings": [
            {
                "file_path": f.file_path,
                "start_line": f.start_line,
                "end_line": f.end_line,
                "severity": f.severity.value,
                "confidence": f.confidence,
                "rule_id": f.rule_id,
                "analyzer": f.analyzer,
                "agent": f.agent,
                "source": f.source.value,
                "title": f.title,
                "description": f.description,
                "suggested_fix": f.suggested_fix,
                "fingerprint": f.fingerprint,
            }
            for f in outcome.result.findings
        ],
    }


def _count(inbox: Inbox, outcome: ReviewOutcome) -> None:
    result = outcome.result
    if outcome.posted:
        inbox.incr("findings_posted", by=outcome.posted)
    for reason, count in result.dropped.items():
        if count:
            inbox.incr("findings_dropped", {"reason": reason.value}, by=count)
    if result.output_tokens:
        inbox.incr("llm_output_tokens", by=result.output_tokens)


def write_review_rows(
    warehouse: Warehouse,
    job: ClaimedReview,
    outcome: ReviewOutcome | None,
    status: str,
    finished_at: datetime,
) -> None:
    received = job.received_at
    target = job.target
    head = (outcome.head_sha if outcome else None) or target.head_sha
    row = {
        "review_id": job.review_id,
        "delivery_id": job.delivery_id,
        "provider": target.provider,
        "repo": target.repo,
        "pr_number": target.pr_number,
        "head_sha": head,
        "status": status,
        "received_at": received,
        "finished_at": finished_at,
        "latency_s": max((finished_at - received).total_seconds(), 0.0),
        "findings": len(outcome.result.findings) if outcome else 0,
        "posted": outcome.posted if outcome else 0,
    }
    context = RunContext(
        run_id=job.review_id,
        run_date=received.date(),
        started_at=received,
        analyzer_versions="",
    )
    kept = outcome.result.findings if outcome else []
    findings = findings_table(kept, context, None, finished_at)
    warehouse.write_review(job.review_id, pa.Table.from_pylist([row], schema=REVIEWS), findings)
