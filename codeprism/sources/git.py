"""Remote git repositories: a shallow, blobless clone cached per URL, fetched on later runs,
and (for pull request reviews) a few files of one commit, fetched without a clone.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources.gitcmd import (
    GitResult,
    auth_env,
    authorization,
    failure_kind,
    run_git,
    summarise,
)
from codeprism.sources.spec import Checkout, RepoSpec
from codeprism.sources.urls import url_key

log = logging.getLogger(__name__)

# shallow and blobless: history and other blobs are never needed to analyse one commit
_FETCH_OPTIONS = ("--depth", "1", "--filter=blob:none", "--no-tags", "--no-recurse-submodules")
_REGULAR_FILE_MODES = ("100644", "100755")  # not symlinks (120000) nor submodules (160000)
_PATHS_PER_COMMAND = 500  # keeps argv far below the system's limit
# paths from a diff are names, never patterns: "*.py" in a pull request is one odd file name
_LITERAL_PATHS = {"GIT_LITERAL_PATHSPECS": "1"}


class HeadCommit(BaseModel):
    """A commit to read files from (a pull request's head) and how to reach it. The token is
    for the host of `url` only; it is never shown in a repr or a log."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    url: str  # clone URL, without credentials
    sha: str = Field(pattern=r"^[0-9a-f]{40}$")
    token: SecretStr | None = None
    # the HTTP Basic user the host expects with a token; None: the token as a Bearer token
    user: str | None = "x-access-token"


def checkout_git(spec: RepoSpec, cache_dir: Path, token: str | None, timeout_s: float) -> Checkout:
    remote = _Remote(spec.location, token, timeout_s, branch=spec.default_branch)
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
    remote = _Remote(spec.location, token, timeout_s, branch=spec.default_branch)
    ref = f"refs/heads/{remote.branch}" if remote.branch else "HEAD"
    result = remote.run(["ls-remote", "--", remote.url, ref], cwd=None)
    words = result.stdout.split() if result.returncode == 0 else []
    return words[0] if words else None


def fetch_commit(
    commit: HeadCommit, paths: Sequence[str], git_dir: Path, timeout_s: float
) -> dict[str, str]:
    """Make `git_dir` a new bare repository holding `commit`, its trees, and the blobs of
    those `paths` that are regular files in it; nothing else is downloaded. Returns those
    files: path -> blob id (as `regular_files`).

    A shallow, blobless fetch of the commit by its sha (GitHub and GitLab serve any commit
    of a pull request that way, forks included), then one fetch of exactly the wanted blobs
    (per 500 files). A pull request that touches 20 files of a large repository downloads 20
    files. Nothing is checked out, so no attribute filter or hook of the repository runs.
    """
    token = commit.token.get_secret_value() if commit.token else None
    remote = _Remote(commit.url, token, timeout_s, user=commit.user)
    init = remote.run(["init", "-q", "--bare", "--template=", str(git_dir)], cwd=None)
    remote._check(init, "init")
    result = remote.run(["fetch", *_FETCH_OPTIONS, "--", remote.url, commit.sha], cwd=git_dir)
    if result.returncode != 0 and "not our ref" in result.stderr:
        raise SourceError(ProblemKind.NOT_FOUND, f"{remote.url} has no commit {commit.sha}")
    remote._check(result, "fetch")
    files = regular_files(git_dir, commit.sha, paths, remote.deadline)
    for chunk in _chunks(sorted(set(files.values()))):
        # the blobs themselves are wanted by id; the filter keeps the repository partial
        wanted = ["fetch", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules"]
        args = [*wanted, "--filter=blob:none", "--", remote.url, *chunk]
        remote._check(remote.run(args, cwd=git_dir), "fetch")
    return files


def regular_files(repo: Path, commit: str, paths: Sequence[str], deadline: float) -> dict[str, str]:
    """Which of `paths` are regular files in `commit`: path -> blob id. Symlinks, submodules
    and absent paths are left out. Reads trees only, so it works in a blobless repository."""
    found: dict[str, str] = {}
    wanted = set(paths)
    for chunk in _chunks(sorted(wanted)):
        listing = run_git(
            ["ls-tree", "-r", "-z", commit, "--", *chunk],
            cwd=repo,
            timeout_s=deadline - time.monotonic(),
            env=_LITERAL_PATHS,
        )
        if listing.returncode != 0:
            reason = summarise(listing.stderr)
            raise SourceError(ProblemKind.INTERNAL, f"cannot list {commit[:12]}: {reason}")
        # names as git stores them: a non-UTF-8 name must round-trip to the next command
        for entry in listing.raw_stdout.decode("utf-8", "surrogateescape").split("\0"):
            meta, _, path = entry.partition("\t")
            fields = meta.split()
            if len(fields) == 3 and fields[0] in _REGULAR_FILE_MODES and path in wanted:
                found[path] = fields[2]
    return found


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _PATHS_PER_COMMAND):
        yield items[start : start + _PATHS_PER_COMMAND]


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

    def __init__(
        self,
        url: str,
        token: str | None,
        timeout_s: float,
        *,
        branch: str | None = None,
        user: str | None = "x-access-token",
    ) -> None:
        self.url = url
        self.branch = branch
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + timeout_s
        # the header's credential too: a GIT_TRACE_CURL in the caller's environment prints it
        self.secrets = (token, authorization(token, user).partition(" ")[2]) if token else ()
        self.env = auth_env(self.url, token, user)

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
