"""Bitbucket Cloud (REST 2.0): read a pull request, post its review.

Like GitLab, Bitbucket has no batch review: each inline finding is one pull request comment
with `inline: {path, to}` (a line of the new side), and the summary is one comment posted
last, listing the findings that could not be placed (any whose position Bitbucket rejected
among them). Every body ends with the review's marker, so a retried publish reads the
pull request's comments (paginated: `values` and a `next` URL) and skips what is there.

Webhooks and the pull request resource both name commits by 12-character hashes; a review
needs the full one (git fetches it, the static analysis names it), so a short hash is
resolved with `GET /repositories/{workspace}/{repo}/commit/{hash}`. The diff endpoint
answers with a redirect to the repository's `/diff/{spec}`: it is followed here, once and
on the API's own origin only, as a second counted request.

A 429 waits for `Retry-After` (else a minute), bounded by `max_backoff_s`, and is retried;
any other error status raises `HostError`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationInfo, field_validator

from codeprism.findings import Finding
from codeprism.hosts.base import (
    EventHook,
    HostError,
    Published,
    PullRequestInfo,
    Refused,
    RestHost,
    Tally,
    http_attempt,
    http_url,
    post_marked_notes,
    retry_after_s,
    send,
)
from codeprism.hosts.comments import review_marker
from codeprism.sources.git import HeadCommit

PAGE_LEN = 100  # the most comments Bitbucket lists per page
MAX_PAGES = 100  # stops a server whose `next` loops
RATE_LIMIT_WAIT_S = 60.0
# workspace/repo_slug; neither starts with a dot, so "." and ".." never reach a URL path
_FULL_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_HASH = re.compile(r"[0-9a-f]{7,64}")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_FULL_HASH = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class BitbucketAuth(BaseModel):
    """An access token (repository, project or workspace: sent as a Bearer token, and to git
    as the password of user `x-token-auth`), or with `username` an app password (Basic)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_url: str = "https://api.bitbucket.org/2.0"
    git_url: str | None = None  # clone URLs' base; None: https://bitbucket.org
    token: SecretStr
    username: str | None = None  # set: `token` is that user's app password

    @field_validator("api_url", "git_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return http_url(value, info.field_name, "https://api.bitbucket.org/2.0")

    def clone_url(self, full_name: str) -> str:
        return f"{self.git_url or 'https://bitbucket.org'}/{full_name}.git"

    def headers(self) -> dict[str, str]:
        secret = self.token.get_secret_value()
        if self.username is None:
            return {"Authorization": f"Bearer {secret}"}
        pair = base64.b64encode(f"{self.username}:{secret}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}


class BitbucketHost(RestHost):
    def __init__(
        self,
        auth: BitbucketAuth,
        *,
        max_retries: int = 3,
        max_backoff_s: float = 60.0,
        on_event: EventHook | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.auth = auth
        secret = auth.token.get_secret_value()
        pair = base64.b64encode(f"{auth.username}:{secret}".encode()).decode()
        super().__init__(
            "Bitbucket",
            (secret, pair),
            max_retries=max_retries,
            max_backoff_s=max_backoff_s,
            on_event=on_event,
            timeout_s=timeout_s,
        )

    def pull_request(self, full_name: str, number: int) -> PullRequestInfo:
        """The pull request with full head and destination hashes."""
        tally = Tally(self._counter)
        path = _pr_path(full_name, number)
        data = self._json(tally, "GET", path)
        head = self._full_hash(tally, full_name, _commit_hash(data, "source"))
        base = self._full_hash(tally, full_name, _commit_hash(data, "destination"))
        return PullRequestInfo(
            repo=full_name,
            number=number,
            head_sha=head,
            base_sha=base,
            draft=data.get("draft") is True,
            title=str(data.get("title") or ""),
            state=str(data.get("state") or ""),
        )

    def head_commit(self, full_name: str, sha: str) -> HeadCommit:
        """How to fetch files of `sha` over git (an access token goes as user x-token-auth)."""
        user = self.auth.username or "x-token-auth"
        url = self.auth.clone_url(_checked_name(full_name))
        return HeadCommit(url=url, sha=sha, token=self.auth.token, user=user)

    def pull_diff(self, full_name: str, number: int) -> bytes:
        """The pull request's diff, as `git diff` writes it."""
        tally = Tally(self._counter)
        path = f"{_pr_path(full_name, number)}/diff"
        try:
            return self._request(tally, "GET", path).content
        except _Redirected as moved:
            return self._request(tally, "GET", moved.path).content

    def publish(
        self,
        full_name: str,
        number: int,
        findings: Sequence[Finding],
        changed_lines: Mapping[str, Collection[int]],
        summary: Mapping[str, Any],
        review_key: str,
        retry: bool = False,
    ) -> Published:
        """One inline comment per finding on a changed line, then one summary comment; with
        `retry`, the comments an earlier attempt posted (found by marker) are not repeated."""
        tally = Tally(self._counter)
        path = f"{_pr_path(full_name, number)}/comments"
        earlier = self._comments_marked(tally, path, review_marker(review_key)) if retry else None

        def post_inline(finding: Finding, text: str) -> bool:
            inline = {"path": finding.file_path, "to": finding.start_line}
            try:
                self._request(
                    tally, "POST", path, json={"content": {"raw": text}, "inline": inline}
                )
            except HostError as exc:
                if exc.status != 400:
                    raise
                return False
            return True

        def post_summary(text: str) -> str | None:
            comment = self._json(tally, "POST", path, json={"content": {"raw": text}})
            return str(comment["id"]) if comment.get("id") is not None else None

        posted, not_inline, summary_id = post_marked_notes(
            findings, changed_lines, summary, review_key, earlier, post_inline, post_summary
        )
        return Published(
            comments=posted,
            summary_only=len(not_inline),
            review_id=summary_id,
            check_run_id=None,
            calls=tally.calls,
        )

    def _full_hash(self, tally: Tally, full_name: str, short: str) -> str:
        if _FULL_HASH.fullmatch(short):
            return short
        data = self._json(tally, "GET", f"/repositories/{full_name}/commit/{short}")
        full = data.get("hash")
        if not isinstance(full, str) or not _FULL_HASH.fullmatch(full):
            raise HostError(f"Bitbucket commit {short} of {full_name} has no full hash")
        return full

    def _comments_marked(self, tally: Tally, path: str, marker: str) -> dict[str, str]:
        """Body -> id of the pull request's comments that end with `marker`."""
        found: dict[str, str] = {}
        url: str | None = f"{path}?pagelen={PAGE_LEN}"
        for _ in range(MAX_PAGES):
            if url is None:
                break
            page = self._json(tally, "GET", url)
            for comment in page.get("values") or ():
                raw = ((comment.get("content") or {}).get("raw")) or ""
                if isinstance(raw, str) and raw.endswith(marker) and not comment.get("deleted"):
                    found[raw] = str(comment.get("id"))
            url = self._own_path(page.get("next"))
        else:
            if url is not None:
                raise HostError(f"Bitbucket GET {path}: more than {MAX_PAGES} pages")
        return found

    def _own_path(self, url: object) -> str | None:
        """A URL Bitbucket handed back (`next`, a redirect) as a path under api_url; None
        when there is none. A URL elsewhere is refused: the token goes with the request."""
        if not isinstance(url, str) or not url:
            return None
        if url.startswith("/"):
            url = str(httpx.URL(self.auth.api_url).join(url))
        if not url.startswith(self.auth.api_url + "/"):
            raise HostError(f"Bitbucket pointed outside its API: {url[:200]}")
        return url.removeprefix(self.auth.api_url)

    def _request(self, tally: Tally, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One counted request; a redirect raises `_Redirected` with the path it points at."""
        inner = http_attempt(
            self._http, method, self.auth.api_url + path, self.auth.headers, _message, **kwargs
        )

        def attempt() -> httpx.Response:
            try:
                return inner()
            except Refused as refused:
                location = refused.headers.get("location")
                if refused.status in _REDIRECTS and method == "GET" and location:
                    raise _Redirected(location) from None
                raise

        what = f"{method} {path.split('?')[0]}"
        try:
            return send(tally, what, attempt, _wait, self._backoff)
        except _Redirected as moved:
            target = self._own_path(moved.path)
            assert target is not None
            raise _Redirected(target) from None


class _Redirected(Exception):
    """A GET answered with a redirect; `path` is where to (a URL, then a path under api_url)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _checked_name(full_name: str) -> str:
    if not isinstance(full_name, str) or not _FULL_NAME.fullmatch(full_name):
        raise HostError(f"not a Bitbucket workspace/repository name: {full_name!r}")
    return full_name


def _pr_path(full_name: str, number: int) -> str:
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise HostError(f"not a Bitbucket pull request id: {number!r}")
    return f"/repositories/{_checked_name(full_name)}/pullrequests/{number}"


def _commit_hash(data: Mapping[str, Any], side: str) -> str:
    end = data.get(side)
    commit = end.get("commit") if isinstance(end, Mapping) else None
    value = commit.get("hash") if isinstance(commit, Mapping) else None
    if not isinstance(value, str) or not _HASH.fullmatch(value.lower()):
        raise HostError(f"the Bitbucket pull request has no {side} commit")
    return value.lower()


def _wait(refused: Refused) -> float | None:
    if refused.status != 429:
        return None
    wait = retry_after_s(refused.headers)
    return RATE_LIMIT_WAIT_S if wait is None else wait


def _message(response: httpx.Response) -> str:
    """Bitbucket's `error.message` (and `error.detail`); a redirect's Location."""
    if response.is_redirect:
        return f"redirect to {response.headers.get('location', '')}"
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        detail = error.get("detail")
        message = str(error.get("message") or error)
        return (f"{message}: {detail}" if isinstance(detail, str) else message)[:500]
    return str(data)[:300]
