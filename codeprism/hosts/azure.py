"""Azure DevOps (Azure Repos, REST api-version 7.1): read a pull request, post its review.

`repo` is "project/repository" (names, as the service hook's `repository.project.name`
and `repository.name` give them); the organization (or collection) is the configured
`api_url`, e.g. https://dev.azure.com/myorg, never a URL taken from a webhook, so the
token only ever goes to the configured host. A personal access token is sent as HTTP
Basic with an empty user name, to the REST API and to git alike.

The diff: Azure has no unified-diff endpoint. The pull request's last iteration
(`GET .../pullRequests/{id}/iterations`) names its `sourceRefCommit` (the head) and its
`commonRefCommit` (the merge base with the target branch, which is what Azure's own
"files" view compares against). Both commits are fetched over git (shallow and blobless,
`codeprism.sources.git.fetch_commit`) into one scratch bare repository, and
`git diff common head` of the files that differ there gives the diff, with new-side line
numbers that match the head, where inline threads are anchored.

Like GitLab and Bitbucket there is no batch review: each inline finding is one thread with
`threadContext: {filePath: "/path", rightFileStart/rightFileEnd: {line, offset}}`, and the
summary is one thread posted last. Every first comment ends with the review's marker, so a
retried publish reads the pull request's threads and skips what is there.

A 429 (or a 503 with `Retry-After`) waits as asked, bounded by `max_backoff_s`; any other
error status raises `HostError`.
"""

from __future__ import annotations

import base64
import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationInfo, field_validator

from codeprism.errors import ProblemKind, SourceError
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
    scrub,
    send,
)
from codeprism.hosts.comments import review_marker
from codeprism.sources.git import HeadCommit, fetch_commit
from codeprism.sources.gitcmd import run_git

API_VERSION = "7.1"
RATE_LIMIT_WAIT_S = 60.0
GIT_TIMEOUT_S = 300.0
# project/repository: Azure allows spaces and most punctuation in both; what reaches a URL
# path is percent-encoded, and neither part may be "." or ".." or hold a slash or control
_NAME_PART = r"[^/\\\x00-\x1f\x7f?#%]*[^/\\\x00-\x1f\x7f?#%. ][^/\\\x00-\x1f\x7f?#%]*"
_FULL_NAME = re.compile(f"(?:{_NAME_PART})/(?:{_NAME_PART})")
_FULL_HASH = re.compile(r"[0-9a-f]{40}")


