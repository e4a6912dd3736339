"""The GitLab client: real httpx against the fake GitLab; diffs checked against real git."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from codeprism.findings import Finding, Severity
from codeprism.hosts.base import HostError, Published, PullRequestInfo, RateLimited
from codeprism.hosts.comments import render_comment, render_summary
from codeprism.hosts.gitlab import GitLabAuth, GitLabHost, unified_diff
from codeprism.review.diff import FileStatus, parse_diff
from tests.fakes.github_server import Reply
from tests.fakes.gitlab_server import LINE_CODE_ERROR, FakeGitLab

TOKEN = "glpat-secretTokenForTests012"
PROJECT, IID = 42, 7
HEAD, BASE, START = "h" * 40, "b" * 40, "s" * 40
MR = f"/projects/{PROJECT}/merge_requests/{IID}"

BEFORE = {
    "mod.py": "".join(f"line {i}\n" for i in range(1, 13)),
    "gone.py": "a = 1\nb = 2\nc = 3\n",
    "old_name.py": "".join(f"value_{i} = {i}\n" for i in range(1, 11)),
    "moved.txt": "one\ntwo\nthree\nfour\nfive\n",
    "run.sh": "#!/bin/sh\necho hi\n",
    "dir with space/my file.py": "x = 1\ny = 2\n",
    "é.py": "p = 1\nq = 2\nr = 3\n",
}
AFTER = {
    "mod.py": BEFORE["mod.py"].replace("line 3\n", "line three\n") + "line 13\nline 14\n",
    "new.py": "import os\n\nprint(os.sep)",  # no newline at the end
    "new_name.py": BEFORE["old_name.py"].replace("value_5 = 5", "value_5 = 55"),
    "sub/moved.txt": BEFORE["moved.txt"],
    "run.sh": BEFORE["run.sh"],
    "dir with space/my file.py": "x = 1\ny = 3\n",
    "é.py": "p = 1\nq = 22\nr = 3\n",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "core.quotepath=true", *args],
        cwd=repo,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for existing in repo.rglob("*"):
        if existing.is_file() and ".git" not in existing.parts:
            existing.unlink()
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (repo / "run.sh").chmod(0o755 if message == "after" else 0o644)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def gitlab_entries(repo: Path, old: str, new: str) -> list[dict[str, Any]]:
    """The /diffs entries GitLab would list for old..new: git's file list with only the
    hunks of each file's diff, as GitLab stores them (headers stripped)."""
    raw = git(repo, "diff", "--raw", "-z", "-M", old, new).split("\0")
    entries = []
    index = 0
    while index < len(raw) - 1:
        a_mode, b_mode, _, _, status = raw[index].lstrip(":").split(" ")
        paths = raw[index + 1 : index + (3 if status[0] == "R" else 2)]
        index += 1 + len(paths)
        text = git(repo, "diff", "-M", old, new, "--", *paths)
        hunks = text[text.index("\n@@") + 1 :] if "\n@@" in text else ""
        entries.append(
            {
                "old_path": paths[0],
                "new_path": paths[-1],
                "a_mode": "0" if a_mode == "000000" else a_mode,
                "b_mode": "0" if b_mode == "000000" else b_mode,
                "new_file": status == "A",
                "renamed_file": status[0] == "R",
                "deleted_file": status == "D",
                "generated_file": False,
                "diff": hunks,
            }
        )
    return entries


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    """(`git diff -M` of a real change, GitLab's entries for it)."""
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev")
    old = commit(repo, BEFORE, "before")
    new = commit(repo, AFTER, "after")
    return git(repo, "diff", "-M", old, new), gitlab_entries(repo, old, new)


@pytest.fixture
def gitlab(change: tuple[str, list[dict[str, Any]]]) -> Iterator[FakeGitLab]:
    with FakeGitLab(token=TOKEN, max_per_page=3) as server:
        server.add_merge_request(
            PROJECT, IID, head_sha=HEAD, base_sha=BASE, start_sha=START, diffs=change[1],
            path="acme/api", title="Rename and edit",
        )  # fmt: skip
        yield server


