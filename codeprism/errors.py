"""Recorded errors (a file or repo that could not be processed) and the CLI error hierarchy.

A `Problem` is data: it becomes an `errors` row and the sweep goes on. A `CodeprismError` is
control flow: it stops a command with a clear message and an exit code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    RESOLVE = "resolve"
    CLONE = "clone"
    ANALYZE = "analyze"
    LLM = "llm"  # the audit's LLM pass
    WRITE = "write"


class ProblemKind(StrEnum):
    NOT_FOUND = "not_found"
    UNREACHABLE = "unreachable"
    EMPTY_REPOSITORY = "empty_repository"
    BINARY = "binary"
    TOO_LARGE = "too_large"
    DECODE = "decode"
    PARSE = "parse"
    SYMLINK_OUTSIDE = "symlink_outside"
    TIMEOUT = "timeout"
    ANALYZER_FAILED = "analyzer_failed"
    INTERNAL = "internal"
    CONFIG = "config"  # a repository's config file asked for what it may not (see settings/)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that was skipped, with the reason a person can act on."""

    stage: Stage
    kind: ProblemKind
    reason: str
    path: str | None = None
    analyzer: str | None = None


# Exit codes of the CLI (DESIGN.md): 0 clean, 1 findings at or above --fail-on, 2 error.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class CodeprismError(Exception):
    """An error that ends a command with a clear message (no traceback unless --debug)."""

    exit_code = EXIT_ERROR


class ConfigError(CodeprismError):
    """Bad arguments or configuration."""


class SourceError(CodeprismError):
    """A repository could not be resolved or fetched; carries the recorded kind."""

    def __init__(self, kind: ProblemKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


# Exceptions that only say "see above": the cause is an earlier line of the same output.
_WRAPPERS = re.compile(
    r"Engine core initialization failed|See root cause above|RayTaskError|ActorDiedError"
    r"|The actor died|RayActorError"
)
_ERROR_LINE = re.compile(
    # "SomeError: message", or pydantic's "Value error, message" (vLLM's config checks)
    r"(?:^|\s)(?:(?:Value|Type|Assertion) error, (?P<pydantic>.+)"
    r"|(?P<exception>(?:[A-Za-z_][\w.]*)?(?:Error|Exception|Failure)\b:?.*))$"
)


def root_cause_line(text: str, limit: int = 300) -> str:
    """The one line of a traceback or an engine's log that says what went wrong.

    The last "SomethingError: message" line that is not a wrapper pointing elsewhere wins;
    without one, the last non-empty line. For one-line CLI errors (`--debug` shows it all).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    candidates = [
        (m["pydantic"] or m["exception"], at)
        for at, line in enumerate(lines)
        if (m := _ERROR_LINE.search(line))
    ]
    specific = [c for c in candidates if not _WRAPPERS.search(c[0])]
    chosen, at = (
        specific
        or candidates
        or [(line, at) for at, line in enumerate(lines)]
        or [("no message", 0)]
    )[-1]
    if chosen.endswith(":") and at + 1 < len(lines):  # "...from one of:" goes on below
        chosen = f"{chosen} {lines[at + 1]}"
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"
