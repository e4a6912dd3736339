"""Shared fixtures: a local Ray, real public code, fake GitHub, local git remotes, a git daemon."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import ray

from codeprism.corpus import prepare_corpus
from tests.fakes.git_repos import GitDaemon, Upstream
from tests.fakes.github_server import FakeGitHub

# Real public projects from PyPI, downloaded once per machine and cached between runs.
TEST_CORPUS = ("six==1.16.0", "idna==3.7", "itsdangerous==2.2.0")


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    """One local Ray for the whole session; more logical CPUs than cores so that resolve tasks
    and analysis actors schedule together on a 2-core machine."""
    ray.init(num_cpus=8, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    cache = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser()
    return prepare_corpus(TEST_CORPUS, cache / "corpus")


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
