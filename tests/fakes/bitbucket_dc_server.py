"""A small Bitbucket Data Center REST 1.0 double: real HTTP on loopback, every request recorded.

Pull requests (`add_pull_request`) answer `GET /rest/api/1.0/projects/{key}/repos/{slug}/
pull-requests/{id}` with the documented fields (`fromRef`/`toRef` with `latestCommit`, full
hashes, and `repository.project.key`); `GET .../pull-requests/{id}.diff` answers the raw diff
as text/plain. `POST .../comments` takes `text` and an optional `anchor` ({path, line,
lineType, fileType, diffType}), refused with 409 unless it is an ADDED line of the TO file in
the diff; `GET .../activities` lists the COMMENTED activities newest first, page by page
(`start`, `limit`, `isLastPage`, `nextPageStart`). Requests need `Authorization: Bearer
<token>`; errors are `{"errors": [{"message": ...}]}`; `push_reply` scripts a one-off answer.
With `git_root`, `/scm/{key}/{slug}.git` is served over git's smart HTTP to the token as a
Bearer token, or, with `git_user`, only as that user's HTTP Basic password.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from codeprism.review.diff import parse_diff
from tests.fakes.github_server import RecordedRequest, Reply, git_http_backend, start_server

REST = "/rest/api/1.0"
_PR = r"/projects/(~?[A-Za-z0-9_.-]+)/repos/([A-Za-z0-9_.-]+)/pull-requests/(\d+)"


def _error(message: str) -> dict[str, Any]:
    return {"errors": [{"context": None, "message": message, "exceptionName": None}]}


class FakeBitbucketDC:
    """Start with `with FakeBitbucketDC() as bb:`; `bb.url` is the client's `api_url`."""

    def __init__(
        self,
        *,
        token: str = "bbdc-http-access-token",
        git_user: str | None = None,
        page_limit: int = 25,
        git_root: Path | None = None,
    ) -> None:
        self.token = token
        self.git_user = git_user
        self.page_limit = page_limit  # the most activities one page holds
        self.git_root = git_root
        self.requests: list[RecordedRequest] = []
        self.pull_requests: dict[tuple[str, int], dict[str, Any]] = {}
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._next_id = 100

    def __enter__(self) -> FakeBitbucketDC:
        self._server, _ = start_server(self)
        self._port = self._server.server_address[1]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._port, "server not started"
        return f"http://127.0.0.1:{self._port}"

    @property
    def git_url(self) -> str:
        return self.url + "/scm"

    def add_pull_request(
        self,
        repo: str,
        number: int,
        *,
        head_sha: str,
        base_sha: str,
        diff: bytes,
        title: str = "A change",
        state: str = "OPEN",
        draft: bool = False,
    ) -> dict[str, Any]:
        stored = {
            "repo": repo,
            "id": number,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "diff": diff,
            "title": title,
            "state": state,
            "draft": draft,
            "comments": [],
        }
        self.pull_requests[(repo, number)] = stored
        return stored

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self.pull_requests[(repo, number)]["comments"])

    def push_reply(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next `method path` request (path without /rest/api/1.0) with `reply`."""
        with self._lock:
            self._replies.setdefault((method.upper(), path), deque()).append(reply)

    def find(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method)
            and (path is None or r.path.removeprefix(REST) == path)
        ]

    # -- dispatch (called from server threads) -------------------------------------------------

    def handle(self, request: RecordedRequest, host: str) -> Reply:
        if request.path.startswith("/scm/") and self.git_root is not None:
            if not self._git_credential_ok(request.headers.get("authorization", "")):
                return Reply(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="Bitbucket"'})
            return git_http_backend(self.git_root, request, request.path[len("/scm") :])
        if not request.path.startswith(REST + "/"):
            return Reply(404, _error("Not found"))
        path = request.path.removeprefix(REST)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, _error("Authentication failed. Please check your credentials."))
        with self._lock:
            queue = self._replies.get((request.method, path))
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return scripted
        match = re.fullmatch(_PR + r"(\.diff|/comments|/activities)?", path)
        stored = (
            self.pull_requests.get((f"{match[1]}/{match[2]}", int(match[3]))) if match else None
        )
        if match is None or stored is None:
            return Reply(404, _error("Pull request does not exist."))
        route = (request.method, match[4])
        if route == ("GET", None):
            return Reply(200, self._pr_json(stored, f"http://{host}"))
        if route == ("GET", ".diff"):
            return Reply(200, stored["diff"], {"Content-Type": "text/plain;charset=UTF-8"})
        if route == ("GET", "/activities"):
            return self._activities(request, stored)
        if route == ("POST", "/comments"):
            return self._create_comment(request, stored)
        return Reply(405, _error("Method not allowed"))

    def _pr_json(self, stored: dict[str, Any], base: str) -> dict[str, Any]:
        key, slug = stored["repo"].split("/")
        repository = {
            "slug": slug,
            "id": 1,
            "name": slug,
            "scmId": "git",
            "state": "AVAILABLE",
            "public": False,
            "project": {"key": key, "id": 1, "name": "Project", "public": False, "type": "NORMAL"},
        }

        def ref(branch: str, sha: str) -> dict[str, Any]:
            return {
                "id": f"refs/heads/{branch}",
                "displayId": branch,
                "latestCommit": sha,
                "type": "BRANCH",
                "repository": repository,
            }

        user = {"name": "dev", "emailAddress": "dev@example.com", "id": 3, "slug": "dev"}
        return {
            "id": stored["id"],
            "version": 0,
            "title": stored["title"],
            "description": "",
            "state": stored["state"],
            "open": stored["state"] == "OPEN",
            "closed": stored["state"] != "OPEN",
            "draft": stored["draft"],
            "createdDate": 1700000000000,
            "updatedDate": 1700000000000,
            "fromRef": ref("feature", stored["head_sha"]),
            "toRef": ref("main", stored["base_sha"]),
            "locked": False,
            "author": {"user": user, "role": "AUTHOR", "approved": False, "status": "UNAPPROVED"},
            "reviewers": [],
            "participants": [],
            "links": {
                "self": [
                    {"href": f"{base}/projects/{key}/repos/{slug}/pull-requests/{stored['id']}"}
                ]
            },
        }

    def _activities(self, request: RecordedRequest, stored: dict[str, Any]) -> Reply:
        start = int(request.query.get("start", ["0"])[0])
        limit = min(int(request.query.get("limit", ["25"])[0]), self.page_limit)
        activities = [
            {"id": c["id"] + 10_000, "action": "COMMENTED", "commentAction": "ADDED", "comment": c}
            for c in reversed(stored["comments"])
        ]
        values = activities[start : start + limit]
        last = start + limit >= len(activities)
        body: dict[str, Any] = {
            "size": len(values),
            "limit": limit,
            "isLastPage": last,
            "start": start,
            "values": values,
        }
        if not last:
            body["nextPageStart"] = start + limit
        return Reply(200, body)

    def _create_comment(self, request: RecordedRequest, stored: dict[str, Any]) -> Reply:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return Reply(400, _error("The request body is not JSON."))
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text:
            return Reply(400, _error("text: a comment needs text"))
        anchor = data.get("anchor")
        if anchor is not None:
            added = {f.path: f.changed_lines for f in parse_diff(stored["diff"])}
            if (
                anchor.get("lineType") != "ADDED"
                or anchor.get("fileType") != "TO"
                or anchor.get("line") not in added.get(anchor.get("path"), ())
            ):
                return Reply(409, _error("The comment could not be anchored to the diff."))
        with self._lock:
            self._next_id += 1
            number = self._next_id
        comment: dict[str, Any] = {
            "id": number,
            "version": 0,
            "text": text,
            "author": {"name": "codeprism", "slug": "codeprism", "id": 9},
            "createdDate": 1700000000000,
            "updatedDate": 1700000000000,
            "comments": [],
            "tasks": [],
            "severity": "NORMAL",
            "state": "OPEN",
        }
        if anchor is not None:
            comment["anchor"] = {**anchor, "diffType": anchor.get("diffType", "EFFECTIVE")}
        stored["comments"].append(comment)
        return Reply(201, comment)

    def _git_credential_ok(self, authorization: str) -> bool:
        scheme, _, credential = authorization.partition(" ")
        if self.git_user is None:
            return scheme.lower() == "bearer" and credential == self.token
        try:
            user, _, password = base64.b64decode(credential).decode().partition(":")
        except ValueError:
            return False
        return scheme.lower() == "basic" and user == self.git_user and password == self.token
