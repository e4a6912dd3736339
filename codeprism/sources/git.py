"""Remote git repositories: a shallow, blobless clone cached per URL, fetched on later runs.

Cache layout: `<cache_dir>/git/<key>` is the work tree of one remote (key: hash of the
normalised, credential-free URL) and `<key>.lock` serialises every change to it, across
threads and processes. A clone is made in a temporary directory and renamed into place, so an
entry that exists is always a complete clone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources.gitcmd import (
    GitResult,
    auth_env,
    basic_credential,
    failure_kind,
    run_git,
    summarise,
)
from codeprism.sources.spec import Checkout, RepoSpec
from codeprism.sources.urls import url_key

log = logging.getLogger(__name__)

# shallow and blobless: history and other blobs are never needed to analyse one commit
_FETCH_OPTIONS = ("--depth", "1", "--filter=blob:none", "--no-tags", "--no-recurse-submodules")


def checkout_git(spec: RepoSpec, cache_dir: Path, token: str | None, timeout_s: float) -> Checkout:
    remote = _Remote(spec, token, timeout_s)
    base = cache_dir / "git"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            ProblemKind.INTERNAL, f"cannot create the clone cache {base}: {exc.strerror}"
        ) from None
    key = url_key(spec.location)
    dest = base / key
    with _locked(base / f"{key}.lock", remote.deadline, spec.location):
        if _is_clone(dest, remote):
            remote.fetch(dest)
        else:
            remote.clone(base, key, dest)
        sha = remote.head(dest)
    if sha is None:  # only reachable if the fetched ref vanished under us
        raise SourceError(ProblemKind.EMPTY_REPOSITORY, f"{spec.location} has no commits")
    return Checkout(dest, sha, sha)


def remote_revision(spec: RepoSpec, token: str | None, timeout_s: float) -> str | None:
    """The commit the remote's branch (or HEAD) points at, asked with `git ls-remote`: no
    clone, no objects. None when the remote cannot tell (checkout then reports why)."""
    remote = _Remote(spec, token, timeout_s)
    ref = f"refs/heads/{remote.branch}" if remote.branch else "HEAD"
    result = remote.run(["ls-remote", "--", remote.url, ref], cwd=None)
    words = result.stdout.split() if result.returncode == 0 else []
    return words[0] if words else None


@contextmanager
def _locked(path: Path, deadline: float, location: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SourceError(
                        ProblemKind.TIMEOUT,
                        f"timed out waiting for another checkout of {location} to finish",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _is_clone(dest: Path, remote: _Remote) -> bool:
    if not (dest / ".git").is_dir():
        return False
    probe = remote.run(["rev-parse", "--absolute-git-dir"], cwd=dest)
    # resolved on both sides: the cache may sit behind a symlink
    if probe.returncode == 0 and Path(probe.stdout.strip()).resolve() == (dest / ".git").resolve():
        return True
    log.warning("cache entry %s is damaged; cloning %s again", dest, remote.url)
    shutil.rmtree(dest)
    return False


class _Remote:
    """git commands against one remote, sharing its deadline, credentials and redaction."""

    def __init__(self, spec: RepoSpec, token: str | None, timeout_s: float) -> None:
        self.url = spec.location
        self.branch = spec.default_branch
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + timeout_s
        # the header value too: a GIT_TRACE_CURL in the caller's environment would print it
        self.secrets = (token, basic_credential(token)) if token else ()
        self.env = auth_env(self.url, token)

    def clone(self, base: Path, key: str, dest: Path) -> None:
        for stale in base.glob(f".{key}.*"):  # left by a killed run; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=base))
        try:
            log.info("cloning %s", self.url)
            branch = ["--branch", self.branch] if self.branch else []
            # an empty template: no sample hooks, nothing copied from a global template dir
            args = ["clone", *_FETCH_OPTIONS, "--single-branch", "--template=", *branch]
            result = self.run([*args, "--", self.url, str(tmp)], cwd=None)
            if result.returncode != 0 and "not found in upstream" in result.stderr:
                self._missing_branch()
            self._check(result, "clone")
            if self.head(tmp) is None:
                raise SourceError(
                    ProblemKind.EMPTY_REPOSITORY, f"{self.url} is an empty repository (no commits)"
                )
            if dest.exists():
                shutil.rmtree(dest)
            os.rename(tmp, dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def fetch(self, dest: Path) -> None:
        log.info("fetching %s", self.url)
        self._check(self.run(["remote", "set-url", "origin", self.url], cwd=dest), "remote")
        ref = self.branch or "HEAD"
        result = self.run(["fetch", *_FETCH_OPTIONS, "origin", ref], cwd=dest)
        if result.returncode != 0 and "couldn't find remote ref" in result.stderr:
            self._missing_branch()
        self._check(result, "fetch")
        # the work tree becomes exactly the fetched commit, whatever an earlier run left there
        self._check(self.run(["reset", "-q", "--hard", "FETCH_HEAD"], cwd=dest), "reset")
        self._check(self.run(["clean", "-q", "-ffdx"], cwd=dest), "clean")

    def _missing_branch(self) -> None:
        """The ref we asked for is not there: an empty repository, or a missing branch."""
        refs = self.run(["ls-remote", "--", self.url], cwd=None)
        if refs.returncode == 0 and not refs.stdout.strip():
            raise SourceError(
                ProblemKind.EMPTY_REPOSITORY, f"{self.url} is an empty repository (no commits)"
            )
        raise SourceError(
            ProblemKind.NOT_FOUND, f"{self.url} has no branch {self.branch or 'HEAD'!r}"
        )

    def head(self, repo: Path) -> str | None:
        result = self.run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=repo)
        return result.stdout.strip() if result.returncode == 0 else None

    def run(self, args: list[str], cwd: Path | None) -> GitResult:
        try:
            return run_git(
                args,
                cwd=cwd,
                timeout_s=self.deadline - time.monotonic(),
                env=self.env,
                secrets=self.secrets,
            )
        except SourceError as exc:
            if exc.kind != ProblemKind.TIMEOUT:
                raise
            # one budget for the whole checkout: name it, not the remainder this step had
            raise SourceError(
                ProblemKind.TIMEOUT,
                f"checkout of {self.url} did not finish within {self.timeout_s:g} s "
                f"(stopped during git {args[0]})",
            ) from None

    def _check(self, result: GitResult, step: str) -> None:
        if result.returncode == 0:
            return
        reason = summarise(result.stderr, self.secrets)
        raise SourceError(failure_kind(result.stderr), f"git {step} of {self.url} failed: {reason}")
