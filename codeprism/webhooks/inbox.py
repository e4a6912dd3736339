"""The durable record of accepted webhook events, and the review queue built on it.

GitHub gives a receiver 10 seconds and does not redeliver by itself, so the ingress answers
only after `accept` has committed ("accepted means durable"); the review itself runs later,
in an orchestrator that `claim`s it under a lease. If that process dies, the lease expires
and another claim takes the review again, up to `max_attempts` times, after which the review
is marked failed: a poison event must not crash workers forever.

One SQLite file per node (see `_store` for the settings): ingress replicas write it, the
orchestrator replicas claim from it, `/metrics` reads it. Each thread of each process uses
its own connection. Nothing from the request but the parsed decision is kept: no headers,
no signature, no secret, no raw body (a diff sent to the review API is stored, it is the
work itself).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from codeprism.webhooks import _metrics
from codeprism.webhooks._store import connect, ensure_schema, snapshot, transaction
from codeprism.webhooks.events import Decision, ReviewTarget

PROVIDERS = frozenset({"github", "gitlab", "bitbucket", "bitbucket-dc", "azure", "api"})
REJECTED = frozenset({"unauthorized", "too_large", "bad_json", "bad_request"})
_OUTCOME = {"review": "queued", "ignore": "ignored", "ping": "ping", "invalid": "invalid"}
# The event name is a header a caller chose, possibly before authentication: labels are
# limited in shape and in number, so a flood of made-up names cannot grow the file or the
# scrape without bound.
_EVENT_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_. -]{0,63}")
MAX_EVENT_LABELS = 100
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_DETAIL_LIMIT = 2000
_COLUMNS = "review_id, delivery_id, target, diff, status, attempts, received_at"
# Connections opened before a fork belong to the parent; the child must neither use nor
# close them (closing could disturb the parent's locks), so they are kept here, unused.
_INHERITED: list[sqlite3.Connection] = []


@dataclass(frozen=True, slots=True)
class Accepted:
    """What `accept` recorded. `review_id` is the review this delivery started or joined."""

    duplicate: bool
    review_id: str | None
    outcome: str  # queued | ignored | ping | invalid | duplicate | duplicate_head
    superseded: tuple[str, ...]  # reviews of older heads of the same PR, now superseded


@dataclass(frozen=True, slots=True)
class Pruned:
    deliveries: int
    reviews: int


@dataclass(frozen=True, slots=True)
class ClaimedReview:
    review_id: str
    target: ReviewTarget
    diff: bytes | None
    attempt: int  # 1 on the first claim
    received_at: datetime
    delivery_id: str | None


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    review_id: str
    status: str  # queued | running | done | failed | superseded
    target: ReviewTarget
    delivery_id: str | None
    received_at: datetime
    started_at: datetime | None  # the latest claim
    finished_at: datetime | None
    latency_s: float | None
    findings: int
    posted: int
    detail: str
    attempts: int
    result: str | None  # JSON text given to `finish`

    def as_json(self) -> dict[str, Any]:
        """The record as the review API shows it: times in ISO 8601, the result parsed."""
        return {
            "review_id": self.review_id,
            "status": self.status,
            "target": self.target.model_dump(mode="json"),
            "delivery_id": self.delivery_id,
            "received_at": self.received_at.isoformat(),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "latency_s": self.latency_s,
            "findings": self.findings,
            "posted": self.posted,
            "detail": self.detail,
            "attempts": self.attempts,
            "result": None if self.result is None else json.loads(self.result),
        }


class Inbox:
    """The inbox at `path` (created with its folder if new).

    `lease_s`: how long a claimed review stays with its owner without a `renew`.
    `max_attempts`: claims a review gets before it is marked failed."""

    def __init__(self, path: Path, lease_s: float = 60.0, max_attempts: int = 3) -> None:
        if lease_s < 0 or max_attempts < 1:
            raise ValueError("lease_s must be >= 0 and max_attempts >= 1")
        self.path = Path(path)
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ensure_schema(self._conn())

    def accept(
        self,
        provider: str,
        delivery_id: str | None,
        event: str,
        decision: Decision,
        diff: bytes | None = None,
        received_at: datetime | None = None,
    ) -> Accepted:
        """Record one authenticated delivery in one transaction; see the module docstring.

        A delivery id seen before changes nothing and returns the first review id (hosts
        redeliver, callers retry). A review of a head already queued or running is joined
        ("duplicate_head"); a review of a new head supersedes the PR's older ones."""
        _check_provider(provider)
        if diff is not None and decision.kind != "review":
            raise ValueError("a diff only comes with a review decision")
        with transaction(self._conn()) as db:
            now = time.time()
            received = _epoch(received_at) if received_at is not None else now
            if delivery_id is not None:
                seen = db.execute(
                    "SELECT review_id FROM deliveries WHERE provider = ? AND delivery_id = ?",
                    (provider, delivery_id),
                ).fetchone()
                if seen is not None:
                    _count_webhook(db, provider, event, "duplicate")
                    return Accepted(True, seen["review_id"], "duplicate", ())
            review_id: str | None = None
            outcome = _OUTCOME[decision.kind]
            superseded: tuple[str, ...] = ()
            if decision.target is not None:
                review_id, outcome, superseded = _enqueue(
                    db, decision.target, delivery_id, diff, received, now
                )
            if delivery_id is not None:
                db.execute(
                    "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?)",
                    (provider, delivery_id, event[:100], outcome, review_id, received),
                )
            _count_webhook(db, provider, event, outcome)
        return Accepted(False, review_id, outcome, superseded)

    def reject(self, provider: str, event: str, outcome: str) -> None:
        """Count a request refused before acceptance; nothing of it is stored."""
        _check_provider(provider)
        if outcome not in REJECTED:
            raise ValueError(f"unknown rejection outcome {outcome!r}")
        with transaction(self._conn()) as db:
            _count_webhook(db, provider, event, outcome)

    def claim(self, owner: str) -> ClaimedReview | None:
        """Take the oldest queued review, or a running one whose lease expired (its worker
        died), for `owner`. None when there is nothing to do."""
        with transaction(self._conn()) as db:
            now = time.time()
            while (row := _next_claimable(db, now)) is not None:
                if row["attempts"] >= self.max_attempts:
                    _end(
                        db,
                        row["review_id"],
                        "failed",
                        now,
                        f"gave up after {row['attempts']} attempts",
                    )
                    continue
                try:
                    target = ReviewTarget.model_validate_json(row["target"])
                except ValidationError as exc:  # e.g. written by another version: skip it
                    reason = f"stored target unreadable: {exc.error_count()} errors"
                    _end(db, row["review_id"], "failed", now, reason)
                    continue
                db.execute(
                    "UPDATE reviews SET status = 'running', owner = ?, lease_until = ?,"
                    " attempts = attempts + 1, started_at = ? WHERE review_id = ?",
                    (owner, now + self.lease_s, now, row["review_id"]),
                )
                return ClaimedReview(
                    review_id=row["review_id"],
                    target=target,
                    diff=row["diff"],
                    attempt=row["attempts"] + 1,
                    received_at=_datetime(row["received_at"]),
                    delivery_id=row["delivery_id"],
                )
        return None

    def renew(self, review_id: str, owner: str) -> bool:
        """Extend `owner`'s lease. False when the review is no longer its running review
        (superseded, or re-claimed after expiry): the worker must stop without publishing."""
        cursor = self._conn().execute(
            "UPDATE reviews SET lease_until = ?"
            " WHERE review_id = ? AND owner = ? AND status = 'running'",
            (time.time() + self.lease_s, review_id, owner),
        )
        return cursor.rowcount == 1

    def finish(
        self,
        review_id: str,
        owner: str,
        status: Literal["done", "failed", "superseded"],
        *,
        findings: int = 0,
        posted: int = 0,
        detail: str = "",
        result: str | None = None,
    ) -> bool:
        """End `owner`'s running review; False (nothing changed) for anyone else. `detail`
        and `result` (a JSON document, e.g. the findings) are shown to API callers: they
        must not contain credentials."""
        if status not in _metrics.FINISHED:
            raise ValueError(f"unknown final status {status!r}")
        if findings < 0 or posted < 0:
            raise ValueError("findings and posted are counts")
        if result is not None:
            json.loads(result)  # refuse a document the API could not serve back
        now = time.time()
        cursor = self._conn().execute(
            "UPDATE reviews SET status = ?, finished_at = ?, latency_s = max(? - received_at, 0),"
            " lease_until = NULL, findings = ?, posted = ?, detail = ?, result = ?"
            " WHERE review_id = ? AND owner = ? AND status = 'running'",
            (status, now, now, findings, posted, detail[:_DETAIL_LIMIT], result, review_id, owner),
        )
        return cursor.rowcount == 1

    def get(self, review_id: str) -> ReviewRecord | None:
        row = (
            self._conn()
            .execute("SELECT * FROM reviews WHERE review_id = ?", (review_id,))
            .fetchone()
        )
        if row is None:
            return None
        return ReviewRecord(
            review_id=row["review_id"],
            status=row["status"],
            target=ReviewTarget.model_validate_json(row["target"]),
            delivery_id=row["delivery_id"],
            received_at=_datetime(row["received_at"]),
            started_at=_optional_datetime(row["started_at"]),
            finished_at=_optional_datetime(row["finished_at"]),
            latency_s=row["latency_s"],
            findings=row["findings"],
            posted=row["posted"],
            detail=row["detail"],
            attempts=row["attempts"],
            result=row["result"],
        )

    def prune(self, keep_s: float) -> Pruned:
        """Forget what is older than `keep_s` seconds: deliveries (a redelivery after that
        starts a new review, so keep longer than the host's redelivery window: GitHub's is
        3 days) and ended reviews with their results. /metrics keeps counting them."""
        if keep_s <= 0:
            raise ValueError("keep_s must be positive")
        with transaction(self._conn()) as db:
            before = time.time() - keep_s
            reviews = _metrics.fold_ended(db, before)
            deliveries = db.execute(
                "DELETE FROM deliveries WHERE received_at < ? AND (review_id IS NULL OR"
                " review_id NOT IN (SELECT review_id FROM reviews WHERE status IN"
                " ('queued', 'running')))",
                (before,),
            ).rowcount
        return Pruned(deliveries, reviews)

    def pending_count(self) -> tuple[int, int]:
        """(queued, in flight); a running review past its lease counts as queued."""
        conn = self._conn()
        with snapshot(conn):
            return _metrics.pending(conn, time.time())

    def incr(self, name: str, labels: Mapping[str, str] | None = None, by: float = 1.0) -> None:
        """Add `by` to the durable counter `name` (exported as codeprism_<name>_total), e.g.
        incr("llm_tokens", {"kind": "prompt"}, 812). Names and label keys follow Prometheus."""
        labels = dict(labels or {})
        if not _NAME.fullmatch(name) or name.endswith("_total") or name in _metrics.RESERVED:
            raise ValueError(f"bad counter name {name!r} (lower case, no _total suffix)")
        if any(not _LABEL.fullmatch(k) or k.startswith("__") for k in labels):
            raise ValueError(f"bad label names in {sorted(labels)}")
        if any(not isinstance(v, str) for v in labels.values()):
            raise ValueError("label values must be strings")
        if not by >= 0:  # also refuses NaN
            raise ValueError("a counter only goes up")
        self._conn().execute(
            "INSERT INTO counters VALUES (?, ?, ?)"
            " ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value",
            (name, json.dumps(labels, sort_keys=True), float(by)),
        )

    def metrics_text(self) -> str:
        """Prometheus text exposition of the node's totals (see `_metrics`)."""
        return _metrics.metrics_text(self._conn(), time.time())

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            if getattr(local, "conn", None) is not None:
                _INHERITED.append(local.conn)
            local.conn = connect(self.path)
            local.pid = os.getpid()
        conn: sqlite3.Connection = local.conn
        return conn


