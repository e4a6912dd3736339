"""The data-quality suites, one per warehouse table, declared without importing GE.

Each `Check` names a Great Expectations expectation class, its columns and arguments, and a
description that the HTML report shows in place of GE's generic sentence (so a reader sees
which rule of ours failed). Bump SUITE_VERSION when a check changes meaning; the suite
names (`findings.v1`) carry it into every report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codeprism.findings import Severity

SUITE_VERSION = 1
QUARANTINED = "quarantined"
SUCCEEDED = "succeeded"
RUN_STATES = ("running", SUCCEEDED, "failed", QUARANTINED)
REPO_STATES = ("audited", "skipped", "failed")
REVIEW_STATES = ("queued", "running", "done", "failed", "superseded")
COMMIT_SHA = r"^[0-9a-f]{40}$"


@dataclass(frozen=True)
class Check:
    """One expectation of a suite: the GE expectation class, its arguments and what it means."""

    table: str
    expectation: str  # GE expectation class name, e.g. ExpectColumnValuesToBeInSet
    columns: tuple[str, ...]
    description: str  # shown in the HTML report in place of GE's generic sentence
    params: Mapping[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        if self.expectation == "ExpectCompoundColumnsToBeUnique":
            columns: dict[str, Any] = {"column_list": list(self.columns)}
        elif self.expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
            columns = {"column_A": self.columns[0], "column_B": self.columns[1]}
        else:
            columns = {"column": self.columns[0]}
        return columns | dict(self.params)


def _not_null(table: str, *columns: str) -> list[Check]:
    return [
        Check(table, "ExpectColumnValuesToNotBeNull", (c,), f"{table}.{c} is never null")
        for c in columns
    ]


def _in_set(table: str, column: str, values: Sequence[str]) -> Check:
    return Check(
        table,
        "ExpectColumnValuesToBeInSet",
        (column,),
        f"{table}.{column} is one of: {', '.join(values)}",
        {"value_set": list(values)},
    )


def _at_least(table: str, column: str, minimum: int) -> Check:
    return Check(
        table,
        "ExpectColumnValuesToBeBetween",
        (column,),
        f"{table}.{column} is at least {minimum} where present",
        {"min_value": minimum},
    )


def _unique(table: str, column: str, scope: str) -> Check:
    return Check(
        table, "ExpectColumnValuesToBeUnique", (column,), f"{table}.{column} is unique {scope}"
    )


SUITES: dict[str, tuple[Check, ...]] = {
    "runs": (
        *_not_null("runs", "run_id", "status", "started_at"),
        _unique("runs", "run_id", "(one runs row per run)"),
        _in_set("runs", "status", RUN_STATES),
    ),
    "repos": (
        *_not_null("repos", "run_id", "repo_id", "status"),
        Check(
            "repos",
            "ExpectCompoundColumnsToBeUnique",
            ("run_id", "repo_id"),
            "repos has one row per (run_id, repo_id)",
        ),
        _in_set("repos", "status", REPO_STATES),
        Check(
            "repos",
            "ExpectColumnValuesToMatchRegex",
            ("commit_sha",),
            "repos.commit_sha is 40 lowercase hex characters where present",
            {"regex": COMMIT_SHA},
        ),
        *(_at_least("repos", c, 0) for c in ("files", "lines", "bytes", "findings", "errors")),
    ),
    "findings": (
        *_not_null(
            "findings",
            "finding_id",
            "fingerprint",
            "rule_id",
            "file_path",
            "severity",
            "confidence",
            "start_line",
            "end_line",
        ),
        _unique("findings", "finding_id", "within the run"),
        _in_set("findings", "severity", [s.value for s in Severity]),
        Check(
            "findings",
            "ExpectColumnValuesToBeBetween",
            ("confidence",),
            "findings.confidence is between 0 and 1",
            {"min_value": 0, "max_value": 1},
        ),
        _at_least("findings", "start_line", 1),
        Check(
            "findings",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            ("end_line", "start_line"),
            "findings.end_line is at least start_line",
            {"or_equal": True},
        ),
    ),
    "reviews": (
        *_not_null("reviews", "review_id", "status"),
        _unique("reviews", "review_id", "across all reviews"),
        _in_set("reviews", "status", REVIEW_STATES),
        Check(
            "reviews",
            "ExpectColumnValuesToBeBetween",
            ("latency_s",),
            "reviews.latency_s is at least 0 where present",
            {"min_value": 0},
        ),
    ),
}


def suite_name(table: str) -> str:
    return f"{table}.v{SUITE_VERSION}"