def host(server: FakeGitLab, events: list[str] | None = None, **options: Any) -> GitLabHost:
    auth = GitLabAuth(api_url=server.api_url, token=SecretStr(TOKEN))
    return GitLabHost(auth, on_event=None if events is None else events.append, **options)


def finding(path: str, line: int, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule_id="logic", analyzer="llm", file_path=path, start_line=line, end_line=line,
        severity=severity, title=f"Check {path}:{line}", description="Off by one.",
    )  # fmt: skip


# -- reading -----------------------------------------------------------------------------------


def test_merge_request_info(gitlab: FakeGitLab) -> None:
    assert host(gitlab).merge_request(PROJECT, IID) == PullRequestInfo(
        repo="acme/api", number=IID, head_sha=HEAD, base_sha=BASE, draft=False,
        title="Rename and edit", state="opened", start_sha=START,
    )  # fmt: skip
    [request] = gitlab.requests
    assert (request.path, request.headers["private-token"]) == (f"/api/v4{MR}", TOKEN)


def test_reconstructed_diff_is_gits_own_but_for_blob_ids(
    gitlab: FakeGitLab, change: tuple[str, list[dict[str, Any]]]
) -> None:
    git_diff, entries = change
    assert len(entries) == 8  # so the fake serves three pages of three
    rebuilt = host(gitlab).merge_request_diff(PROJECT, IID)
    assert [(r.query["page"], r.query["per_page"]) for r in gitlab.requests] == [
        (["1"], ["100"]), (["2"], ["100"]), (["3"], ["100"]),
    ]  # fmt: skip
    without_ids = [
        line
        for line in git_diff.splitlines(keepends=True)
        if not line.startswith(("index ", "similarity index "))
    ]
    assert rebuilt.decode("utf-8") == "".join(without_ids)


def test_reconstructed_diff_parses_like_git_diff(
    gitlab: FakeGitLab, change: tuple[str, list[dict[str, Any]]]
) -> None:
    expected = parse_diff(change[0].encode())
    actual = parse_diff(host(gitlab).merge_request_diff(PROJECT, IID))
    assert [(f.old_path, f.new_path, f.status, f.hunks) for f in actual] == [
        (f.old_path, f.new_path, f.status, f.hunks) for f in expected
    ]
    statuses = {f.path: f.status for f in actual}
    assert statuses == {
        "dir with space/my file.py": FileStatus.MODIFIED,
        "gone.py": FileStatus.DELETED,
        "mod.py": FileStatus.MODIFIED,
        "new.py": FileStatus.ADDED,
        "new_name.py": FileStatus.RENAMED,
        "run.sh": FileStatus.MODIFIED,
        "sub/moved.txt": FileStatus.RENAMED,
        "é.py": FileStatus.MODIFIED,
    }
    modes = {f.path: (f.old_mode, f.new_mode) for f in actual if f.old_mode or f.new_mode}
    assert modes == {
        "gone.py": ("100644", None),
        "new.py": (None, "100644"),
        "run.sh": ("100644", "100755"),
    }
    changed = {f.path: sorted(f.changed_lines) for f in actual}
    assert changed["mod.py"] == [3, 13, 14]
    assert changed["new.py"] == [1, 2, 3]
    assert changed["new_name.py"] == [5]
    assert changed["sub/moved.txt"] == [] and changed["gone.py"] == []


def test_pages_are_followed_by_the_link_header_alone(gitlab: FakeGitLab) -> None:
    gitlab.next_page_header = False
    rebuilt = host(gitlab).merge_request_diff(PROJECT, IID)
    assert len(gitlab.requests) == 3 and rebuilt.count(b"diff --git ") == 8


