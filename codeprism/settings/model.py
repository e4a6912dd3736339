"""The settings of a review or an audit: typed, closed (`extra="forbid"`), frozen.

One `Settings` value is built per review or per repository (see `layers.py`) and passed down;
nothing reads settings from a global. The keys, their defaults and what a repository may set
are documented in the README ("Configuration").
"""

from __future__ import annotations

import re
from typing import Annotated

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from codeprism.analyzers import ANALYZERS
from codeprism.findings import Severity
from codeprism.review.agents import AGENT_NAMES
from codeprism.settings.globs import check_glob

DEFAULT_ANALYZERS: tuple[str, ...] = ("ruff", "bandit", "semgrep", "secrets", "complexity")
# Minified bundles, source maps, package-manager directories and protobuf output: nobody
# reviews them and nobody can fix a finding in them where it is reported.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "node_modules/",
    "bower_components/",
    "*.min.js",
    "*.min.css",
    "*.bundle.js",
    "*.map",
    "*_pb2.py",
    "*_pb2_grpc.py",
    "*.pb.go",
    "codeprism-baseline.json",  # fingerprints look like high-entropy secrets
)
MAX_INSTRUCTIONS_CHARS = 2000
MAX_LIST_ITEMS = 200


def _check_regex(value: str) -> str:
    if len(value) > 200:
        raise ValueError("a pattern must have at most 200 characters")
    try:
        regex.compile(value)  # the engine the filters match with (online/filters.py)
    except regex.error as exc:
        raise ValueError(f"{value!r} is not a regular expression: {exc}") from None
    return value


def _check_analyzer(value: str) -> str:
    if value not in ANALYZERS:
        raise ValueError(f"unknown analyzer {value!r}; known: {', '.join(sorted(ANALYZERS))}")
    return value


def _check_agent(value: str) -> str:
    if value not in AGENT_NAMES:
        raise ValueError(f"unknown agent {value!r}; known: {', '.join(AGENT_NAMES)}")
    return value


def _check_rule(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}", value):
        raise ValueError(f"{value!r} is not a rule id")
    return value


Glob = Annotated[str, AfterValidator(check_glob)]
Regex = Annotated[str, AfterValidator(_check_regex)]
RuleId = Annotated[str, AfterValidator(_check_rule)]
AnalyzerName = Annotated[str, AfterValidator(_check_analyzer)]
AgentName = Annotated[str, AfterValidator(_check_agent)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathSettings(_Section):
    # only files matching one of these are analysed; empty: every file
    include: tuple[Glob, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    # never analysed (replaces the default list; `extend_exclude` adds to it)
    exclude: tuple[Glob, ...] = Field(default=DEFAULT_EXCLUDE, max_length=MAX_LIST_ITEMS)
    extend_exclude: tuple[Glob, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    # test code, besides the conventions (test_*.py, tests/, *_test.go, ...)
    tests: tuple[Glob, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)


class RuleSettings(_Section):
    # muted everywhere: found, not reported, counted per rule
    disabled: tuple[RuleId, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    severity: dict[RuleId, Severity] = Field(default_factory=dict, max_length=MAX_LIST_ITEMS)


class ReviewSettings(_Section):
    max_findings: int = Field(default=20, ge=1, le=500)  # per review, after merging
    agents: tuple[AgentName, ...] = AGENT_NAMES
    # project guidance for the review agents (what matters here, what to leave alone)
    instructions: str = Field(default="", max_length=MAX_INSTRUCTIONS_CHARS)


class PullRequestFilters(_Section):
    """Pull requests that are not reviewed at all (PR-Agent's ignore filters)."""

    ignore_authors: tuple[Name, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    ignore_labels: tuple[Name, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    ignore_title: tuple[Regex, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    ignore_source_branches: tuple[Regex, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    ignore_target_branches: tuple[Regex, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)


class LimitSettings(_Section):
    max_file_bytes: int = Field(default=2_000_000, ge=1)  # bigger files are not read
    file_timeout_s: float = Field(default=60.0, gt=0)  # per file, per analyzer


class Settings(_Section):
    analyzers: tuple[AnalyzerName, ...] = DEFAULT_ANALYZERS
    fail_on: Severity | None = None  # exit 1 when a reported finding is at or above this
    baseline: str | None = None  # a `codeprism baseline create` file: report only new findings
    # count and report tests, examples, vendored and generated files too (default: source)
    all_roles: bool = False
    paths: PathSettings = PathSettings()
    rules: RuleSettings = RuleSettings()
    review: ReviewSettings = ReviewSettings()
    pull_requests: PullRequestFilters = PullRequestFilters()
    limits: LimitSettings = LimitSettings()
    # Where the secrets analyzer reads when a repository's own file narrowed `paths`: the
    # operator's paths (set by repo_file.py, never by a repository), so that excluding a
    # directory cannot hide a leaked key. None: `paths`.
    secrets_paths: PathSettings | None = None
