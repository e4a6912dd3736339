"""Walk a checked-out repository and read its files without ever leaving it.

The repository is untrusted input. A clone can hold symlinks to `/etc/passwd`, FIFOs, 50 MB
blobs and files that are not UTF-8, and none of them may stop or mislead a sweep:

- Symlinks are never followed. One that resolves outside the root is reported as
  SYMLINK_OUTSIDE and never opened; one that stays inside is skipped silently, because its
  target is analysed at its own path (no duplicate findings, no directory cycles).
- Only regular files are read (a FIFO would block the sweep forever), with O_NOFOLLOW so a
  file swapped for a symlink after the walk is refused rather than followed.
- Size is checked with stat before opening, and at most `max_bytes + 1` bytes are ever read.
- VCS metadata directories (`.git`, ...) are skipped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from codeprism.errors import Problem, ProblemKind, Stage

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", ".pijul"})

_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RepoFile:
    """A regular file inside the repository."""

    rel: str  # repository-relative, '/'-separated: what findings and problems report
    path: str  # absolute path below the resolved root
    size: int


def _problem(kind: ProblemKind, rel: str, reason: str) -> Problem:
    return Problem(stage=Stage.ANALYZE, kind=kind, reason=reason, path=rel)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def resolve_root(root: Path | str) -> str:
    """The real path of a repository checkout (the root itself may be a symlink)."""
    real = os.path.realpath(root)
    if not os.path.isdir(real):
        raise NotADirectoryError(f"not a directory: {root}")
    return real


def walk_repo(root: str) -> Iterator[RepoFile | Problem]:
    """Yield the repository's regular files and the problems met on the way.

    Depth first, entries in name order, so that runs over the same tree agree. `root` must
    be a resolved path (see `resolve_root`).
    """
    yield from _walk_dir(root, "", root)


def _walk_dir(root: str, rel_dir: str, abs_dir: str) -> Iterator[RepoFile | Problem]:
    try:
        with os.scandir(abs_dir) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield _problem(ProblemKind.INTERNAL, rel_dir or ".", f"cannot list directory: {exc}")
        return
    for entry in entries:
        if entry.name in VCS_DIRS:
            continue
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not _inside(target, root):
                    yield _problem(
                        ProblemKind.SYMLINK_OUTSIDE,
                        rel,
                        f"symbolic link to {os.readlink(entry.path)!r} points outside "
                        "the repository; not followed",
                    )
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_dir(root, rel, entry.path)
                continue
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield _problem(ProblemKind.INTERNAL, rel, f"cannot stat: {exc}")
            continue
        if stat.S_ISREG(st.st_mode):
            yield RepoFile(rel=rel, path=entry.path, size=st.st_size)


def read_bytes(file: RepoFile, max_bytes: int) -> bytes | Problem:
    """The file's content, or TOO_LARGE without reading more than `max_bytes + 1` bytes."""
    if file.size > max_bytes:
        return _too_large(file, file.size, max_bytes)
    try:
        fd = os.open(file.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return _problem(ProblemKind.INTERNAL, file.rel, f"cannot open: {exc.strerror}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return _problem(ProblemKind.INTERNAL, file.rel, "no longer a regular file")
        if st.st_size > max_bytes:
            return _too_large(file, st.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return _problem(ProblemKind.INTERNAL, file.rel, f"cannot read: {exc.strerror}")
    finally:
        os.close(fd)
    if total > max_bytes:  # grew after the stat
        return _too_large(file, total, max_bytes)
    return b"".join(chunks)


def _too_large(file: RepoFile, size: int, max_bytes: int) -> Problem:
    return _problem(
        ProblemKind.TOO_LARGE, file.rel, f"{size} bytes is over the {max_bytes}-byte limit"
    )


def decode_text(file: RepoFile, data: bytes) -> str | Problem:
    """UTF-8 text, or BINARY (a NUL byte) or DECODE (not valid UTF-8)."""
    if b"\x00" in data:
        return _problem(ProblemKind.BINARY, file.rel, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _problem(
            ProblemKind.DECODE, file.rel, f"not valid UTF-8 at byte {exc.start}: {exc.reason}"
        )


def read_text(file: RepoFile, max_bytes: int) -> str | Problem:
    data = read_bytes(file, max_bytes)
    if isinstance(data, Problem):
        return data
    return decode_text(file, data)


def split_lines(text: str) -> list[str]:
    """Lines as analyzers number them: only LF and CRLF end a line.

    `str.splitlines` also splits on form feeds and Unicode separators, which would shift
    every later line number against what the tools report.
    """
    return [line.removesuffix("\r") for line in text.split("\n")]
