"""The durable inbox: dedupe, supersede, leases and retries, counters and /metrics, and
several processes on one file (real SQLite, real processes)."""

from __future__ import annotations

import json
import multiprocessing
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from codeprism.webhooks._store import InboxError
from codeprism.webhooks.events import Decision, ReviewTarget
from codeprism.webhooks.inbox import MAX_EVENT_LABELS, Accepted, Inbox, Pruned

HEAD_A = "a" * 40
HEAD_B = "b" * 40
HEAD_C = "c" * 40


def target(pr: int = 7, head: str | None = HEAD_A, repo: str = "octo/app") -> ReviewTarget:
    return ReviewTarget(
        provider="github", repo=repo, pr_number=pr, head_sha=head, base_sha="f" * 40
    )


def review(pr: int = 7, head: str | None = HEAD_A, repo: str = "octo/app") -> Decision:
    return Decision("review", "pull_request opened", target(pr, head, repo))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "inbox.sqlite"


@pytest.fixture
def inbox(db_path: Path) -> Inbox:
    return Inbox(db_path)


def metric_values(inbox: Inbox) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, parsed by prometheus_client's own parser."""
    values = {}
    for family in text_string_to_metric_families(inbox.metrics_text()):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def webhooks(provider: str, event: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    labels = {"provider": provider, "event": event, "outcome": outcome}
    return ("codeprism_webhooks_total", tuple(sorted(labels.items())))


# --- deliveries --------------------------------------------------------------------------------


def test_same_delivery_100_times_is_one_review(inbox: Inbox) -> None:
    results = [inbox.accept("github", "guid-1", "pull_request", review()) for _ in range(100)]
    first = results[0]
    assert first.outcome == "queued" and not first.duplicate and first.review_id
    assert set(results[1:]) == {Accepted(True, first.review_id, "duplicate", ())}
    assert inbox.pending_count() == (1, 0)
    claimed = inbox.claim("worker")
    assert claimed is not None and claimed.review_id == first.review_id
    assert claimed.delivery_id == "guid-1"
    assert inbox.claim("worker") is None
    values = metric_values(inbox)
    assert values[webhooks("github", "pull_request", "queued")] == 1
    assert values[webhooks("github", "pull_request", "duplicate")] == 99


def test_deliveries_are_per_provider(inbox: Inbox) -> None:
    gitlab = ReviewTarget(
        provider="gitlab", repo="g/p", pr_number=7, head_sha=HEAD_A, base_sha=None, project_id=3
    )
    assert inbox.accept("github", "same-id", "pull_request", review()).outcome == "queued"
    second = inbox.accept("gitlab", "same-id", "Merge Request Hook", Decision("review", "", gitlab))
    assert second.outcome == "queued"


def test_redelivered_ignored_event_is_a_duplicate(inbox: Inbox) -> None:
    ignore = Decision("ignore", "event 'push' does not start a review")
    assert inbox.accept("github", "guid-2", "push", ignore) == Accepted(False, None, "ignored", ())
    assert inbox.accept("github", "guid-2", "push", ignore) == Accepted(True, None, "duplicate", ())
    assert inbox.accept("github", "guid-3", "ping", Decision("ping", "webhook ping")).outcome == (
        "ping"
    )
    invalid = Decision("invalid", "payload is not a JSON object but null")
    assert inbox.accept("github", "guid-4", "pull_request", invalid).outcome == "invalid"
    assert inbox.pending_count() == (0, 0)


def test_no_delivery_id_is_never_deduplicated(inbox: Inbox) -> None:
    ignore = Decision("ignore", "not ours")
    assert inbox.accept("gitlab", None, "Push Hook", ignore).outcome == "ignored"
    assert inbox.accept("gitlab", None, "Push Hook", ignore).outcome == "ignored"
    api = ReviewTarget(provider="api", repo="cli", pr_number=None, head_sha=None, base_sha=None)
    one = inbox.accept(
        "api", None, "review", Decision("review", "api", api), diff=b"--- a\n+++ b\n"
    )
    two = inbox.accept("api", None, "review", Decision("review", "api", api), diff=b"other")
    # labelled API diffs have no PR: neither joins nor supersedes the other
    assert (one.outcome, two.outcome, two.superseded) == ("queued", "queued", ())
    assert one.review_id != two.review_id
    claimed = [inbox.claim("w"), inbox.claim("w")]
    assert [c.diff for c in claimed if c] == [b"--- a\n+++ b\n", b"other"]


# --- supersede ---------------------------------------------------------------------------------


def test_newer_head_supersedes_queued_and_running(inbox: Inbox) -> None:
    a = inbox.accept("github", "d-a", "pull_request", review(head=HEAD_A))
    running = inbox.claim("worker-1")
    assert running is not None and running.review_id == a.review_id

    b = inbox.accept("github", "d-b", "pull_request", review(head=HEAD_B))
    assert b.superseded == (a.review_id,)
    # the worker on the old head learns it at its next renew, and may not publish
    assert inbox.renew(a.review_id or "", "worker-1") is False
    assert inbox.finish(a.review_id or "", "worker-1", "done", findings=3) is False
    old = inbox.get(a.review_id or "")
    assert old is not None and old.status == "superseded"
    assert old.detail == f"superseded by review {b.review_id}"

    c = inbox.accept("github", "d-c", "pull_request", review(head=HEAD_C))
    assert c.superseded == (b.review_id,)  # b was still queued
    record = inbox.get(b.review_id or "")
    assert record is not None and record.status == "superseded" and record.attempts == 0

    claimed = inbox.claim("worker-2")
    assert claimed is not None and claimed.target.head_sha == HEAD_C
    assert inbox.claim("worker-2") is None


def test_same_head_joins_the_active_review(inbox: Inbox) -> None:
    first = inbox.accept("github", "d-1", "pull_request", review(head=HEAD_A))
    again = inbox.accept("github", "d-2", "issue_comment", review(head=HEAD_A))
    assert again == Accepted(False, first.review_id, "duplicate_head", ())
    # the joining delivery remembers that review: its redelivery answers the same id
    assert inbox.accept("github", "d-2", "issue_comment", review()).review_id == first.review_id
    claimed = inbox.claim("w")
    assert claimed is not None
    assert inbox.finish(claimed.review_id, "w", "done")
    # once done, the same head may be reviewed again (e.g. a "/codeprism review" comment)
    assert inbox.accept("github", "d-3", "issue_comment", review(head=HEAD_A)).outcome == "queued"


def test_comment_without_head_supersedes_a_known_head(inbox: Inbox) -> None:
    a = inbox.accept("github", "d-1", "pull_request", review(head=HEAD_A))
    command = inbox.accept("github", "d-2", "issue_comment", review(head=None))
    assert command.superseded == (a.review_id,)
    repeat = inbox.accept("github", "d-3", "issue_comment", review(head=None))
    assert repeat == Accepted(False, command.review_id, "duplicate_head", ())


def test_other_pull_requests_are_untouched(inbox: Inbox) -> None:
    inbox.accept("github", "d-1", "pull_request", review(pr=1))
    inbox.accept("github", "d-2", "pull_request", review(pr=2))
    inbox.accept("github", "d-3", "pull_request", review(pr=1, repo="octo/other"))
    assert inbox.accept("github", "d-4", "pull_request", review(pr=1, head=HEAD_B)).superseded != ()
    assert inbox.pending_count() == (3, 0)


# --- leases, retries, owners -------------------------------------------------------------------


def test_expired_lease_is_claimed_again_by_a_restarted_process(db_path: Path) -> None:
    dying = Inbox(db_path, lease_s=0.05)
    accepted = dying.accept("github", "d-1", "pull_request", review())
    first = dying.claim("replica-1")
    assert first is not None and first.attempt == 1
    assert dying.claim("replica-1b") is None  # the lease still holds
    time.sleep(0.3)  # replica-1 "dies": it renews no more

    restarted = Inbox(db_path, lease_s=60)
    assert restarted.pending_count() == (1, 0)  # an expired lease is waiting work
    second = restarted.claim("replica-2")
    assert second is not None
    assert (second.review_id, second.attempt) == (accepted.review_id, 2)
    assert restarted.pending_count() == (0, 1)
    # the first owner lost it: it can neither extend nor finish it
    assert dying.renew(first.review_id, "replica-1") is False
    assert dying.finish(first.review_id, "replica-1", "done") is False
    assert restarted.renew(second.review_id, "replica-2") is True
    assert restarted.finish(second.review_id, "replica-2", "done", findings=2, posted=1)
    record = restarted.get(second.review_id)
    assert record is not None
    assert (record.status, record.attempts, record.findings, record.posted) == ("done", 2, 2, 1)


def test_renew_keeps_a_slow_worker_when_nobody_took_over(db_path: Path) -> None:
    inbox = Inbox(db_path, lease_s=0.0)
    inbox.accept("github", "d-1", "pull_request", review())
    claimed = inbox.claim("slow")
    assert claimed is not None
    assert inbox.renew(claimed.review_id, "slow") is True  # expired, but not re-claimed
    assert inbox.renew(claimed.review_id, "someone-else") is False


def test_poison_review_fails_after_max_attempts(db_path: Path) -> None:
    inbox = Inbox(db_path, lease_s=0.0, max_attempts=3)  # every lease is expired at once
    poison = inbox.accept("github", "d-1", "pull_request", review(pr=1))
    good = inbox.accept("github", "d-2", "pull_request", review(pr=2))
    attempts = []
    for n in range(3):
        claimed = inbox.claim(f"worker-{n}")
        assert claimed is not None and claimed.review_id == poison.review_id
        attempts.append(claimed.attempt)
    assert attempts == [1, 2, 3]
    nxt = inbox.claim("worker-3")  # the poison review is given up, the next one is served
    assert nxt is not None and nxt.review_id == good.review_id
    record = inbox.get(poison.review_id or "")
    assert record is not None
    assert (record.status, record.detail, record.attempts) == (
        "failed",
        "gave up after 3 attempts",
        3,
    )
    assert record.finished_at is not None and record.latency_s is not None


def test_unreadable_stored_target_does_not_block_the_queue(db_path: Path, inbox: Inbox) -> None:
    broken = inbox.accept("github", "d-1", "pull_request", review(pr=1))
    good = inbox.accept("github", "d-2", "pull_request", review(pr=2))
    with sqlite3.connect(db_path) as conn:  # as if written by a version with another model
        conn.execute(
            'UPDATE reviews SET target = \'{"provider": "svn"}\' WHERE review_id = ?',
            (broken.review_id,),
        )
    claimed = inbox.claim("w")
    assert claimed is not None and claimed.review_id == good.review_id
    record = inbox.get(good.review_id or "")
    assert record is not None and record.status == "running"
    with sqlite3.connect(db_path) as conn:
        status, detail = conn.execute(
            "SELECT status, detail FROM reviews WHERE review_id = ?", (broken.review_id,)
        ).fetchone()
    assert status == "failed" and detail.startswith("stored target unreadable")


def test_only_the_owner_finishes(inbox: Inbox) -> None:
    accepted = inbox.accept("github", "d-1", "pull_request", review())
    claimed = inbox.claim("owner")
    assert claimed is not None
    assert inbox.finish(claimed.review_id, "intruder", "done") is False
    record = inbox.get(claimed.review_id)
    assert record is not None and record.status == "running"
    assert inbox.finish(claimed.review_id, "owner", "failed", detail="host said 502") is True
    assert inbox.finish(claimed.review_id, "owner", "done") is False  # already over
    record = inbox.get(accepted.review_id or "")
    assert record is not None and (record.status, record.detail) == ("failed", "host said 502")
    assert inbox.get("no-such-review") is None
    with pytest.raises(ValueError):
        inbox.finish(claimed.review_id, "owner", "queued")  # type: ignore[arg-type]


def test_record_times(inbox: Inbox) -> None:
    received = datetime.now(UTC) - timedelta(seconds=100)
    accepted = inbox.accept("github", "d-1", "pull_request", review(), received_at=received)
    claimed = inbox.claim("w")
    assert claimed is not None and claimed.received_at == received
    inbox.finish(claimed.review_id, "w", "done")
    record = inbox.get(accepted.review_id or "")
    assert record is not None and record.finished_at and record.started_at
    assert record.received_at == received
    assert record.latency_s == pytest.approx(
        (record.finished_at - received).total_seconds(), abs=1e-3
    )
    assert record.received_at <= record.started_at <= record.finished_at
    assert record.latency_s is not None and record.latency_s >= 100


def test_result_document_and_api_view(inbox: Inbox) -> None:
    received = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    accepted = inbox.accept("github", "d-1", "pull_request", review(), received_at=received)
    claimed = inbox.claim("w")
    assert claimed is not None
    with pytest.raises(ValueError):
        inbox.finish(claimed.review_id, "w", "done", result="{not json")
    assert inbox.get(claimed.review_id).status == "running"  # type: ignore[union-attr]
    document = json.dumps({"findings": [{"rule_id": "B105", "start_line": 3}]})
    assert inbox.finish(claimed.review_id, "w", "done", findings=1, posted=1, result=document)
    record = inbox.get(accepted.review_id or "")
    assert record is not None and record.result == document
    view = record.as_json()
    assert json.loads(json.dumps(view)) == view  # plain JSON types only
    assert view["received_at"] == "2026-01-02T03:04:05+00:00"
    assert view["target"]["head_sha"] == HEAD_A and view["target"]["pr_number"] == 7
    assert view["result"] == {"findings": [{"rule_id": "B105", "start_line": 3}]}
    assert (view["status"], view["findings"], view["posted"], view["attempts"]) == ("done", 1, 1, 1)
    queued = inbox.accept("github", "d-2", "pull_request", review(pr=8))
    pending = inbox.get(queued.review_id or "")
    assert pending is not None
    assert pending.as_json()["result"] is None and pending.as_json()["started_at"] is None


# --- counters and metrics ----------------------------------------------------------------------


def test_metrics_text_has_exact_values(inbox: Inbox) -> None:
    long_ago = datetime.now(UTC) - timedelta(seconds=100)
    done = inbox.accept("github", "d-1", "pull_request", review(pr=1), received_at=long_ago)
    inbox.accept("github", "d-1", "pull_request", review(pr=1))
    inbox.accept("github", "d-2", "pull_request", review(pr=2))
    inbox.accept("github", "d-3", "pull_request", review(pr=2, head=HEAD_B))
    inbox.accept("github", "d-4", "pull_request", review(pr=3))
    inbox.accept("gitlab", "d-5", "Push Hook", Decision("ignore", "no"))
    inbox.accept("github", "d-6", "ping", Decision("ping", "webhook ping"))
    inbox.reject("github", "pull_request", "unauthorized")
    inbox.reject("github", "pull_request", "unauthorized")
    inbox.reject("gitlab", "", "bad_json")
    first = inbox.claim("w")
    assert first is not None and first.review_id == done.review_id
    assert inbox.finish(first.review_id, "w", "done", findings=4, posted=3)
    assert inbox.claim("w") is not None  # pr 2 head B, stays in flight
    inbox.incr("llm_tokens", {"kind": "prompt"}, 1200)
    inbox.incr("llm_tokens", {"kind": "prompt"}, 34)
    inbox.incr("llm_tokens", {"kind": "completion"}, 56)
    inbox.incr("github_api_calls")
    inbox.incr("github_api_calls")
    inbox.incr("findings_dropped", {"reason": "not_on_changed_line"}, 2)

    values = metric_values(inbox)
    expected = {
        webhooks("github", "pull_request", "queued"): 4,
        webhooks("github", "pull_request", "duplicate"): 1,
        webhooks("github", "pull_request", "unauthorized"): 2,
        webhooks("github", "ping", "ping"): 1,
        webhooks("gitlab", "Push Hook", "ignored"): 1,
        webhooks("gitlab", "missing", "bad_json"): 1,
        ("codeprism_reviews_queued", ()): 1,  # pr 3
        ("codeprism_reviews_in_flight", ()): 1,
        ("codeprism_reviews_total", (("status", "done"),)): 1,
        ("codeprism_reviews_total", (("status", "failed"),)): 0,
        ("codeprism_reviews_total", (("status", "superseded"),)): 1,
        ("codeprism_llm_tokens_total", (("kind", "completion"),)): 56,
        ("codeprism_llm_tokens_total", (("kind", "prompt"),)): 1234,
        ("codeprism_github_api_calls_total", ()): 2,
        ("codeprism_findings_dropped_total", (("reason", "not_on_changed_line"),)): 2,
    }
    for key, value in expected.items():
        assert values.pop(key) == value, key

    # the done review took 100 s and a bit: in the 120 s bucket, not in the 60 s one
    done_buckets = {
        dict(labels)["le"]: values.pop((name, labels))
        for name, labels in list(values)
        if name == "codeprism_review_latency_seconds_bucket" and ("status", "done") in labels
    }
    assert done_buckets == {
        "0.5": 0,
        "1.0": 0,
        "2.0": 0,
        "5.0": 0,
        "10.0": 0,
        "30.0": 0,
        "60.0": 0,
        "120.0": 1,
        "300.0": 1,
        "600.0": 1,
        "+Inf": 1,
    }
    assert values.pop(("codeprism_review_latency_seconds_count", (("status", "done"),))) == 1
    assert 100 <= values.pop(("codeprism_review_latency_seconds_sum", (("status", "done"),))) < 120
    # what is left: the superseded review's histogram, nothing else
    assert {name for name, _ in values} == {
        "codeprism_review_latency_seconds_bucket",
        "codeprism_review_latency_seconds_count",
        "codeprism_review_latency_seconds_sum",
    }
    assert all(("status", "superseded") in labels for _, labels in values)


def age(db_path: Path, review_id: str, seconds: float) -> None:
    """Make a review, and the deliveries that started it, `seconds` older."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE reviews SET received_at = received_at - ?, finished_at = finished_at - ?"
            " WHERE review_id = ?",
            (seconds, seconds, review_id),
        )
        conn.execute(
            "UPDATE deliveries SET received_at = received_at - ? WHERE review_id = ?",
            (seconds, review_id),
        )


def test_pruning_forgets_old_reviews_and_deliveries_but_not_the_metrics(
    db_path: Path, inbox: Inbox
) -> None:
    day = 86400.0
    old = inbox.accept("github", "d-old", "pull_request", review(pr=1))
    recent = inbox.accept("github", "d-recent", "pull_request", review(pr=2))
    stuck = inbox.accept("github", "d-stuck", "pull_request", review(pr=3))  # still queued
    for _ in range(2):
        job = inbox.claim("w")
        assert job is not None
        assert inbox.finish(job.review_id, "w", "done", findings=1, posted=1, result="[]")
    for review_id in (old.review_id, stuck.review_id):
        assert review_id is not None
        age(db_path, review_id, 40 * day)
    before = metric_values(inbox)

    assert inbox.prune(keep_s=30 * day) == Pruned(deliveries=1, reviews=1)
    assert inbox.get(old.review_id or "") is None  # ended long ago: forgotten
    assert inbox.get(recent.review_id or "") is not None
    assert inbox.get(stuck.review_id or "") is not None  # never pruned while pending
    assert metric_values(inbox) == before  # counters and histogram never go down
    # a delivery forgotten is new again (hence keep longer than the redelivery window)
    again = inbox.accept("github", "d-old", "pull_request", review(pr=1))
    assert not again.duplicate and again.review_id != old.review_id
    assert inbox.accept("github", "d-recent", "pull_request", review(pr=2)).duplicate
    assert inbox.accept("github", "d-stuck", "pull_request", review(pr=3)).duplicate

    # a second prune adds to the totals of the first
    job = inbox.claim("w")
    assert job is not None and job.review_id == stuck.review_id
    assert inbox.finish(job.review_id, "w", "failed")
    age(db_path, recent.review_id or "", 40 * day)
    expected = metric_values(inbox)
    # the stuck review just ended: kept, though its delivery (40 days old) goes
    assert inbox.prune(keep_s=30 * day) == Pruned(deliveries=2, reviews=1)
    assert inbox.get(stuck.review_id or "") is not None
    assert metric_values(inbox) == expected
    assert expected[("codeprism_reviews_total", (("status", "failed"),))] == 1
    assert expected[("codeprism_reviews_total", (("status", "done"),))] == 2
    assert expected[("codeprism_review_latency_seconds_count", (("status", "done"),))] == 2


def test_metrics_of_an_empty_inbox(inbox: Inbox) -> None:
    families = {f.name: f for f in text_string_to_metric_families(inbox.metrics_text())}
    assert families["codeprism_webhooks"].samples == []
    assert families["codeprism_reviews_queued"].samples[0].value == 0
    assert families["codeprism_review_latency_seconds"].type == "histogram"


def test_every_replica_reports_the_same_totals(db_path: Path) -> None:
    one, two = Inbox(db_path), Inbox(db_path)
    one.incr("github_backoffs")
    two.incr("github_backoffs")
    assert metric_values(one) == metric_values(two)
    assert metric_values(one)[("codeprism_github_backoffs_total", ())] == 2


@pytest.mark.parametrize(
    ("name", "labels", "by"),
    [
        ("LLM tokens", None, 1.0),
        ("llm_tokens_total", None, 1.0),
        ("webhooks", None, 1.0),  # would collide with a family of the inbox
        ("reviews_queued", None, 1.0),
        ("llm_tokens", {"bad-key": "x"}, 1.0),
        ("llm_tokens", {"__name__": "x"}, 1.0),
        ("llm_tokens", {"kind": 3}, 1.0),
        ("llm_tokens", None, -1.0),
        ("llm_tokens", None, float("nan")),
    ],
)
def test_bad_counters_refused(inbox: Inbox, name: str, labels: dict, by: float) -> None:
    with pytest.raises(ValueError):
        inbox.incr(name, labels, by)


def test_rejections_and_made_up_event_names(inbox: Inbox) -> None:
    with pytest.raises(ValueError):
        inbox.reject("github", "push", "teapot")
    with pytest.raises(ValueError):
        inbox.reject("sourcehut", "push", "unauthorized")  # no such provider
    for n in range(MAX_EVENT_LABELS + 20):
        inbox.reject("github", f"made-up-{n}", "unauthorized")
    inbox.reject("github", "x" * 500, "unauthorized")
    inbox.reject("github", "new\nline", "unauthorized")
    events = {
        dict(labels)["event"]: value
        for (name, labels), value in metric_values(inbox).items()
        if name == "codeprism_webhooks_total"
    }
    assert len(events) == MAX_EVENT_LABELS + 1
    assert events["other"] == 22  # 20 past the cap, one too long, one not a name


# --- the file ----------------------------------------------------------------------------------


def test_schema_version_and_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    Inbox(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(InboxError, match="newer"):
        Inbox(path)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(InboxError, match="not a codeprism inbox"):
        Inbox(other)


def test_an_inbox_of_version_1_is_migrated_with_its_queue(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    queued = Inbox(path).accept("github", "d-1", "pull_request", review())
    with sqlite3.connect(path) as conn:  # as version 1 wrote it
        conn.execute("DROP TABLE ended_totals")
        conn.execute("PRAGMA user_version = 1")
    reopened = Inbox(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    claimed = reopened.claim("w")
    assert claimed is not None and claimed.review_id == queued.review_id
    assert reopened.prune(keep_s=3600).reviews == 0


def test_nothing_but_the_decision_is_stored(db_path: Path, inbox: Inbox) -> None:
    inbox.accept("github", "d-1", "pull_request", review())
    with sqlite3.connect(db_path) as conn:
        tables = {
            name: [col[1] for col in conn.execute(f"PRAGMA table_info({name})")]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    columns = {col for cols in tables.values() for col in cols}
    assert not {c for c in columns if "header" in c or "secret" in c or "signature" in c}
    assert "payload" not in columns and "body" not in columns


def test_threads_share_one_inbox(inbox: Inbox) -> None:
    results: list[Accepted] = []
    lock = threading.Lock()

    def send(offset: int) -> None:
        for n in range(25):  # the four threads overlap: 100 deliveries of 50 ids
            number = (offset + n) % 50
            accepted = inbox.accept("github", f"d-{number}", "pull_request", review(number + 1))
            with lock:
                results.append(accepted)

    threads = [threading.Thread(target=send, args=(offset,)) for offset in (0, 10, 20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 100
    assert sum(not r.duplicate for r in results) == 50
    assert len({r.review_id for r in results}) == 50
    assert inbox.pending_count() == (50, 0)


# --- several processes on one file ------------------------------------------------------------
# Real processes (spawned, as Ray starts its workers), started together behind a barrier so
# that their transactions really interleave instead of one finishing before the other starts.


def _in_processes(target: Callable[..., None], *args_per_process: tuple[Any, ...]) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(args_per_process))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=target, args=(barrier, results, *args)) for args in args_per_process
    ]
    for process in processes:
        process.start()
    collected: dict[str, Any] = {}
    try:
        while len(collected) < len(processes):
            try:
                key, value = results.get(timeout=1)
                collected[key] = value
            except queue.Empty:  # a process that died sends nothing: fail now, not later
                codes = [p.exitcode for p in processes]
                assert all(code in (None, 0) for code in codes), f"exit codes {codes}"
        for process in processes:
            process.join()
            assert process.exitcode == 0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    return [collected[args[-1]] for args in args_per_process]


def _accept_many(barrier: Any, results: Any, path: str, own: str) -> None:
    """One ingress process: 300 deliveries both processes get, and 100 of its own; one PR
    per delivery id."""
    inbox = Inbox(Path(path))
    ids = [f"shared-{n}" for n in range(300)] + [f"{own}-{n}" for n in range(100)]
    if own == "b":
        ids = ids[::2] + ids[1::2]  # another order, so that the two really interleave
    barrier.wait()
    out = []
    for delivery in ids:
        prefix, n = delivery.split("-")
        pr = {"shared": 1, "a": 1001, "b": 2001}[prefix] + int(n)
        accepted = inbox.accept("github", delivery, "pull_request", review(pr=pr))
        out.append((delivery, accepted.review_id, accepted.duplicate))
    results.put((own, out))


def _claim_all(barrier: Any, results: Any, path: str, owner: str) -> None:
    """One orchestrator process: claim and finish until the queue is empty. A finish that
    fails means another process holds the same review: the test then sees a missing id."""
    inbox = Inbox(Path(path))
    barrier.wait()
    done = []
    first = inbox.claim(owner)
    # Both hold a claim before either goes on: on a busy machine one process could
    # otherwise drain the queue before the other is scheduled, and nothing would race.
    barrier.wait()
    claimed = first
    while claimed is not None:
        if inbox.finish(claimed.review_id, owner, "done"):
            done.append(claimed.review_id)
        claimed = inbox.claim(owner)
    results.put((owner, done))


def _open_new_file(barrier: Any, results: Any, path: str, name: str) -> None:
    barrier.wait()  # all open the not yet existing file at once, as replicas do on first start
    inbox = Inbox(Path(path))
    results.put((name, inbox.accept("github", name, "ping", Decision("ping", "")).outcome))


def test_processes_create_a_new_file_together(db_path: Path) -> None:
    names = [f"replica-{n}" for n in range(3)]
    outcomes = _in_processes(_open_new_file, *((str(db_path), name) for name in names))
    assert outcomes == ["ping"] * 3
    assert metric_values(Inbox(db_path))[webhooks("github", "ping", "ping")] == 3


def test_two_processes_accept_concurrently(db_path: Path) -> None:
    Inbox(db_path)  # the file exists before the race, as after any first start
    a, b = _in_processes(_accept_many, (str(db_path), "a"), (str(db_path), "b"))
    by_delivery: dict[str, list[tuple[str | None, bool]]] = {}
    for delivery, review_id, duplicate in a + b:
        by_delivery.setdefault(delivery, []).append((review_id, duplicate))
    assert len(by_delivery) == 500
    for delivery, seen in by_delivery.items():
        if delivery.startswith("shared"):
            # both got the same review id, and exactly one of them started it
            assert len(seen) == 2 and seen[0][0] == seen[1][0]
            assert sorted(duplicate for _, duplicate in seen) == [False, True]
        else:
            assert seen == [(seen[0][0], False)]
    inbox = Inbox(db_path)
    assert inbox.pending_count() == (500, 0)
    values = metric_values(inbox)
    assert values[webhooks("github", "pull_request", "queued")] == 500
    assert values[webhooks("github", "pull_request", "duplicate")] == 300


def test_two_processes_claim_concurrently(db_path: Path) -> None:
    inbox = Inbox(db_path)
    ids = {
        inbox.accept("github", f"d-{n}", "pull_request", review(pr=n + 1)).review_id
        for n in range(400)
    }
    first, second = _in_processes(_claim_all, (str(db_path), "o-1"), (str(db_path), "o-2"))
    assert first and second  # both processes took part
    assert not set(first) & set(second)
    assert set(first) | set(second) == ids
    assert len(first) + len(second) == 400
    assert inbox.pending_count() == (0, 0)
    assert metric_values(inbox)[("codeprism_reviews_total", (("status", "done"),))] == 400
