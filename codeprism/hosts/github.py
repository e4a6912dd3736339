"""GitHub (and GitHub Enterprise Server): read a pull request, post one review and a check run.

A review costs at most five REST calls: the installation token (App auth only, and only when
the cached one is within five minutes of expiry), the pull request, its diff, the review
(the only request that creates comments) and the check run (App auth only: GitHub lets only
Apps create check runs). Repository and commit objects are PyGithub's lazy ones, so no
`GET /repos/{owner}/{repo}` is ever sent.

PyGithub sends the pull-request, review and check-run requests. Two requests go through
httpx instead: the diff, because PyGithub's requester decodes every body to text (a diff is
bytes, and a non-UTF-8 line must reach the parser as it is), and the installation token,
because PyGithub logs response bodies at DEBUG level and this body is the token.

Retries are ours, not PyGithub's (`retry=None`: urllib3 retries nothing), so that every
attempt is counted: a 403 or 429 with `Retry-After`, or with `X-RateLimit-Remaining: 0`
(wait for `X-RateLimit-Reset`), or a secondary-limit 403/429 without either (GitHub: wait a
minute) waits and retries; any other error status raises `HostError` at once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from github import Auth, Github, GithubException
from github.Repository import Repository
from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from codeprism.findings import Finding
from codeprism.hosts.base import (
    Backoff,
    CallCounter,
    EventHook,
    HostError,
    Published,
    PullRequestInfo,
    Refused,
    Tally,
    Unreachable,
    http_attempt,
    http_url,
    place_findings,
    reset_wait_s,
    retry_after_s,
    send,
)
from codeprism.hosts.comments import (
    CHECK_NAME,
    check_conclusion,
    check_run_output,
    marked,
    render_comment,
    render_summary,
    review_marker,
)
from codeprism.sources.git import HeadCommit

log = logging.getLogger(__name__)
T = TypeVar("T")

API_VERSION = "2022-11-28"
DIFF_MEDIA_TYPE = "application/vnd.github.diff"
TOKEN_MARGIN_S = 300.0  # renew an installation token this long before it expires
SECONDARY_LIMIT_WAIT_S = 60.0  # GitHub: without Retry-After, wait at least a minute
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class GitHubAuth(BaseModel):
    """A personal (or fine-grained) token, or a GitHub App's id and PEM private key."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_url: str = "https://api.github.com"  # GitHub Enterprise Server: https://HOST/api/v3
    # where repositories are fetched from over git; None: derived from api_url
    git_url: str | None = None
    token: SecretStr | None = None
    app_id: int | None = None
    private_key: SecretStr | None = None

    @field_validator("api_url", "git_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else http_url(value, info.field_name, "https://api.github.com")

    @model_validator(mode="after")
    def _one_way_in(self) -> GitHubAuth:
        app = self.app_id is not None or self.private_key is not None
        if self.token is not None and app:
            raise ValueError("give either a token or app_id and private_key, not both")
        if self.token is None and (self.app_id is None or self.private_key is None):
            raise ValueError("GitHub auth needs a token, or a GitHub App's app_id and private_key")
        if self.private_key is not None:
            try:
                load_pem_private_key(self.private_key.get_secret_value().encode(), password=None)
            except (ValueError, TypeError):
                raise ValueError("private_key is not an unencrypted PEM private key") from None
        return self

    @property
    def is_app(self) -> bool:
        return self.app_id is not None

    def clone_url(self, repo: str) -> str:
        """`owner/name` over HTTPS: github.com for api.github.com, else the Enterprise host."""
        if self.git_url is not None:
            base = self.git_url
        elif self.api_url == "https://api.github.com":
            base = "https://github.com"
        else:
            base = self.api_url.removesuffix("/api/v3")
        return f"{base}/{repo}.git"


@dataclass(frozen=True)
class _CheckRun:
    repo: str
    head_sha: str
    review_key: str  # the check run's external_id
    conclusion: str


@dataclass(frozen=True)
class _Session:
    token: str
    github: Github
    expires_at: float  # epoch seconds; inf for a personal token


class _Secrets:
    """The credentials to scrub from messages: the personal token and the live installation
    tokens (an iterable view, so that renewed tokens are covered and old ones forgotten)."""

    def __init__(self, host: GitHubHost) -> None:
        self._host = host

    def __iter__(self) -> Iterator[str]:
        if self._host.auth.token is not None:
            yield self._host.auth.token.get_secret_value()
        yield from (session.token for session in list(self._host._sessions.values()))


class GitHubHost:
    """One client for all the repositories the credentials reach; safe to share by threads."""

    def __init__(
        self,
        auth: GitHubAuth,
        *,
        max_retries: int = 3,
        max_backoff_s: float = 60.0,
        on_event: EventHook | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.auth = auth
        self.timeout_s = timeout_s
        self._counter = CallCounter(on_event)
        self._backoff = Backoff(max_retries, max_backoff_s, "GitHub", _Secrets(self))
        self._sessions: dict[int | None, _Session] = {}
        self._lock = threading.Lock()
        self._http = httpx.Client(
            timeout=timeout_s,
            headers={"User-Agent": "codeprism", "X-GitHub-Api-Version": API_VERSION},
        )
        self._app = (
            Auth.AppAuth(auth.app_id, auth.private_key.get_secret_value())
            if auth.app_id is not None and auth.private_key is not None
            else None
        )

    @property
    def calls(self) -> int:
        """REST requests this client has sent, retries and token requests included."""
        return self._counter.calls

    @property
    def backoffs(self) -> int:
        return self._counter.backoffs

    def __enter__(self) -> GitHubHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        with self._lock:
            for session in self._sessions.values():
                session.github.close()
            self._sessions.clear()

    # -- reading -----------------------------------------------------------------------------

    def pull_request(self, repo: str, number: int, installation_id: int | None) -> PullRequestInfo:
        _check_repo(repo)
        tally = Tally(self._counter)
        session = self._session(tally, installation_id)

        def fetch() -> PullRequestInfo:
            pull = session.github.get_repo(repo).get_pull(number).complete()
            return PullRequestInfo(
                repo=repo,
                number=number,
                head_sha=pull.head.sha,
                base_sha=pull.base.sha,
                draft=bool(pull.draft),
                title=pull.title,
                state=pull.state,
            )

        return self._pygithub(tally, f"GET /repos/{repo}/pulls/{number}", fetch)

    def pull_diff(self, repo: str, number: int, installation_id: int | None) -> bytes:
        """The pull request's diff as GitHub sends it: bytes, never decoded."""
        _check_repo(repo)
        tally = Tally(self._counter)
        session = self._session(tally, installation_id)
        response = self._raw(
            tally,
            "GET",
            f"/repos/{repo}/pulls/{number}",
            {"Authorization": f"token {session.token}", "Accept": DIFF_MEDIA_TYPE},
        )
        return response.content

    def head_commit(self, repo: str, installation_id: int | None, sha: str) -> HeadCommit:
        """How to fetch files of `sha` over git, with the token this client holds (a REST
        call only when an installation token must be renewed)."""
        _check_repo(repo)
        session = self._session(Tally(self._counter), installation_id)
        return HeadCommit(url=self.auth.clone_url(repo), sha=sha, token=SecretStr(session.token))

    # -- publishing --------------------------------------------------------------------------

    def publish(
        self,
        repo: str,
        number: int,
        installation_id: int | None,
        head_sha: str,
        findings: Sequence[Finding],
        changed_lines: Mapping[str, Collection[int]],
        summary: Mapping[str, Any],
        review_key: str,
        retry: bool = False,
    ) -> Published:
        """One review (event COMMENT at `head_sha`): an inline comment for each finding whose
        start line is a changed line of its file, the others listed in the body. With App auth,
        also one completed check run whose conclusion is `check_conclusion(findings)`.

        If GitHub cannot place a comment (422: the pull request moved on since its diff was
        read), the review is posted once more with every finding in the body.

        `review_key` marks the review body and the check run (its external_id). With `retry`
        (an earlier attempt may have died after posting), what already carries the key is
        not posted again: one more read for each, and only on a retry."""
        _check_repo(repo)
        tally = Tally(self._counter)
        session = self._session(tally, installation_id)
        inline, not_inline = place_findings(findings, changed_lines)
        marker = review_marker(review_key)
        body = marked(render_summary(findings, not_inline, summary), marker)
        repository = session.github.get_repo(repo)  # lazy: no request

        def review(comments: list[Finding], text: str) -> Any:
            pull = repository.get_pull(number)  # lazy, like the commit: no request
            return pull.create_review(
                commit=repository.get_commit(head_sha),
                body=text,
                event="COMMENT",
                comments=[
                    {
                        "path": f.file_path,
                        "line": f.start_line,
                        "side": "RIGHT",
                        "body": render_comment(f),
                    }
                    for f in comments
                ],
            )

        posted_id = self._posted_before(tally, repository, repo, number, marker) if retry else None
        if posted_id is None:
            what = f"POST /repos/{repo}/pulls/{number}/reviews"
            try:
                posted = self._pygithub(tally, what, lambda: review(inline, body))
            except HostError as exc:
                if exc.status != 422 or not inline:
                    raise
                log.warning("GitHub could not place the comments on %s#%d: %s", repo, number, exc)
                inline, not_inline = [], list(findings)
                body = marked(render_summary(findings, not_inline, summary), marker)
                posted = self._pygithub(tally, what, lambda: review([], body))
            posted_id = str(posted.id)
        else:
            log.info("review %s was already posted on %s#%d", review_key, repo, number)
        check_run_id = None
        if self.auth.is_app:
            check = _CheckRun(repo, head_sha, review_key, check_conclusion(findings))
            check_run_id = self._check_run(tally, repository, check, findings, body, retry)
        return Published(
            comments=len(inline),
            summary_only=len(not_inline),
            review_id=posted_id,
            check_run_id=check_run_id,
            calls=tally.calls,
        )

    def _posted_before(
        self, tally: Tally, repository: Repository, repo: str, number: int, marker: str
    ) -> str | None:
        """The id of the review on this pull request whose body carries `marker`, if any."""

        def find() -> str | None:
            reviews = repository.get_pull(number).get_reviews()
            return next((str(r.id) for r in reviews if marker in (r.body or "")), None)

        what = f"GET /repos/{repo}/pulls/{number}/reviews"
        return self._pygithub(tally, what, find)

    def _check_run(
        self,
        tally: Tally,
        repository: Repository,
        check: _CheckRun,
        findings: Sequence[Finding],
        body: str,
        retry: bool,
    ) -> str:
        """The completed check run of this review: created, or on a retry the one an earlier
        attempt created (found by its external_id)."""
        if retry:

            def find() -> str | None:
                runs = repository.get_commit(check.head_sha).get_check_runs(check_name=CHECK_NAME)
                return next((str(r.id) for r in runs if r.external_id == check.review_key), None)

            what = f"GET /repos/{check.repo}/commits/{check.head_sha}/check-runs"
            earlier = self._pygithub(tally, what, find)
            if earlier is not None:
                return earlier
        output: Any = check_run_output(findings, body)
        run = self._pygithub(
            tally,
            f"POST /repos/{check.repo}/check-runs",
            lambda: repository.create_check_run(
                name=CHECK_NAME,
                head_sha=check.head_sha,
                external_id=check.review_key,
                status="completed",
                conclusion=check.conclusion,
                completed_at=datetime.now(UTC),
                output=output,
            ),
        )
        return str(run.id)

    # -- credentials -------------------------------------------------------------------------

    def _session(self, tally: Tally, installation_id: int | None) -> _Session:
        """The client for a personal token, or for an installation (its token renewed when
        it is within TOKEN_MARGIN_S of expiry: one token request per installation per hour)."""
        key = installation_id if self._app is not None else None
        with self._lock:
            session = self._sessions.get(key)
            if session is not None and time.time() < session.expires_at - TOKEN_MARGIN_S:
                return session
            if self._app is None:
                assert self.auth.token is not None
                token, expires_at = self.auth.token.get_secret_value(), float("inf")
            elif installation_id is None:
                raise HostError("GitHub App auth needs the installation id (from the webhook)")
            else:
                token, expires_at = self._installation_token(tally, installation_id)
            if session is not None:
                session.github.close()
            session = _Session(token, self._github(token), expires_at)
            self._sessions[key] = session
            return session

    def _installation_token(self, tally: Tally, installation_id: int) -> tuple[str, float]:
        assert self._app is not None
        response = self._raw(
            tally,
            "POST",
            f"/app/installations/{installation_id}/access_tokens",
            {},
            app_jwt=True,
        )
        try:
            data = response.json()
            token = data["token"]
            expires_at = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise HostError(
                f"GitHub answered the token request of installation {installation_id} "
                "without a token and its expiry",
                response.status_code,
            ) from None
        if not isinstance(token, str) or not token:
            raise HostError(f"GitHub returned an empty token for installation {installation_id}")
        log.info("GitHub installation %d: new access token until %s", installation_id, expires_at)
        return token, expires_at.timestamp()

    def _github(self, token: str) -> Github:
        return Github(
            base_url=self.auth.api_url,
            auth=Auth.Token(token),
            timeout=max(int(self.timeout_s), 1),
            user_agent="codeprism",
            retry=None,  # no urllib3 retries: `send` retries, and counts every attempt
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )

    # -- requests ----------------------------------------------------------------------------

    def _pygithub(self, tally: Tally, what: str, call: Callable[[], T]) -> T:
        def attempt() -> T:
            try:
                return call()
            except GithubException as exc:
                raise Refused(exc.status, exc.headers or {}, _message(exc.data)) from None
            except requests.RequestException as exc:
                raise Unreachable(type(exc).__name__) from None

        return send(tally, what, attempt, _wait, self._backoff)

    def _raw(
        self,
        tally: Tally,
        method: str,
        path: str,
        headers: dict[str, str],
        app_jwt: bool = False,
    ) -> httpx.Response:
        """One httpx request; with `app_jwt`, authenticated as the App by a JWT signed for each
        attempt (one signed before a long back-off could expire)."""

        def sent() -> dict[str, str]:
            result = {"Accept": "application/vnd.github+json", **headers}
            if app_jwt and self._app is not None:
                result["Authorization"] = f"Bearer {self._app.create_jwt()}"
            return result

        url = self.auth.api_url + path
        attempt = http_attempt(self._http, method, url, sent, _body_message)
        return send(tally, f"{method} {path}", attempt, _wait, self._backoff)


def _wait(refused: Refused) -> float | None:
    """Seconds to wait before retrying a refusal, or None when it is not a rate limit."""
    if refused.status not in (403, 429):
        return None
    wait = retry_after_s(refused.headers)
    if wait is not None:
        return wait
    if refused.headers.get("x-ratelimit-remaining") == "0":
        wait = reset_wait_s(refused.headers.get("x-ratelimit-reset"))
        if wait is not None:
            return wait
    if refused.status == 429 or "secondary rate limit" in refused.message.lower():
        return SECONDARY_LIMIT_WAIT_S
    return None  # a permission error: retrying would not help


def _check_repo(repo: str) -> None:
    if not _REPO_NAME.fullmatch(repo):
        raise HostError(f"not a GitHub repository name (owner/name): {repo!r}")


def _message(data: Any) -> str:
    """GitHub's error message, with its `errors` details (422s say what was wrong there)."""
    if not isinstance(data, dict):
        return str(data)[:300] if data else "no message"
    message = str(data.get("message") or "no message")
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        details = [e if isinstance(e, str) else e.get("message") or str(e) for e in errors]
        message += ": " + "; ".join(str(d) for d in details)
    return message[:500]


def _body_message(response: httpx.Response) -> str:
    try:
        return _message(response.json())
    except ValueError:
        return response.text[:300] or response.reason_phrase
