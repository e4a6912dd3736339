"""A small GitHub REST API double: real HTTP on loopback, every request recorded.

Responses follow GitHub's documented shapes (repository objects, `Link` pagination,
`X-RateLimit-*` headers, the documented rate-limit error bodies), so PyGithub talks to it
exactly as to github.com. The same routes answer under `/api/v3` (GitHub Enterprise Server).

Extending it: `route(method, regex, handler)` adds an endpoint (tried before the built-in ones),
`push_reply(method, path, reply)` scripts a one-off answer (a rate-limit error, a 500), and
`requests` holds what clients sent, to assert on. With `git_root`, `/git/<repo>.git` is served
over git's smart HTTP protocol by `git http-backend`, so clone URLs can point here too.

Pull requests (`add_pull`) answer `GET pulls/{n}` as JSON or, asked for the diff media type, as
the diff's bytes; `POST pulls/{n}/reviews` validates like GitHub (a comment's line must be on
the right side of the diff, else 422) and stores the review; `POST check-runs` is open to
installation tokens only, as on GitHub. A GitHub App (`add_app`) exchanges its RS256 JWT for
an installation token at `POST /app/installations/{id}/access_tokens`; that token is then
accepted like the personal one until it expires.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

ENTERPRISE_PREFIX = "/api/v3"
DOCS = "https://docs.github.com/rest"
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)
PRIMARY_LIMIT_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID 0000:0000:0000000:0000000:00000000."
)
PAT_FORBIDDEN_MESSAGE = "Resource not accessible by personal access token"
JWT_UNDECODABLE_MESSAGE = "A JSON web token could not be decoded"
DIFF_MEDIA_TYPES = ("application/vnd.github.diff", "application/vnd.github.v3.diff")
CHECK_CONCLUSIONS = {
    "action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale",
    "timed_out",
}  # fmt: skip


@dataclass
class RecordedRequest:
    method: str
    path: str  # as received, API prefix included
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float  # time.monotonic() on arrival: for asserting waits
    wall: float  # time.time() on arrival: for comparing with X-RateLimit-Reset
    status: int | None = None  # filled in once answered, with the reply's headers
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def api_path(self) -> str:
        """The path without the Enterprise prefix."""
        return _strip_prefix(self.path)[1]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def secondary_rate_limit(cls, retry_after: int | None = 1, status: int = 403) -> Reply:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return cls(status, _error(SECONDARY_LIMIT_MESSAGE, status, "about-secondary"), headers)

    @classmethod
    def primary_rate_limit(cls, reset_in_s: float) -> Reply:
        reset = str(math.ceil(time.time() + reset_in_s))
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        return cls(403, _error(PRIMARY_LIMIT_MESSAGE, 403, "about-primary"), headers)


Handler = Callable[[RecordedRequest, "re.Match[str]"], Reply]


def _error(message: str, status: int, anchor: str = "") -> dict[str, str]:
    url = f"{DOCS}/overview/rate-limits-for-the-rest-api#{anchor}-rate-limits" if anchor else DOCS
    return {"message": message, "documentation_url": url, "status": str(status)}


def _unprocessable(*errors: Any, docs: str = DOCS) -> Reply:
    """GitHub's 422 shape: a fixed message, the reasons in `errors`."""
    body = {
        "message": "Unprocessable Entity",
        "errors": list(errors),
        "documentation_url": docs,
        "status": "422",
    }
    return Reply(422, body)


def _strip_prefix(path: str) -> tuple[str, str]:
    if path == ENTERPRISE_PREFIX or path.startswith(ENTERPRISE_PREFIX + "/"):
        return ENTERPRISE_PREFIX, path[len(ENTERPRISE_PREFIX) :] or "/"
    return "", path


