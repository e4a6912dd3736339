"""What every Git-host client shares: its models, its errors and its counted, backed-off calls.

Each client sends its REST requests one at a time through `send`, which counts every attempt
(`on_event("call")`) and every rate-limit wait (`on_event("backoff")`), so the numbers a
caller feeds to its metrics are the requests the host really received. No HTTP library
retries on its own underneath: a retry that the counter did not see would be a call unaccounted.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Self, TypeVar

import httpx

from codeprism.errors import CodeprismError
from codeprism.findings import Finding

EventHook = Callable[[str], None]
CALL = "call"
BACKOFF = "backoff"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PullRequestInfo:
    """A pull request (GitHub) or merge request (GitLab) as a review needs it.

    `repo` is "owner/name" on GitHub, the project path ("group/project") on GitLab and
    "workspace/repo_slug" on Bitbucket Cloud.
    `start_sha` is GitLab's `diff_refs.start_sha` (the target branch head the diff was made
    against), which a GitLab line position needs besides base and head; None on GitHub.
    """

    repo: str
    number: int
    head_sha: str
    base_sha: str
    draft: bool
    title: str
    state: str
    start_sha: str | None = None


@dataclass(frozen=True, slots=True)
class Published:
    """What one `publish` put on the host."""

    comments: int  # inline comments (GitHub) or line discussions (GitLab) posted
    summary_only: int  # findings listed in the summary because their line is not a changed line
    review_id: str | None
    check_run_id: str | None
    calls: int  # REST requests this publish sent, an installation-token request included


class HostError(CodeprismError):
    """A host refused or failed a request. `status` is the HTTP status (None: no answer).
    The message names the request and the host's reason, never a credential."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(HostError):
    """The host asked for a wait longer than allowed, or kept refusing after the retries."""

    def __init__(self, message: str, status: int | None, wait_s: float | None) -> None:
        super().__init__(message, status)
        self.wait_s = wait_s


class Refused(Exception):
    """One attempt got an error status; `send` decides whether to wait and retry."""

    def __init__(self, status: int, headers: Mapping[str, str], message: str) -> None:
        super().__init__(message)
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.message = message


class Unreachable(Exception):
    """One attempt got no HTTP answer (connection refused, timeout)."""


class CallCounter:
    """Per-client totals of REST calls and back-offs, reported to `on_event` as they happen."""

    def __init__(self, on_event: EventHook | None) -> None:
        self._on_event = on_event
        self._lock = threading.Lock()
        self.calls = 0
        self.backoffs = 0

    def record(self, event: str) -> None:
        with self._lock:
            if event == CALL:
                self.calls += 1
            else:
                self.backoffs += 1
        if self._on_event is not None:
            self._on_event(event)


class Tally:
    """The calls of one public operation (a publish), next to the client-wide totals."""

    def __init__(self, counter: CallCounter) -> None:
        self.counter = counter
        self.calls = 0

    def call(self) -> None:
        self.calls += 1
        self.counter.record(CALL)

    def backoff(self) -> None:
        self.counter.record(BACKOFF)


