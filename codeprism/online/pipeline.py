"""One online review, from an accepted event to a published review.

Build the review's own settings (the operator's for its installation or group, then the
repository's file at the pull request's base commit: see `review_settings.py`), skip the
pull requests they say not to review (`filters.py`), fetch the diff (from the Git host, or
the one the API request carried), take the static evidence on its changed lines (the
analyzers read the changed files at the pull request's head, fetched over git), ask the
LLM agents, merge, and publish one review on the pull request, unless a newer push
superseded this one meanwhile. The Serve orchestrator calls `ReviewPipeline.run` for each
review it claims from the inbox; the static step may run elsewhere (the StaticAnalysis
replicas), so it is passed in as a function, and the review's settings go with each call.

One pipeline serves the reviews a replica runs at once, each in its own thread, so it
holds nothing of a review: a review's settings and its `ReviewConfig` are built in `run`
and passed down to every step.

Failures split in two: a transient one (the host answered 5xx or did not answer) raises
`RetryLater`, and the inbox gives the review to a worker again once its lease lapses; any
other becomes a `failed` outcome with the reason, never an exception out of `run`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codeprism.analysis import AnalysisConfig
from codeprism.errors import CodeprismError
from codeprism.findings import Finding
from codeprism.hosts.azure import AzureHost
from codeprism.hosts.base import HostError, PullRequestInfo, RateLimited
from codeprism.hosts.bitbucket import BitbucketHost
from codeprism.hosts.bitbucket_dc import BitbucketDCHost
from codeprism.hosts.github import GitHubHost
from codeprism.hosts.gitlab import GitLabHost
from codeprism.llm.config import ModelConfig
from codeprism.llm.engines import Engine
from codeprism.online.filters import ignored_by
from codeprism.online.review_settings import OperatorSettings, review_settings
from codeprism.review.diff import FileDiff, parse_diff
from codeprism.review.runner import (
    ReviewConfig,
    ReviewResult,
    head_paths,
    llm_findings,
    merge_into,
    static_evidence,
    write_blobs,
)
from codeprism.settings.model import Settings
from codeprism.sources.git import HeadCommit, fetch_commit
from codeprism.webhooks.events import ReviewTarget
from codeprism.webhooks.inbox import ClaimedReview

log = logging.getLogger(__name__)
_BITBUCKETS = frozenset({"bitbucket", "bitbucket-dc"})  # Cloud and Data Center

Status = Literal["done", "failed", "superseded"]


class RetryLater(Exception):
    """A transient failure: leave the review to be claimed again when its lease lapses."""


@dataclass(frozen=True)
class StaticEvidence:
    findings: list[Finding]
    notes: list[str]


# (diff, repo label, where to fetch the head's files from (None: the diff alone), this
# review's settings)
StaticStep = Callable[[bytes, str, HeadCommit | None, Settings], StaticEvidence]


def run_static(
    diff: bytes,
    repo: str,
    analysis: AnalysisConfig | None = None,
    head: HeadCommit | None = None,
    fetch_timeout_s: float = 120.0,
    *,
    settings: Settings | None = None,
) -> StaticEvidence:
    """The static analyzers on the changed files, findings on changed lines only.

    `settings` are the review's (paths, tests, analyzers, rules; default: the defaults);
    the tools loaded and their limits are `analysis`, by default the ones `settings` name.
    With `head`, the changed files are read at the head commit, fetched over git (only
    those files). Without it, or when that fetch fails, only added files can be analysed,
    since a diff holds their whole text; the notes say which files were left out and why.
    """
    settings = settings or Settings()
    config = ReviewConfig(
        analysis=analysis or AnalysisConfig.from_settings(settings), settings=settings
    )
    result = ReviewResult(findings=[])
    files = parse_diff(diff)
    with tempfile.TemporaryDirectory(prefix="codeprism-head-") as scratch:
        tree = None
        if head is not None:
            tree = _head_files(head, files, Path(scratch), fetch_timeout_s, result)
        findings = static_evidence(files, tree, config, result, repo)
    return StaticEvidence(findings, result.notes)


def _head_files(
    head: HeadCommit, files: list[FileDiff], scratch: Path, timeout_s: float, result: ReviewResult
) -> Path | None:
    git_dir, tree = scratch / "git", scratch / "tree"
    try:
        blobs = fetch_commit(head, head_paths(files), git_dir, timeout_s)
        return write_blobs(git_dir, blobs, tree, time.monotonic() + timeout_s)
    except CodeprismError as exc:
        log.warning("static analysis without the head %s: %s", head.sha[:12], exc)
        result.notes.append(
            f"static: the head {head.sha[:12]} could not be fetched ({exc}); "
            "only added files were analysed"
        )
        return None


@dataclass(frozen=True)
class Hosts:
    github: GitHubHost | None = None
    gitlab: GitLabHost | None = None
    azure: AzureHost | None = None
    bitbucket: BitbucketHost | None = None
    bitbucket_dc: BitbucketDCHost | None = None


@dataclass
class ReviewOutcome:
    status: Status
    result: ReviewResult
    head_sha: str | None = None
    posted: int = 0
    detail: str = ""
    changed_lines: dict[str, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewPipeline:
    """`operator`: the settings every review starts from (see `review_settings.py`);
    `tuning`: ReviewConfig fields that settings do not hold (max_calls, ...)."""

    hosts: Hosts
    operator: OperatorSettings = field(default_factory=OperatorSettings)
    static: StaticStep | None = None
    engine: Engine | None = None
    model: ModelConfig | None = None
    tuning: Mapping[str, Any] = field(default_factory=dict)
    config_fetch_timeout_s: float = 60.0  # reading the repository's settings at the base

    def run(self, job: ClaimedReview, still_current: Callable[[], bool]) -> ReviewOutcome:
        target = job.target
        result = ReviewResult(findings=[])
        try:
            info = self._pull_request(target, job.diff)
        except CodeprismError as exc:
            return self._failed(result, target, f"fetching the diff: {exc}", exc)
        config = self._config(target, info, result)
        head_sha = info.head_sha if info else target.head_sha
        ignored = ignored_by(target, config.settings.pull_requests)
        if ignored is not None:
            log.info("review of %s not done: %s", target.pr_key(), ignored)
            return ReviewOutcome("done", result, head_sha=head_sha, detail=ignored)
        try:
            diff = self._diff(target, job.diff)
        except CodeprismError as exc:
            return self._failed(result, target, f"fetching the diff: {exc}", exc)
        files = parse_diff(diff)
        result.files = len(files)
        evidence = self._static(diff, target, info, config, result)
        llm = self._llm(files, evidence, config, result, target.repo)
        merge_into(result, evidence, llm, config)
        outcome = ReviewOutcome("done", result, head_sha=head_sha)
        outcome.changed_lines = {f.path: frozenset(f.changed_lines) for f in files}
        if not still_current():
            outcome.status, outcome.detail = "superseded", "a newer push superseded this review"
            return outcome
        if info is not None:
            try:
                outcome.posted = self._publish(job, info, outcome)
            except CodeprismError as exc:
                return self._failed(result, target, f"publishing: {exc}", exc)
        return outcome

    # -- steps -----------------------------------------------------------------------------

    def _pull_request(self, target: ReviewTarget, diff: bytes | None) -> PullRequestInfo | None:
        """The pull request to review and publish on (None: an API review of a diff,
        published nowhere)."""
        if target.provider == "api" and diff is not None:
            return None
        if target.pr_number is None:
            raise _NotReviewable("the event names no pull request")
        if target.provider == "gitlab":
            if target.project_id is None:
                raise _NotReviewable("the merge request event names no project id")
            return self._gitlab().merge_request(target.project_id, target.pr_number)
        if target.provider == "azure":  # the base is the last iteration's merge base
            return self._azure().pull_request(target.repo, target.pr_number)
        if target.provider in _BITBUCKETS:  # Cloud hooks carry short hashes: read full ones
            return self._bitbucket(target).pull_request(target.repo, target.pr_number)
        github = self._github()
        if target.head_sha is None:  # a comment command: the event does not carry the head
            return github.pull_request(target.repo, target.pr_number, target.installation_id)
        return PullRequestInfo(
            repo=target.repo,
            number=target.pr_number,
            head_sha=target.head_sha,
            base_sha=target.base_sha or "",
            draft=target.draft,
            title=target.title,
            state="open",
        )

    def _config(
        self, target: ReviewTarget, info: PullRequestInfo | None, result: ReviewResult
    ) -> ReviewConfig:
        """This review's settings, and what they could not give said in its warnings."""

        def base() -> HeadCommit | None:
            if info is None:
                return None
            if not info.base_sha:
                raise _NotReviewable("the pull request names no base commit")
            return self._commit(target, info.base_sha)

        effective = review_settings(self.operator, target, base, self.config_fetch_timeout_s)
        settings = effective.settings
        result.warnings.extend(effective.notes)
        baseline = self.operator.baseline(settings)
        if settings.baseline and baseline is None:  # the operator's layers name every one
            result.warnings.append(f"the baseline {settings.baseline} is not loaded; not used")
        return ReviewConfig.from_settings(settings, baseline, **self.tuning)

    def _diff(self, target: ReviewTarget, diff: bytes | None) -> bytes:
        if target.provider == "api" and diff is not None:
            return diff
        assert target.pr_number is not None  # checked by _pull_request
        if target.provider == "gitlab":
            assert target.project_id is not None
            return self._gitlab().merge_request_diff(target.project_id, target.pr_number)
        if target.provider == "azure":
            return self._azure().pull_diff(target.repo, target.pr_number)
        if target.provider in _BITBUCKETS:
            return self._bitbucket(target).pull_diff(target.repo, target.pr_number)
        return self._github().pull_diff(target.repo, target.pr_number, target.installation_id)

    def _static(
        self,
        diff: bytes,
        target: ReviewTarget,
        info: PullRequestInfo | None,
        config: ReviewConfig,
        result: ReviewResult,
    ) -> list[Finding]:
        if self.static is None or not config.static:
            return []
        try:
            head = self._head(target, info)
            evidence = self.static(diff, target.repo, head, config.settings)
        except Exception as exc:  # a lost analysis replica must not lose the LLM review
            log.warning("static analysis failed: %s", exc)
            result.notes.append(f"static: failed: {type(exc).__name__}: {exc}")
            return []
        result.notes.extend(evidence.notes)
        return evidence.findings

    def _head(self, target: ReviewTarget, info: PullRequestInfo | None) -> HeadCommit | None:
        """Where the pull request's head can be fetched from (None: an API diff review)."""
        return None if info is None else self._commit(target, info.head_sha)

    def _commit(self, target: ReviewTarget, sha: str) -> HeadCommit:
        """A commit of the pull request's repository, fetched with this review's token."""
        if target.provider == "gitlab":
            return self._gitlab().head_commit(target.repo, sha)
        if target.provider == "azure":
            return self._azure().head_commit(target.repo, sha)
        if target.provider in _BITBUCKETS:
            return self._bitbucket(target).head_commit(target.repo, sha)
        return self._github().head_commit(target.repo, target.installation_id, sha)

    def _llm(
        self,
        files: list[FileDiff],
        evidence: list[Finding],
        config: ReviewConfig,
        result: ReviewResult,
        repo: str,
    ) -> list[Finding]:
        if self.engine is None or self.model is None:
            return []
        try:
            return llm_findings(files, evidence, self.engine, self.model, config, result, repo)
        except CodeprismError as exc:  # the diff cannot fit the model: static findings only
            result.notes.append(f"llm: {exc}")
            return []

    def _publish(self, job: ClaimedReview, info: PullRequestInfo, outcome: ReviewOutcome) -> int:
        """Post the review, marked with its id; a retried review (its earlier attempt may
        have died after posting) skips what is already there."""
        target, findings = job.target, outcome.result.findings
        summary = outcome.result.summary()
        key, retry = job.review_id, job.attempt > 1
        if target.provider == "gitlab":
            gitlab = self._gitlab()
            assert target.project_id is not None  # checked when fetching
            published = gitlab.publish(
                target.project_id,
                info.number,
                info,
                findings,
                outcome.changed_lines,
                summary,
                review_key=key,
                retry=retry,
            )
        elif target.provider == "azure":
            published = self._azure().publish(
                target.repo,
                info.number,
                findings,
                outcome.changed_lines,
                summary,
                review_key=key,
                retry=retry,
            )
        elif target.provider in _BITBUCKETS:
            published = self._bitbucket(target).publish(
                target.repo,
                info.number,
                findings,
                outcome.changed_lines,
                summary,
                review_key=key,
                retry=retry,
            )
        else:
            github = self._github()
            published = github.publish(
                target.repo,
                info.number,
                target.installation_id,
                info.head_sha,
                findings,
                outcome.changed_lines,
                summary,
                review_key=key,
                retry=retry,
            )
        return published.comments

    def _github(self) -> GitHubHost:
        if self.hosts.github is None:
            raise _NotReviewable("no GitHub credentials are configured")
        return self.hosts.github

    def _gitlab(self) -> GitLabHost:
        if self.hosts.gitlab is None:
            raise _NotReviewable("no GitLab credentials are configured")
        return self.hosts.gitlab

    def _azure(self) -> AzureHost:
        if self.hosts.azure is None:
            raise _NotReviewable("no Azure DevOps credentials are configured")
        return self.hosts.azure

    def _bitbucket(self, target: ReviewTarget) -> BitbucketHost | BitbucketDCHost:
        """Bitbucket Cloud's client, or Data Center's: the same calls, the same shapes."""
        if target.provider == "bitbucket-dc":
            if self.hosts.bitbucket_dc is None:
                raise _NotReviewable("no Bitbucket Data Center credentials are configured")
            return self.hosts.bitbucket_dc
        if self.hosts.bitbucket is None:
            raise _NotReviewable("no Bitbucket credentials are configured")
        return self.hosts.bitbucket

    @staticmethod
    def _failed(
        result: ReviewResult, target: ReviewTarget, detail: str, exc: Exception
    ) -> ReviewOutcome:
        if _is_transient(exc):
            raise RetryLater(detail) from exc
        log.warning("review of %s failed: %s", target.pr_key(), detail)
        return ReviewOutcome("failed", result, head_sha=target.head_sha, detail=detail)


class _NotReviewable(CodeprismError):
    """The event cannot be reviewed as configured (recorded as a failed review)."""


def _is_transient(exc: Exception) -> bool:
    """The host did not answer, failed (5xx) or rate-limited us: worth another attempt."""
    if not isinstance(exc, HostError):
        return False
    return isinstance(exc, RateLimited) or exc.status is None or exc.status >= 500
