"""The GitHub client: real PyGithub and httpx against the fake GitHub on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr, ValidationError

from codeprism.findings import Finding, Severity, Source
from codeprism.hosts.base import (
    HostError,
    Published,
    PullRequestInfo,
    RateLimited,
    reset_wait_s,
    retry_after_s,
)
from codeprism.hosts.comments import check_conclusion, render_comment, render_summary
from codeprism.hosts.github import GitHubAuth, GitHubHost
from codeprism.review.diff import parse_diff
from tests.fakes.github_server import PAT_FORBIDDEN_MESSAGE, FakeGitHub, Reply

TOKEN = "ghp_personalTokenForTests0123456789"
APP_ID = 4242
INSTALLATION = 77
HEAD, BASE = "a" * 40, "b" * 40
PULL = "/repos/acme/api/pulls/7"
DIFF = b"""diff --git a/app/db.py b/app/db.py
index 1111111..2222222 100644
--- a/app/db.py
+++ b/app/db.py
@@ -1,4 +1,5 @@
 import sqlite3
+import os
 def find(conn, name):
-    return conn.execute("SELECT * FROM t WHERE n = ?", (name,))
+    query = "SELECT * FROM t WHERE n = '" + name + "'"
+    return conn.execute(query)
diff --git a/app/new.py b/app/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/app/new.py
@@ -0,0 +1,2 @@
+SECRET = "AKIA-REDACTED"
+print(\xe9)
"""


def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


@pytest.fixture(scope="module")
def app_key() -> tuple[str, str]:
    return key_pair()


@pytest.fixture
def github(app_key: tuple[str, str]) -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as server:
        server.add_app(APP_ID, app_key[1])
        server.add_pull("acme", "api", 7, HEAD, BASE, DIFF, title="Query by name")
        yield server


def app_host(server: FakeGitHub, key: str, events: list[str] | None = None) -> GitHubHost:
    auth = GitHubAuth(api_url=server.api_url, app_id=APP_ID, private_key=SecretStr(key))
    return GitHubHost(auth, on_event=None if events is None else events.append)


def token_host(server: FakeGitHub, events: list[str] | None = None, **options: Any) -> GitHubHost:
    auth = GitHubAuth(api_url=server.api_url, token=SecretStr(TOKEN))
    return GitHubHost(auth, on_event=None if events is None else events.append, **options)


def finding(path: str, line: int, severity: Severity = Severity.HIGH, **fields: Any) -> Finding:
    fields.setdefault("rule_id", "sql-injection")
    fields.setdefault("title", "Query built from input")
    fields.setdefault("end_line", line)
    return Finding(analyzer="llm", file_path=path, start_line=line, severity=severity, **fields)


FINDINGS = [
    finding("app/db.py", 4, description="`name` reaches SQL unescaped."),  # changed line
    finding("app/new.py", 1, Severity.CRITICAL, rule_id="secret", title="AWS key"),  # changed
    finding("app/db.py", 3, Severity.LOW, rule_id="naming", title="Vague name"),  # context
    finding("app/other.py", 10, Severity.MEDIUM, rule_id="perf", title="Slow loop"),  # not in PR
]
SUMMARY = {"dropped": {"off_diff": 2, "invalid": 1, "duplicate": 0, "over_cap": 0}}


def review(host: GitHubHost, installation: int | None = INSTALLATION) -> Published:
    """What the orchestrator does for one pull request."""
    info = host.pull_request("acme/api", 7, installation)
    diff = host.pull_diff("acme/api", 7, installation)
    changed = {f.path: f.changed_lines for f in parse_diff(diff)}
    return host.publish(
        "acme/api", 7, installation, info.head_sha, FINDINGS, changed, SUMMARY, review_key="r-1"
    )


def calls(server: FakeGitHub) -> list[tuple[str, str]]:
    return [(r.method, r.api_path) for r in server.requests]


# -- one review ----------------------------------------------------------------------------------


def test_app_review_makes_five_calls_and_the_next_one_four(
    github: FakeGitHub, app_key: tuple[str, str]
) -> None:
    events: list[str] = []
    host = app_host(github, app_key[0], events)
    published = review(host)
    token_call = ("POST", f"/app/installations/{INSTALLATION}/access_tokens")
    one_review = [
        ("GET", PULL),  # the pull request (JSON)
        ("GET", PULL),  # its diff
        ("POST", f"{PULL}/reviews"),  # the only request that creates comments
        ("POST", "/repos/acme/api/check-runs"),
    ]
    assert calls(github) == [token_call, *one_review]  # no GET /repos/acme/api: lazy objects
    assert [r.status for r in github.requests] == [201, 200, 200, 200, 201]
    assert published == Published(
        comments=2, summary_only=2, review_id="2", check_run_id="3", calls=2
    )
    assert events == ["call"] * 5 and host.calls == 5 and host.backoffs == 0

    github.requests.clear()
    second = review(host)  # within the hour: the cached installation token
    assert calls(github) == one_review
    assert second.calls == 2 and host.calls == 9
    assert len(github.installation_tokens) == 1
    token = next(iter(github.installation_tokens))
    assert {r.headers["authorization"] for r in github.requests} == {f"token {token}"}


def test_pull_request_info_and_raw_diff(github: FakeGitHub) -> None:
    host = token_host(github)
    github.add_pull("acme", "api", 8, "c" * 40, BASE, DIFF, draft=True, title="WIP")
    assert host.pull_request("acme/api", 8, None) == PullRequestInfo(
        repo="acme/api", number=8, head_sha="c" * 40, base_sha=BASE, draft=True, title="WIP",
        state="open",
    )  # fmt: skip
    assert host.pull_diff("acme/api", 8, None) == DIFF  # the latin-1 byte arrives untouched
    diff_request = github.requests[-1]
    assert diff_request.headers["accept"] == "application/vnd.github.diff"
    assert diff_request.headers["authorization"] == f"token {TOKEN}"


def test_inline_comments_only_on_changed_lines(
    github: FakeGitHub, app_key: tuple[str, str]
) -> None:
    review(app_host(github, app_key[0]))
    [posted] = github.reviews("acme", "api", 7)
    assert posted["event"] == "COMMENT" and posted["commit_id"] == HEAD
    assert [(c["path"], c["line"], c["side"]) for c in posted["comments"]] == [
        ("app/db.py", 4, "RIGHT"),
        ("app/new.py", 1, "RIGHT"),
    ]
    assert posted["comments"][0]["body"] == render_comment(FINDINGS[0])
    marker = "\n\n<!-- codeprism-review r-1 -->"
    assert posted["body"] == render_summary(FINDINGS, FINDINGS[2:], SUMMARY) + marker
    assert "`app/db.py:3` Vague name" in posted["body"]
    assert "`app/other.py:10` Slow loop" in posted["body"]
    assert "dropped: 2 off-diff, 1 invalid, 0 duplicate, 0 over-cap" in posted["body"]


def test_check_run_conclusion_and_annotations(github: FakeGitHub, app_key: tuple[str, str]) -> None:
    host = app_host(github, app_key[0])
    review(host)
    [run] = github.check_runs
    assert (run["name"], run["head_sha"], run["status"], run["conclusion"]) == (
        "codeprism", HEAD, "completed", "failure"
    )  # fmt: skip
    assert run["output"]["title"] == "4 findings: 1 critical, 1 high, 1 medium, 1 low"
    annotations = run["output"]["annotations"]
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in annotations] == [
        ("app/new.py", 1, "failure"),
        ("app/db.py", 4, "failure"),
        ("app/other.py", 10, "warning"),
        ("app/db.py", 3, "notice"),
    ]  # fmt: skip

    published = host.publish("acme/api", 7, INSTALLATION, HEAD, [], {}, {}, review_key="r-2")
    assert (published.comments, published.summary_only, published.calls) == (0, 0, 2)
    assert github.check_runs[-1]["conclusion"] == "success"
    assert "No findings" in github.reviews("acme", "api", 7)[-1]["body"]


def test_a_retried_review_does_not_post_twice(github: FakeGitHub, app_key: tuple[str, str]) -> None:
    """The attempt that posted died before the inbox heard of it: the retry finds its review
    (by the marker in the body) and its check run (by external_id) and posts neither again."""
    host = app_host(github, app_key[0], [])
    first = review(host)
    github.requests.clear()
    diff = host.pull_diff("acme/api", 7, INSTALLATION)
    changed = {f.path: f.changed_lines for f in parse_diff(diff)}
    again = host.publish(
        "acme/api", 7, INSTALLATION, HEAD, FINDINGS, changed, SUMMARY, review_key="r-1", retry=True
    )
    assert (again.review_id, again.check_run_id) == (first.review_id, first.check_run_id)
    assert (again.comments, again.summary_only) == (first.comments, first.summary_only)
    assert calls(github) == [
        ("GET", "/repos/acme/api/pulls/7"),  # the diff
        ("GET", "/repos/acme/api/pulls/7/reviews"),
        ("GET", f"/repos/acme/api/commits/{HEAD}/check-runs"),
    ]
    assert len(github.reviews("acme", "api", 7)) == 1 and len(github.check_runs) == 1
    assert "<!-- codeprism-review r-1 -->" in github.reviews("acme", "api", 7)[0]["body"]

    # another review of the same head (a new review id) is posted, retried or not
    other = host.publish(
        "acme/api", 7, INSTALLATION, HEAD, FINDINGS, changed, SUMMARY, review_key="r-2", retry=True
    )
    assert other.review_id != first.review_id and other.check_run_id != first.check_run_id
    assert len(github.reviews("acme", "api", 7)) == 2 and len(github.check_runs) == 2


@pytest.mark.parametrize(
    ("severities", "conclusion"),
    [
        ([], "success"),
        ([Severity.INFO, Severity.LOW, Severity.MEDIUM], "neutral"),
        ([Severity.LOW, Severity.HIGH], "failure"),
        ([Severity.CRITICAL], "failure"),
    ],
)
def test_check_conclusion(severities: list[Severity], conclusion: str) -> None:
    assert check_conclusion([finding("a.py", 1, s) for s in severities]) == conclusion


def test_personal_token_posts_no_check_run(github: FakeGitHub) -> None:
    host = token_host(github)
    published = review(host, installation=None)
    assert published.check_run_id is None and published.calls == 1
    assert calls(github) == [("GET", PULL), ("GET", PULL), ("POST", f"{PULL}/reviews")]
    assert {r.headers["authorization"] for r in github.requests} == {f"token {TOKEN}"}
    # GitHub itself refuses check runs to personal tokens, which is why none is attempted
    refused = httpx.post(
        f"{github.api_url}/repos/acme/api/check-runs",
        headers={"Authorization": f"token {TOKEN}"},
        json={"name": "x", "head_sha": HEAD},
    )
    assert (refused.status_code, refused.json()["message"]) == (403, PAT_FORBIDDEN_MESSAGE)


def test_github_enterprise_base_url(github: FakeGitHub, app_key: tuple[str, str]) -> None:
    auth = GitHubAuth(
        api_url=github.enterprise_api_url + "/", app_id=APP_ID, private_key=SecretStr(app_key[0])
    )
    published = review(GitHubHost(auth))
    assert published.comments == 2 and published.check_run_id is not None
    assert [r.path for r in github.requests] == [
        f"/api/v3/app/installations/{INSTALLATION}/access_tokens",
        f"/api/v3{PULL}",
        f"/api/v3{PULL}",
        f"/api/v3{PULL}/reviews",
        "/api/v3/repos/acme/api/check-runs",
    ]


def test_a_comment_github_cannot_place_moves_to_the_body(github: FakeGitHub) -> None:
    host = token_host(github)
    stale = finding("app/db.py", 40)  # "changed" in a diff GitHub no longer shows
    published = host.publish(
        "acme/api", 7, None, HEAD, [stale], {"app/db.py": {40}}, {}, review_key="r-1"
    )
    assert published == Published(
        comments=0, summary_only=1, review_id="2", check_run_id=None, calls=2
    )
    assert [r.status for r in github.requests] == [422, 200]
    assert github.requests[0].json()["comments"][0]["line"] == 40
    [posted] = github.reviews("acme", "api", 7)
    assert posted["comments"] == [] and "`app/db.py:40`" in posted["body"]


def test_the_fake_validates_review_lines_like_github(github: FakeGitHub) -> None:
    def post(line: int, path: str = "app/db.py") -> httpx.Response:
        comment = {"path": path, "line": line, "side": "RIGHT", "body": "x"}
        body = {"commit_id": HEAD, "event": "COMMENT", "body": "b", "comments": [comment]}
        return httpx.post(
            f"{github.api_url}{PULL}/reviews",
            headers={"Authorization": f"token {TOKEN}"},
            json=body,
        )

    assert post(3).status_code == 200  # a context line is on the right side too
    refused = post(6).json()
    assert refused["message"] == "Unprocessable Entity"
    assert refused["errors"] == ["Line could not be resolved"]
    assert post(1, "nowhere.py").json()["errors"] == ["Path could not be resolved"]


# -- back-off ----------------------------------------------------------------------------------


def test_secondary_rate_limit_403_waits_for_retry_after(github: FakeGitHub) -> None:
    events: list[str] = []
    host = token_host(github, events)
    github.push_reply("POST", f"{PULL}/reviews", Reply.secondary_rate_limit(retry_after=1))
    published = host.publish(
        "acme/api", 7, None, HEAD, FINDINGS[:1], {"app/db.py": {4}}, {}, review_key="r-1"
    )
    assert published.comments == 1 and published.calls == 2
    assert events == ["call", "backoff", "call"] and host.backoffs == 1
    first, second = github.requests
    assert (first.status, second.status) == (403, 200)
    assert second.at - first.at >= 1.0  # Retry-After honoured
    assert len(github.reviews("acme", "api", 7)) == 1


def test_429_waits_and_retries(github: FakeGitHub) -> None:
    events: list[str] = []
    host = token_host(github, events)
    github.push_reply("GET", PULL, Reply.secondary_rate_limit(retry_after=1, status=429))
    assert host.pull_request("acme/api", 7, None).head_sha == HEAD
    assert events == ["call", "backoff", "call"]
    assert [r.status for r in github.requests] == [429, 200]


def test_exhausted_primary_limit_waits_for_the_reset(github: FakeGitHub) -> None:
    events: list[str] = []
    host = token_host(github, events)
    github.push_reply("GET", PULL, Reply.primary_rate_limit(reset_in_s=1))
    assert host.pull_diff("acme/api", 7, None) == DIFF
    assert events == ["call", "backoff", "call"]
    first, second = github.requests
    assert second.wall >= int(first.response_headers["X-RateLimit-Reset"])


def test_a_wait_beyond_max_backoff_is_a_clear_error(github: FakeGitHub) -> None:
    events: list[str] = []
    host = token_host(github, events, max_backoff_s=5)
    github.push_reply("GET", PULL, Reply.secondary_rate_limit(retry_after=120))
    with pytest.raises(RateLimited) as raised:
        host.pull_request("acme/api", 7, None)
    assert str(raised.value).startswith(f"GitHub GET {PULL} is rate limited (HTTP 403: ")
    assert str(raised.value).endswith("the requested wait of 120 s exceeds max_backoff_s=5")
    assert (raised.value.status, raised.value.wait_s) == (403, 120)
    assert events == ["call"] and len(github.requests) == 1


def test_retries_are_bounded(github: FakeGitHub) -> None:
    host = token_host(github, max_retries=1)
    for _ in range(2):
        github.push_reply("GET", PULL, Reply.secondary_rate_limit(retry_after=0, status=429))
    with pytest.raises(RateLimited, match="still rate limited after 1 retries"):
        host.pull_request("acme/api", 7, None)
    assert len(github.requests) == 2 and host.backoffs == 1


def test_wait_headers() -> None:
    now = 1_700_000_000.0
    assert retry_after_s({"retry-after": "3"}, now) == 3.0
    assert retry_after_s({"retry-after": "Tue, 14 Nov 2023 22:13:40 GMT"}, now) == 20.0
    assert retry_after_s({"retry-after": "soon"}, now) is None
    assert retry_after_s({}, now) is None
    assert reset_wait_s("1700000010", now) == 11.0  # the reset second itself, plus one
    assert reset_wait_s("1600000000", now) == 1.0
    assert reset_wait_s(None, now) is None


@pytest.mark.parametrize(
    ("reply", "status", "message"),
    [
        (Reply(500, {"message": "Server Error"}), 500, "HTTP 500: Server Error"),
        (
            Reply(403, {"message": "Resource not accessible by integration"}),
            403,
            "HTTP 403: Resource not accessible by integration",
        ),
        (Reply(404, {"message": "Not Found"}), 404, "HTTP 404: Not Found"),
    ],
)
def test_other_errors_raise_at_once(
    github: FakeGitHub, reply: Reply, status: int, message: str
) -> None:
    host = token_host(github)
    github.push_reply("GET", PULL, reply)
    with pytest.raises(HostError) as raised:
        host.pull_request("acme/api", 7, None)
    assert raised.value.status == status
    assert str(raised.value) == f"GitHub GET {PULL} failed: {message}"
    assert len(github.requests) == 1 and host.backoffs == 0


# -- credentials -------------------------------------------------------------------------------


def test_installation_token_is_renewed_near_its_expiry(
    github: FakeGitHub, app_key: tuple[str, str]
) -> None:
    github.installation_token_ttl_s = 200  # inside the 5-minute renewal margin
    host = app_host(github, app_key[0])
    host.pull_request("acme/api", 7, INSTALLATION)
    host.pull_request("acme/api", 7, INSTALLATION)
    host.pull_request("acme/api", 7, INSTALLATION + 1)  # another installation, its own token
    token_calls = [r.api_path for r in github.requests if r.method == "POST"]
    assert token_calls == [f"/app/installations/{i}/access_tokens" for i in (77, 77, 78)]
    assert len(github.installation_tokens) == 3


def test_a_jwt_signed_with_another_key_is_refused(github: FakeGitHub) -> None:
    host = app_host(github, key_pair()[0])
    with pytest.raises(HostError) as raised:
        host.pull_request("acme/api", 7, INSTALLATION)
    assert raised.value.status == 401
    assert "A JSON web token could not be decoded" in str(raised.value)
    assert calls(github) == [("POST", f"/app/installations/{INSTALLATION}/access_tokens")]


def test_secrets_stay_out_of_errors_logs_and_reprs(
    github: FakeGitHub, app_key: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    # PyGithub keeps its "github" logger at INFO; at DEBUG it logs every request and response
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="github"):
        app = app_host(github, app_key[0])
        review(app)
        pat = token_host(github)
        review(pat, installation=None)
    installation_token = next(iter(github.installation_tokens))
    assert "HTTP Request: POST" in caplog.text  # httpx's and PyGithub's logs were captured
    assert "Authorization': 'token (oauth token removed)'" in caplog.text
    private_key_line = app_key[0].splitlines()[1]
    for secret in (TOKEN, installation_token, private_key_line):
        assert secret not in caplog.text  # the token exchange, for one, is not PyGithub's
        assert secret not in repr(app.auth) + repr(pat.auth) + str(app.auth) + str(pat.auth)

    # a server (or a proxy) that echoes the credential in its error
    github.push_reply("GET", PULL, Reply(500, {"message": f"bad {installation_token}"}))
    with pytest.raises(HostError) as app_error:
        app.pull_diff("acme/api", 7, INSTALLATION)
    github.push_reply("GET", PULL, Reply(502, {"message": f"token {TOKEN} rejected"}))
    with pytest.raises(HostError) as pat_error:
        pat.pull_request("acme/api", 7, None)
    assert str(app_error.value) == f"GitHub GET {PULL} failed: HTTP 500: bad ***"
    assert str(pat_error.value) == f"GitHub GET {PULL} failed: HTTP 502: token *** rejected"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "GitHub auth needs a token, or a GitHub App's app_id and private_key"),
        ({"app_id": 1}, "GitHub auth needs a token, or a GitHub App's app_id and private_key"),
        ({"token": TOKEN, "app_id": 1}, "give either a token or app_id and private_key"),
        ({"app_id": 1, "private_key": "not -----BEGIN a key"}, "not an unencrypted PEM"),
        ({"token": TOKEN, "api_url": "api.github.com"}, "api_url must be an http(s) URL"),
        ({"token": TOKEN, "scopes": "repo"}, "Extra inputs are not permitted"),
    ],
)
def test_auth_is_validated_without_echoing_secrets(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        GitHubAuth.model_validate(fields)
    assert message in str(raised.value)
    assert TOKEN not in str(raised.value) and "BEGIN a key" not in str(raised.value)


def test_bad_arguments_are_clear_errors_and_send_nothing(
    github: FakeGitHub, app_key: tuple[str, str]
) -> None:
    with pytest.raises(HostError, match="needs the installation id"):
        app_host(github, app_key[0]).pull_request("acme/api", 7, None)
    with pytest.raises(HostError, match=r"not a GitHub repository name \(owner/name\): 'acme'"):
        token_host(github).pull_diff("acme", 7, None)
    assert github.requests == []


# -- rendering ---------------------------------------------------------------------------------


def test_comment_body() -> None:
    item = finding(
        "app/db.py", 4, description="Ask @admin <b>now</b>", suggested_fix="x = run(q, args)",
        snippet="password = 'REDACTED'", confidence=0.8, agent="security", source=Source.LLM,
    )  # fmt: skip
    assert render_comment(item) == (
        "**[high]** Query built from input · `sql-injection`\n\n"
        "Ask @\u200badmin &lt;b>now&lt;/b>\n\n"
        "Suggested change:\n```suggestion\nx = run(q, args)\n```\n\n"
        "<sub>codeprism · security agent · confidence 0.80</sub>"
    )
    assert "REDACTED" not in render_comment(item)  # the snippet is never shown


@pytest.mark.parametrize(
    ("fix", "end_line", "block"),
    [
        ("x = run(q, args)", 4, "```suggestion\n"),
        ("Use a parameterised query.", 4, "```\n"),  # prose is not committed as code
        ("use bound parameters", 4, "```\n"),
        ("x = run(q, args)", 5, "```\n"),  # a two-line finding: no one-line replacement
        ("a = 1\nb = 2", 4, "```\n"),
        ("s = ```x```", 4, "````\n"),  # a fence no backtick run in the fix can close
    ],
)
def test_only_one_line_code_fixes_become_suggestions(fix: str, end_line: int, block: str) -> None:
    body = render_comment(finding("a.py", 4, suggested_fix=fix, end_line=end_line))
    assert block in body
    assert ("```suggestion" in body) == (block == "```suggestion\n")


def test_summary_body() -> None:
    listed = [finding("a.py", i, Severity.LOW, title=f"t{i}") for i in range(1, 53)]
    summary = {
        "dropped": {"off_diff": 3, "invalid": 0},
        "omitted": [{"path": "big.lock", "reason": "too_large", "detail": "12,000 lines"}],
        "model": "tiny",
    }
    body = render_summary([*listed, FINDINGS[0]], listed, summary)
    lines = body.splitlines()
    assert lines[:6] == [
        "## codeprism review",
        "",
        "**53 findings**: 1 high, 52 low.",
        "1 inline comment on changed lines.",
        "",
        "### Not on a changed line (52)",
    ]
    assert lines[7] == "- **[low]** `a.py:1` t1 (`sql-injection`)"
    assert lines[57:] == [
        "- … and 2 more",
        "",
        "<sub>",
        "dropped: 3 off-diff, 0 invalid<br>",
        "left out: `big.lock` (too_large 12,000 lines)<br>",
        "model: `tiny`<br>",
        "</sub>",
    ]
    assert render_summary([], [], {}) == "## codeprism review\n\nNo findings on the changed lines."