WaitPolicy = Callable[[Refused], float | None]


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long rate-limit waits may be, and how many retries a request gets."""

    max_retries: int
    max_backoff_s: float
    host: str  # "GitHub" or "GitLab", for messages
    secrets: Iterable[str] = ()  # never shown in an error message; may grow (new tokens)
    sleep: Callable[[float], None] = time.sleep


class RestHost:
    """What every REST host client shares: its calls counted (and reported to `on_event`),
    back-off on rate limits with its secrets scrubbed from errors, one HTTP client.
    Use it as a context manager, or call `close()`."""

    def __init__(
        self,
        host: str,
        secrets: tuple[str, ...],
        *,
        max_retries: int,
        max_backoff_s: float,
        on_event: EventHook | None,
        timeout_s: float,
    ) -> None:
        self._host = host
        self._counter = CallCounter(on_event)
        self._backoff = Backoff(max_retries, max_backoff_s, host, secrets)
        self._http = httpx.Client(timeout=timeout_s, headers={"User-Agent": "codeprism"})

    def _request(self, tally: Tally, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One counted request to the host's API (each client knows its URLs and auth)."""
        raise NotImplementedError

    def _json(self, tally: Tally, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A request whose answer must be a JSON object."""
        response = self._request(tally, method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise HostError(
                f"{self._host} {path}: the answer is not JSON", response.status_code
            ) from None
        if not isinstance(data, dict):
            raise HostError(f"{self._host} {method} {path}: expected a JSON object")
        return data

    @property
    def calls(self) -> int:
        return self._counter.calls

    @property
    def backoffs(self) -> int:
        return self._counter.backoffs

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()


def send(tally: Tally, what: str, attempt: Callable[[], T], policy: WaitPolicy, b: Backoff) -> T:
    """Run `attempt` (one HTTP request) until it succeeds, waiting where `policy` says the
    refusal is a rate limit. `what` names the request ("GET /repos/o/r/pulls/1") in errors."""
    retries = 0
    while True:
        tally.call()
        try:
            return attempt()
        except Unreachable as exc:
            raise HostError(scrub(f"{b.host} {what}: no answer: {exc}", b.secrets)) from None
        except Refused as refused:
            wait = policy(refused)
            reason = scrub(f"HTTP {refused.status}: {refused.message}", b.secrets)
            if wait is None:
                raise HostError(f"{b.host} {what} failed: {reason}", refused.status) from None
            if wait > b.max_backoff_s:
                raise RateLimited(
                    f"{b.host} {what} is rate limited ({reason}); the requested wait of "
                    f"{wait:.0f} s exceeds max_backoff_s={b.max_backoff_s:g}",
                    refused.status,
                    wait,
                ) from None
            if retries >= b.max_retries:
                raise RateLimited(
                    f"{b.host} {what} is still rate limited after {retries} retries ({reason})",
                    refused.status,
                    wait,
                ) from None
            retries += 1
            tally.backoff()
            b.sleep(wait)


def http_attempt(
    client: httpx.Client,
    method: str,
    url: str,
    headers: Callable[[], dict[str, str]],
    message_of: Callable[[httpx.Response], str],
    **kwargs: Any,
) -> Callable[[], httpx.Response]:
    """One httpx request as a `send` attempt: a status other than 2xx raises `Refused` (a
    redirect too: following it would be a request the counter does not see), no answer raises
    `Unreachable`. `headers` is called per attempt (a credential may be re-signed)."""

    def attempt() -> httpx.Response:
        try:
            response = client.request(method, url, headers=headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise Unreachable(type(exc).__name__) from None
        if not response.is_success:
            raise Refused(response.status_code, response.headers, message_of(response))
        return response

    return attempt


def place_findings(
    findings: Sequence[Finding], changed_lines: Mapping[str, Collection[int]]
) -> tuple[list[Finding], list[Finding]]:
    """The findings whose start line is a changed line of their file (they go inline), and
    the others (they go in the summary)."""
    inline: list[Finding] = []
    not_inline: list[Finding] = []
    for finding in findings:
        placed = finding.start_line in changed_lines.get(finding.file_path, ())
        (inline if placed else not_inline).append(finding)
    return inline, not_inline


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds of a `Retry-After` header (delta-seconds or an HTTP date); None if absent/bad."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(when - (time.time() if now is None else now), 0.0)


def reset_wait_s(reset: str | None, now: float | None = None) -> float | None:
    """Seconds until a rate-limit reset given as epoch seconds, plus one: the reset is a whole
    second and it is unknown when within it the window opens."""
    if reset is None or not reset.strip().isdigit():
        return None
    return max(int(reset) - (time.time() if now is None else now), 0.0) + 1.0


def http_url(value: str, field: str | None, example: str) -> str:
    """A host's REST or git base URL, without the trailing slash; ValueError otherwise."""
    if not re.match(r"https?://[^/\s]+", value):
        raise ValueError(f"{field} must be an http(s) URL such as {example}")
    return value.rstrip("/")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced: hosts rarely echo credentials, but a URL or a
    proxy's error page might, and an error message ends up in logs."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def post_marked_notes(
    findings: Sequence[Finding],
    changed_lines: Mapping[str, Collection[int]],
    summary: Mapping[str, Any],
    review_key: str,
    earlier: Mapping[str, str] | None,
    post_inline: Callable[[Finding, str], bool],
    post_summary: Callable[[str], str | None],
) -> tuple[int, list[Finding], str | None]:
    """A review as separate notes (GitLab discussions, Bitbucket comments): one per finding on
    a changed line, then the summary, every body ending with the marker of `review_key`.

    `earlier` (body -> id of the notes carrying this marker, read when a crashed attempt may
    have posted some) skips what is already there. `post_inline(finding, body)` is False when
    the host rejected the position: that finding is listed in the summary instead.
    Returns (inline notes in place, findings listed in the summary only, the summary's id)."""
    from codeprism.hosts.comments import (  # comments.py renders; base.py holds no markdown
        SUMMARY_TITLE,
        marked,
        render_comment,
        render_summary,
        review_marker,
    )

    earlier = earlier or {}
    marker = review_marker(review_key)
    inline, not_inline = place_findings(findings, changed_lines)
    posted = 0
    for finding in inline:
        text = marked(render_comment(finding), marker)
        if text in earlier or post_inline(finding, text):
            posted += 1
        else:
            not_inline.append(finding)
    text = marked(render_summary(findings, not_inline, summary), marker)
    summaries = [i for body, i in earlier.items() if body.startswith(SUMMARY_TITLE)]
    summary_id = summaries[0] if summaries else post_summary(text)
    return posted, not_inline, summary_id
