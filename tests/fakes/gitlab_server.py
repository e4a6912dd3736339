"""A small GitLab REST v4 double: real HTTP on loopback, every request recorded.

Merge requests (`add_merge_request`) answer `GET /projects/:id/merge_requests/:iid` with
GitLab's documented fields, and their `/diffs` page by page (`X-Next-Page`, `X-Total-Pages`
and a `Link` header, as GitLab sends them). `POST .../discussions` validates a text position
like GitLab: the diff refs must be the merge request's and `new_line` must be a new-side line
of that file's hunks, else 400 with GitLab's line-code message. `POST .../notes` stores a
note. Requests need `PRIVATE-TOKEN`; `push_reply` scripts a one-off answer (a 429, a 500).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import deque
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.fakes.github_server import RecordedRequest, Reply, diff_sides, start_server

API_PREFIX = "/api/v4"
LINE_CODE_ERROR = (
    '400 Bad request - Note {:line_code=>["can\'t be blank", "must be a valid line code"]}'
)
_MR = r"/projects/(\d+)/merge_requests/(\d+)"


class FakeGitLab:
    """Start with `with FakeGitLab() as gl:`; `gl.api_url` is the client's `api_url`."""

    def __init__(self, *, token: str = "glpat-test-token", max_per_page: int = 100) -> None:
        self.token = token
        self.max_per_page = max_per_page  # GitLab's is 100; lower it to test pagination
        self.next_page_header = True  # False: only the Link header says where the next page is
        self.requests: list[RecordedRequest] = []
        self.merge_requests: dict[tuple[int, int], dict[str, Any]] = {}
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._next_id = 100

    def __enter__(self) -> FakeGitLab:
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

    # -- state -------------------------------------------------------------------------------

    def add_merge_request(
        self,
        project_id: int,
        iid: int,
        *,
        head_sha: str,
        base_sha: str,
        start_sha: str,
        diffs: list[dict[str, Any]],
        path: str = "group/project",
        title: str = "A change",
        draft: bool = False,
        state: str = "opened",
    ) -> dict[str, Any]:
        """A merge request; `diffs` are entries as GitLab lists them (old_path, new_path,
        a_mode, b_mode, new_file, renamed_file, deleted_file, diff)."""
        stored = {
            "project_id": project_id,
            "iid": iid,
            "path": path,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "start_sha": start_sha,
            "diffs": diffs,
            "title": title,
            "draft": draft,
            "state": state,
            "discussions": [],
            "notes": [],
        }
        self.merge_requests[(project_id, iid)] = stored
        return stored

    def push_reply(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next `method path` request (path without /api/v4) with `reply`."""
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
        if not request.path.startswith(API_PREFIX + "/"):
            return Reply(404, {"error": "404 Not Found"})
        path = request.path.removeprefix(API_PREFIX)
        if request.headers.get("private-token") != self.token:
            return Reply(401, {"message": "401 Unauthorized"})
        with self._lock:
            queue = self._replies.get((request.method, path))
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return scripted
        match = re.fullmatch(_MR + r"(/diffs|/discussions|/notes)?", path)
        stored = self.merge_requests.get((int(match[1]), int(match[2]))) if match else None
        if match is None or stored is None:
            return Reply(404, {"message": "404 Not found"})
        route = (request.method, match[3])
        if route == ("GET", None):
            return Reply(200, self._mr_json(stored, host))
        if route == ("GET", "/diffs"):
            return self._page(request, stored["diffs"], f"http://{host}{request.path}")
        if route == ("GET", "/discussions"):
            # a plain note is a discussion of its own ("individual_note"), as GitLab lists it
            threads = stored["discussions"] + [
                {"id": f"{note['id']:040x}", "individual_note": True, "notes": [note]}
                for note in stored["notes"]
            ]
            threads.sort(key=lambda thread: thread["notes"][0]["id"])
            return self._page(request, threads, f"http://{host}{request.path}")
        if route == ("POST", "/discussions"):
            return self._create_discussion(request, stored)
        if route == ("POST", "/notes"):
            return self._create_note(request, stored)
        return Reply(405, {"message": "405 Method Not Allowed"})

    def _new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def _mr_json(self, stored: Mapping[str, Any], host: str) -> dict[str, Any]:
        iid = stored["iid"]
        return {
            "id": 9000 + iid,
            "iid": iid,
            "project_id": stored["project_id"],
            "title": stored["title"],
            "description": "",
            "state": stored["state"],
            "draft": stored["draft"],
            "work_in_progress": stored["draft"],
            "source_branch": "feature",
            "target_branch": "main",
            "sha": stored["head_sha"],
            "merge_commit_sha": None,
            "diff_refs": {
                "base_sha": stored["base_sha"],
                "head_sha": stored["head_sha"],
                "start_sha": stored["start_sha"],
            },
            "web_url": f"http://{host}/{stored['path']}/-/merge_requests/{iid}",
            "references": {
                "short": f"!{iid}",
                "relative": f"!{iid}",
                "full": f"{stored['path']}!{iid}",
            },
            "author": {"id": 1, "username": "dev", "name": "Dev"},
            "created_at": "2024-01-01T00:00:00.000Z",
            "updated_at": "2024-01-01T00:00:00.000Z",
        }

    def _page(self, request: RecordedRequest, items: list[Any], url: str) -> Reply:
        per_page = min(int(request.query.get("per_page", ["20"])[0]), self.max_per_page)
        page = max(int(request.query.get("page", ["1"])[0]), 1)
        pages = max(math.ceil(len(items) / per_page), 1)
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(items)),
            "X-Total-Pages": str(pages),
            "X-Prev-Page": str(page - 1) if page > 1 else "",
        }
        if self.next_page_header:
            headers["X-Next-Page"] = str(page + 1) if page < pages else ""
        links = []
        for rel, number in (("next", page + 1), ("prev", page - 1), ("first", 1), ("last", pages)):
            if 1 <= number <= pages and (rel in ("first", "last") or number != page):
                query = urlencode({"page": number, "per_page": per_page})
                links.append(f'<{url}?{query}>; rel="{rel}"')
        headers["Link"] = ", ".join(links)
        return Reply(200, items[(page - 1) * per_page : page * per_page], headers)

    def _create_discussion(self, request: RecordedRequest, stored: dict[str, Any]) -> Reply:
        data = _body(request)
        if not data.get("body"):
            return Reply(400, {"error": "body is missing"})
        position = data.get("position")
        if position is not None:
            refs = (position.get("base_sha"), position.get("start_sha"), position.get("head_sha"))
            if refs != (stored["base_sha"], stored["start_sha"], stored["head_sha"]):
                return Reply(400, {"message": LINE_CODE_ERROR})
            if position.get("position_type") != "text" or not self._on_new_side(stored, position):
                return Reply(400, {"message": LINE_CODE_ERROR})
        note_id = self._new_id()
        note = {
            "id": note_id,
            "type": "DiffNote" if position else "DiscussionNote",
            "body": data["body"],
            "author": {"id": 2, "username": "codeprism-bot"},
            "created_at": "2024-01-01T00:00:00.000Z",
            "system": False,
            "noteable_type": "MergeRequest",
            "noteable_iid": stored["iid"],
            "position": position,
            "resolvable": True,
        }
        discussion = {"id": f"{note_id:040x}", "individual_note": False, "notes": [note]}
        stored["discussions"].append(discussion)
        return Reply(201, discussion)

    def _create_note(self, request: RecordedRequest, stored: dict[str, Any]) -> Reply:
        data = _body(request)
        if not data.get("body"):
            return Reply(400, {"error": "body is missing"})
        note = {
            "id": self._new_id(),
            "body": data["body"],
            "author": {"id": 2, "username": "codeprism-bot"},
            "created_at": "2024-01-01T00:00:00.000Z",
            "system": False,
            "noteable_type": "MergeRequest",
            "noteable_iid": stored["iid"],
        }
        stored["notes"].append(note)
        return Reply(201, note)

    @staticmethod
    def _on_new_side(stored: Mapping[str, Any], position: Mapping[str, Any]) -> bool:
        for entry in stored["diffs"]:
            if entry["new_path"] == position.get("new_path") and not entry.get("deleted_file"):
                path = entry["new_path"]
                text = f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n{entry['diff']}"
                lines = diff_sides(text.encode()).get(path, {}).get("RIGHT", set())
                return position.get("new_line") in lines
        return False


def _body(request: RecordedRequest) -> dict[str, Any]:
    """GitLab takes JSON or form-encoded bodies."""
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(request.body or b"{}")
        return data if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
