"""The repositories of a GitHub organisation (or user), through PyGithub.

Rate limits are respected rather than fought: a response that leaves no requests in the
window makes the next page wait for the reset; a secondary limit (403 with GitHub's message, or
429) is backed off and retried by `_Retry`. No wait exceeds `max_rate_limit_wait_s`; past that
the listing fails with a clear error instead of sleeping for an hour unnoticed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from github.GithubException import RateLimitExceededExceedsMaxWait
from github.PaginatedList import PaginatedList
from github.Repository import Repository
from github.Requester import Requester
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources.spec import RepoSpec
from codeprism.sources.urls import strip_credentials

log = logging.getLogger(__name__)


class OrgFilter(BaseModel):
    """Which repositories of the organisation to audit; empty tuples mean "any"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include_archived: bool = False
    include_forks: bool = False
    languages: tuple[str, ...] = ()  # primary language as GitHub reports it, any case
    topics: tuple[str, ...] = ()  # at least one of these topics

    def accepts(self, repo: Repository) -> bool:
        if repo.archived and not self.include_archived:
            return False
        if repo.fork and not self.include_forks:
            return False
        if self.languages:
            wanted = {language.lower() for language in self.languages}
            if (repo.language or "").lower() not in wanted:
                return False
        if self.topics:  # read only when asked: older servers need a request per repo for it
            wanted = {topic.lower() for topic in self.topics}
            if not wanted & {topic.lower() for topic in repo.topics or []}:
                return False
        return True


class GitHubConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "https://api.github.com"  # GitHub Enterprise Server: https://HOST/api/v3
    token: SecretStr | None = None
    max_rate_limit_wait_s: float = Field(3600, ge=0)
    per_page: int = Field(100, ge=1, le=100)
    secondary_rate_wait_s: float = Field(60, ge=0)  # GitHub: wait a minute when not told
    retries: int = Field(10, ge=0)
    request_timeout_s: int = Field(30, ge=1)


def list_org_repos(org: str, config: GitHubConfig, repo_filter: OrgFilter) -> list[RepoSpec]:
    """Specs of the organisation's (or user's) repositories that pass `repo_filter`."""
    client = _client(config)
    gate = _ResetGate(client.requester, config.max_rate_limit_wait_s)
    host = web_host(config.base_url)
    try:
        return [
            _spec(repo, host)
            for repo in _owner_repos(client, org, gate)
            if repo_filter.accepts(repo)
        ]
    except RateLimitExceededExceedsMaxWait as exc:
        raise SourceError(
            ProblemKind.TIMEOUT,
            f"GitHub rate limit for {org!r}: the required wait of {exc.wait:.0f} s exceeds "
            f"max_rate_limit_wait_s={config.max_rate_limit_wait_s:g}",
        ) from None
    except GithubException as exc:
        message = exc.message or (exc.data or {}).get("message") or "no message"
        raise SourceError(
            ProblemKind.UNREACHABLE,
            f"listing repositories of {org!r} at {config.base_url} failed: "
            f"HTTP {exc.status}: {message}",
        ) from None
    except requests.RequestException as exc:
        raise SourceError(
            ProblemKind.UNREACHABLE,
            f"listing repositories of {org!r} at {config.base_url} failed: {type(exc).__name__}",
        ) from None
    finally:
        client.close()


def web_host(base_url: str) -> str:
    """The host people browse, which names repositories: api.github.com is github.com."""
    netloc = (urlsplit(base_url).netloc.rsplit("@", 1)[-1]).lower()
    return netloc[len("api.") :] if netloc.startswith("api.") else netloc


def _client(config: GitHubConfig) -> Github:
    auth = Auth.Token(config.token.get_secret_value()) if config.token else None
    retry = _Retry(
        secondary_rate_wait=config.secondary_rate_wait_s,
        max_rate_limit_wait=config.max_rate_limit_wait_s,
        total=config.retries,
        backoff_factor=0.5,
        # hand the last answer to PyGithub, whose exception carries GitHub's message
        raise_on_status=False,
    )
    # lazy: no request for the organisation object itself, only for the repository pages
    return Github(
        base_url=config.base_url.rstrip("/"),
        auth=auth,
        per_page=config.per_page,
        retry=retry,
        timeout=config.request_timeout_s,
        lazy=True,
    )


