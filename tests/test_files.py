"""Safe walking and reading of untrusted repositories (codeprism.files)."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from codeprism.errors import Problem, ProblemKind, Stage
from codeprism.files import (
    RepoFile,
    decode_text,
    read_bytes,
    read_text,
    resolve_root,
    split_lines,
    walk_repo,
)


def _walk(root: Path) -> tuple[list[RepoFile], list[Problem]]:
    files: list[RepoFile] = []
    problems: list[Problem] = []
    for item in walk_repo(resolve_root(root)):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            files.append(item)
    return files, problems


def _file(root: Path, rel: str) -> RepoFile:
    path = root / rel
    return RepoFile(rel=rel, path=str(path), size=path.stat().st_size)


def test_walk_is_sorted_skips_vcs_dirs_and_reports_repo_relative_paths(tmp_path: Path) -> None:
    for rel in ["b.py", "a/z.txt", "a/b/c.md", ".git/config", "sub/.hg/store", "sub/.git"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    files, problems = _walk(tmp_path)
    assert [f.rel for f in files] == ["a/b/c.md", "a/z.txt", "b.py"]  # depth first, by name
    assert problems == []
    assert files[0].path == str(tmp_path.resolve() / "a" / "b" / "c.md")
    assert files[0].size == 2


def test_symlinks_outside_are_reported_and_inside_are_skipped(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours\n")
    (repo / "real.txt").write_text("hello\n")
    (repo / "passwd").symlink_to("/etc/passwd")
    (repo / "escape").symlink_to(outside)  # a directory outside
    (repo / "relative").symlink_to("../outside/secret.txt")
    (repo / "alias.txt").symlink_to("real.txt")  # inside: analysed once, at real.txt
    (repo / "loop").symlink_to(".")  # inside: never followed, so no cycle
    (repo / "dangling").symlink_to("missing.txt")

    files, problems = _walk(repo)

    assert [f.rel for f in files] == ["real.txt"]
    assert [(p.path, p.kind, p.stage) for p in problems] == [
        ("escape", ProblemKind.SYMLINK_OUTSIDE, Stage.ANALYZE),
        ("passwd", ProblemKind.SYMLINK_OUTSIDE, Stage.ANALYZE),
        ("relative", ProblemKind.SYMLINK_OUTSIDE, Stage.ANALYZE),
    ]
    assert "/etc/passwd" in problems[1].reason


def test_root_given_as_symlink_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text("x = 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    files, problems = _walk(tmp_path / "link")
    assert [f.rel for f in files] == ["a.py"] and problems == []


def test_non_regular_files_are_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # opening a FIFO for reading would block forever
    (tmp_path / "a.txt").write_text("a\n")
    files, problems = _walk(tmp_path)
    assert [f.rel for f in files] == ["a.txt"] and problems == []


def test_a_50_mb_file_is_too_large_and_never_read(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    tracemalloc.start()
    try:
        result = read_text(_file(tmp_path, "big.py"), max_bytes=2_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Problem)
    assert (result.kind, result.path) == (ProblemKind.TOO_LARGE, "big.py")
    assert "52428800 bytes" in result.reason
    assert peak < 1_000_000


def test_a_file_that_grew_after_the_walk_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("small\n")
    stale = _file(tmp_path, "f.txt")
    (tmp_path / "f.txt").write_text("x" * 5000)
    result = read_bytes(stale, max_bytes=100)
    assert isinstance(result, Problem) and result.kind is ProblemKind.TOO_LARGE


def test_a_file_replaced_by_a_symlink_after_the_walk_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("ok\n")
    stale = _file(tmp_path, "f.txt")
    (tmp_path / "f.txt").unlink()
    (tmp_path / "f.txt").symlink_to("/etc/passwd")
    result = read_bytes(stale, max_bytes=1_000_000)
    assert isinstance(result, Problem) and result.kind is ProblemKind.INTERNAL


def test_binary_and_undecodable_files(tmp_path: Path) -> None:
    file = RepoFile(rel="x", path="x", size=0)
    binary = decode_text(file, b"\x89PNG\r\n\x1a\n\x00\x00")
    latin1 = decode_text(file, "café = 1\n".encode("latin-1"))
    assert isinstance(binary, Problem) and binary.kind is ProblemKind.BINARY
    assert isinstance(latin1, Problem) and latin1.kind is ProblemKind.DECODE
    assert "byte 3" in latin1.reason
    assert decode_text(file, "café = 1\n".encode()) == "café = 1\n"


def test_read_text_reads_small_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\r\ny = 2\n")
    assert read_text(_file(tmp_path, "a.py"), max_bytes=100) == "x = 1\r\ny = 2\n"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b", ""]),
        ("a\r\nb", ["a", "b"]),
        ("a\x0cb\nc", ["a\x0cb", "c"]),  # a form feed does not end a line for the tools
        ("", [""]),
    ],
)
def test_split_lines_numbers_lines_like_the_tools(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
