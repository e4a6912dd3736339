"""`/metrics` computed from the inbox file, so every replica reports the same totals.

Each ingress replica is its own process; in-memory Prometheus counters would give each one
its own partial count, reset on restart. Reading the shared, durable file instead makes the
numbers the node's truth. The text is produced by prometheus_client from metric families
built per scrape, so the exposition format is the library's, not hand-written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from codeprism.webhooks._store import snapshot

PREFIX = "codeprism_"
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
FINISHED = ("done", "failed", "superseded")
# names of the families below; a counter of `Inbox.incr` may not take one of them
RESERVED = frozenset(
    {"webhooks", "reviews", "reviews_queued", "reviews_in_flight", "review_latency_seconds"}
)


def metrics_text(conn: sqlite3.Connection, now: float) -> str:
    with snapshot(conn):
        families = list(_families(conn, now))
    registry = CollectorRegistry()
    registry.register(_Fixed(families))
    return generate_latest(registry).decode("utf-8")


class _Fixed(Collector):
    """Hands out families computed beforehand: one consistent read per scrape."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)

    def describe(self) -> Iterator[Metric]:
        return iter(self._families)


def _families(conn: sqlite3.Connection, now: float) -> Iterator[Metric]:
    webhooks = CounterMetricFamily(
        PREFIX + "webhooks",
        "Webhook and review API requests, by provider, event and outcome",
        labels=["provider", "event", "outcome"],
    )
    rows = conn.execute(
        "SELECT provider, event, outcome, count FROM webhook_counts ORDER BY 1, 2, 3"
    )
    for row in rows:
        webhooks.add_metric([row["provider"], row["event"], row["outcome"]], row["count"])
    yield webhooks

    queued, in_flight = pending(conn, now)
    yield GaugeMetricFamily(
        PREFIX + "reviews_queued",
        "Reviews waiting for an orchestrator (a running review whose lease expired included)",
        value=queued,
    )
    yield GaugeMetricFamily(
        PREFIX + "reviews_in_flight", "Reviews held by a live orchestrator lease", value=in_flight
    )

    # Only final statuses: queued and running go down again, which a counter may not.
    ended = ended_totals(conn, None)
    for row in conn.execute("SELECT * FROM ended_totals"):
        ended.setdefault(row["status"], _Ended()).add(_Ended.from_row(row))
    reviews = CounterMetricFamily(
        PREFIX + "reviews", "Reviews that ended, by final status", labels=["status"]
    )
    for status in FINISHED:
        reviews.add_metric([status], ended[status].reviews if status in ended else 0)
    yield reviews

    yield _latency(ended)
    yield from _counters(conn)


def pending(conn: sqlite3.Connection, now: float) -> tuple[int, int]:
    """(queued, in flight); a running review past its lease counts as queued: its worker is
    presumed dead and the next claim takes it."""
    row = conn.execute(
        """SELECT
            coalesce(sum(status = 'queued' OR lease_until <= ?), 0) AS queued,
            coalesce(sum(status = 'running' AND lease_until > ?), 0) AS in_flight
        FROM reviews WHERE status IN ('queued', 'running')""",
        (now, now),
    ).fetchone()
    return int(row["queued"]), int(row["in_flight"])


@dataclass
class _Ended:
    """What /metrics counts of some ended reviews of one status."""

    reviews: int = 0
    latency_count: int = 0
    latency_sum: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))

    def add(self, other: _Ended) -> None:
        self.reviews += other.reviews
        self.latency_count += other.latency_count
        self.latency_sum += other.latency_sum
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> _Ended:
        stored = json.loads(row["buckets"])
        buckets = [int(stored.get(_le(bound), 0)) for bound in LATENCY_BUCKETS]
        return cls(row["reviews"], row["latency_count"], row["latency_sum"], buckets)


def ended_totals(conn: sqlite3.Connection, before: float | None) -> dict[str, _Ended]:
    """Ended reviews still in `reviews` (finished before `before`, if given) per status, bucketed in
    SQL so a scrape does not read one row per review ever made."""
    bucket_sums = ", ".join(f"coalesce(sum(latency_s <= {b!r}), 0)" for b in LATENCY_BUCKETS)
    where = "status IN (?, ?, ?)" + ("" if before is None else " AND finished_at < ?")
    rows = conn.execute(
        f"SELECT status, count(*), count(latency_s), coalesce(sum(latency_s), 0), {bucket_sums}"
        f" FROM reviews WHERE {where} GROUP BY status",
        FINISHED if before is None else (*FINISHED, before),
    )
    return {
        status: _Ended(reviews, latency_count, latency_sum, list(buckets))
        for status, reviews, latency_count, latency_sum, *buckets in rows
    }


def fold_ended(conn: sqlite3.Connection, before: float) -> int:
    """Add the reviews that ended before `before` to `ended_totals` and delete them (in the
    caller's transaction); returns how many were deleted."""
    for status, ended in ended_totals(conn, before).items():
        row = conn.execute("SELECT * FROM ended_totals WHERE status = ?", (status,)).fetchone()
        if row is not None:
            ended.add(_Ended.from_row(row))
        buckets = json.dumps(dict(zip(map(_le, LATENCY_BUCKETS), ended.buckets, strict=True)))
        conn.execute(
            "INSERT OR REPLACE INTO ended_totals VALUES (?, ?, ?, ?, ?)",
            (status, ended.reviews, ended.latency_count, ended.latency_sum, buckets),
        )
    deleted = conn.execute(
        "DELETE FROM reviews WHERE status IN (?, ?, ?) AND finished_at < ?", (*FINISHED, before)
    )
    return deleted.rowcount


def _latency(ended: dict[str, _Ended]) -> Metric:
    """Time from receipt to the end of the review, per final status."""
    histogram = HistogramMetricFamily(
        PREFIX + "review_latency_seconds",
        "Seconds from receiving the event to the end of its review, by final status",
        labels=["status"],
    )
    for status in sorted(ended):
        totals = ended[status]
        if not totals.latency_count:
            continue
        pairs = zip(LATENCY_BUCKETS, totals.buckets, strict=True)
        buckets = [(_le(bound), float(n)) for bound, n in pairs]
        buckets.append(("+Inf", float(totals.latency_count)))
        histogram.add_metric([status], buckets, sum_value=totals.latency_sum)
    return histogram


def _counters(conn: sqlite3.Connection) -> Iterator[Metric]:
    family: CounterMetricFamily | None = None
    for row in conn.execute("SELECT name, labels, value FROM counters ORDER BY name, labels"):
        if family is None or family.name != PREFIX + row["name"]:
            if family is not None:
                yield family
            family = CounterMetricFamily(PREFIX + row["name"], f"codeprism {row['name']} count")
        family.add_sample(PREFIX + row["name"] + "_total", json.loads(row["labels"]), row["value"])
    if family is not None:
        yield family


def _le(bound: float) -> str:
    return repr(float(bound))
