"""A small Bitbucket Cloud REST 2.0 double: real HTTP on loopback, every request recorded.

Pull requests (`add_pull_request`) answer `GET /2.0/repositories/{workspace}/{repo}/
pullrequests/{id}` with Bitbucket's documented fields, commits named by 12 hex digits as
Bitbucket names them; `GET .../commit/{hash}` resolves a short hash to the full one.
`GET .../pullrequests/{id}/diff` redirects (302) to `.../diff/{spec}`, which answers the
diff as text/plain, as Bitbucket does. `GET .../comments` lists comments page by page
(`values`, `pagelen`, `size`, `page`, `next`); `POST .../comments` takes `content.raw` and an
optional `inline: {path, to}`, refused with 400 unless `to` is a new-side line of that
file's diff. Requests need `Authorization: Bearer <token>`; `push_reply` scripts a one-off
answer (a 429, a 500). With `git_root`, `/git/{workspace}/{repo}.git` is served over git's
smart HTTP for user `x-token-auth` with the token as password.
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
from urllib.parse import quote, unquote

from tests.fakes.github_server import (
    RecordedRequest,
    Reply,
    diff_sides,
    git_http_backend,
    start_server,
)

API_PREFIX = "/2.0"
_REPO = r"/repositories/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)"
_PR = _REPO + r"/pullrequests/(\d+)"


def _error(message: str, detail: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if detail is not None:
        error["detail"] = detail
    return {"type": "error", "error": error}


class FakeBitbucket:
    """Start with `with FakeBitbucket() as bb:`; `bb.api_url` is the client's `api_url`."""

    def __init__(
        self, *, token: str = "bb-access-token", pagelen: int = 10, git_root: Path | None = None
    ) -> None:
        self.token = token
        self.pagelen = pagelen  # Bitbucket's default page size of comments is 10
        self.git_root = git_root
        self.requests: list[RecordedRequest] = []
        self.pull_requests: dict[tuple[str, int], dict[str, Any]] = {}
        self.commits: dict[str, set[str]] = {}  # repository -> full hashes it knows
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._next_id = 500

    def __enter__(self) -> FakeBitbucket:
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
        return self.url + API_PREFIX

    @property
    def git_url(self) -> str:
        """The clone URLs' base: `{git_url}/{workspace}/{repo}.git`."""
        return self.url + "/git"

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
        state: str = "OPEN",
        draft: bool = False,
    ) -> dict[str, Any]:
        stored = {
            "full_name": full_name,
            "id": number,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "diff": diff,
            "title": title,
            "state": state,
            "draft": draft,
            "comments": [],
        }
        self.pull_requests[(full_name, number)] = stored
        self.commits.setdefault(full_name, set()).update({head_sha, base_sha})
        return stored

    def comments(self, full_name: str, number: int) -> list[dict[str, Any]]:
        return list(self.pull_requests[(full_name, number)]["comments"])

    def push_reply(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next `method path` request (path without /2.0) with `reply`."""
        with self._lock:
            self._replies.setdefault((method.upper(), path), deque()).append(reply)

    def find(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method)
            and (path is None or r.path.removeprefix(API_PREFIX) == path)
        ]

    # -- dispatch (called from server threads) -------------------------------------------------

    def handle(self, request: RecordedRequest, host: str) -> Reply:
        if request.path.startswith("/git/") and self.git_root is not None:
            if not self._git_credential_ok(request.headers.get("authorization", "")):
                return Reply(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="Bitbucket"'})
            return git_http_backend(self.git_root, request, request.path[len("/git") :])
        if not request.path.startswith(API_PREFIX + "/"):
            return Reply(404, _error("Resource not found"))
        path = request.path.removeprefix(API_PREFIX)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, _error("Access token expired or invalid"))
        with self._lock:
            queue = self._replies.get((request.method, path))
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return scripted
        api = f"http://{host}{API_PREFIX}"
        if match := re.fullmatch(_REPO + r"/commit/([0-9a-f]+)", path):
            return self._commit(match[1], match[2], api)
        if match := re.fullmatch(_REPO + r"/diff/(.+)", path):
            return self._diff(match[1], unquote(match[2]))
        match = re.fullmatch(_PR + r"(/diff|/comments)?", path)
        stored = self.pull_requests.get((match[1], int(match[2]))) if match else None
        if match is None or stored is None:
            return Reply(404, _error("Resource not found"))
        route = (request.method, match[3])
        if route == ("GET", None):
            return Reply(200, self._pr_json(stored, api))
        if route == ("GET", "/diff"):
            spec = quote(
                f"{stored['full_name']}:{stored['head_sha'][:12]}\r{stored['base_sha'][:12]}"
            )
            location = f"{api}/repositories/{stored['full_name']}/diff/{spec}"
            return Reply(302, b"", {"Location": f"{location}?from_pullrequest_id={stored['id']}"})
        if route == ("GET", "/comments"):
            return self._page(request, stored, api)
        if route == ("POST", "/comments"):
            return self._create_comment(request, stored, api)
        return Reply(405, _error("Method not allowed"))

    def _new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def _commit(self, full_name: str, prefix: str, api: str) -> Reply:
        found = [sha for sha in self.commits.get(full_name, ()) if sha.startswith(prefix)]
        if len(found) != 1:
            return Reply(404, _error(f"Commit not found: {prefix}"))
        links = {"self": {"href": f"{api}/repositories/{full_name}/commit/{found[0]}"}}
        return Reply(200, {"type": "commit", "hash": found[0], "links": links})

    def _diff(self, full_name: str, spec: str) -> Reply:
        for stored in self.pull_requests.values():
            own = f"{full_name}:{stored['head_sha'][:12]}\r{stored['base_sha'][:12]}"
            if stored["full_name"] == full_name and spec == own:
                return Reply(200, stored["diff"], {"Content-Type": "text/plain"})
        return Reply(404, _error("Resource not found"))

    def _pr_json(self, stored: Mapping[str, Any], api: str) -> dict[str, Any]:
        full_name, number = stored["full_name"], stored["id"]
        workspace, slug = full_name.split("/")
        base = f"{api}/repositories/{full_name}"

        def end(sha: str, branch: str) -> dict[str, Any]:
            return {
                "branch": {"name": branch},
                "commit": {
                    "type": "commit",
                    "hash": sha[:12],  # Bitbucket names commits by 12 hex digits here
                    "links": {"self": {"href": f"{base}/commit/{sha[:12]}"}},
                },
                "repository": {
                    "type": "repository",
                    "full_name": full_name,
                    "name": slug,
                    "uuid": "{00000000-0000-4000-8000-000000000001}",
                },
            }

        return {
            "type": "pullrequest",
            "id": number,
            "title": stored["title"],
            "description": "",
            "state": stored["state"],
            "draft": stored["draft"],
            "author": {
                "type": "user",
                "display_name": "Dev",
                "nickname": "dev",
                "account_id": "557058:0000",
                "uuid": "{00000000-0000-4000-8000-000000000002}",
            },
            "source": end(stored["head_sha"], "feature"),
            "destination": end(stored["base_sha"], "main"),
            "merge_commit": None,
            "comment_count": len(stored["comments"]),
            "task_count": 0,
            "close_source_branch": False,
            "reason": "",
            "created_on": "2024-01-01T00:00:00.000000+00:00",
            "updated_on": "2024-01-01T00:00:00.000000+00:00",
            "links": {
                "self": {"href": f"{base}/pullrequests/{number}"},
                "html": {
                    "href": f"https://bitbucket.org/{workspace}/{slug}/pull-requests/{number}"
                },
                "diff": {"href": f"{base}/pullrequests/{number}/diff"},
                "comments": {"href": f"{base}/pullrequests/{number}/comments"},
            },
        }

    def _page(self, request: RecordedRequest, stored: Mapping[str, Any], api: str) -> Reply:
        pagelen = min(int(request.query.get("pagelen", ["10"])[0]), self.pagelen)
        page = max(int(request.query.get("page", ["1"])[0]), 1)
        comments = stored["comments"]
        body: dict[str, Any] = {
            "pagelen": pagelen,
            "size": len(comments),
            "page": page,
            "values": comments[(page - 1) * pagelen : page * pagelen],
        }
        if page * pagelen < len(comments):
            path = f"/repositories/{stored['full_name']}/pullrequests/{stored['id']}/comments"
            body["next"] = f"{api}{path}?pagelen={pagelen}&page={page + 1}"
        return Reply(200, body)

    def _create_comment(self, request: RecordedRequest, stored: dict[str, Any], api: str) -> Reply:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return Reply(400, _error("Bad request", "the body is not JSON"))
        content = data.get("content") if isinstance(data, dict) else None
        raw = content.get("raw") if isinstance(content, dict) else None
        if not isinstance(raw, str) or not raw:
            return Reply(400, _error("Bad request", "content.raw: This field is required."))
        inline = data.get("inline")
        if inline is not None:
            sides = diff_sides(stored["diff"]).get(inline.get("path"), {})
            if inline.get("to") not in sides.get("RIGHT", set()):
                return Reply(400, _error("Bad request", "inline: the line is not in the diff"))
        number = self._new_id()
        base = f"{api}/repositories/{stored['full_name']}/pullrequests/{stored['id']}"
        comment: dict[str, Any] = {
            "type": "pullrequest_comment",
            "id": number,
            "content": {"type": "rendered", "raw": raw, "markup": "markdown", "html": ""},
            "user": {"type": "user", "display_name": "codeprism", "nickname": "codeprism"},
            "deleted": False,
            "pending": False,
            "created_on": "2024-01-01T00:00:00.000000+00:00",
            "updated_on": "2024-01-01T00:00:00.000000+00:00",
            "links": {"self": {"href": f"{base}/comments/{number}"}},
            "pullrequest": {"type": "pullrequest", "id": stored["id"]},
        }
        if inline is not None:
            comment["inline"] = {"path": inline["path"], "to": inline["to"], "from": None}
        stored["comments"].append(comment)
        return Reply(201, comment)

    def _git_credential_ok(self, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return scheme.lower() == "basic" and user == "x-token-auth" and password == self.token
