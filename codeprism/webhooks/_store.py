"""The inbox's SQLite file: schema, connection settings, write transactions.

SQLite because the inbox must survive a replica or app restart and be shared by the processes
of one node (ingress replicas write, orchestrator replicas claim) without another server.
WAL lets readers (metrics, status pages) run beside the one writer; every write transaction
starts with BEGIN IMMEDIATE, so it takes the write lock up front and waits its turn
(busy_timeout) instead of failing half-way when two processes upgrade a read lock at once.

synchronous=NORMAL in WAL mode: a committed transaction survives the process dying (the
replica crash the inbox exists for); only an OS crash or power loss can lose the last
commits. FULL would fsync on every commit, which the acknowledgement latency budget pays for.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codeprism.errors import CodeprismError

SCHEMA_VERSION = 2
BUSY_TIMEOUT_S = 30.0

# Timestamps are UTC epoch seconds (REAL). Only what a review needs is stored: the request
# headers and the raw body are not, so no signature, token or secret ever reaches the file.
_SCHEMA = (
    """CREATE TABLE deliveries (
        provider TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        event TEXT NOT NULL,
        outcome TEXT NOT NULL,
        review_id TEXT,
        received_at REAL NOT NULL,
        PRIMARY KEY (provider, delivery_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE reviews (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- acceptance order: "oldest first"
        review_id TEXT NOT NULL UNIQUE,
        delivery_id TEXT,
        pr_key TEXT NOT NULL,  -- ReviewTarget.pr_key(): a newer head supersedes within it
        head_sha TEXT,
        target TEXT NOT NULL,  -- ReviewTarget as JSON
        diff BLOB,  -- a diff posted to the review API; webhook reviews fetch theirs
        status TEXT NOT NULL,  -- queued | running | done | failed | superseded
        owner TEXT,
        lease_until REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        received_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        latency_s REAL,
        findings INTEGER NOT NULL DEFAULT 0,
        posted INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT '',
        result TEXT  -- the finished review's findings document (JSON), for GET /v1/reviews
    )""",
    "CREATE INDEX reviews_by_status ON reviews (status, seq)",
    "CREATE INDEX reviews_by_pr ON reviews (pr_key, status)",
    """CREATE TABLE webhook_counts (
        provider TEXT NOT NULL,
        event TEXT NOT NULL,
        outcome TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (provider, event, outcome)
    ) WITHOUT ROWID""",
    """CREATE TABLE counters (
        name TEXT NOT NULL,
        labels TEXT NOT NULL,  -- JSON object, keys sorted: one row per label set
        value REAL NOT NULL,
        PRIMARY KEY (name, labels)
    ) WITHOUT ROWID""",
)
# Version 2: ended reviews are pruned after a retention period; what /metrics counted of
# them stays here, so that its counters and latency histogram never go down.
_ENDED_TOTALS = """CREATE TABLE ended_totals (
        status TEXT PRIMARY KEY,
        reviews INTEGER NOT NULL,
        latency_count INTEGER NOT NULL,
        latency_sum REAL NOT NULL,
        buckets TEXT NOT NULL  -- JSON object: bucket bound -> cumulative count
    ) WITHOUT ROWID"""
_MIGRATIONS = {1: (_ENDED_TOTALS,)}  # from version N to N + 1


class InboxError(CodeprismError):
    """The inbox file cannot be used (written by a newer codeprism, or not an inbox)."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are opened explicitly by `transaction`."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    _enable_wal(conn, path)
    conn.execute("PRAGMA synchronous = NORMAL")  # per connection
    return conn


def _enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch the file to WAL (persistent; a no-op once done). The switch needs the file to
    itself and SQLite answers "locked" at once, without waiting, while another process is
    creating the same new file; so it is retried here for as long as busy_timeout allows."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    if mode.lower() != "wal":  # several processes share the file: WAL or nothing
        raise InboxError(f"{path}: SQLite refused WAL journal mode (got {mode!r})")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed when the block ends, rolled back when it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction, so that several queries see the same state of the file."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables in a new file; refuse a file from a newer version or another program.
    Safe when several processes open a new file at once: the first creates, the rest see it."""
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise InboxError(
                f"inbox schema version {version} is newer than this codeprism ({SCHEMA_VERSION})"
            )
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise InboxError("the inbox file holds other tables: not a codeprism inbox")
            statements = [*_SCHEMA, _ENDED_TOTALS]
        else:  # an inbox written by an older codeprism: its queue is kept
            statements = [s for v in range(version, SCHEMA_VERSION) for s in _MIGRATIONS[v]]
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
