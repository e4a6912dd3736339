"""The Bitbucket Data Center client: real httpx against the fake server; the diff from real
git, the head fetched over git's smart HTTP from the fake."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from codeprism.errors import ConfigError, SourceError
from codeprism.findings import Finding, Severity
from codeprism.hosts.base import HostError, Published, RateLimited
from codeprism.hosts.bitbucket_dc import BitbucketDCAuth, BitbucketDCHost
from codeprism.hosts.comments import render_comment, render_summary
from codeprism.online.settings import load_secrets
from codeprism.review.diff import parse_diff
from codeprism.sources.git import fetch_commit
from tests.fakes.bitbucket_dc_server import REST, FakeBitbucketDC
from tests.fakes.git_repos import Upstream, git
from tests.fakes.github_server import Reply

TOKEN = "BBDC-NzQ5MjA3-http-access-token"
REPO, NUMBER = "PROJ/service", 7
PR = f"/projects/PROJ/repos/service/pull-requests/{NUMBER}"
MODULE = "".join(f"line_{i} = {i}\n" for i in range(1, 13))


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Upstream, str, str, bytes]:
    repo = Upstream(tmp_path / "git" / "PROJ", "service")
    base = repo.commit({"mod.py": MODULE})
    head = repo.commit({"mod.py": MODULE.replace("line_3 = 3", "line_3 = 33") + "x = 13\n"})
    diff = git("diff", base, head, cwd=repo.work).encode() + b"\n"
    return repo, base, head, diff


@pytest.fixture
def server(tmp_path: Path, upstream: tuple[Upstream, str, str, bytes]) -> Iterator[FakeBitbucketDC]:
    _, base, head, diff = upstream
    with FakeBitbucketDC(token=TOKEN, page_limit=2, git_root=tmp_path / "git") as fake:
        fake.add_pull_request(REPO, NUMBER, head_sha=head, base_sha=base, diff=diff)
        yield fake


def host(fake: FakeBitbucketDC, events: list[str] | None = None, **options: Any) -> BitbucketDCHost:
    auth = BitbucketDCAuth(api_url=fake.url, git_url=fake.git_url, token=SecretStr(TOKEN))
    return BitbucketDCHost(auth, on_event=None if events is None else events.append, **options)


def finding(path: str, line: int, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule_id="logic", analyzer="llm", file_path=path, start_line=line, end_line=line,
        severity=severity, title=f"Check {path}:{line}", description="Off by one.",
    )  # fmt: skip


def test_pull_request_info_reads_the_refs_latest_commits(
    server: FakeBitbucketDC, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    _, base, head, _ = upstream
    events: list[str] = []
    info = host(server, events).pull_request(REPO, NUMBER)
    assert (info.repo, info.number, info.head_sha, info.base_sha) == (REPO, NUMBER, head, base)
    assert (info.state, info.draft, info.title) == ("OPEN", False, "A change")
    assert [r.path for r in server.requests] == [REST + PR]
    assert events == ["call"]
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_the_diff_is_the_raw_diff_stream(
    server: FakeBitbucketDC, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    client = host(server)
    assert client.pull_diff(REPO, NUMBER) == upstream[3]
    assert [r.path for r in server.requests] == [f"{REST}{PR}.diff"]


def test_the_head_is_fetched_over_git_from_scm_with_the_token_as_bearer(
    server: FakeBitbucketDC, tmp_path: Path
) -> None:
    """Project and repository tokens take only Bearer, for git too (the fake refuses Basic)."""
    client = host(server)
    info = client.pull_request(REPO, NUMBER)
    head = client.head_commit(REPO, info.head_sha)
    assert head.url == f"{server.git_url}/{REPO}.git" and head.user is None
    fetch_commit(head, ["mod.py"], tmp_path / "fetched", 60)
    shown = git("--git-dir", str(tmp_path / "fetched"), "show", f"{info.head_sha}:mod.py")
    assert "line_3 = 33" in shown
    basic = head.model_copy(update={"user": "x-token-auth"})
    with pytest.raises(SourceError) as refused:
        fetch_commit(basic, ["mod.py"], tmp_path / "refused", 60)
    assert TOKEN not in str(refused.value)


def test_a_personal_token_s_owner_as_git_user_sends_basic(
    server: FakeBitbucketDC, tmp_path: Path
) -> None:
    server.git_user = "jdoe"
    auth = BitbucketDCAuth(
        api_url=server.url, git_url=server.git_url, token=SecretStr(TOKEN), git_user="jdoe"
    )
    client = BitbucketDCHost(auth)
    head = client.head_commit(REPO, client.pull_request(REPO, NUMBER).head_sha)
    assert head.user == "jdoe"
    fetch_commit(head, ["mod.py"], tmp_path / "fetched", 60)
    assert git("--git-dir", str(tmp_path / "fetched"), "show", f"{head.sha}:mod.py")


def test_publish_anchors_comments_then_a_summary_and_is_idempotent_on_retry(
    server: FakeBitbucketDC,
) -> None:
    client = host(server)
    changed = {f.path: f.changed_lines for f in parse_diff(client.pull_diff(REPO, NUMBER))}
    findings = [
        finding("mod.py", 13, Severity.HIGH),
        finding("mod.py", 3),
        finding("mod.py", 6),  # unchanged line
        finding("elsewhere.py", 1),  # not in the pull request
    ]
    summary = {"dropped": {"off_diff": 1}}
    server.requests.clear()
    published = client.publish(REPO, NUMBER, findings, changed, summary, review_key="r-1")
    assert published == Published(
        comments=2, summary_only=2, review_id="103", check_run_id=None, calls=3
    )
    stored = server.comments(REPO, NUMBER)
    anchor = {"lineType": "ADDED", "fileType": "TO", "diffType": "EFFECTIVE"}
    assert [c.get("anchor") for c in stored] == [
        {"path": "mod.py", "line": 13, **anchor},
        {"path": "mod.py", "line": 3, **anchor},
        None,
    ]
    marker = "\n\n<!-- codeprism-review r-1 -->"
    assert stored[0]["text"] == render_comment(findings[0]) + marker
    assert stored[2]["text"] == render_summary(findings, findings[2:], summary) + marker

    # the attempt died before its summary: the retry posts the summary, and only that
    server.pull_requests[(REPO, NUMBER)]["comments"].pop()
    server.requests.clear()
    again = client.publish(REPO, NUMBER, findings, changed, summary, "r-1", retry=True)
    assert (again.comments, again.summary_only) == (2, 2)
    assert [(r.method, r.path.removeprefix(REST)) for r in server.requests] == [
        ("GET", f"{PR}/activities"),
        ("POST", f"{PR}/comments"),
    ]
    assert len(server.comments(REPO, NUMBER)) == 3
    # a retry after all of it was posted posts nothing (the activities span two pages)
    server.requests.clear()
    last = client.publish(REPO, NUMBER, findings, changed, summary, "r-1", retry=True)
    assert last.review_id == again.review_id and last.comments == 2
    assert [r.method for r in server.requests] == ["GET", "GET"]
    assert server.requests[1].query["start"] == ["2"]
    assert len(server.comments(REPO, NUMBER)) == 3


def test_an_anchor_the_server_rejects_moves_to_the_summary(server: FakeBitbucketDC) -> None:
    client = host(server)
    findings = [finding("mod.py", 8)]  # no line of the diff
    published = client.publish(REPO, NUMBER, findings, {"mod.py": {8}}, {}, "r-2")
    assert (published.comments, published.summary_only) == (0, 1)
    [summary] = server.comments(REPO, NUMBER)
    assert "anchor" not in summary and "mod.py" in summary["text"]


def test_429_waits_for_retry_after(server: FakeBitbucketDC) -> None:
    waits: list[float] = []
    events: list[str] = []
    client = host(server, events)
    client._backoff = client._backoff.__class__(3, 60, "Bitbucket", (TOKEN,), waits.append)
    server.push_reply("GET", PR, Reply(429, {"errors": []}, {"Retry-After": "2"}))
    assert client.pull_request(REPO, NUMBER).number == NUMBER
    assert waits == [2.0] and events.count("backoff") == 1


def test_a_wait_beyond_max_backoff_is_a_clear_error(server: FakeBitbucketDC) -> None:
    server.push_reply("GET", PR, Reply(429, {"errors": []}, {"Retry-After": "3600"}))
    with pytest.raises(RateLimited, match="exceeds max_backoff_s"):
        host(server, max_backoff_s=10).pull_request(REPO, NUMBER)


def test_errors_name_the_server_s_message_never_the_token(
    server: FakeBitbucketDC, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {"errors": [{"message": f"bad token {TOKEN}", "exceptionName": None}]}
    server.push_reply("GET", PR, Reply(500, echo))
    with caplog.at_level(logging.DEBUG), pytest.raises(HostError) as raised:
        host(server).pull_request(REPO, NUMBER)
    assert raised.value.status == 500
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text
    assert "bad token ***" in str(raised.value)


def test_a_pull_request_without_full_hashes_is_an_error(server: FakeBitbucketDC) -> None:
    server.push_reply("GET", PR, Reply(200, {"id": NUMBER, "fromRef": {"latestCommit": "abc"}}))
    with pytest.raises(HostError, match="fromRef"):
        host(server).pull_request(REPO, NUMBER)


def test_bad_names_and_ids_are_refused_before_any_request(server: FakeBitbucketDC) -> None:
    client = host(server)
    for name, number in (("../etc", 1), ("a/b/c", 1), ("PROJ/.git", 1), ("PROJ/service", 0)):
        with pytest.raises(HostError):
            client.pull_request(name, number)
    assert server.requests == []
    with pytest.raises(ValidationError):
        BitbucketDCAuth(api_url="ftp://example.com", token=SecretStr("t"))


def test_the_secrets_build_the_client_from_the_environment() -> None:
    secrets = load_secrets(
        {
            "CODEPRISM_BITBUCKET_DC_WEBHOOK_SECRET": "hook-secret",
            "CODEPRISM_BITBUCKET_DC_TOKEN": TOKEN,
            "CODEPRISM_BITBUCKET_DC_API_URL": "https://bitbucket.example.com/",
        }
    )
    assert secrets.bitbucket_dc_webhook_secret is not None
    assert TOKEN not in repr(secrets)
    auth = secrets.bitbucket_dc_auth()
    assert auth is not None and auth.api_url == "https://bitbucket.example.com"
    assert auth.clone_url("PROJ/service") == "https://bitbucket.example.com/scm/PROJ/service.git"
    assert load_secrets({}).bitbucket_dc_auth() is None
    with pytest.raises(ConfigError, match="bitbucket_dc_api_url"):
        load_secrets({"CODEPRISM_BITBUCKET_DC_TOKEN": TOKEN}).bitbucket_dc_auth()
