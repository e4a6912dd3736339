"""The Bitbucket Cloud client: real httpx against the fake Bitbucket; the diff from real git,
the head fetched over git's smart HTTP from the fake."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from codeprism.findings import Finding, Severity
from codeprism.hosts.base import HostError, Published, RateLimited
from codeprism.hosts.bitbucket import BitbucketAuth, BitbucketHost
from codeprism.hosts.comments import render_comment, render_summary
from codeprism.review.diff import parse_diff
from codeprism.sources.git import fetch_commit
from tests.fakes.bitbucket_server import FakeBitbucket
from tests.fakes.git_repos import Upstream, git
from tests.fakes.github_server import Reply

TOKEN = "ATCTT3xFfGN0-secret-access-token"
REPO, NUMBER = "team/service", 7
PR = f"/repositories/{REPO}/pullrequests/{NUMBER}"
MODULE = "".join(f"line_{i} = {i}\n" for i in range(1, 13))


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Upstream, str, str, bytes]:
    repo = Upstream(tmp_path / "git" / "team", "service")
    base = repo.commit({"mod.py": MODULE})
    head = repo.commit({"mod.py": MODULE.replace("line_3 = 3", "line_3 = 33") + "x = 13\n"})
    diff = git("diff", base, head, cwd=repo.work).encode() + b"\n"
    return repo, base, head, diff


@pytest.fixture
def bitbucket(
    tmp_path: Path, upstream: tuple[Upstream, str, str, bytes]
) -> Iterator[FakeBitbucket]:
    _, base, head, diff = upstream
    with FakeBitbucket(token=TOKEN, pagelen=2, git_root=tmp_path / "git") as server:
        server.add_pull_request(REPO, NUMBER, head_sha=head, base_sha=base, diff=diff)
        yield server


def host(server: FakeBitbucket, events: list[str] | None = None, **options: Any) -> BitbucketHost:
    auth = BitbucketAuth(api_url=server.api_url, git_url=server.git_url, token=SecretStr(TOKEN))
    return BitbucketHost(auth, on_event=None if events is None else events.append, **options)


def finding(path: str, line: int, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule_id="logic", analyzer="llm", file_path=path, start_line=line, end_line=line,
        severity=severity, title=f"Check {path}:{line}", description="Off by one.",
    )  # fmt: skip


def test_pull_request_info_has_full_hashes(
    bitbucket: FakeBitbucket, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    _, base, head, _ = upstream
    events: list[str] = []
    info = host(bitbucket, events).pull_request(REPO, NUMBER)
    assert (info.repo, info.number, info.head_sha, info.base_sha) == (REPO, NUMBER, head, base)
    assert (info.state, info.draft, info.title) == ("OPEN", False, "A change")
    # the resource names 12 digits; each short hash is resolved once
    assert [r.path.removeprefix("/2.0") for r in bitbucket.requests] == [
        PR,
        f"/repositories/{REPO}/commit/{head[:12]}",
        f"/repositories/{REPO}/commit/{base[:12]}",
    ]
    assert events == ["call", "call", "call"]
    assert bitbucket.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_the_diff_follows_bitbucket_s_redirect(
    bitbucket: FakeBitbucket, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    client = host(bitbucket)
    assert client.pull_diff(REPO, NUMBER) == upstream[3]
    assert client.calls == 2
    first, second = bitbucket.requests
    assert first.status == 302 and second.path.startswith(f"/2.0/repositories/{REPO}/diff/")


def test_the_head_is_fetched_over_git_as_x_token_auth(
    bitbucket: FakeBitbucket, upstream: tuple[Upstream, str, str, bytes], tmp_path: Path
) -> None:
    client = host(bitbucket)
    info = client.pull_request(REPO, NUMBER)
    head = client.head_commit(REPO, info.head_sha)
    assert head.url == f"{bitbucket.git_url}/{REPO}.git" and head.user == "x-token-auth"
    fetch_commit(head, ["mod.py"], tmp_path / "fetched", 60)
    shown = git("--git-dir", str(tmp_path / "fetched"), "show", f"{info.head_sha}:mod.py")
    assert "line_3 = 33" in shown


def test_publish_posts_inline_comments_then_a_summary_and_is_idempotent_on_retry(
    bitbucket: FakeBitbucket,
) -> None:
    client = host(bitbucket)
    changed = {f.path: f.changed_lines for f in parse_diff(client.pull_diff(REPO, NUMBER))}
    findings = [
        finding("mod.py", 13, Severity.HIGH),
        finding("mod.py", 3),
        finding("mod.py", 6),  # unchanged line
        finding("elsewhere.py", 1),  # not in the pull request
    ]
    summary = {"dropped": {"off_diff": 1}}
    bitbucket.requests.clear()
    published = client.publish(REPO, NUMBER, findings, changed, summary, review_key="r-1")
    assert published == Published(
        comments=2, summary_only=2, review_id="503", check_run_id=None, calls=3
    )
    stored = bitbucket.comments(REPO, NUMBER)
    assert [c.get("inline") for c in stored] == [
        {"path": "mod.py", "to": 13, "from": None},
        {"path": "mod.py", "to": 3, "from": None},
        None,
    ]
    marker = "\n\n<!-- codeprism-review r-1 -->"
    assert stored[0]["content"]["raw"] == render_comment(findings[0]) + marker
    assert stored[2]["content"]["raw"] == render_summary(findings, findings[2:], summary) + marker

    # the attempt died before its summary: the retry posts the summary, and only that
    bitbucket.pull_requests[(REPO, NUMBER)]["comments"].pop()
    bitbucket.requests.clear()
    again = client.publish(REPO, NUMBER, findings, changed, summary, "r-1", retry=True)
    assert (again.comments, again.summary_only) == (2, 2)
    assert [(r.method, r.path.removeprefix("/2.0")) for r in bitbucket.requests] == [
        ("GET", f"{PR}/comments"),
        ("POST", f"{PR}/comments"),
    ]
    assert len(bitbucket.comments(REPO, NUMBER)) == 3
    # a retry after all of it was posted posts nothing (the comments span two pages)
    bitbucket.requests.clear()
    last = client.publish(REPO, NUMBER, findings, changed, summary, "r-1", retry=True)
    assert last.review_id == again.review_id and last.comments == 2
    assert [r.method for r in bitbucket.requests] == ["GET", "GET"]
    assert len(bitbucket.comments(REPO, NUMBER)) == 3


def test_a_position_bitbucket_rejects_moves_to_the_summary(bitbucket: FakeBitbucket) -> None:
    client = host(bitbucket)
    findings = [finding("mod.py", 8)]  # no line of the diff
    published = client.publish(REPO, NUMBER, findings, {"mod.py": {8}}, {}, "r-2")
    assert (published.comments, published.summary_only) == (0, 1)
    [summary] = bitbucket.comments(REPO, NUMBER)
    assert "inline" not in summary and "mod.py" in summary["content"]["raw"]


def test_429_waits_for_retry_after(bitbucket: FakeBitbucket) -> None:
    waits: list[float] = []
    events: list[str] = []
    client = host(bitbucket, events)
    client._backoff = client._backoff.__class__(3, 60, "Bitbucket", (TOKEN,), waits.append)
    bitbucket.push_reply("GET", PR, Reply(429, {"type": "error"}, {"Retry-After": "2"}))
    assert client.pull_request(REPO, NUMBER).number == NUMBER
    assert waits == [2.0] and events.count("backoff") == 1


def test_a_wait_beyond_max_backoff_is_a_clear_error(bitbucket: FakeBitbucket) -> None:
    bitbucket.push_reply("GET", PR, Reply(429, {"type": "error"}, {"Retry-After": "3600"}))
    with pytest.raises(RateLimited, match="exceeds max_backoff_s"):
        host(bitbucket, max_backoff_s=10).pull_request(REPO, NUMBER)


def test_errors_never_show_the_token(
    bitbucket: FakeBitbucket, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {"type": "error", "error": {"message": f"bad token {TOKEN}"}}
    bitbucket.push_reply("GET", PR, Reply(500, echo))
    with caplog.at_level(logging.DEBUG), pytest.raises(HostError) as raised:
        host(bitbucket).pull_request(REPO, NUMBER)
    assert raised.value.status == 500
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text
    assert "***" in str(raised.value)


def test_bad_names_and_ids_are_refused_before_any_request(bitbucket: FakeBitbucket) -> None:
    client = host(bitbucket)
    for name, number in (("../etc", 1), ("a/b/c", 1), ("team/service", 0)):
        with pytest.raises(HostError):
            client.pull_request(name, number)
    assert bitbucket.requests == []
    with pytest.raises(ValidationError):
        BitbucketAuth(api_url="ftp://example.com", token=SecretStr("t"))


def test_an_app_password_goes_as_basic_auth(bitbucket: FakeBitbucket) -> None:
    auth = BitbucketAuth(api_url=bitbucket.api_url, token=SecretStr("pw"), username="dev")
    with pytest.raises(HostError) as raised:
        BitbucketHost(auth).pull_request(REPO, NUMBER)  # the fake takes access tokens only
    assert raised.value.status == 401
    assert bitbucket.requests[0].headers["authorization"] == "Basic ZGV2OnB3"
    assert BitbucketHost(auth).head_commit(REPO, "a" * 40).user == "dev"


def test_the_secrets_build_the_client_from_the_environment() -> None:
    from codeprism.online.settings import load_secrets

    secrets = load_secrets(
        {
            "CODEPRISM_BITBUCKET_WEBHOOK_SECRET": "hook-secret",
            "CODEPRISM_BITBUCKET_TOKEN": TOKEN,
            "CODEPRISM_BITBUCKET_API_URL": "https://bb.example.com/2.0/",
            "CODEPRISM_BITBUCKET_GIT_URL": "https://bb.example.com",
        }
    )
    assert secrets.bitbucket_webhook_secret is not None
    assert TOKEN not in repr(secrets)
    auth = secrets.bitbucket_auth()
    assert auth is not None and auth.api_url == "https://bb.example.com/2.0"
    assert auth.clone_url(REPO) == f"https://bb.example.com/{REPO}.git"
    assert load_secrets({}).bitbucket_auth() is None