class FakeGitHub:
    """Start with `with FakeGitHub() as gh:`; `gh.api_url` is PyGithub's `base_url`."""

    def __init__(
        self,
        *,
        rate_limit: int = 5000,
        rate_window_s: float = 3600,
        token: str | None = None,
        git_root: Path | None = None,
    ) -> None:
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.token = token  # when set, API and git requests must carry it
        self.git_root = git_root
        self.requests: list[RecordedRequest] = []
        self.owners: dict[str, dict[str, Any]] = {}
        self.repos: dict[str, dict[str, Any]] = {}  # full name -> stored fields
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._remaining = rate_limit
        self._reset_at = 0
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._thread: threading.Thread | None = None
        self.pulls: dict[tuple[str, int], dict[str, Any]] = {}  # (full name, number) -> state
        self.apps: dict[int, str] = {}  # app id -> public key PEM
        self.installation_tokens: dict[str, dict[str, Any]] = {}  # token -> installation, expiry
        self.installation_token_ttl_s = 3600.0  # GitHub: an installation token lasts an hour
        self.check_runs: list[dict[str, Any]] = []
        self._next_id = 1

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._server, self._thread = start_server(self)
        self._port = self._server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """Root URL; still valid after stop() (for assertions), as long as it was started."""
        assert self._port, "server not started"
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def enterprise_api_url(self) -> str:
        return self.url + ENTERPRISE_PREFIX

    def git_url(self, repo_path: str) -> str:
        """Smart-HTTP clone URL of `<git_root>/<repo_path>`."""
        return f"{self.url}/git/{repo_path}"

    # -- state -------------------------------------------------------------------------------

    def add_owner(self, login: str, type: str = "Organization") -> dict[str, Any]:
        owner = {"login": login, "id": len(self.owners) + 1, "type": type}
        self.owners[login] = owner
        return owner

    def add_repo(self, owner: str, name: str, **fields: Any) -> dict[str, Any]:
        """Add a repository; `fields` override documented attributes (clone_url, topics...)."""
        if owner not in self.owners:
            self.add_owner(owner)
        stored = {
            "name": name,
            "owner": owner,
            "id": len(self.repos) + 1000,
            "private": False,
            "fork": False,
            "archived": False,
            "disabled": False,
            "language": None,
            "topics": [],
            "default_branch": "main",
            "description": None,
            "size": 1,
            **fields,
        }
        self.repos[f"{owner}/{name}"] = stored
        return stored

    def add_pull(
        self,
        owner: str,
        name: str,
        number: int,
        head_sha: str,
        base_sha: str,
        diff: bytes,
        draft: bool = False,
        title: str = "A change",
        state: str = "open",
    ) -> dict[str, Any]:
        """A pull request whose diff is `diff`; its reviews land in the returned `reviews`."""
        if f"{owner}/{name}" not in self.repos:
            self.add_repo(owner, name)
        pull = {
            "number": number,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "diff": diff,
            "draft": draft,
            "title": title,
            "state": state,
            "reviews": [],
            "sides": diff_sides(diff),  # path -> {"RIGHT": lines, "LEFT": lines}
        }
        self.pulls[(f"{owner}/{name}", number)] = pull
        return pull

    def add_app(self, app_id: int, public_key_pem: str | bytes) -> None:
        """A GitHub App whose JWTs verify against `public_key_pem`."""
        key = public_key_pem.decode() if isinstance(public_key_pem, bytes) else public_key_pem
        self.apps[app_id] = key

    def reviews(self, owner: str, name: str, number: int) -> list[dict[str, Any]]:
        return list(self.pulls[(f"{owner}/{name}", number)]["reviews"])

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Answer `method` on API paths fully matching `pattern` (prefix-free) with `handler`."""
        self._routes.insert(0, (method.upper(), re.compile(pattern), handler))

    def push_reply(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next `method path` request (prefix-free, any query) with `reply`."""
        with self._lock:
            self._replies.setdefault((method.upper(), path), deque()).append(reply)

    def find(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method) and (path is None or r.api_path == path)
        ]

    # -- dispatch (called from server threads) -------------------------------------------------

    def handle(self, request: RecordedRequest, host: str) -> Reply:
        prefix, path = _strip_prefix(request.path)
        if path.startswith("/git/") and self.git_root is not None:
            return self._git(request, path[len("/git") :])
        unauthorised = self._check_app_jwt(request) if path.startswith("/app/") else None
        unauthorised = unauthorised or self._check_token(request)
        if unauthorised is not None:
            return unauthorised
        limited, headers = self._consume_rate_limit()
        reply = limited or self._scripted(request.method, path) or self._routed(request, path)
        api = f"http://{host}{prefix}"
        reply = reply or self._pulls_api(request, path, api)
        if reply is None:
            reply = self._builtin(request, path, api)
        return Reply(reply.status, reply.body, {**headers, **reply.headers})

    def _check_token(self, request: RecordedRequest) -> Reply | None:
        given = request.headers.get("authorization", "")
        if request.api_path.startswith("/app/"):
            return None  # the App's JWT, checked by _check_app_jwt
        installation = self._installation(request)
        if installation is not None:
            if installation["expires_at"] <= time.time():
                return Reply(401, _error("Bad credentials", 401))
            return None
        if given.partition(" ")[2].startswith("ghs_"):
            return Reply(401, _error("Bad credentials", 401))  # unknown installation token
        if self.token is None:
            return None
        if not given:
            return Reply(401, _error("Requires authentication", 401))
        if given not in (f"token {self.token}", f"Bearer {self.token}"):
            return Reply(401, _error("Bad credentials", 401))
        return None

    def _installation(self, request: RecordedRequest) -> dict[str, Any] | None:
        token = request.headers.get("authorization", "").partition(" ")[2]
        return self.installation_tokens.get(token)

    def _check_app_jwt(self, request: RecordedRequest) -> Reply | None:
        """GitHub checks an App JWT's RS256 signature against the App's key, and that it
        expires at most ten minutes after it is checked."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError("not a bearer token")
            issuer = int(jwt.decode(token, options={"verify_signature": False})["iss"])
            claims = jwt.decode(
                token,
                self.apps[issuer],
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"]},
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            return Reply(401, _error(JWT_UNDECODABLE_MESSAGE, 401))
        if claims["exp"] > time.time() + 600:
            message = "'Expiration time' claim ('exp') is too far in the future"
            return Reply(401, _error(message, 401))
        return None

    def _consume_rate_limit(self) -> tuple[Reply | None, dict[str, str]]:
        with self._lock:
            now = time.time()
            if now >= self._reset_at:  # a new window opens with the first request after reset
                self._remaining = self.rate_limit
                self._reset_at = math.ceil(now + self.rate_window_s)
            limited = None
            if self._remaining == 0:
                limited = Reply(403, _error(PRIMARY_LIMIT_MESSAGE, 403, "about-primary"))
            else:
                self._remaining -= 1
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(self._remaining),
                "X-RateLimit-Reset": str(self._reset_at),
                "X-RateLimit-Used": str(self.rate_limit - self._remaining),
                "X-RateLimit-Resource": "core",
            }
            return limited, headers

    def _scripted(self, method: str, path: str) -> Reply | None:
        with self._lock:
            queue = self._replies.get((method, path))
            return queue.popleft() if queue else None

    def _routed(self, request: RecordedRequest, path: str) -> Reply | None:
        for method, pattern, handler in list(self._routes):
            match = pattern.fullmatch(path)
            if method == request.method and match:
                return handler(request, match)
        return None

    def _builtin(self, request: RecordedRequest, path: str, api: str) -> Reply:
        if request.method != "GET":
            return Reply(404, _error("Not Found", 404))
        if match := re.fullmatch(r"/(orgs|users)/([^/]+)", path):
            owner = self.owners.get(match.group(2))
            wanted = "Organization" if match.group(1) == "orgs" else None
            if owner is None or (wanted and owner["type"] != wanted):
                return Reply(404, _error("Not Found", 404))
            return Reply(200, self._owner_json(owner, api))
        if match := re.fullmatch(r"/(orgs|users)/([^/]+)/repos", path):
            owner = self.owners.get(match.group(2))
            wanted = "Organization" if match.group(1) == "orgs" else None
            if owner is None or (wanted and owner["type"] != wanted):
                return Reply(404, _error("Not Found", 404))
            repos = [r for r in self.repos.values() if r["owner"] == owner["login"]]
            return self._page(request, [self._repo_json(r, api) for r in repos], api + path)
        if match := re.fullmatch(r"/repos/([^/]+)/([^/]+)", path):
            stored = self.repos.get(f"{match.group(1)}/{match.group(2)}")
            if stored is None:
                return Reply(404, _error("Not Found", 404))
            return Reply(200, self._repo_json(stored, api))
        return Reply(404, _error("Not Found", 404))

    # -- pull requests, reviews, check runs, App tokens -----------------------------------------

    def _pulls_api(self, request: RecordedRequest, path: str, api: str) -> Reply | None:
        method = request.method
        if match := re.fullmatch(r"/app/installations/(\d+)/access_tokens", path):
            return self._access_token(int(match.group(1))) if method == "POST" else None
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/check-runs", path):
            return (
                self._create_check_run(request, match.group(1), api) if method == "POST" else None
            )
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/commits/([0-9a-f]{40})/check-runs", path):
            return self._list_check_runs(request, match.group(1), match.group(2), api)
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/pulls/(\d+)(/reviews)?", path)
        if match is None:
            return None
        pull = self.pulls.get((match.group(1), int(match.group(2))))
        if pull is None:
            return Reply(404, _error("Not Found", 404))
        if match.group(3) is None and method == "GET":
            accept = request.headers.get("accept", "")
            if any(media in accept for media in DIFF_MEDIA_TYPES):
                return Reply(200, pull["diff"], {"Content-Type": "text/plain; charset=utf-8"})
            return Reply(200, self._pull_json(match.group(1), pull, api))
        if match.group(3) is not None and method == "POST":
            return self._create_review(request, match.group(1), pull, api)
        if match.group(3) is not None and method == "GET":
            reviews = [self._review_json(match.group(1), pull, r, api) for r in pull["reviews"]]
            return self._page(request, reviews, f"{api}{path}")
        return None

    def _new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def _access_token(self, installation_id: int) -> Reply:
        token = "ghs_" + secrets.token_urlsafe(27)
        expires_at = time.time() + self.installation_token_ttl_s
        self.installation_tokens[token] = {
            "installation_id": installation_id,
            "expires_at": expires_at,
        }
        body = {
            "token": token,
            "expires_at": _iso(expires_at),
            "permissions": {"checks": "write", "contents": "read", "pull_requests": "write"},
            "repository_selection": "all",
        }
        return Reply(201, body)

    def _pull_json(self, full_name: str, pull: dict[str, Any], api: str) -> dict[str, Any]:
        number = pull["number"]
        url = f"{api}/repos/{full_name}/pulls/{number}"
        repo = self._repo_json(self.repos[full_name], api)
        owner = repo["owner"]

        def part(ref: str, sha: str) -> dict[str, Any]:
            label = f"{owner['login']}:{ref}"
            return {"label": label, "ref": ref, "sha": sha, "user": owner, "repo": repo}

        return {
            "url": url,
            "id": 5000 + number,
            "node_id": f"PR_{number}",
            "html_url": f"{self.url}/{full_name}/pull/{number}",
            "diff_url": f"{self.url}/{full_name}/pull/{number}.diff",
            "patch_url": f"{self.url}/{full_name}/pull/{number}.patch",
            "number": number,
            "state": pull["state"],
            "locked": False,
            "title": pull["title"],
            "user": owner,
            "body": None,
            "draft": pull["draft"],
            "head": part("feature", pull["head_sha"]),
            "base": part(self.repos[full_name]["default_branch"], pull["base_sha"]),
            "merged": False,
            "mergeable": True,
            "comments": 0,
            "review_comments": 0,
            "commits": 1,
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": None,
            "author_association": "MEMBER",
        }

    def _create_review(
        self, request: RecordedRequest, full_name: str, pull: dict[str, Any], api: str
    ) -> Reply:
        docs = f"{DOCS}/pulls/reviews#create-a-review-for-a-pull-request"
        try:
            data = request.json()
        except ValueError:
            return Reply(400, _error("Problems parsing JSON", 400))
        event = data.get("event", "PENDING")
        if event not in ("APPROVE", "REQUEST_CHANGES", "COMMENT", "PENDING"):
            return _unprocessable(f"Invalid value for event: {event}", docs=docs)
        if event in ("REQUEST_CHANGES", "COMMENT") and not data.get("body"):
            return _unprocessable(f"Body is required when using {event}", docs=docs)
        commit_id = data.get("commit_id", pull["head_sha"])
        if commit_id != pull["head_sha"]:
            return _unprocessable(f"No commit found for SHA: {commit_id}", docs=docs)
        for comment in data.get("comments") or []:
            sides = pull["sides"].get(comment.get("path"))
            if sides is None:
                return _unprocessable("Path could not be resolved", docs=docs)
            lines = sides.get(comment.get("side", "RIGHT"), set())
            if comment.get("line") not in lines or not comment.get("body"):
                return _unprocessable("Line could not be resolved", docs=docs)
        review_id = self._new_id()
        stored = {"id": review_id, **data, "commit_id": commit_id, "submitted_at": time.time()}
        pull["reviews"].append(stored)
        return Reply(200, self._review_json(full_name, pull, stored, api))

    def _review_json(
        self, full_name: str, pull: dict[str, Any], stored: dict[str, Any], api: str
    ) -> dict[str, Any]:
        review_id, event = stored["id"], stored.get("event", "PENDING")
        owner = self._owner_json(self.owners[full_name.split("/")[0]], api)
        pull_url = f"{api}/repos/{full_name}/pulls/{pull['number']}"
        html = f"{self.url}/{full_name}/pull/{pull['number']}#pullrequestreview-{review_id}"
        state = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED"}.get(event, event)
        return {
            "id": review_id,
            "node_id": f"PRR_{review_id}",
            "user": owner,
            "body": stored.get("body", ""),
            "state": "CHANGES_REQUESTED" if event == "REQUEST_CHANGES" else state,
            "html_url": html,
            "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "submitted_at": _iso(stored["submitted_at"]),
            "commit_id": stored["commit_id"],
            "author_association": "MEMBER",
        }

    def _create_check_run(self, request: RecordedRequest, full_name: str, api: str) -> Reply:
        docs = f"{DOCS}/checks/runs#create-a-check-run"
        if self._installation(request) is None:
            return Reply(403, {**_error(PAT_FORBIDDEN_MESSAGE, 403), "documentation_url": docs})
        if full_name not in self.repos:
            return Reply(404, _error("Not Found", 404))
        data = request.json()
        problem = _check_run_problem(data)
        if problem:
            return _unprocessable(problem, docs=docs)
        run = {"id": self._new_id(), "repo": full_name, "started_at": time.time(), **data}
        self.check_runs.append(run)
        return Reply(201, self._check_run_json(run, api))

    def _list_check_runs(
        self, request: RecordedRequest, full_name: str, sha: str, api: str
    ) -> Reply:
        if request.method != "GET" or full_name not in self.repos:
            return Reply(404, _error("Not Found", 404))
        name = request.query.get("check_name", [None])[0]
        runs = [
            self._check_run_json(run, api)
            for run in self.check_runs
            if run["repo"] == full_name and run["head_sha"] == sha and name in (None, run["name"])
        ]
        return Reply(200, {"total_count": len(runs), "check_runs": runs})

    def _check_run_json(self, run: dict[str, Any], api: str) -> dict[str, Any]:
        run_id, full_name = run["id"], run["repo"]
        output = run.get("output") or {}
        return {
            "id": run_id,
            "node_id": f"CR_{run_id}",
            "name": run["name"],
            "head_sha": run["head_sha"],
            "external_id": run.get("external_id", ""),
            "url": f"{api}/repos/{full_name}/check-runs/{run_id}",
            "html_url": f"{self.url}/{full_name}/runs/{run_id}",
            "status": run.get("status", "queued"),
            "conclusion": run.get("conclusion"),
            "started_at": _iso(run["started_at"]),
            "completed_at": run.get("completed_at"),
            "output": {
                "title": output.get("title"),
                "summary": output.get("summary"),
                "text": output.get("text"),
                "annotations_count": len(output.get("annotations") or []),
                "annotations_url": f"{api}/repos/{full_name}/check-runs/{run_id}/annotations",
            },
            "pull_requests": [],
        }

    def _page(self, request: RecordedRequest, items: list[Any], url: str) -> Reply:
        per_page = min(int(request.query.get("per_page", ["30"])[0]), 100)
        page = max(int(request.query.get("page", ["1"])[0]), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        params = {k: v[0] for k, v in request.query.items() if k != "page"}

        def link(number: int, rel: str) -> str:
            return f'<{url}?{urlencode({**params, "page": number})}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        return Reply(200, chunk, {"Link": ", ".join(links)} if links else {})

    def _owner_json(self, owner: dict[str, Any], api: str) -> dict[str, Any]:
        login = owner["login"]
        kind = "orgs" if owner["type"] == "Organization" else "users"
        return {
            "login": login,
            "id": owner["id"],
            "node_id": f"O_{owner['id']}",
            "type": owner["type"],
            "url": f"{api}/{kind}/{login}",
            "repos_url": f"{api}/{kind}/{login}/repos",
            "html_url": f"{self.url}/{login}",
            "avatar_url": "",
            "site_admin": False,
        }

    def _repo_json(self, stored: dict[str, Any], api: str) -> dict[str, Any]:
        fields = dict(stored)
        owner = self.owners[fields.pop("owner")]
        full_name = f"{owner['login']}/{fields['name']}"
        html_url = f"{self.url}/{full_name}"
        return {
            "full_name": full_name,
            "node_id": f"R_{fields['id']}",
            "owner": self._owner_json(owner, api),
            "html_url": html_url,
            "url": f"{api}/repos/{full_name}",
            "clone_url": f"{html_url}.git",
            "git_url": f"git://127.0.0.1/{full_name}.git",
            "ssh_url": f"git@127.0.0.1:{full_name}.git",
            "visibility": "private" if fields["private"] else "public",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "pushed_at": "2024-01-01T00:00:00Z",
            **fields,
        }

    # -- git smart HTTP ------------------------------------------------------------------------

    def _git(self, request: RecordedRequest, path_info: str) -> Reply:
        if not self._git_credential_ok(request.headers.get("authorization", "")):
            return Reply(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="GitHub"'})
        assert self.git_root is not None
        return git_http_backend(self.git_root, request, path_info)

    def _git_credential_ok(self, authorization: str) -> bool:
        """GitHub takes a personal token or a live installation token as the password of
        user x-access-token; with neither configured, repositories are public."""
        if self.token is None and not self.apps:
            return True
        scheme, _, encoded = authorization.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        if scheme.lower() != "basic" or user != "x-access-token":
            return False
        installation = self.installation_tokens.get(password)
        if installation is not None:
            return bool(installation["expires_at"] > time.time())
        return self.token is not None and password == self.token


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_run_problem(data: dict[str, Any]) -> str | None:
    """What GitHub would reject in a check run, or None."""
    if not data.get("name") or not data.get("head_sha"):
        return "name and head_sha are required"
    if data.get("status", "queued") not in ("queued", "in_progress", "completed"):
        return f"Invalid status: {data.get('status')}"
    if data.get("status") == "completed" and data.get("conclusion") not in CHECK_CONCLUSIONS:
        return "Conclusion is required when status is completed"
    output = data.get("output")
    if output is None:
        return None
    if not output.get("title") or not output.get("summary"):
        return "output.title and output.summary are required"
    annotations = output.get("annotations") or []
    if len(annotations) > 50:
        return "Only 50 annotations are allowed per request"
    for annotation in annotations:
        if {"path", "start_line", "end_line", "annotation_level", "message"} - set(annotation):
            return "Annotation is missing a required field"
        if annotation["annotation_level"] not in ("notice", "warning", "failure"):
            return f"Invalid annotation_level: {annotation['annotation_level']}"
    return None


def git_http_backend(git_root: Path, request: RecordedRequest, path_info: str) -> Reply:
    """Answer a git smart-HTTP request for a repository under `git_root` with `git
    http-backend` (credentials are the caller's to check first)."""
    env = {
        "GIT_PROJECT_ROOT": str(git_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": path_info,
        "QUERY_STRING": urlencode({k: v[0] for k, v in request.query.items()}),
        "REQUEST_METHOD": request.method,
        "CONTENT_TYPE": request.headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(request.body)),
        "REMOTE_ADDR": "127.0.0.1",
        "GIT_PROTOCOL": request.headers.get("git-protocol", ""),
        "HTTP_CONTENT_ENCODING": request.headers.get("content-encoding", ""),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    done = subprocess.run(
        ["git", "-c", "uploadpack.allowFilter=true", "http-backend"],
        input=request.body,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers[name] = value.strip()
    return Reply(status, body, headers)


def diff_sides(diff: bytes) -> dict[str, dict[str, set[int]]]:
    """Per file of a git diff, the lines a review comment may sit on: RIGHT (new file: context
    and added lines) and LEFT (old file: context and removed lines). Unquoted paths only."""
    sides: dict[str, dict[str, set[int]]] = {}
    lines: dict[str, set[int]] = {}
    old_path, in_hunk, old_no, new_no = "", False, 0, 0
    for raw in diff.decode("utf-8", "replace").split("\n"):
        line = raw.removesuffix("\r")
        if line.startswith("diff --git "):
            lines, in_hunk = {"RIGHT": set(), "LEFT": set()}, False
            sides[line.rsplit(" b/", 1)[-1]] = lines
        elif not in_hunk and line.startswith("--- "):
            old_path = line[4:].removeprefix("a/")
        elif not in_hunk and line.startswith("+++ "):
            new_path = line[4:].removeprefix("b/")
            sides[old_path if new_path == "/dev/null" else new_path] = lines
        elif match := re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", line):
            in_hunk, old_no, new_no = True, int(match.group(1)), int(match.group(2))
        elif in_hunk and line[:1] in (" ", "-"):
            lines["LEFT"].add(old_no)
            if line[:1] == " ":
                lines["RIGHT"].add(new_no)
                new_no += 1
            old_no += 1
        elif in_hunk and line[:1] == "+":
            lines["RIGHT"].add(new_no)
            new_no += 1
    return sides


class ServesRequests(Protocol):
    """What the HTTP handler needs of a fake: somewhere to record, and an answer."""

    requests: list[RecordedRequest]
    _lock: threading.Lock

    def handle(self, request: RecordedRequest, host: str) -> Reply: ...


def start_server(fake: ServesRequests) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve `fake` on a free loopback port from a daemon thread."""
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: ServesRequests

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up (git after a 401, a timed-out test) is not a server bug
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub; every reply has a Content-Length

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded requests are the log

    def _serve(self) -> None:
        assert isinstance(self.server, _Server)
        fake = self.server.fake
        parts = urlsplit(self.path)
        recorded = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(),
            at=time.monotonic(),
            wall=time.time(),
        )
        with fake._lock:
            fake.requests.append(recorded)
        reply = fake.handle(recorded, self.headers.get("Host", "127.0.0.1"))
        recorded.status = reply.status
        recorded.response_headers = dict(reply.headers)
        body = reply.body
        if not isinstance(body, bytes):
            body = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()  # the blank line after the last chunk
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))
