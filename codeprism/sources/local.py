"""Local directories, git work trees or not, analysed in place."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources.gitcmd import run_git, summarise
from codeprism.sources.spec import Checkout, RepoSpec

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def checkout_path(spec: RepoSpec, timeout_s: float) -> Checkout:
    root = Path(spec.location)
    if not root.exists():
        raise SourceError(ProblemKind.NOT_FOUND, f"{root} does not exist")
    if not root.is_dir():
        raise SourceError(ProblemKind.NOT_FOUND, f"{root} is a file, not a directory")
    if not os.access(root, os.R_OK | os.X_OK):
        raise SourceError(ProblemKind.NOT_FOUND, f"{root} is not readable")
    if os.path.lexists(root / ".git"):
        head = _git_head(root, timeout_s)
        if head is not None:
            # a commit names the content only when nothing is changed on top of it
            clean = _is_clean(root, timeout_s)
            return Checkout(root, head, head if clean else tree_digest(root))
    return Checkout(root, None, tree_digest(root))


def _git_head(root: Path, timeout_s: float) -> str | None:
    """HEAD's sha; None when `.git` is not a usable repository (analysed as a plain tree)."""
    # the ceiling stops git from walking up to an enclosing repository when `.git` is junk
    env = {"GIT_CEILING_DIRECTORIES": str(root.parent)}
    head = run_git(
        ["rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=root, timeout_s=timeout_s, env=env
    )
    if head.returncode == 0:
        return head.stdout.strip()
    probe = run_git(["rev-parse", "--absolute-git-dir"], cwd=root, timeout_s=timeout_s, env=env)
    if probe.returncode == 0:
        raise SourceError(
            ProblemKind.EMPTY_REPOSITORY,
            f"{root} is a git repository without commits; commit something or audit a "
            "directory that is not a git repository",
        )
    log.warning("%s: .git is not a usable repository (%s)", root, summarise(probe.stderr))
    return None


def _is_clean(root: Path, timeout_s: float) -> bool:
    status = run_git(
        ["status", "--porcelain", "--untracked-files=normal", "--ignore-submodules=all"],
        cwd=root,
        timeout_s=timeout_s,
    )
    return status.returncode == 0 and not status.stdout.strip()


def tree_digest(root: Path) -> str:
    """Content digest of a directory: relative paths and file bytes, `.git` skipped.

    Symlinks are hashed as their target text and never followed, so the digest covers exactly
    the tree under `root` and a link cycle cannot hang it.
    """
    digest = hashlib.sha256()
    for relative, entry in _walk(root, ""):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0" + entry + b"\n")
    return f"tree:{digest.hexdigest()}"


def _walk(directory: Path, prefix: str) -> list[tuple[str, bytes]]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return [(prefix or ".", b"unreadable-dir")]
    result: list[tuple[str, bytes]] = []
    for entry in entries:
        if entry.name == ".git":
            continue
        relative = f"{prefix}{entry.name}"
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue  # vanished while walking
        if stat.S_ISLNK(mode):
            result.append((relative, b"link:" + os.fsencode(os.readlink(entry.path))))
        elif stat.S_ISDIR(mode):
            result += _walk(Path(entry.path), relative + "/")
        elif stat.S_ISREG(mode):
            result.append((relative, b"file:" + _file_digest(entry.path)))
    return result


def _file_digest(path: str) -> bytes:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return b"unreadable"
    return digest.hexdigest().encode("ascii")
