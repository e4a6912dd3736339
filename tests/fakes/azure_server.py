"""A small Azure DevOps (Azure Repos) REST double: real HTTP on loopback, every request recorded.

The organization lives at `{url}/org` (the client's `api_url`). Pull requests
(`add_pull_request`) answer `GET /org/{project}/_apis/git/repositories/{repo}/pullRequests/
{id}` with the documented GitPullRequest fields; `.../iterations` lists one iteration with
`sourceRefCommit`, `targetRefCommit` and `commonRefCommit`; `.../threads` lists threads
(`{"value": [...], "count": n}`) and `POST .../threads` creates one from `comments` and an
optional `threadContext` (`filePath` with a leading slash, `rightFileStart/End.line`),
refused with 400 unless the line is a new-side line of that file's diff. Every request needs
`?api-version=7.1` and `Authorization: Basic base64(":" + PAT)`. `push_reply` scripts a
one-off answer. With `git_root`, `/org/{project}/_git/{repo}` is served over git's smart
HTTP (any user name, the PAT as password) from `{git_root}/{project}/{repo}.git`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.fakes.github_server import (
    RecordedRequest,
    Reply,
    diff_sides,
    git_http_backend,
    start_server,
)

ORG = "/org"
_PR = r"/([^/]+)/_apis/git/repositories/([^/]+)/pullRequests/(\d+)(/iterations|/threads)?"
_GIT = r"/([^/]+)/_git/([^/]+)(/.*)"


def _error(message: str) -> dict[str, Any]:
    return {
        "$id": "1",
        "innerException": None,
        "message": message,
        "typeName": "Microsoft.TeamFoundation.Git.Server.GitPullRequestNotFoundException",
        "typeKey": "GitPullRequestNotFoundException",
        "errorCode": 0,
        "eventId": 3000,
    }


class FakeAzure:
    """Start with `with FakeAzure() as az:`; `az.api_url` is the client's `api_url`."""

    def __init__(self, *, token: str = "azure-pat", git_root: Path | None = None) -> None:
        self.token = token
        self.git_root = git_root
        self.requests: list[RecordedRequest] = []
        self.pull_requests: dict[tuple[str, int], dict[str, Any]] = {}
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._next_id = 100

    def __enter__(self) -> FakeAzure:
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
    def api_url(self) -> str:
        return self.url + ORG

    # -- state -------------------------------------------------------------------------------

    def add_pull_request(
        self,
        full_name: str,
        number: int,
        *,
        head_sha: str,
        base_sha: str,
        diff: bytes,
        title: str = "A change",
        status: str = "active",
        draft: bool = False,
    ) -> dict[str, Any]:
        """`base_sha` is the merge base (the iteration's commonRefCommit); `diff` is what the
        pull request changes, which positions of new threads are checked against."""
        stored = {
            "full_name": full_name,
            "id": number,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "diff": diff,
            "title": title,
            "status": status,
            "draft": draft,
            "threads": [],
        }
        self.pull_requests[(full_name, number)] = stored
        return stored

    def threads(self, full_name: str, number: int) -> list[dict[str, Any]]:
        return list(self.pull_requests[(full_name, number)]["threads"])

    def push_reply(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next `method path` request (path without /org, no query) with `reply`."""
        with self._lock:
            self._replies.setdefault((method.upper(), path), deque()).append(reply)

    def find(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method)
            and (path is None or r.path.removeprefix(ORG) == path)
        ]

    # -- dispatch (called from server threads) -------------------------------------------------

    def handle(self, request: RecordedRequest, host: str) -> Reply:
        if not request.path.startswith(ORG + "/"):
            return Reply(404, _error("not found"))
        path = request.path.removeprefix(ORG)
        if not self._credential_ok(request.headers.get("authorization", ""), git=False):
            # Azure answers a bad PAT with 401 (or a sign-in page redirect without one)
            return Reply(401, b"", {"WWW-Authenticate": 'Basic realm="https://dev.azure.com/"'})
        if (match := re.fullmatch(_GIT, path)) and self.git_root is not None:
            repo_path = f"/{unquote(match[1])}/{unquote(match[2])}.git{match[3]}"
            return git_http_backend(self.git_root, request, repo_path)
        if request.query.get("api-version") != ["7.1"]:
            return Reply(400, _error("No api-version was supplied for the request."))
        with self._lock:
            queue = self._replies.get((request.method, path))
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return scripted
        match = re.fullmatch(_PR, path)
        key = (f"{unquote(match[1])}/{unquote(match[2])}", int(match[3])) if match else None
        stored = self.pull_requests.get(key) if key else None
        if match is None or stored is None:
            return Reply(404, _error("TF401180: The requested pull request was not found."))
        api = f"http://{host}{ORG}"
        route = (request.method, match[4])
        if route == ("GET", None):
            return Reply(200, self._pr_json(stored, api))
        if route == ("GET", "/iterations"):
            return Reply(200, {"value": [self._iteration(stored)], "count": 1})
        if route == ("GET", "/threads"):
            threads = stored["threads"]
            return Reply(200, {"value": threads, "count": len(threads)})
        if route == ("POST", "/threads"):
            return self._create_thread(request, stored)
        return Reply(405, _error("method not allowed"))

    def _credential_ok(self, authorization: str, *, git: bool) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        try:
            _user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return scheme.lower() == "basic" and password == self.token

    def _repository(self, stored: Mapping[str, Any], api: str) -> dict[str, Any]:
        project, name = stored["full_name"].split("/")
        return {
            "id": "3411ebc1-d5aa-464f-9615-0b527bc66719",
            "name": name,
            "url": f"{api}/_apis/git/repositories/3411ebc1-d5aa-464f-9615-0b527bc66719",
            "project": {
                "id": "a7573007-bbb3-4341-b726-0c4148a07853",
                "name": project,
                "state": "wellFormed",
                "visibility": "private",
            },
            "remoteUrl": f"{api}/{project}/_git/{name}",
        }

    def _pr_json(self, stored: Mapping[str, Any], api: str) -> dict[str, Any]:
        return {
            "repository": self._repository(stored, api),
            "pullRequestId": stored["id"],
            "codeReviewId": stored["id"],
            "status": stored["status"],
            "createdBy": {"displayName": "Dev", "uniqueName": "dev@example.com"},
            "creationDate": "2024-01-01T00:00:00.000Z",
            "title": stored["title"],
            "description": "",
            "sourceRefName": "refs/heads/feature",
            "targetRefName": "refs/heads/main",
            "mergeStatus": "succeeded",
            "isDraft": stored["draft"],
            "mergeId": "f5fc8381-3fb2-49fe-8a0d-27dcc2d6ef82",
            "lastMergeSourceCommit": {"commitId": stored["head_sha"]},
            # the target branch's head; here the merge base, as nothing landed on main since
            "lastMergeTargetCommit": {"commitId": stored["base_sha"]},
            "reviewers": [],
            "url": f"{api}/_apis/git/repositories/x/pullRequests/{stored['id']}",
            "supportsIterations": True,
        }

    def _iteration(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": 1,
            "description": stored["title"],
            "author": {"displayName": "Dev", "uniqueName": "dev@example.com"},
            "createdDate": "2024-01-01T00:00:00.000Z",
            "updatedDate": "2024-01-01T00:00:00.000Z",
            "sourceRefCommit": {"commitId": stored["head_sha"]},
            "targetRefCommit": {"commitId": stored["base_sha"]},
            "commonRefCommit": {"commitId": stored["base_sha"]},
            "hasMoreCommits": False,
            "reason": "create",
        }

    def _create_thread(self, request: RecordedRequest, stored: dict[str, Any]) -> Reply:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return Reply(400, _error("the body is not JSON"))
        comments = data.get("comments") if isinstance(data, dict) else None
        first = comments[0] if isinstance(comments, list) and comments else None
        content = first.get("content") if isinstance(first, dict) else None
        if not isinstance(content, str) or not content:
            return Reply(400, _error("a thread needs a comment"))
        context = data.get("threadContext")
        if context is not None:
            path = str(context.get("filePath") or "")
            start = (context.get("rightFileStart") or {}).get("line")
            sides = diff_sides(stored["diff"]).get(path.removeprefix("/"), {})
            if not path.startswith("/") or start not in sides.get("RIGHT", set()):
                return Reply(400, _error("the thread's position is not in the diff"))
        with self._lock:
            self._next_id += 1
            number = self._next_id
        thread = {
            "id": number,
            "status": data.get("status", "active"),
            "threadContext": context,
            "comments": [
                {
                    "id": 1,
                    "parentCommentId": 0,
                    "author": {"displayName": "codeprism"},
                    "content": content,
                    "commentType": "text",
                    "isDeleted": False,
                }
            ],
            "isDeleted": False,
            "publishedDate": "2024-01-01T00:00:00.000Z",
        }
        stored["threads"].append(thread)
        return Reply(200, thread)