def test_unified_diff_of_edge_entries() -> None:
    entries: list[dict[str, Any]] = [
        {"old_path": "bin.png", "new_path": "bin.png", "a_mode": "100644", "b_mode": "100644",
         "diff": "Binary files a/bin.png and b/bin.png differ\n"},
        {"old_path": 'q"t.py', "new_path": 'q"t.py', "new_file": True, "a_mode": "0",
         "b_mode": "100755", "diff": "@@ -0,0 +1 @@\n+x\n"},
        {"old_path": "big.lock", "new_path": "big.lock", "diff": "", "too_large": True},
    ]  # fmt: skip
    assert unified_diff(entries) == (
        b"diff --git a/bin.png b/bin.png\n"
        b"Binary files a/bin.png and b/bin.png differ\n"
        b'diff --git "a/q\\"t.py" "b/q\\"t.py"\n'
        b"new file mode 100755\n"
        b"--- /dev/null\n"
        b'+++ "b/q\\"t.py"\n'
        b"@@ -0,0 +1 @@\n"
        b"+x\n"
        b"diff --git a/big.lock b/big.lock\n"
    )
    parsed = parse_diff(unified_diff(entries))
    assert [(f.path, f.status, f.is_binary) for f in parsed] == [
        ("bin.png", FileStatus.MODIFIED, True),
        ('q"t.py', FileStatus.ADDED, False),
        ("big.lock", FileStatus.MODIFIED, False),
    ]
    assert unified_diff([]) == b""


def test_a_merge_request_without_diff_refs_is_a_clear_error(gitlab: FakeGitLab) -> None:
    gitlab.push_reply("GET", MR, Reply(200, {"iid": IID, "sha": HEAD, "diff_refs": None}))
    with pytest.raises(HostError, match=f"merge request {PROJECT}!{IID} has no diff_refs yet"):
        host(gitlab).merge_request(PROJECT, IID)


# -- publishing --------------------------------------------------------------------------------


def test_discussions_carry_positions_and_the_rest_goes_in_one_note(gitlab: FakeGitLab) -> None:
    client = host(gitlab)
    info = client.merge_request(PROJECT, IID)
    changed = {f.path: f.changed_lines for f in parse_diff(client.merge_request_diff(PROJECT, IID))}
    findings = [
        finding("mod.py", 13, Severity.HIGH),
        finding("é.py", 2),
        finding("mod.py", 5),  # unchanged line
        finding("elsewhere.py", 1),  # file not in the merge request
    ]
    gitlab.requests.clear()
    summary = {"dropped": {"off_diff": 1}}
    published = client.publish(PROJECT, IID, info, findings, changed, summary, review_key="r-1")
    assert published == Published(
        comments=2, summary_only=2, review_id="103", check_run_id=None, calls=3
    )
    assert [(r.method, r.path.removeprefix("/api/v4")) for r in gitlab.requests] == [
        ("POST", f"{MR}/discussions"),
        ("POST", f"{MR}/discussions"),
        ("POST", f"{MR}/notes"),
    ]
    stored = gitlab.merge_requests[(PROJECT, IID)]
    positions = [d["notes"][0]["position"] for d in stored["discussions"]]
    assert positions == [
        {
            "position_type": "text",
            "base_sha": BASE,
            "start_sha": START,
            "head_sha": HEAD,
            "old_path": path,
            "new_path": path,
            "new_line": line,
        }  # fmt: skip
        for path, line in (("mod.py", 13), ("é.py", 2))
    ]
    marker = "\n\n<!-- codeprism-review r-1 -->"
    assert stored["discussions"][0]["notes"][0]["body"] == render_comment(findings[0]) + marker
    [note] = stored["notes"]
    assert note["body"] == render_summary(findings, findings[2:], summary) + marker

    # the attempt died before its summary: the retry posts the summary, and only that
    stored["notes"].clear()
    gitlab.requests.clear()
    again = client.publish(
        PROJECT, IID, info, findings, changed, summary, review_key="r-1", retry=True
    )
    assert (again.comments, again.summary_only) == (2, 2)
    assert [(r.method, r.path.removeprefix("/api/v4")) for r in gitlab.requests] == [
        ("GET", f"{MR}/discussions"),
        ("POST", f"{MR}/notes"),
    ]
    assert len(stored["discussions"]) == 2 and len(stored["notes"]) == 1
    # and a retry after the whole review was posted posts nothing
    gitlab.requests.clear()
    last = client.publish(
        PROJECT, IID, info, findings, changed, summary, review_key="r-1", retry=True
    )
    assert last.review_id == again.review_id
    assert [r.method for r in gitlab.requests] == ["GET"]


