"""Repository sources against real git remotes (file://, git daemon, smart HTTP) and a fake
GitHub REST server: specs, local checkouts, cached clones, org listing and rate limits."""

from __future__ import annotations

import fcntl
import logging
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources import (
    Checkout,
    GitHubConfig,
    OrgFilter,
    RepoSpec,
    checkout,
    list_org_repos,
    spec_from_target,
    tree_digest,
)
from codeprism.sources.gitcmd import basic_credential, summarise
from codeprism.sources.urls import url_key
from tests.fakes.git_repos import GitDaemon, Upstream, free_port, git
from tests.fakes.github_server import FakeGitHub, RecordedRequest, Reply

TOKEN = "ghp_Sup3rSecretT0ken"
MakeUpstream = Callable[[str], Upstream]


def source_error(call: Callable[[], object]) -> SourceError:
    with pytest.raises(SourceError) as caught:
        call()
    return caught.value


# -- specs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "location", "name", "repo_id"),
    [
        (
            "https://github.com/Acme/Widget.git",
            "https://github.com/Acme/Widget.git",
            "Widget",
            "git:https://github.com/Acme/Widget",
        ),
        (
            f"https://x-access-token:{TOKEN}@GitHub.com:443/acme/widget/",
            "https://github.com/acme/widget/",
            "widget",
            "git:https://github.com/acme/widget",
        ),
        (
            f"https://{TOKEN}@github.com/acme/widget",
            "https://github.com/acme/widget",
            "widget",
            "git:https://github.com/acme/widget",
        ),
        (
            "git@github.com:acme/widget.git",
            "git@github.com:acme/widget.git",
            "widget",
            "git:ssh://github.com/acme/widget",
        ),
        (
            "ssh://git@github.com/acme/widget.git",
            "ssh://git@github.com/acme/widget.git",
            "widget",
            "git:ssh://github.com/acme/widget",
        ),
        (
            "ssh://git:pw@Host:2222/x/y.git",
            "ssh://git@host:2222/x/y.git",
            "y",
            "git:ssh://host:2222/x/y",
        ),
        (
            "git://127.0.0.1:9418/proj.git",
            "git://127.0.0.1:9418/proj.git",
            "proj",
            "git:git://127.0.0.1/proj",
        ),
        ("http://host:8080/a/b", "http://host:8080/a/b", "b", "git:http://host:8080/a/b"),
        (
            "file:///srv/git/proj.git",
            "file:///srv/git/proj.git",
            "proj",
            "git:file:///srv/git/proj",
        ),
    ],
)
def test_spec_from_git_url(target: str, location: str, name: str, repo_id: str) -> None:
    spec = spec_from_target(target)
    assert spec == RepoSpec(kind="git", location=location, name=name, repo_id=repo_id)
    assert TOKEN not in spec.model_dump_json()


def test_credentials_in_a_url_are_dropped_and_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        spec_from_target(f"https://user:{TOKEN}@example.com/a/b.git")
    assert "credentials in https://example.com/a/b.git were removed" in caplog.text
    assert TOKEN not in caplog.text


def test_spec_from_relative_and_missing_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "proj").mkdir()
    monkeypatch.chdir(tmp_path)
    root = tmp_path.resolve() / "proj"
    assert spec_from_target("proj") == RepoSpec(
        kind="path", location=str(root), name="proj", repo_id=f"path:{root}"
    )
    assert spec_from_target("./proj/") == spec_from_target(str(root))
    missing = spec_from_target("does/not/exist")  # no error until checkout
    assert (missing.kind, missing.name) == ("path", "exist")


def test_repo_spec_refuses_credentials_relative_paths_and_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="must not contain credentials"):
        RepoSpec(kind="git", location="https://u:p@h/r", name="r", repo_id="git:https://h/r")
    with pytest.raises(ValidationError, match="must be absolute"):
        RepoSpec(kind="path", location="rel", name="rel", repo_id="path:rel")
    with pytest.raises(ValidationError, match="Extra inputs"):
        RepoSpec.model_validate(
            {"kind": "path", "location": "/x", "name": "x", "repo_id": "p", "token": "t"}
        )
    spec = spec_from_target("/x")
    with pytest.raises(ValidationError):
        spec.name = "y"


