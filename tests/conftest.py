"""Shared fixtures: fake GitHub, local git remotes, a git daemon. Nothing here is test-specific."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.git_repos import GitDaemon, Upstream
from tests.fakes.github_server import FakeGitHub


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def remotes_dir(tmp_path: Path) -> Path:
    """Where bare repositories live; `git_daemon` and the fake GitHub's git_root serve it."""
    path = tmp_path / "remotes"
    path.mkdir()
    return path


@pytest.fixture
def make_upstream(remotes_dir: Path) -> Callable[[str], Upstream]:
    return lambda name: Upstream(remotes_dir, name)


@pytest.fixture
def git_daemon(remotes_dir: Path) -> Iterator[GitDaemon]:
    with GitDaemon(remotes_dir) as daemon:
        yield daemon
