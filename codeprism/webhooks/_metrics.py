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
    finished = dict.fromkeys(FINISHED, 0)
    for row in conn.execute(
        "SELECT status, count(*) AS n FROM reviews WHERE status IN (?, ?, ?) GROUP BY status",
        FINISHED,
    ):
        finished[row["status"]] = row["n"]
    reviews = CounterMetricFamily(
        PREFIX + "reviews", "Reviews that ended, by final status", labels=["status"]
    )
    for status, count in finished.items():
        reviews.add_metric([status], count)
    yield reviews

    yield _latency(conn)
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


def _latency(conn: sqlite3.Connection) -> Metric:
    """Time from receipt to the end of the review, per final status, bucketed in SQL so a
    scrape does not read one row per review ever made."""
    histogram = HistogramMetricFamily(
        PREFIX + "review_latency_seconds",
        "Seconds from receiving the event to the end of its review, by final status",
        labels=["status"],
    )
    bucket_sums = ", ".join(f"sum(latency_s <= {bound!r})" for bound in LATENCY_BUCKETS)
    rows = conn.execute(
        f"SELECT status, count(*), sum(latency_s), {bucket_sums} FROM reviews "
        "WHERE latency_s IS NOT NULL GROUP BY status ORDER BY status"
    )
    for status, count, total, *cumulative in rows:
        buckets = [(_le(b), float(n)) for b, n in zip(LATENCY_BUCKETS, cumulative, strict=True)]
        buckets.append(("+Inf", float(count)))
        histogram.add_metric([status], buckets, sum_value=total)
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