def _owner_repos(client: Github, owner: str, gate: _ResetGate) -> Iterator[Repository]:
    pages = _pages(client.get_organization(owner).get_repos(), gate)
    try:
        first = next(pages, [])
    except UnknownObjectException:
        # not an organisation: a user's repositories are listed the same way
        pages = _pages(client.get_user(owner, lazy=True).get_repos(), gate)
        try:
            first = next(pages, [])
        except UnknownObjectException:
            raise SourceError(
                ProblemKind.NOT_FOUND, f"no GitHub organisation or user named {owner!r}"
            ) from None
    yield from first
    for page in pages:
        yield from page


def _pages(repos: PaginatedList[Repository], gate: _ResetGate) -> Iterator[list[Repository]]:
    # Growing the list one page at a time is what its own iterator does (following the Link
    # header); doing it here lets the gate wait *before* each request, not after a refusal.
    while repos._couldGrow():
        gate.wait()
        yield repos._grow()


class _ResetGate:
    """Waits for the rate-limit reset when the last response left no requests."""

    def __init__(self, requester: Requester, max_wait_s: float) -> None:
        self.requester = requester
        self.max_wait_s = max_wait_s

    def wait(self) -> None:
        remaining, limit = self.requester.rate_limiting
        if limit < 0 or remaining > 0:  # (-1, -1): no rate-limit headers seen yet
            return
        # +1 s: the reset is a whole second and it is unknown when within it the window opens
        delay = self.requester.rate_limiting_resettime - time.time() + 1
        if delay <= 0:
            return
        if delay > self.max_wait_s:
            raise SourceError(
                ProblemKind.TIMEOUT,
                f"GitHub rate limit exhausted; it resets in {delay:.0f} s, more than "
                f"max_rate_limit_wait_s={self.max_wait_s:g}",
            )
        log.info("GitHub rate limit exhausted; waiting %.1f s for the reset", delay)
        time.sleep(delay)


class _Retry(GithubRetry):
    """PyGithub's retry, plus 429 and a bound on Retry-After.

    GithubRetry already retries 403 for secondary limits (after Retry-After, else
    `secondary_rate_wait`) and primary limits (until X-RateLimit-Reset), bounded by
    `max_rate_limit_wait`. GitHub also answers secondary limits with 429, and a Retry-After
    is honoured by urllib3 without any bound; both are added here.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("status_forcelist", [*range(500, 600), 429])
        super().__init__(**kwargs)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Any:
        wait = _rate_limit_wait(response, self.secondary_rate_wait)
        limit = self.max_rate_limit_wait
        if wait is not None and limit is not None and wait > limit:
            raise RateLimitExceededExceedsMaxWait(
                response.status, {"message": "rate limit wait too long"}, None, wait=wait
            )
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if wait is not None and response.status == 429 and "Retry-After" not in response.headers:
            # urllib3 has no delay of its own for a 429 without Retry-After
            assert isinstance(retry, _Retry)
            retry.rate_limit_backoff = wait
        return retry

    rate_limit_backoff: float | None = None

    def get_backoff_time(self) -> float:
        if self.rate_limit_backoff is not None:
            return max(self.rate_limit_backoff, super().get_backoff_time())
        return super().get_backoff_time()


def _rate_limit_wait(response: Any, secondary_wait: float) -> float | None:
    """Seconds GitHub asks us to wait before retrying `response`, if it is a 403/429 that says."""
    if response is None or response.status not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            return None  # an HTTP date; urllib3 parses and honours it
    if response.status == 429:
        reset = headers.get("X-RateLimit-Reset")
        if headers.get("X-RateLimit-Remaining") == "0" and reset and reset.isdigit():
            return max(int(reset) - time.time(), 0.0) + 1
        return secondary_wait
    return None  # a 403 without Retry-After: GithubRetry reads its body and decides


def _spec(repo: Repository, host: str) -> RepoSpec:
    return RepoSpec(
        kind="github",
        location=strip_credentials(repo.clone_url),
        name=repo.full_name,
        org=repo.owner.login,
        repo_id=f"github:{host}/{repo.full_name}".lower(),  # GitHub names ignore case
        default_branch=repo.default_branch,
    )
