"""Bitbucket Data Center / Server (REST 1.0): read a pull request, post its review.

The repository is named "PROJECT_KEY/repo_slug" (a personal project's key is "~user");
every path is under `{api_url}/rest/api/1.0/projects/{key}/repos/{slug}/pull-requests/{id}`.
The pull request resource names both ends by full hashes (`fromRef.latestCommit`,
`toRef.latestCommit`); the diff is the raw text of `GET .../pull-requests/{id}.diff`.

Like Bitbucket Cloud (see `bitbucket`), there is no batch review: each inline finding is one
comment with `anchor: {path, line, lineType: ADDED, fileType: TO, diffType: EFFECTIVE}`, then
one summary comment; every body ends with the review's marker, so a retried publish reads the
pull request's comments (the COMMENTED `activities`, paged by `start`, `isLastPage` and
`nextPageStart`) and skips what is there (`post_marked_notes`, shared with GitLab and Cloud).

Authentication is an HTTP access token, sent as a Bearer token to the REST API and to git.
Atlassian's "HTTP access tokens" page: project and repository tokens take only Bearer, for git
too; a personal token also works in place of its owner's password, so a server that refuses
Bearer for git can be given `git_user` (that user's name) and gets HTTP Basic. A 429 waits for
`Retry-After` (else a minute), as Cloud's does; any other error status raises `HostError`.
"""

from __future__ import annotations

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
    RestHost,
    Tally,
    http_attempt,
    http_url,
    post_marked_notes,
    send,
)
from codeprism.hosts.bitbucket import _wait
from codeprism.hosts.comments import review_marker
from codeprism.sources.git import HeadCommit