def _enqueue(
    db: sqlite3.Connection,
    target: ReviewTarget,
    delivery_id: str | None,
    diff: bytes | None,
    received: float,
    now: float,
) -> tuple[str, str, tuple[str, ...]]:
    """Insert a queued review, joining or superseding the PR's active ones."""
    key = target.pr_key()
    superseded: tuple[str, ...] = ()
    if target.pr_number is not None:  # a labelled API diff has no PR to supersede within
        active = db.execute(
            "SELECT review_id, head_sha FROM reviews"
            " WHERE pr_key = ? AND status IN ('queued', 'running') ORDER BY seq",
            (key,),
        ).fetchall()
        for row in active:
            if row["head_sha"] == target.head_sha:
                return row["review_id"], "duplicate_head", ()
        superseded = tuple(row["review_id"] for row in active)
    review_id = uuid.uuid4().hex
    for old in superseded:
        _end(db, old, "superseded", now, f"superseded by review {review_id}")
    db.execute(
        "INSERT INTO reviews (review_id, delivery_id, pr_key, head_sha, target, diff, status,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
        (review_id, delivery_id, key, target.head_sha, target.model_dump_json(), diff, received),
    )
    return review_id, "queued", superseded


def _next_claimable(db: sqlite3.Connection, now: float) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT {_COLUMNS} FROM reviews WHERE seq = (SELECT min(seq) FROM ("
        "  SELECT min(seq) AS seq FROM reviews WHERE status = 'queued'"
        "  UNION ALL"
        "  SELECT min(seq) FROM reviews WHERE status = 'running' AND lease_until <= ?))",
        (now,),
    ).fetchone()
    return row


def _end(db: sqlite3.Connection, review_id: str, status: str, now: float, detail: str) -> None:
    """End a review on behalf of no owner (superseded, given up); its owner's renew and
    finish fail from now on, because they require status 'running'."""
    db.execute(
        "UPDATE reviews SET status = ?, finished_at = ?, latency_s = max(? - received_at, 0),"
        " lease_until = NULL, detail = ? WHERE review_id = ?",
        (status, now, now, detail, review_id),
    )


def _count_webhook(db: sqlite3.Connection, provider: str, event: str, outcome: str) -> None:
    label = event if _EVENT_LABEL.fullmatch(event) else ("missing" if not event else "other")
    known = db.execute(
        "SELECT 1 FROM webhook_counts WHERE provider = ? AND event = ?", (provider, label)
    ).fetchone()
    if known is None:
        distinct = db.execute(
            "SELECT count(DISTINCT event) FROM webhook_counts WHERE provider = ?", (provider,)
        ).fetchone()[0]
        if distinct >= MAX_EVENT_LABELS:
            label = "other"
    db.execute(
        "INSERT INTO webhook_counts VALUES (?, ?, ?, 1)"
        " ON CONFLICT (provider, event, outcome) DO UPDATE SET count = count + 1",
        (provider, label, outcome),
    )


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}")


def _epoch(moment: datetime) -> float:
    # a naive datetime is taken as UTC, not as the host's local time
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _optional_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else _datetime(epoch)
