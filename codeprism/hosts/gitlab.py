"""GitLab (REST v4, gitlab.com or self-managed): read a merge request, post its review.

GitLab has no batch review: each inline finding is one discussion with a text position on the
new side of the diff, and the summary is one note posted last (it lists the findings that
could not be placed, including any whose position GitLab rejected). The diff comes from the
paginated `/diffs` listing, whose entries hold only hunks; `unified_diff` puts the git headers
back so `codeprism.review.diff.parse_diff` reads it like `git diff` output.

A 429 waits for `Retry-After` (else `RateLimit-Reset`, else a minute), bounded by
`max_backoff_s`, and is retried; any other error status raises `HostError`.
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
    Refused,
    RestHost,
    Tally,
    http_attempt,
    http_url,
    post_marked_notes,
    reset_wait_s,
    retry_after_s,
    send,
)
from codeprism.hosts.comments import review_marker
from codeprism.sources.git import HeadCommit

PER_PAGE = 100  # GitLab's maximum
MAX_PAGES = 100  # 10,000 files: far past what a review can read; stops a server that loops
RATE_LIMIT_WAIT_S = 60.0
_MODE = re.compile(r"[0-7]{6}")
_LETTERS = {7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 34: '"', 92: "\\"}
_ESCAPES = {byte: "\\" + letter for byte, letter in _LETTERS.items()}  # git's C quoting
_NEEDS_QUOTES = re.compile(r'["\\\x00-\x1f\x7f-\U0010ffff]')  # as git's core.quotepath


class GitLabAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_url: str = "https://gitlab.com/api/v4"  # self-managed: https://HOST/api/v4
    # where projects are fetched from over git; None: api_url without /api/v4
    git_url: str | None = None
    token: SecretStr

    @field_validator("api_url", "git_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return (
            None if value is None else http_url(value, info.field_name, "https://gitlab.com/api/v4")
        )

    def clone_url(self, project_path: str) -> str:
        base = self.git_url or self.api_url.removesuffix("/api/v4")
        return f"{base}/{project_path}.git"


class GitLabHost(RestHost):
    def __init__(
        self,
        auth: GitLabAuth,
        *,
        max_retries: int = 3,
        max_backoff_s: float = 60.0,
        on_event: EventHook | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.auth = auth
        super().__init__(
            "GitLab",
            (auth.token.get_secret_value(),),
            max_retries=max_retries,
            max_backoff_s=max_backoff_s,
            on_event=on_event,
            timeout_s=timeout_s,
        )

    def merge_request(self, project_id: int, iid: int) -> PullRequestInfo:
        data = self._json(Tally(self._counter), "GET", _mr_path(project_id, iid))
        refs = data.get("diff_refs") or {}
        if not refs.get("base_sha") or not refs.get("head_sha"):
            # GitLab fills diff_refs once it has computed the diff of a new merge request
            raise HostError(f"GitLab merge request {project_id}!{iid} has no diff_refs yet")
        full = (data.get("references") or {}).get("full") or ""
        return PullRequestInfo(
            repo=full.rsplit("!", 1)[0] if "!" in full else str(project_id),
            number=iid,
            head_sha=data.get("sha") or refs["head_sha"],
            base_sha=refs["base_sha"],
            draft=bool(data.get("draft", data.get("work_in_progress", False))),
            title=str(data.get("title") or ""),
            state=str(data.get("state") or ""),
            start_sha=refs.get("start_sha") or refs["base_sha"],
        )

    def head_commit(self, project_path: str, sha: str) -> HeadCommit:
        """How to fetch files of `sha` over git (GitLab takes a token as user "oauth2")."""
        url = self.auth.clone_url(project_path)
        return HeadCommit(url=url, sha=sha, token=self.auth.token, user="oauth2")

    def merge_request_diff(self, project_id: int, iid: int) -> bytes:
        """Every file of the merge request's diff, as one git-style unified diff."""
        path = f"{_mr_path(project_id, iid)}/diffs"
        return unified_diff(self._all_pages(Tally(self._counter), path))

    def _all_pages(self, tally: Tally, path: str) -> list[Any]:
        items: list[Any] = []
        page: str | None = "1"
        for _ in range(MAX_PAGES):
            if not page:
                break
            response = self._request(
                tally, "GET", path, params={"page": page, "per_page": PER_PAGE}
            )
            batch = _json_of(response, path)
            if not isinstance(batch, list):
                raise HostError(f"GitLab GET {path}: expected a list")
            items += batch
            page = response.headers.get("x-next-page") or _next_page(response)
        if page:
            raise HostError(f"GitLab GET {path}: more than {MAX_PAGES * PER_PAGE} items")
        return items

    def publish(
        self,
        project_id: int,
        iid: int,
        info: PullRequestInfo,
        findings: Sequence[Finding],
        changed_lines: Mapping[str, Collection[int]],
        summary: Mapping[str, Any],
        review_key: str,
        retry: bool = False,
    ) -> Published:
        """One discussion per finding on a changed line, then one summary note. A finding
        whose position GitLab rejects (400) is listed in the summary instead.

        Every body ends with the marker of `review_key`. With `retry` (an earlier attempt may
        have died part-way), the merge request's discussions are read first, and what that
        attempt posted is not posted again."""
        tally = Tally(self._counter)
        path = _mr_path(project_id, iid)
        earlier = self._notes_marked(tally, path, review_marker(review_key)) if retry else None

        def post_inline(finding: Finding, text: str) -> bool:
            position = {
                "position_type": "text",
                "base_sha": info.base_sha,
                "start_sha": info.start_sha or info.base_sha,
                "head_sha": info.head_sha,
                # the finding knows only its new path; GitLab places new-side lines by it
                "old_path": finding.file_path,
                "new_path": finding.file_path,
                "new_line": finding.start_line,
            }
            try:
                self._request(
                    tally, "POST", f"{path}/discussions", json={"body": text, "position": position}
                )
            except HostError as exc:
                if exc.status != 400:
                    raise
                return False
            return True

        def post_summary(text: str) -> str | None:
            note = self._json(tally, "POST", f"{path}/notes", json={"body": text})
            return str(note["id"]) if note.get("id") is not None else None

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

    def _notes_marked(self, tally: Tally, path: str, marker: str) -> dict[str, str]:
        """Body -> id of the merge request's notes that end with `marker`."""
        found = {}
        for discussion in self._all_pages(tally, f"{path}/discussions"):
            for note in discussion.get("notes") or ():
                body = note.get("body") or ""
                if body.endswith(marker):
                    found[body] = str(note.get("id"))
        return found

    def _json(self, tally: Tally, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        data = _json_of(self._request(tally, method, path, **kwargs), path)
        if not isinstance(data, dict):
            raise HostError(f"GitLab {method} {path}: expected a JSON object")
        return data

    def _request(self, tally: Tally, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = self.auth.token.get_secret_value()
        attempt = http_attempt(
            self._http,
            method,
            self.auth.api_url + path,
            lambda: {"PRIVATE-TOKEN": token},
            _message,
            **kwargs,
        )
        return send(tally, f"{method} {path}", attempt, _wait, self._backoff)


def unified_diff(entries: Sequence[Mapping[str, Any]]) -> bytes:
    """GitLab diff entries (old_path, new_path, a_mode, b_mode, new_file, renamed_file,
    deleted_file, diff) as a git diff: the `diff --git` header, mode and rename lines, and the
    ---/+++ pair before the hunks, byte for byte as `git diff` writes them but for the `index`
    and `similarity index` lines, whose blob ids and scores GitLab does not list."""
    out: list[str] = []
    for entry in entries:
        old, new = str(entry.get("old_path") or ""), str(entry.get("new_path") or "")
        old = old or new
        new = new or old
        added, deleted = bool(entry.get("new_file")), bool(entry.get("deleted_file"))
        a_mode, b_mode = _mode(entry.get("a_mode")), _mode(entry.get("b_mode"))
        out.append(f"diff --git {_quote('a/' + old)} {_quote('b/' + new)}")
        if added:
            out.append(f"new file mode {b_mode or '100644'}")
        elif deleted:
            out.append(f"deleted file mode {a_mode or '100644'}")
        elif a_mode and b_mode and a_mode != b_mode:
            out += [f"old mode {a_mode}", f"new mode {b_mode}"]
        if entry.get("renamed_file") and old != new:
            out += [f"rename from {_quote(old)}", f"rename to {_quote(new)}"]
        hunks = str(entry.get("diff") or "")
        if hunks.startswith("@@"):
            out.append("--- " + ("/dev/null" if added else _file_line("a/" + old)))
            out.append("+++ " + ("/dev/null" if deleted else _file_line("b/" + new)))
        if hunks:
            out.append(hunks.removesuffix("\n"))
    return ("\n".join(out) + "\n").encode("utf-8") if out else b""


def _file_line(path: str) -> str:
    """A ---/+++ name: git ends one that holds a space with a tab, so that `patch`, which
    reads a tab as the end of the name, gets all of it."""
    return _quote(path) + ("\t" if " " in path else "")


def _quote(path: str) -> str:
    """A path as git writes it in a diff header: bare, or C-quoted when it holds a quote,
    backslash, control or non-ASCII character (octal escapes of its UTF-8 bytes)."""
    if not _NEEDS_QUOTES.search(path):
        return path
    quoted = []
    for byte in path.encode("utf-8"):
        if byte in _ESCAPES:
            quoted.append(_ESCAPES[byte])
        elif byte < 0x20 or byte >= 0x7F:
            quoted.append(f"\\{byte:03o}")
        else:
            quoted.append(chr(byte))
    return '"' + "".join(quoted) + '"'


def _mode(value: Any) -> str | None:
    text = str(value or "")
    return text if _MODE.fullmatch(text) and text != "000000" else None


def _mr_path(project_id: int, iid: int) -> str:
    if not (isinstance(project_id, int) and isinstance(iid, int)) or project_id < 1 or iid < 1:
        raise HostError(f"not a GitLab project id and merge request iid: {project_id!r}, {iid!r}")
    return f"/projects/{project_id}/merge_requests/{iid}"


def _next_page(response: httpx.Response) -> str | None:
    """The page number of the `Link: rel="next"` URL (GitLab's keyset pagination sends only
    Link, not X-Next-Page)."""
    next_url = response.links.get("next", {}).get("url")
    if not next_url:
        return None
    page = httpx.URL(next_url).params.get("page")
    return page or None


def _wait(refused: Refused) -> float | None:
    if refused.status != 429:
        return None
    wait = retry_after_s(refused.headers)
    if wait is None and refused.headers.get("ratelimit-remaining") == "0":
        wait = reset_wait_s(refused.headers.get("ratelimit-reset"))
    return RATE_LIMIT_WAIT_S if wait is None else wait


def _json_of(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise HostError(f"GitLab {path}: the answer is not JSON", response.status_code) from None


def _message(response: httpx.Response) -> str:
    """GitLab's `message` (a string, or a dict of field errors) or `error`."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict):
        message = data.get("message") or data.get("error") or data
        return str(message)[:500]
    return str(data)[:300]