REST_PREFIX = "/rest/api/1.0"
PAGE_LIMIT = 100  # activities asked for per page
MAX_PAGES = 100  # stops a server whose `nextPageStart` loops
# PROJECT_KEY/repo_slug (a personal project: ~user); no part starts with a dot
REPO_NAME = re.compile(r"~?[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_FULL_HASH = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_UNANCHORED = frozenset({400, 409})  # the anchor is not a line of the diff


class BitbucketDCAuth(BaseModel):
    """An HTTP access token of a Bitbucket Data Center server at `api_url` (its base URL,
    e.g. https://bitbucket.example.com; the REST API is under /rest/api/1.0)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_url: str
    git_url: str | None = None  # clone URLs' base; None: {api_url}/scm
    token: SecretStr
    git_user: str | None = None  # None: Bearer for git; else Basic as this user (see above)

    @field_validator("api_url", "git_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return http_url(value, info.field_name, "https://bitbucket.example.com")

    def clone_url(self, full_name: str) -> str:
        return f"{self.git_url or self.api_url + '/scm'}/{full_name}.git"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.get_secret_value()}"}


class BitbucketDCHost(RestHost):
    def __init__(
        self,
        auth: BitbucketDCAuth,
        *,
        max_retries: int = 3,
        max_backoff_s: float = 60.0,
        on_event: EventHook | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.auth = auth
        super().__init__(
            "Bitbucket Data Center",
            (auth.token.get_secret_value(),),
            max_retries=max_retries,
            max_backoff_s=max_backoff_s,
            on_event=on_event,
            timeout_s=timeout_s,
        )

    def pull_request(self, full_name: str, number: int) -> PullRequestInfo:
        """The pull request; its base is the target branch's head (`toRef.latestCommit`)."""
        tally = Tally(self._counter)
        data = self._json(tally, "GET", _pr_path(full_name, number))
        return PullRequestInfo(
            repo=full_name,
            number=number,
            head_sha=_latest_commit(data, "fromRef"),
            base_sha=_latest_commit(data, "toRef"),
            draft=data.get("draft") is True,
            title=str(data.get("title") or ""),
            state=str(data.get("state") or ""),
        )

    def head_commit(self, full_name: str, sha: str) -> HeadCommit:
        """How to fetch files of `sha` over git: {git_url}/{key}/{slug}.git with the token."""
        url = self.auth.clone_url(_checked_name(full_name))
        return HeadCommit(url=url, sha=sha, token=self.auth.token, user=self.auth.git_user)

    def pull_diff(self, full_name: str, number: int) -> bytes:
        """The pull request's diff as `git diff` writes it (the raw `.diff` stream)."""
        tally = Tally(self._counter)
        path = f"{_pr_path(full_name, number)}.diff"
        return self._request(tally, "GET", path, headers={"Accept": "text/plain"}).content

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
        """One anchored comment per finding on a changed line, then one summary comment; with
        `retry`, the comments an earlier attempt posted (found by marker) are not repeated."""
        tally = Tally(self._counter)
        pr = _pr_path(full_name, number)
        earlier = self._comments_marked(tally, pr, review_marker(review_key)) if retry else None

        def post_inline(finding: Finding, text: str) -> bool:
            anchor = {
                "path": finding.file_path,
                "line": finding.start_line,
                "lineType": "ADDED",
                "fileType": "TO",
                "diffType": "EFFECTIVE",
            }
            try:
                self._request(
                    tally, "POST", f"{pr}/comments", json={"text": text, "anchor": anchor}
                )
            except HostError as exc:
                if exc.status not in _UNANCHORED:
                    raise
                return False
            return True

        def post_summary(text: str) -> str | None:
            comment = self._json(tally, "POST", f"{pr}/comments", json={"text": text})
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

    def _comments_marked(self, tally: Tally, pr: str, marker: str) -> dict[str, str]:
        """Text -> id of the pull request's comments (COMMENTED activities) ending in `marker`."""
        found: dict[str, str] = {}
        start: int | None = 0
        for _ in range(MAX_PAGES):
            if start is None:
                break
            page = self._json(tally, "GET", f"{pr}/activities?start={start}&limit={PAGE_LIMIT}")
            for activity in page.get("values") or ():
                if not isinstance(activity, Mapping) or activity.get("action") != "COMMENTED":
                    continue
                comment = activity.get("comment")
                text = comment.get("text") if isinstance(comment, Mapping) else None
                if isinstance(text, str) and text.endswith(marker):
                    found[text] = str(comment.get("id"))  # type: ignore[union-attr]
            following = page.get("nextPageStart")
            last = page.get("isLastPage") is not False
            start = None if last or not isinstance(following, int) else following
        else:
            if start is not None:
                raise HostError(f"Bitbucket Data Center GET {pr}/activities: too many pages")
        return found

    def _request(
        self,
        tally: Tally,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        extra = dict(headers or {})

        def all_headers() -> dict[str, str]:
            return {**self.auth.headers(), **extra}

        url = self.auth.api_url + REST_PREFIX + path
        attempt = http_attempt(self._http, method, url, all_headers, _message, **kwargs)
        return send(tally, f"{method} {path.split('?')[0]}", attempt, _wait, self._backoff)


def _checked_name(full_name: str) -> str:
    if not isinstance(full_name, str) or not REPO_NAME.fullmatch(full_name):
        raise HostError(f"not a Bitbucket Data Center PROJECT/repository name: {full_name!r}")
    return full_name


def _pr_path(full_name: str, number: int) -> str:
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise HostError(f"not a Bitbucket Data Center pull request id: {number!r}")
    key, slug = _checked_name(full_name).split("/")
    return f"/projects/{key}/repos/{slug}/pull-requests/{number}"


def _latest_commit(data: Mapping[str, Any], side: str) -> str:
    ref = data.get(side)
    value = ref.get("latestCommit") if isinstance(ref, Mapping) else None
    if not isinstance(value, str) or not _FULL_HASH.fullmatch(value.lower()):
        raise HostError(f"the Bitbucket Data Center pull request has no {side}.latestCommit")
    return value.lower()


def _message(response: httpx.Response) -> str:
    """The `errors[].message` of Bitbucket Data Center's error body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors:
        messages = [str(e.get("message")) for e in errors if isinstance(e, dict)]
        return "; ".join(messages)[:500] or str(errors)[:300]
    return str(data)[:300]
