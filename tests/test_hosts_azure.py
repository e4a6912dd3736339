"""The Azure DevOps client: real httpx against the fake Azure DevOps; the diff built from
real git commits fetched over git's smart HTTP from the fake."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from codeprism.findings import Finding, Severity
from codeprism.hosts.azure import AzureAuth, AzureHost, is_azure_repo
from codeprism.hosts.base import HostError, RateLimited
from codeprism.review.diff import parse_diff
from tests.fakes.azure_server import FakeAzure
from tests.fakes.git_repos import Upstream, git
from tests.fakes.github_server import Reply

TOKEN = "azure-pat-52chars-secret-value-0123456789abcdefghijkl"
REPO, NUMBER = "Fabrikam/service", 7
PR = f"/Fabrikam/_apis/git/repositories/service/pullRequests/{NUMBER}"
MODULE = "".join(f"line_{i} = {i}\n" for i in range(1, 13))


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Upstream, str, str, bytes]:
    repo = Upstream(tmp_path / "git" / "Fabrikam", "service")
    base = repo.commit({"mod.py": MODULE, "keep.py": "k = 1\n", "gone.py": "g = 1\n"})
    head = repo.commit(
        {
            "mod.py": MODULE.replace("line_3 = 3", "line_3 = 33") + "x = 13\n",
            "new.py": "n = 1\n",
            "gone.py": None,
        }
    )
    diff = git("diff", base, head, cwd=repo.work).encode() + b"\n"
    return repo, base, head, diff


@pytest.fixture
def azure(tmp_path: Path, upstream: tuple[Upstream, str, str, bytes]) -> Iterator[FakeAzure]:
    _, base, head, diff = upstream
    with FakeAzure(token=TOKEN, git_root=tmp_path / "git") as server:
        server.add_pull_request(REPO, NUMBER, head_sha=head, base_sha=base, diff=diff)
        yield server


def host(server: FakeAzure, events: list[str] | None = None, **options: Any) -> AzureHost:
    auth = AzureAuth(api_url=server.api_url, token=SecretStr(TOKEN))
    return AzureHost(auth, on_event=None if events is None else events.append, **options)


def finding(path: str, line: int, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule_id="logic", analyzer="llm", file_path=path, start_line=line, end_line=line,
        severity=severity, title=f"Check {path}:{line}", description="Off by one.",
    )  # fmt: skip


def test_pull_request_info_from_the_last_iteration(
    azure: FakeAzure, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    _, base, head, _ = upstream
    events: list[str] = []
    info = host(azure, events).pull_request(REPO, NUMBER)
    assert (info.repo, info.number, info.head_sha, info.base_sha) == (REPO, NUMBER, head, base)
    assert (info.state, info.draft, info.title) == ("active", False, "A change")
    assert [r.path.removeprefix("/org") for r in azure.requests] == [PR, f"{PR}/iterations"]
    assert all(r.query["api-version"] == ["7.1"] for r in azure.requests)
    pair = base64.b64encode(f":{TOKEN}".encode()).decode()
    assert azure.requests[0].headers["authorization"] == f"Basic {pair}"
    assert events == ["call", "call"]


def test_the_diff_is_built_with_git_from_the_merge_base_and_head(
    azure: FakeAzure, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    _, base, head, expected = upstream
    diff = host(azure).pull_diff(REPO, NUMBER)
    files = {f.path: f for f in parse_diff(diff)}
    assert set(files) >= {"mod.py", "new.py"}
    assert "keep.py" not in files
    expected_files = {f.path for f in parse_diff(expected)}
    assert set(files) == expected_files
    assert b"+line_3 = 33" in diff and b"+x = 13" in diff and b"-g = 1" in diff
    # git went to the fake with the PAT, as Basic with an empty user name
    git_requests = [r for r in azure.requests if "/_git/" in r.path]
    assert git_requests
    pair = base64.b64encode(f":{TOKEN}".encode()).decode()
    assert all(r.headers.get("authorization") == f"Basic {pair}" for r in git_requests)


def test_head_commit_points_at_the_configured_organization(azure: FakeAzure) -> None:
    commit = host(azure).head_commit(REPO, "a" * 40)
    assert commit.url == f"{azure.api_url}/Fabrikam/_git/service"
    assert commit.user == "" and commit.token is not None
    assert TOKEN not in commit.url and TOKEN not in repr(commit)
    spaced = host(azure).head_commit("My Project/my repo", "a" * 40)
    assert spaced.url == f"{azure.api_url}/My%20Project/_git/my%20repo"


def test_publish_posts_inline_threads_and_one_summary(azure: FakeAzure) -> None:
    findings = [finding("mod.py", 3), finding("mod.py", 13), finding("mod.py", 1)]
    changed = {"mod.py": [3, 13]}
    published = host(azure).publish(REPO, NUMBER, findings, changed, {"files": 1}, "rev-1")
    threads = azure.threads(REPO, NUMBER)
    assert published.comments == 2 and published.summary_only == 1
    assert len(threads) == 3
    contexts = [t["threadContext"] for t in threads]
    assert contexts[0] == {
        "filePath": "/mod.py",
        "rightFileStart": {"line": 3, "offset": 1},
        "rightFileEnd": {"line": 3, "offset": 1},
    }
    assert contexts[1]["rightFileStart"]["line"] == 13
    assert contexts[2] is None  # the summary is a thread on the pull request itself
    assert published.review_id == str(threads[2]["id"])
    assert published.calls == 3


def test_a_rejected_position_goes_to_the_summary(azure: FakeAzure) -> None:
    # line 8 is not in the diff at all: the fake refuses it with 400, as a bad position
    published = host(azure).publish(
        REPO, NUMBER, [finding("mod.py", 8)], {"mod.py": [8]}, {}, "rev-2"
    )
    threads = azure.threads(REPO, NUMBER)
    assert published.comments == 0 and published.summary_only == 1
    assert len(threads) == 1 and threads[0]["threadContext"] is None
    assert "mod.py" in threads[0]["comments"][0]["content"]


def test_a_retried_publish_repeats_nothing(azure: FakeAzure) -> None:
    findings = [finding("mod.py", 3), finding("mod.py", 13)]
    changed = {"mod.py": [3, 13]}
    client = host(azure)
    first = client.publish(REPO, NUMBER, findings, changed, {}, "rev-3")
    again = client.publish(REPO, NUMBER, findings, changed, {}, "rev-3", retry=True)
    assert len(azure.threads(REPO, NUMBER)) == 3
    assert (again.comments, again.review_id) == (2, first.review_id)
    assert again.calls == 1  # only the read of the threads
    # a different review of the same pull request is not mistaken for this one
    client.publish(REPO, NUMBER, findings, changed, {}, "rev-4", retry=True)
    assert len(azure.threads(REPO, NUMBER)) == 6


def test_a_crash_after_some_threads_finishes_on_retry(azure: FakeAzure) -> None:
    findings = [finding("mod.py", 3), finding("mod.py", 13)]
    changed = {"mod.py": [3, 13]}
    client = host(azure)
    azure.push_reply("POST", f"{PR}/threads", Reply(200, {"id": 1}))  # taken, then lost
    # the second inline thread fails hard: the publish raises with the first one posted
    with pytest.raises(HostError):
        azure.push_reply("POST", f"{PR}/threads", Reply(403, {"message": "denied"}))
        client.publish(REPO, NUMBER, findings, changed, {}, "rev-5")
    # a real first thread, as if the crash came after it
    client.publish(REPO, NUMBER, findings[:1], changed, {}, "rev-5")
    before = len(azure.threads(REPO, NUMBER))
    client.publish(REPO, NUMBER, findings, changed, {}, "rev-5", retry=True)
    after = azure.threads(REPO, NUMBER)
    assert len(after) == before + 1  # only the missing inline thread; the summary exists
    assert after[-1]["threadContext"]["rightFileStart"]["line"] == 13


def test_rate_limit_waits_and_retries(azure: FakeAzure) -> None:
    waits: list[float] = []
    events: list[str] = []
    client = host(azure, events)
    object.__setattr__(client._backoff, "sleep", waits.append)
    azure.push_reply("GET", PR, Reply(429, {"message": "slow down"}, {"Retry-After": "2"}))
    info = client.pull_request(REPO, NUMBER)
    assert info.number == NUMBER and waits == [2.0]
    assert events.count("backoff") == 1 and events.count("call") == 3


def test_a_long_rate_limit_is_not_waited(azure: FakeAzure) -> None:
    azure.push_reply("GET", PR, Reply(429, {"message": "slow down"}, {"Retry-After": "600"}))
    with pytest.raises(RateLimited):
        host(azure, max_backoff_s=5).pull_request(REPO, NUMBER)


def test_errors_name_the_request_never_the_token(
    azure: FakeAzure, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    azure.push_reply("GET", PR, Reply(500, {"message": f"boom {TOKEN}"}))
    with pytest.raises(HostError) as raised:
        host(azure).pull_request(REPO, NUMBER)
    assert raised.value.status == 500
    assert TOKEN not in str(raised.value) and "***" in str(raised.value)
    assert TOKEN not in caplog.text
    with pytest.raises(HostError) as missing:
        host(azure).pull_request(REPO, 99)
    assert missing.value.status == 404 and "TF401180" in str(missing.value)


def test_a_wrong_token_is_a_401(azure: FakeAzure) -> None:
    auth = AzureAuth(api_url=azure.api_url, token=SecretStr("wrong"))
    with pytest.raises(HostError) as raised:
        AzureHost(auth).pull_request(REPO, NUMBER)
    assert raised.value.status == 401


@pytest.mark.parametrize(
    "name", ["a/b", "My Project/my repo", "proj/repo.name", "p-1/r_2"]
)  # fmt: skip
def test_repository_names(name: str) -> None:
    assert is_azure_repo(name)


@pytest.mark.parametrize(
    "name", ["", "a", "a/b/c", "../x", "a/..", "./b", "a/b?x", "a/b#x", "a/%2e", "a\\b/c",
             "a/b\n", None, 3]
)  # fmt: skip
def test_bad_repository_names_never_reach_a_url(name: object) -> None:
    assert not is_azure_repo(name)
    with pytest.raises(HostError):
        AzureHost(AzureAuth(api_url="https://dev.azure.com/o", token=SecretStr("t"))).pull_request(
            name,  # type: ignore[arg-type]
            1,
        )


def test_auth_needs_an_http_url_and_hides_the_token() -> None:
    with pytest.raises(ValidationError):
        AzureAuth(api_url="dev.azure.com/o", token=SecretStr("t"))
    auth = AzureAuth(api_url="https://dev.azure.com/o/", token=SecretStr("secret-pat"))
    assert auth.api_url == "https://dev.azure.com/o"
    assert "secret-pat" not in repr(auth)


def test_a_failed_git_fetch_is_a_host_error_without_the_token(
    tmp_path: Path, upstream: tuple[Upstream, str, str, bytes]
) -> None:
    _, base, head, diff = upstream
    # the pull request exists but git serves no such repository
    with FakeAzure(token=TOKEN, git_root=tmp_path / "empty") as server:
        server.add_pull_request("Other/missing", 1, head_sha=head, base_sha=base, diff=diff)
        with pytest.raises(HostError) as raised:
            host(server).pull_diff("Other/missing", 1)
    assert TOKEN not in str(raised.value)
    assert "git fetch" in str(raised.value)