def test_a_position_gitlab_rejects_moves_to_the_summary(gitlab: FakeGitLab) -> None:
    client = host(gitlab)
    info = client.merge_request(PROJECT, IID)
    gitlab.requests.clear()
    stale = finding("mod.py", 40)  # "changed" in a diff the merge request no longer has
    published = client.publish(PROJECT, IID, info, [stale], {"mod.py": {40}}, {}, review_key="r-1")
    assert (published.comments, published.summary_only, published.calls) == (0, 1, 2)
    assert [r.status for r in gitlab.requests] == [400, 201]
    assert "`mod.py:40`" in gitlab.merge_requests[(PROJECT, IID)]["notes"][0]["body"]


def test_429_waits_for_retry_after(gitlab: FakeGitLab) -> None:
    events: list[str] = []
    client = host(gitlab, events)
    info = client.merge_request(PROJECT, IID)
    gitlab.push_reply(
        "POST", f"{MR}/notes", Reply(429, {"message": "Retry later"}, {"Retry-After": "1"})
    )
    published = client.publish(PROJECT, IID, info, [], {}, {}, review_key="r-1")
    assert published.calls == 2 and client.backoffs == 1
    assert events == ["call", "call", "backoff", "call"]
    first, second = gitlab.find("POST", f"{MR}/notes")
    assert (first.status, second.status) == (429, 201)
    assert second.at - first.at >= 1.0


def test_a_wait_beyond_max_backoff_is_a_clear_error(gitlab: FakeGitLab) -> None:
    gitlab.push_reply("GET", MR, Reply(429, {"message": "Retry later"}, {"Retry-After": "600"}))
    with pytest.raises(RateLimited) as raised:
        host(gitlab, max_backoff_s=30).merge_request(PROJECT, IID)
    assert str(raised.value) == (
        f"GitLab GET {MR} is rate limited (HTTP 429: Retry later); the requested wait of "
        "600 s exceeds max_backoff_s=30"
    )


def test_errors_never_show_the_token(gitlab: FakeGitLab, caplog: pytest.LogCaptureFixture) -> None:
    wrong = GitLabHost(GitLabAuth(api_url=gitlab.api_url, token=SecretStr("glpat-wrong-one")))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(HostError) as unauthorised:
            wrong.merge_request(PROJECT, IID)
        gitlab.push_reply("GET", MR, Reply(500, {"message": f"token {TOKEN} broke"}))
        with pytest.raises(HostError) as echoed:
            host(gitlab).merge_request(PROJECT, IID)
    assert unauthorised.value.status == 401
    assert str(unauthorised.value) == f"GitLab GET {MR} failed: HTTP 401: 401 Unauthorized"
    assert str(echoed.value) == f"GitLab GET {MR} failed: HTTP 500: token *** broke"
    assert "HTTP Request: GET" in caplog.text
    assert TOKEN not in caplog.text and "glpat-wrong-one" not in caplog.text
    auth = GitLabAuth(token=SecretStr(TOKEN))
    assert TOKEN not in repr(auth) and auth.api_url == "https://gitlab.com/api/v4"
    with pytest.raises(ValidationError) as invalid:
        GitLabAuth.model_validate({"api_url": "gitlab.com", "token": TOKEN})
    assert "api_url must be an http(s) URL" in str(invalid.value)
    assert TOKEN not in str(invalid.value)


def test_bad_ids_are_refused_before_any_request(gitlab: FakeGitLab) -> None:
    with pytest.raises(HostError, match="not a GitLab project id and merge request iid"):
        host(gitlab).merge_request(0, IID)
    assert gitlab.requests == []


def test_the_fake_rejects_lines_off_the_new_side(gitlab: FakeGitLab) -> None:
    position = {
        "position_type": "text", "base_sha": BASE, "start_sha": START, "head_sha": HEAD,
        "old_path": "mod.py", "new_path": "mod.py", "new_line": 9,
    }  # fmt: skip
    answer = httpx.post(
        f"{gitlab.api_url}{MR}/discussions",
        headers={"PRIVATE-TOKEN": TOKEN},
        json={"body": "x", "position": position},
    )
    assert (answer.status_code, answer.json()["message"]) == (400, LINE_CODE_ERROR)