class AzureAuth(BaseModel):
    """A personal access token (Basic, empty user) for one organization or collection."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_url: str  # the organization: https://dev.azure.com/{org} (or a server's collection)
    token: SecretStr

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        return http_url(value, info.field_name, "https://dev.azure.com/myorg")

    def clone_url(self, full_name: str) -> str:
        project, repo = _checked_name(full_name).split("/")
        return f"{self.api_url}/{quote(project, safe='')}/_git/{quote(repo, safe='')}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Basic {_basic(self.token)}"}


def is_azure_repo(name: object) -> bool:
    return isinstance(name, str) and len(name) <= 1024 and _FULL_NAME.fullmatch(name) is not None


class AzureHost(RestHost):
    def __init__(
        self,
        auth: AzureAuth,
        *,
        max_retries: int = 3,
        max_backoff_s: float = 60.0,
        on_event: EventHook | None = None,
        timeout_s: float = 30.0,
        git_timeout_s: float = GIT_TIMEOUT_S,
    ) -> None:
        self.auth = auth
        self._secrets = (auth.token.get_secret_value(), _basic(auth.token))
        super().__init__(
            "Azure DevOps",
            self._secrets,
            max_retries=max_retries,
            max_backoff_s=max_backoff_s,
            on_event=on_event,
            timeout_s=timeout_s,
        )
        self._git_timeout_s = git_timeout_s

    def pull_request(self, full_name: str, number: int) -> PullRequestInfo:
        """The pull request; head and base from its last iteration (source and merge base)."""
        tally = Tally(self._counter)
        path = _pr_path(full_name, number)
        data = self._json(tally, "GET", path)
        head, base = self._last_iteration(tally, path)
        return PullRequestInfo(
            repo=full_name,
            number=number,
            head_sha=head,
            base_sha=base,
            draft=data.get("isDraft") is True,
            title=str(data.get("title") or ""),
            state=str(data.get("status") or ""),
        )

    def head_commit(self, full_name: str, sha: str) -> HeadCommit:
        """How to fetch `sha` over git: the PAT as the password of an empty user name."""
        url = self.auth.clone_url(full_name)
        return HeadCommit(url=url, sha=sha, token=self.auth.token, user="")

    def pull_diff(self, full_name: str, number: int) -> bytes:
        """The pull request's diff (merge base to head of the last iteration), made with git.
        A git fetch that found no answer or timed out is a `HostError` without a status (worth
        another attempt); a missing commit or repository is one with 404."""
        tally = Tally(self._counter)
        head, base = self._last_iteration(tally, _pr_path(full_name, number))
        try:
            return self._git_diff(full_name, base, head)
        except SourceError as exc:
            gone = exc.kind in (ProblemKind.NOT_FOUND, ProblemKind.EMPTY_REPOSITORY)
            retry = exc.kind in (ProblemKind.UNREACHABLE, ProblemKind.TIMEOUT)
            status = 404 if gone else None if retry else 500
            message = scrub(f"Azure DevOps git fetch for the diff failed: {exc}", self._secrets)
            raise HostError(message, status) from None

    def _git_diff(self, full_name: str, base: str, head: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="codeprism-azure-") as scratch:
            git_dir = Path(scratch) / "repo.git"
            fetch_commit(self.head_commit(full_name, base), [], git_dir, self._git_timeout_s)
            fetch_commit(self.head_commit(full_name, head), [], git_dir, self._git_timeout_s)
            names = self._git(git_dir, ["diff", "--name-only", "--no-renames", "-z", base, head])
            paths = sorted({p for p in names.decode("utf-8", "surrogateescape").split("\0") if p})
            if not paths:
                return b""
            # the blobs of the changed files, on both sides (each fetch keeps the repository)
            fetch_commit(self.head_commit(full_name, base), paths, git_dir, self._git_timeout_s)
            fetch_commit(self.head_commit(full_name, head), paths, git_dir, self._git_timeout_s)
            args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", base, head]
            return self._git(git_dir, [*args, "--", *(f":(literal){p}" for p in paths)])

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
        """One thread per finding on a changed line, then one summary thread; with `retry`,
        the threads an earlier attempt posted (found by marker) are not repeated."""
        tally = Tally(self._counter)
        path = f"{_pr_path(full_name, number)}/threads"
        earlier = self._threads_marked(tally, path, review_marker(review_key)) if retry else None

        def post_inline(finding: Finding, text: str) -> bool:
            line = {"line": finding.start_line, "offset": 1}
            context = {
                "filePath": "/" + finding.file_path.lstrip("/"),
                "rightFileStart": line,
                "rightFileEnd": line,
            }
            body = {"comments": [_comment(text)], "status": "active", "threadContext": context}
            try:
                self._request(tally, "POST", path, json=body)
            except HostError as exc:
                if exc.status != 400:
                    raise
                return False
            return True

        def post_summary(text: str) -> str | None:
            thread = self._json(
                tally, "POST", path, json={"comments": [_comment(text)], "status": "active"}
            )
            return str(thread["id"]) if thread.get("id") is not None else None

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

    def _last_iteration(self, tally: Tally, pr_path: str) -> tuple[str, str]:
        """(head, merge base) of the pull request's newest iteration."""
        page = self._json(tally, "GET", f"{pr_path}/iterations")
        iterations = [i for i in page.get("value") or () if isinstance(i, Mapping)]
        if not iterations:
            raise HostError(f"Azure DevOps pull request {pr_path} has no iterations")
        last = max(iterations, key=lambda i: i["id"] if isinstance(i.get("id"), int) else 0)
        return _commit_id(last, "sourceRefCommit"), _commit_id(last, "commonRefCommit")

    def _threads_marked(self, tally: Tally, path: str, marker: str) -> dict[str, str]:
        """First-comment body -> thread id of the pull request's threads ending with `marker`
        (the threads list is not paginated)."""
        found: dict[str, str] = {}
        for thread in self._json(tally, "GET", path).get("value") or ():
            if not isinstance(thread, Mapping) or thread.get("isDeleted"):
                continue
            comments = thread.get("comments") or ()
            first = comments[0] if isinstance(comments, list) and comments else None
            text = first.get("content") if isinstance(first, Mapping) else None
            if isinstance(text, str) and text.endswith(marker):
                found[text] = str(thread.get("id"))
        return found

    def _git(self, git_dir: Path, args: list[str]) -> bytes:
        result = run_git(args, cwd=git_dir, timeout_s=self._git_timeout_s)
        if result.returncode != 0:
            raise HostError(f"git {args[0]} of the Azure DevOps pull request failed")
        return result.raw_stdout

    def _request(self, tally: Tally, method: str, path: str, **kwargs: Any) -> httpx.Response:
        sep = "&" if "?" in path else "?"
        url = f"{self.auth.api_url}{path}{sep}api-version={API_VERSION}"
        attempt = http_attempt(self._http, method, url, self.auth.headers, _message, **kwargs)
        return send(tally, f"{method} {path}", attempt, _wait, self._backoff)


def _basic(token: SecretStr) -> str:
    return base64.b64encode(f":{token.get_secret_value()}".encode()).decode()


def _comment(text: str) -> dict[str, Any]:
    return {"parentCommentId": 0, "content": text, "commentType": "text"}


def _checked_name(full_name: str) -> str:
    if not is_azure_repo(full_name):
        raise HostError(f"not an Azure DevOps project/repository name: {full_name!r}")
    return full_name


def _pr_path(full_name: str, number: int) -> str:
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise HostError(f"not an Azure DevOps pull request id: {number!r}")
    project, repo = _checked_name(full_name).split("/")
    return (
        f"/{quote(project, safe='')}/_apis/git/repositories/{quote(repo, safe='')}"
        f"/pullRequests/{number}"
    )


def _commit_id(iteration: Mapping[str, Any], key: str) -> str:
    ref = iteration.get(key)
    value = ref.get("commitId") if isinstance(ref, Mapping) else None
    if not isinstance(value, str) or not _FULL_HASH.fullmatch(value.lower()):
        raise HostError(f"the Azure DevOps pull request iteration has no {key}")
    return value.lower()


def _wait(refused: Refused) -> float | None:
    wait = retry_after_s(refused.headers)
    if refused.status == 429:
        return RATE_LIMIT_WAIT_S if wait is None else wait
    if refused.status == 503 and wait is not None:
        return wait
    return None


def _message(response: httpx.Response) -> str:
    """Azure DevOps' `message` (its error objects carry `$id`, `message`, `typeKey`)."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:500]
    return str(data)[:300]