# -- local directories -------------------------------------------------------------------------


def write_tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("hello\n")
    (root / "sub" / "b.txt").write_text("b\n")
    (root / "link").symlink_to("a.txt")


def test_plain_directory_has_a_stable_content_digest(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_tree(root)
    result = checkout(spec_from_target(str(root)), tmp_path / "cache")
    # pinned: revisions are stored, and a changed format would make every repo look changed
    expected = "tree:f02b8e1b918885fe7abce4b1afb1728b003a472e5f9af697eaefae23fb02728b"
    assert result == Checkout(root=root, commit_sha=None, revision=expected)
    assert tree_digest(root) == expected
    assert not (tmp_path / "cache").exists()  # local paths are analysed in place

    (root / "sub" / "b.txt").write_text("B\n")
    changed = tree_digest(root)
    assert changed != expected
    (root / "sub" / "b.txt").write_text("b\n")
    assert tree_digest(root) == expected
    (root / "new.txt").write_text("")
    assert tree_digest(root) != expected


def test_digest_skips_git_dirs_and_never_follows_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (outside / "big.txt").write_text("1")
    write_tree(root)
    (root / "out").symlink_to(outside)
    (root / "loop").symlink_to(root)  # a cycle must not hang the walk
    before = tree_digest(root)
    (outside / "big.txt").write_text("2")  # content behind a link is not part of the tree
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("junk")
    (root / "sub" / ".git").write_text("gitdir: nowhere")
    assert tree_digest(root) == before
    (root / "out").unlink()
    (root / "out").symlink_to(tmp_path)  # but where a link points is
    assert tree_digest(root) != before


def test_local_git_repository_revision_is_its_commit_unless_dirty(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "a.py").write_text("x = 1\n")
    git("add", "-A", cwd=root)
    git("-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "one", cwd=root)
    sha = git("rev-parse", "HEAD", cwd=root)
    spec = spec_from_target(str(root))
    assert checkout(spec, tmp_path / "cache") == Checkout(root, sha, sha)

    (root / "a.py").write_text("x = 2\n")  # uncommitted work is analysed, so it must show
    dirty = checkout(spec, tmp_path / "cache")
    assert (dirty.commit_sha, dirty.revision) == (sha, tree_digest(root))
    assert dirty.revision.startswith("tree:")


def test_local_errors_are_clear(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    error = source_error(lambda: checkout(spec_from_target(str(missing)), tmp_path))
    assert (error.kind, error.reason) == (ProblemKind.NOT_FOUND, f"{missing} does not exist")

    a_file = tmp_path / "file.py"
    a_file.write_text("")
    error = source_error(lambda: checkout(spec_from_target(str(a_file)), tmp_path))
    assert (error.kind, error.reason) == (
        ProblemKind.NOT_FOUND,
        f"{a_file} is a file, not a directory",
    )

    empty = tmp_path / "empty"
    empty.mkdir()
    git("init", "-q", cwd=empty)
    error = source_error(lambda: checkout(spec_from_target(str(empty)), tmp_path))
    assert error.kind == ProblemKind.EMPTY_REPOSITORY
    assert error.reason == (
        f"{empty} is a git repository without commits; commit something or audit a "
        "directory that is not a git repository"
    )


def test_junk_git_dir_inside_another_repository_is_a_plain_directory(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    (outer / "inner" / ".git").mkdir(parents=True)  # not a repository: git would look upward
    git("init", "-q", cwd=outer)
    (outer / "f").write_text("")
    git("add", "-A", cwd=outer)
    git("-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "x", cwd=outer)
    inner = outer / "inner"
    result = checkout(spec_from_target(str(inner)), tmp_path / "cache")
    assert (result.commit_sha, result.revision) == (None, tree_digest(inner))


# -- remote git repositories ---------------------------------------------------------------------


def cache_entries(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "git").iterdir())


def assert_clone_then_fetch(upstream: Upstream, url: str, cache: Path) -> None:
    upstream.commit({"a.py": "a = 1\n", "old.py": "gone soon\n"}, "first")
    second = upstream.commit({"a.py": "a = 2\n"}, "second")
    spec = spec_from_target(url)

    first_run = checkout(spec, cache)
    key = url_key(url)
    assert first_run == Checkout(cache / "git" / key, second, second)
    assert (first_run.root / "a.py").read_text() == "a = 2\n"
    # shallow: one commit although the remote has two; blobless: registered as partial clone
    assert git("rev-list", "--count", "HEAD", cwd=first_run.root) == "1"
    assert git("config", "remote.origin.partialclonefilter", cwd=first_run.root) == "blob:none"
    assert cache_entries(cache) == [key, f"{key}.lock"]

    marker = first_run.root / ".git" / "codeprism-test-marker"
    marker.write_text("survives a fetch, not a clone")
    inode = first_run.root.stat().st_ino
    (first_run.root / "stray.txt").write_text("left by someone")
    third = upstream.commit({"a.py": "a = 3\n", "old.py": None, "new.py": "n\n"}, "third")

    second_run = checkout(spec, cache)
    assert second_run == Checkout(first_run.root, third, third)
    assert first_run.root.stat().st_ino == inode
    assert marker.exists()
    assert sorted(p.name for p in second_run.root.iterdir()) == [".git", "a.py", "new.py"]
    assert (second_run.root / "a.py").read_text() == "a = 3\n"
    assert git("rev-list", "--count", "HEAD", cwd=second_run.root) == "1"
    assert cache_entries(cache) == [key, f"{key}.lock"]


def test_file_url_is_cloned_shallow_and_blobless_then_fetched(
    make_upstream: MakeUpstream, tmp_path: Path
) -> None:
    upstream = make_upstream("widget")
    assert_clone_then_fetch(upstream, upstream.file_url, tmp_path / "cache")


def test_git_daemon_url_is_cloned_then_fetched(
    make_upstream: MakeUpstream, git_daemon: GitDaemon, tmp_path: Path
) -> None:
    upstream = make_upstream("widget")
    assert_clone_then_fetch(upstream, f"{git_daemon.url}/widget.git", tmp_path / "cache")


def test_git_daemon_serves_the_blob_filter(
    make_upstream: MakeUpstream,
    git_daemon: GitDaemon,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upstream = make_upstream("widget")
    upstream.commit({"a.py": "a\n"})
    trace = tmp_path / "packets.trace"
    monkeypatch.setenv("GIT_TRACE_PACKET", str(trace))
    checkout(spec_from_target(f"{git_daemon.url}/widget.git"), tmp_path / "cache")
    sent = trace.read_text()
    # the client only sends a filter when the server advertised support for it
    assert "fetch> filter blob:none" in sent or "> filter blob:none" in sent
    assert "filtering not recognized by server" not in sent


def test_remote_errors_have_kinds_and_summarised_reasons(
    make_upstream: MakeUpstream, git_daemon: GitDaemon, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    closed = f"git://127.0.0.1:{free_port()}/nothing.git"
    error = source_error(lambda: checkout(spec_from_target(closed), cache))
    assert error.kind == ProblemKind.UNREACHABLE
    assert error.reason.startswith(f"git clone of {closed} failed: fatal: unable to connect")

    missing = (tmp_path / "nowhere.git").as_uri()
    error = source_error(lambda: checkout(spec_from_target(missing), cache))
    assert error.kind == ProblemKind.NOT_FOUND
    assert "does not appear to be a git repository" in error.reason

    error = source_error(lambda: checkout(spec_from_target(f"{git_daemon.url}/nope.git"), cache))
    assert (error.kind, error.reason) == (
        ProblemKind.NOT_FOUND,
        f"git clone of {git_daemon.url}/nope.git failed: "
        "fatal: remote error: no such repository: /nope.git",
    )

    make_upstream("empty")
    for url in (f"{git_daemon.url}/empty.git", (tmp_path / "remotes" / "empty.git").as_uri()):
        error = source_error(partial(checkout, spec_from_target(url), cache))
        assert (error.kind, error.reason) == (
            ProblemKind.EMPTY_REPOSITORY,
            f"{url} is an empty repository (no commits)",
        )
    assert cache_entries(cache) == sorted(
        f"{url_key(u)}.lock"
        for u in (closed, missing, f"{git_daemon.url}/nope.git", f"{git_daemon.url}/empty.git")
        + ((tmp_path / "remotes" / "empty.git").as_uri(),)
    )  # failed clones leave nothing but their lock files


def test_a_missing_branch_or_an_empty_remote_with_a_default_branch(
    make_upstream: MakeUpstream, tmp_path: Path
) -> None:
    empty = make_upstream("empty")  # GitHub reports a default branch even for empty repos
    spec = spec_from_target(empty.file_url).model_copy(update={"default_branch": "main"})
    error = source_error(partial(checkout, spec, tmp_path / "cache"))
    assert (error.kind, error.reason) == (
        ProblemKind.EMPTY_REPOSITORY,
        f"{empty.file_url} is an empty repository (no commits)",
    )
    full = make_upstream("full")
    full.commit({"a": "1"})
    spec = spec_from_target(full.file_url).model_copy(update={"default_branch": "nope"})
    error = source_error(partial(checkout, spec, tmp_path / "cache"))
    assert (error.kind, error.reason) == (
        ProblemKind.NOT_FOUND,
        f"{full.file_url} has no branch 'nope'",
    )


def test_a_remote_that_becomes_empty_or_loses_its_branch(
    make_upstream: MakeUpstream, tmp_path: Path
) -> None:
    upstream = make_upstream("widget")
    sha = upstream.commit({"a": "1"})
    spec = spec_from_target(upstream.file_url)
    branch_spec = spec.model_copy(update={"default_branch": "main"})
    assert checkout(branch_spec, tmp_path / "cache").commit_sha == sha
    git("branch", "-m", "main", "trunk", cwd=upstream.bare)
    error = source_error(lambda: checkout(branch_spec, tmp_path / "cache"))
    assert (error.kind, error.reason) == (
        ProblemKind.NOT_FOUND,
        f"{upstream.file_url} has no branch 'main'",
    )
    assert checkout(spec, tmp_path / "cache").commit_sha == sha  # HEAD follows the rename
    git("update-ref", "-d", "refs/heads/trunk", cwd=upstream.bare)
    error = source_error(lambda: checkout(spec, tmp_path / "cache"))
    assert (error.kind, error.reason) == (
        ProblemKind.EMPTY_REPOSITORY,
        f"{upstream.file_url} is an empty repository (no commits)",
    )


def test_git_never_runs_hooks_or_recurses_into_submodules(
    make_upstream: MakeUpstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = make_upstream("child")
    child.commit({"c.txt": "child\n"})
    parent = make_upstream("parent")
    git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        child.file_url,
        "sub",
        cwd=parent.work,
    )
    parent.commit({"p.txt": "parent\n"})

    fired = tmp_path / "hook-fired"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hook = hooks / "post-checkout"
    hook.write_text(f"#!/bin/sh\necho fired >> {fired}\n")
    hook.chmod(0o755)
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    (template / "hooks" / "post-checkout").write_bytes(hook.read_bytes())
    (template / "hooks" / "post-checkout").chmod(0o755)
    global_config = tmp_path / "gitconfig"
    global_config.write_text(
        f"[core]\n\thooksPath = {hooks}\n[init]\n\ttemplateDir = {template}\n"
        '[submodule]\n\trecurse = true\n[protocol "file"]\n\tallow = always\n'
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))

    # control: plain git does run the hook with this configuration
    subprocess.run(["git", "clone", "-q", parent.file_url, str(tmp_path / "control")], check=True)
    assert fired.exists()
    fired.unlink()

    result = checkout(spec_from_target(parent.file_url), tmp_path / "cache")
    result = checkout(spec_from_target(parent.file_url), tmp_path / "cache")  # fetch path too
    assert not fired.exists()
    assert (result.root / "p.txt").read_text() == "parent\n"
    assert list((result.root / "sub").iterdir()) == []
    assert not (result.root / ".git" / "modules").exists()


def test_concurrent_checkouts_of_one_url_share_one_cache_entry(
    make_upstream: MakeUpstream, tmp_path: Path
) -> None:
    upstream = make_upstream("widget")
    sha = upstream.commit({"a.py": "a\n"})
    spec = spec_from_target(upstream.file_url)
    cache = tmp_path / "cache"
    results: list[Checkout | BaseException] = []

    def run() -> None:
        try:
            results.append(checkout(spec, cache))
        except BaseException as exc:  # collected, asserted below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    key = url_key(upstream.file_url)
    assert results == [Checkout(cache / "git" / key, sha, sha)] * 6
    assert cache_entries(cache) == [key, f"{key}.lock"]
    assert git("status", "--porcelain", cwd=cache / "git" / key) == ""


def test_a_held_cache_lock_times_out_cleanly(make_upstream: MakeUpstream, tmp_path: Path) -> None:
    upstream = make_upstream("widget")
    upstream.commit({"a": "1"})
    lock = tmp_path / "cache" / "git" / f"{url_key(upstream.file_url)}.lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        started = time.monotonic()
        error = source_error(
            lambda: checkout(spec_from_target(upstream.file_url), tmp_path / "cache", timeout_s=0.5)
        )
    assert 0.5 <= time.monotonic() - started < 5
    assert (error.kind, error.reason) == (
        ProblemKind.TIMEOUT,
        f"timed out waiting for another checkout of {upstream.file_url} to finish",
    )


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"git://127.0.0.1:{silent.getsockname()[1]}/slow.git"
        started = time.monotonic()
        error = source_error(lambda: checkout(spec_from_target(url), tmp_path, timeout_s=1.5))
    assert 1.5 <= time.monotonic() - started < 8
    assert (error.kind, error.reason) == (
        ProblemKind.TIMEOUT,
        f"checkout of {url} did not finish within 1.5 s (stopped during git clone)",
    )


# -- tokens ------------------------------------------------------------------------------------


def github_spec(url: str) -> RepoSpec:
    return RepoSpec(
        kind="github", location=url, name="acme/widget", org="acme", repo_id="github:h/acme/widget"
    )


def test_token_goes_in_a_header_and_nowhere_else(
    make_upstream: MakeUpstream,
    remotes_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    upstream = make_upstream("widget")
    sha = upstream.commit({"a.py": "a\n"})
    with FakeGitHub(token=TOKEN, git_root=remotes_dir) as server, caplog.at_level(logging.DEBUG):
        spec = github_spec(server.git_url("widget.git"))
        result = checkout(spec, tmp_path / "cache", token=TOKEN)
        assert result.commit_sha == sha
        assert checkout(spec, tmp_path / "cache", token=TOKEN).commit_sha == sha  # fetch
        git_requests = server.find()
        assert git_requests and all(r.status == 200 for r in git_requests)
        assert all(r.headers["authorization"].startswith("Basic ") for r in git_requests)

        server.requests.clear()  # a plain git URL never gets the GitHub token
        plain = spec_from_target(server.git_url("widget.git"))
        error = source_error(lambda: checkout(plain, tmp_path / "cache2", token=TOKEN))
        assert [(r.status, "authorization" in r.headers) for r in server.find()] == [(401, False)]
        assert error.kind == ProblemKind.UNREACHABLE
        assert "terminal prompts disabled" in error.reason

        wrong = source_error(lambda: checkout(spec, tmp_path / "cache3", token="wrong-token"))
        assert wrong.kind == ProblemKind.UNREACHABLE

    stored = (result.root / ".git" / "config").read_text()
    assert TOKEN not in stored and "extraheader" not in stored.lower()
    assert TOKEN not in caplog.text
    assert TOKEN not in spec.model_dump_json()


def test_token_never_appears_in_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_TRACE_CURL", "1")  # make git print its headers to stderr
    monkeypatch.setenv("GIT_TRACE_REDACT", "0")
    url = f"http://127.0.0.1:{free_port()}/acme/widget.git"
    error = source_error(lambda: checkout(github_spec(url), tmp_path, token=TOKEN))
    assert error.kind == ProblemKind.UNREACHABLE
    assert error.reason.startswith(f"git clone of {url} failed: fatal: unable to access")
    assert TOKEN not in error.reason and basic_credential(TOKEN) not in error.reason


def test_git_stderr_summary_is_redacted_and_bounded() -> None:
    stderr = (
        "Cloning into 'x'...\n"
        f"12:00:00.0 http.c:845 => Send header: Authorization: Basic {basic_credential(TOKEN)}\n"
        "hint: try again\n"
        f"fatal: unable to access 'https://x-access-token:{TOKEN}@h/r/': Could not resolve host\n"
    )
    assert summarise(stderr, (TOKEN, basic_credential(TOKEN))) == (
        "fatal: unable to access 'https://h/r/': Could not resolve host"
    )
    assert summarise("noise\n" + "error: " + "x" * 1000) == "error: " + "x" * 390 + "..."
    assert summarise("") == "no error output"


# -- GitHub organisations ----------------------------------------------------------------------


def acme(server: FakeGitHub, clone_url: str = "") -> None:
    server.add_owner("acme")
    extra = {"clone_url": clone_url} if clone_url else {}
    server.add_repo("acme", "api", language="Python", topics=["backend", "payments"], **extra)
    server.add_repo("acme", "web", language="TypeScript", topics=["frontend"], **extra)
    server.add_repo("acme", "old", language="Python", archived=True, **extra)
    server.add_repo("acme", "fork-of-x", language="Go", fork=True, **extra)
    server.add_repo(
        "acme", "ops", language=None, topics=["Backend"], default_branch="trunk", **extra
    )


def names(specs: list[RepoSpec]) -> list[str]:
    return [spec.name for spec in specs]


def config(server: FakeGitHub, **overrides: object) -> GitHubConfig:
    return GitHubConfig.model_validate(
        {"base_url": server.api_url, "token": TOKEN, "per_page": 2, **overrides}
    )


def test_org_repos_are_paginated_filtered_and_shaped(fake_github: FakeGitHub) -> None:
    acme(fake_github)
    specs = list_org_repos("acme", config(fake_github), OrgFilter())
    host = fake_github.url.removeprefix("http://")
    assert specs == [
        RepoSpec(
            kind="github",
            location=f"{fake_github.url}/acme/{name}.git",
            name=f"acme/{name}",
            org="acme",
            repo_id=f"github:{host}/acme/{name}",
            default_branch=branch,
        )
        for name, branch in (("api", "main"), ("web", "main"), ("ops", "trunk"))
    ]
    # three pages of two, following the Link header; nothing else is requested
    assert [(r.method, r.path, r.query) for r in fake_github.requests] == [
        ("GET", "/orgs/acme/repos", {"per_page": ["2"]}),
        ("GET", "/orgs/acme/repos", {"per_page": ["2"], "page": ["2"]}),
        ("GET", "/orgs/acme/repos", {"per_page": ["2"], "page": ["3"]}),
    ]
    assert {r.headers["authorization"] for r in fake_github.requests} == {f"token {TOKEN}"}
    assert all(TOKEN not in spec.model_dump_json() for spec in specs)


@pytest.mark.parametrize(
    ("repo_filter", "expected"),
    [
        (OrgFilter(include_archived=True), ["acme/api", "acme/web", "acme/old", "acme/ops"]),
        (OrgFilter(include_forks=True), ["acme/api", "acme/web", "acme/fork-of-x", "acme/ops"]),
        (OrgFilter(languages=("python", "GO")), ["acme/api"]),
        (OrgFilter(languages=("Go",), include_forks=True), ["acme/fork-of-x"]),
        (OrgFilter(topics=("backend",)), ["acme/api", "acme/ops"]),
        (OrgFilter(topics=("frontend", "payments"), languages=("TypeScript",)), ["acme/web"]),
        (OrgFilter(topics=("nothing",)), []),
    ],
)
def test_org_filters(fake_github: FakeGitHub, repo_filter: OrgFilter, expected: list[str]) -> None:
    acme(fake_github)
    assert names(list_org_repos("acme", config(fake_github), repo_filter)) == expected
    assert len(fake_github.requests) == 3  # filters never cost a request per repository


def test_github_enterprise_base_url(fake_github: FakeGitHub) -> None:
    acme(fake_github)
    cfg = config(fake_github, base_url=fake_github.enterprise_api_url + "/")
    specs = list_org_repos("acme", cfg, OrgFilter())
    assert names(specs) == ["acme/api", "acme/web", "acme/ops"]
    assert [r.path for r in fake_github.requests] == ["/api/v3/orgs/acme/repos"] * 3
    host = fake_github.url.removeprefix("http://")
    assert specs[0].repo_id == f"github:{host}/acme/api"


def test_a_user_is_listed_like_an_organisation(fake_github: FakeGitHub) -> None:
    fake_github.add_owner("octocat", type="User")
    fake_github.add_repo("octocat", "Hello-World", language="C")
    specs = list_org_repos("octocat", config(fake_github), OrgFilter())
    assert [(s.name, s.org) for s in specs] == [("octocat/Hello-World", "octocat")]
    assert specs[0].repo_id.endswith("/octocat/hello-world")  # GitHub names ignore case
    assert [(r.path, r.status) for r in fake_github.requests] == [
        ("/orgs/octocat/repos", 404),
        ("/users/octocat/repos", 200),
    ]


def test_unknown_owner_and_bad_credentials(fake_github: FakeGitHub) -> None:
    error = source_error(lambda: list_org_repos("ghost", config(fake_github), OrgFilter()))
    assert (error.kind, error.reason) == (
        ProblemKind.NOT_FOUND,
        "no GitHub organisation or user named 'ghost'",
    )
    with FakeGitHub(token="the-right-one") as server:
        acme(server)
        error = source_error(lambda: list_org_repos("acme", config(server), OrgFilter()))
    assert (error.kind, error.reason) == (
        ProblemKind.UNREACHABLE,
        f"listing repositories of 'acme' at {server.api_url} failed: HTTP 401: Bad credentials",
    )
    assert TOKEN not in error.reason


def gaps(server: FakeGitHub) -> list[float]:
    times = [r.at for r in server.requests]
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


def test_exhausted_rate_limit_waits_for_the_reset() -> None:
    with FakeGitHub(rate_limit=2, rate_window_s=1) as server:
        acme(server)
        specs = list_org_repos("acme", config(server), OrgFilter())
    assert names(specs) == ["acme/api", "acme/web", "acme/ops"]
    first, second, third = server.requests
    assert [r.status for r in server.requests] == [200, 200, 200]  # never refused
    assert second.response_headers["X-RateLimit-Remaining"] == "0"
    assert third.wall >= int(second.response_headers["X-RateLimit-Reset"])
    assert third.at - second.at >= 1.0


def test_a_reset_beyond_the_allowed_wait_fails_without_waiting() -> None:
    with FakeGitHub(rate_limit=1, rate_window_s=3600) as server:
        acme(server)
        started = time.monotonic()
        error = source_error(
            lambda: list_org_repos("acme", config(server, max_rate_limit_wait_s=5), OrgFilter())
        )
    assert time.monotonic() - started < 5
    assert error.kind == ProblemKind.TIMEOUT
    assert error.reason.startswith("GitHub rate limit exhausted; it resets in ")
    assert error.reason.endswith("s, more than max_rate_limit_wait_s=5")
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "make_reply",
    [
        lambda: Reply.secondary_rate_limit(retry_after=1, status=403),
        lambda: Reply.secondary_rate_limit(retry_after=1, status=429),
        lambda: Reply.secondary_rate_limit(retry_after=None, status=403),  # secondary_rate_wait_s
        lambda: Reply.secondary_rate_limit(retry_after=None, status=429),
        lambda: Reply.primary_rate_limit(reset_in_s=0.2),  # GithubRetry waits for the reset
    ],
    ids=["403-retry-after", "429-retry-after", "403-no-header", "429-no-header", "403-primary"],
)
def test_rate_limited_requests_are_backed_off_and_retried(
    fake_github: FakeGitHub, make_reply: Callable[[], Reply]
) -> None:
    acme(fake_github)
    reply = make_reply()
    fake_github.push_reply("GET", "/orgs/acme/repos", reply)  # the first page, once
    specs = list_org_repos("acme", config(fake_github, secondary_rate_wait_s=1), OrgFilter())
    assert names(specs) == ["acme/api", "acme/web", "acme/ops"]
    statuses = [r.status for r in fake_github.requests]
    assert statuses == [reply.status, 200, 200, 200]
    assert gaps(fake_github)[0] >= 1.0


def test_a_retry_after_beyond_the_allowed_wait_fails(fake_github: FakeGitHub) -> None:
    acme(fake_github)
    fake_github.push_reply(
        "GET", "/orgs/acme/repos", Reply.secondary_rate_limit(retry_after=120, status=429)
    )
    started = time.monotonic()
    error = source_error(
        lambda: list_org_repos("acme", config(fake_github, max_rate_limit_wait_s=10), OrgFilter())
    )
    assert time.monotonic() - started < 5
    assert (error.kind, error.reason) == (
        ProblemKind.TIMEOUT,
        "GitHub rate limit for 'acme': the required wait of 120 s exceeds max_rate_limit_wait_s=10",
    )
    assert len(fake_github.requests) == 1


def test_org_listing_to_checkout_end_to_end(
    make_upstream: MakeUpstream, remotes_dir: Path, tmp_path: Path
) -> None:
    upstream = make_upstream("shared")
    sha = upstream.commit({"main.py": "print('hi')\n"})
    with FakeGitHub(token=TOKEN, git_root=remotes_dir) as server:
        server.add_owner("acme")
        server.add_repo("acme", "over-http", clone_url=server.git_url("shared.git"))
        server.add_repo("acme", "over-file", clone_url=upstream.file_url)
        specs = list_org_repos("acme", config(server), OrgFilter())
        results = [checkout(spec, tmp_path / "cache", token=TOKEN) for spec in specs]
    assert [s.location for s in specs] == [server.git_url("shared.git"), upstream.file_url]
    assert [(r.commit_sha, (r.root / "main.py").read_text()) for r in results] == [
        (sha, "print('hi')\n")
    ] * 2


def test_fake_github_records_requests_and_takes_new_routes(fake_github: FakeGitHub) -> None:
    def review(request: RecordedRequest, match: re.Match[str]) -> Reply:
        return Reply(200, {"id": 7, "pull": int(match.group(1)), "body": request.json()["body"]})

    fake_github.route("POST", r"/repos/acme/widget/pulls/(\d+)/reviews", review)
    for base in (fake_github.api_url, fake_github.enterprise_api_url):
        answer = requests.post(
            f"{base}/repos/acme/widget/pulls/3/reviews?x=1",
            json={"body": "looks good"},
            headers={"Authorization": "token abc"},
            timeout=5,
        )
        assert (answer.status_code, answer.json()) == (
            200,
            {"id": 7, "pull": 3, "body": "looks good"},
        )
        assert answer.headers["X-RateLimit-Resource"] == "core"
    recorded = fake_github.find("POST", "/repos/acme/widget/pulls/3/reviews")
    assert [(r.path, r.query, r.headers["authorization"], r.json()) for r in recorded] == [
        ("/repos/acme/widget/pulls/3/reviews", {"x": ["1"]}, "token abc", {"body": "looks good"}),
        (
            "/api/v3/repos/acme/widget/pulls/3/reviews",
            {"x": ["1"]},
            "token abc",
            {"body": "looks good"},
        ),
    ]
    missing = requests.get(f"{fake_github.api_url}/repos/acme/nothing", timeout=5)
    assert (missing.status_code, missing.json()["message"]) == (404, "Not Found")
