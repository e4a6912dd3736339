"""parse_diff and render_file on real `git diff` output made in throwaway repositories.

Each case asserts exact statuses, paths, changed lines and rendered text, so a parser that is
off by one line, keeps a prefix, or counts a marker line fails.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from codeprism.errors import EXIT_ERROR, CodeprismError
from codeprism.review.diff import (
    NOTE_NOT_UTF8,
    DiffError,
    FileDiff,
    FileStatus,
    parse_diff,
    render_file,
)

DATA = Path(__file__).parent / "data" / "diffs"

# No user or system git config may change the output (diff.noprefix, diff.renames, autocrlf...).
_GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


class GitRepo:
    """A work tree whose commits are diffed with the real `git diff`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> bytes:
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**os.environ, **_GIT_ENV},
            capture_output=True,
            check=True,
        )
        return done.stdout

    def commit(self, files: dict[str, bytes | str | None], message: str = "change") -> None:
        """Write (str as UTF-8, bytes as is) or delete (None) files, then commit them all."""
        for relative, content in files.items():
            path = self.root / relative
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def diff(self, *args: str) -> bytes:
        """`git diff` of the last commit against its parent."""
        return self.git("diff", "--no-color", "--no-ext-diff", *args, "HEAD~1", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def numbered(count: int, start: int = 1) -> str:
    return "".join(f"line {n}\n" for n in range(start, start + count))


def lines_of(file: FileDiff) -> list[tuple[str, str, int | None, int | None]]:
    return [(ln.kind, ln.text, ln.old_line, ln.new_line) for h in file.hunks for ln in h.lines]


def only(files: list[FileDiff]) -> FileDiff:
    assert len(files) == 1, files
    return files[0]


# --- statuses and paths ------------------------------------------------------------------------


def test_modified_file_renders_new_line_numbers(repo: GitRepo) -> None:
    base = "import os\ndef add(a, b):\n    total = a + b\n    return total\n"
    repo.commit({"calc.py": base + "def sub(a, b):\n    return a - b\n"})
    repo.commit({"calc.py": base + "def sub(a, b):\n    result = a - b\n    return result\n"})

    file = only(parse_diff(repo.diff()))

    assert (file.status, file.old_path, file.new_path, file.path) == (
        FileStatus.MODIFIED,
        "calc.py",
        "calc.py",
        "calc.py",
    )
    assert (file.old_mode, file.new_mode, file.is_binary, file.notes) == (
        "100644",
        "100644",
        False,
        (),
    )
    assert file.changed_lines == {6, 7}
    assert render_file(file) == (
        "## File: calc.py (modified)\n"
        "@@ -3,4 +3,5 @@ def add(a, b):\n"
        "__new hunk__\n"
        "3       total = a + b\n"
        "4       return total\n"
        "5   def sub(a, b):\n"
        "6 +     result = a - b\n"
        "7 +     return result\n"
        "__old hunk__\n"
        "-    return a - b\n"
    )


def test_new_file(repo: GitRepo) -> None:
    repo.commit({"README": "x\n"})
    repo.commit({"pkg/new.py": numbered(12)})

    file = only(parse_diff(repo.diff()))

    assert (file.status, file.old_path, file.new_path) == (FileStatus.ADDED, None, "pkg/new.py")
    assert file.changed_lines == frozenset(range(1, 13))
    rendered = render_file(file).splitlines()
    assert rendered[:5] == [
        "## File: pkg/new.py (added)",
        "@@ -0,0 +1,12 @@",
        "__new hunk__",
        " 1 + line 1",
        " 2 + line 2",
    ]
    assert rendered[-1] == "12 + line 12"
    assert "__old hunk__" not in rendered


def test_deleted_file(repo: GitRepo) -> None:
    repo.commit({"gone.py": numbered(3), "keep.py": "k\n"})
    repo.commit({"gone.py": None})

    file = only(parse_diff(repo.diff()))

    assert (file.status, file.old_path, file.new_path, file.path) == (
        FileStatus.DELETED,
        "gone.py",
        None,
        "gone.py",
    )
    assert file.changed_lines == frozenset()
    assert lines_of(file) == [
        ("-", "line 1", 1, None),
        ("-", "line 2", 2, None),
        ("-", "line 3", 3, None),
    ]
    assert render_file(file) == (
        "## File: gone.py (deleted)\n@@ -1,3 +0,0 @@\n__old hunk__\n-line 1\n-line 2\n-line 3\n"
    )


def test_pure_rename(repo: GitRepo) -> None:
    repo.commit({"old name.py": numbered(20)})
    repo.commit({"old name.py": None, "pkg/new_name.py": numbered(20)})

    file = only(parse_diff(repo.diff("-M")))

    assert (file.status, file.old_path, file.new_path, file.similarity) == (
        FileStatus.RENAMED,
        "old name.py",
        "pkg/new_name.py",
        100,
    )
    assert file.hunks == ()
    assert file.changed_lines == frozenset()
    assert render_file(file) == "## File: pkg/new_name.py (renamed from old name.py)\n"


def test_rename_with_edits(repo: GitRepo) -> None:
    repo.commit({"util.py": numbered(20)})
    edited = numbered(9) + "line 10 changed\n" + numbered(10, start=11)
    repo.commit({"util.py": None, "helpers.py": edited})

    file = only(parse_diff(repo.diff("-M")))

    assert (file.status, file.old_path, file.new_path, file.similarity) == (
        FileStatus.RENAMED,
        "util.py",
        "helpers.py",
        89,
    )
    assert file.changed_lines == {10}
    assert render_file(file) == (
        "## File: helpers.py (renamed from util.py)\n"
        "@@ -7,7 +7,7 @@ line 6\n"
        "__new hunk__\n"
        " 7   line 7\n"
        " 8   line 8\n"
        " 9   line 9\n"
        "10 + line 10 changed\n"
        "11   line 11\n"
        "12   line 12\n"
        "13   line 13\n"
        "__old hunk__\n"
        "-line 10\n"
    )


def test_without_rename_detection_a_rename_is_a_deletion_and_an_addition(repo: GitRepo) -> None:
    repo.commit({"a.py": numbered(3)})
    repo.commit({"a.py": None, "b.py": numbered(3)})

    files = parse_diff(repo.diff("--no-renames"))

    assert [(f.path, f.status) for f in files] == [
        ("a.py", FileStatus.DELETED),
        ("b.py", FileStatus.ADDED),
    ]


def test_copy(repo: GitRepo) -> None:
    repo.commit({"src.txt": numbered(20)})
    repo.commit({"copy.txt": numbered(21)})

    file = only(parse_diff(repo.diff("-C", "--find-copies-harder")))

    assert (file.status, file.old_path, file.new_path, file.similarity) == (
        FileStatus.COPIED,
        "src.txt",
        "copy.txt",
        94,
    )
    assert file.changed_lines == {21}
    assert render_file(file).splitlines()[0] == "## File: copy.txt (copied from src.txt)"


def test_mode_change_only(repo: GitRepo) -> None:
    repo.commit({"run.sh": "echo hi\n"})
    (repo.root / "run.sh").chmod(0o755)
    repo.commit({})

    file = only(parse_diff(repo.diff()))

    assert (file.status, file.path, file.old_mode, file.new_mode, file.hunks) == (
        FileStatus.MODIFIED,
        "run.sh",
        "100644",
        "100755",
        (),
    )
    assert render_file(file) == "## File: run.sh (modified, mode 100644 -> 100755)\n"


@pytest.mark.parametrize("binary_patch", [False, True], ids=["differ-line", "git-binary-patch"])
def test_binary_files_then_a_text_file(repo: GitRepo, binary_patch: bool) -> None:
    blob = bytes(range(256)) * 8
    repo.commit({"img.png": blob, "note.txt": "a\n"})
    repo.commit({"img.png": blob[::-1], "new.bin": b"\x00\x01\x02", "note.txt": "b\n"})

    files = parse_diff(repo.diff("--binary") if binary_patch else repo.diff())

    assert [(f.path, f.status, f.is_binary, f.hunks) for f in files[:2]] == [
        ("img.png", FileStatus.MODIFIED, True, ()),
        ("new.bin", FileStatus.ADDED, True, ()),
    ]
    assert files[1].old_path is None
    # the base85 patch lines must not leak into, or end, the next file
    assert [(f.path, lines_of(f)) for f in files[2:]] == [
        ("note.txt", [("-", "a", 1, None), ("+", "b", None, 1)])
    ]
    assert render_file(files[0]) == "## File: img.png (modified, binary)\n"


def test_quoted_paths_and_paths_with_spaces(repo: GitRepo) -> None:
    repo.commit({"dir/naïve file.py": "x = 1\n", "my file.py": "one\n"})
    repo.commit({"dir/naïve file.py": "x = 2\n", "my file.py": "two\n"})

    diff = repo.diff()
    assert b'"a/dir/na\\303\\257ve file.py"' in diff  # git really quoted it
    files = parse_diff(diff)

    assert [(f.old_path, f.new_path, f.changed_lines) for f in files] == [
        ("dir/naïve file.py", "dir/naïve file.py", {1}),
        ("my file.py", "my file.py", {1}),
    ]


def test_quoted_rename_without_hunks(repo: GitRepo) -> None:
    repo.commit({"tab\there.py": numbered(5)})
    repo.commit({"tab\there.py": None, "dir/ünïcode.py": numbered(5)})

    file = only(parse_diff(repo.diff("-M")))

    assert (file.status, file.old_path, file.new_path) == (
        FileStatus.RENAMED,
        "tab\there.py",
        "dir/ünïcode.py",
    )


# --- line numbering ---------------------------------------------------------------------------


def test_omitted_hunk_counts(repo: GitRepo) -> None:
    repo.commit({"one.txt": "before\n"})
    repo.commit({"one.txt": "after\n"})

    diff = repo.diff()
    assert b"@@ -1 +1 @@" in diff
    hunk = only(parse_diff(diff)).hunks[0]

    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (1, 1, 1, 1)
    assert [(ln.kind, ln.text) for ln in hunk.lines] == [("-", "before"), ("+", "after")]


def test_zero_context_insertion(repo: GitRepo) -> None:
    repo.commit({"f.txt": numbered(5)})
    repo.commit({"f.txt": numbered(2) + "new a\nnew b\n" + numbered(3, start=3)})

    file = only(parse_diff(repo.diff("-U0")))

    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in file.hunks] == [
        (2, 0, 3, 2)
    ]
    assert lines_of(file) == [("+", "new a", None, 3), ("+", "new b", None, 4)]


def test_lines_that_look_like_file_headers_inside_a_hunk(repo: GitRepo) -> None:
    repo.commit({"notes.md": "-- removed\nkeep\n", "z.txt": "z\n"})
    repo.commit({"notes.md": "++ added\nkeep\n", "z.txt": "zz\n"})

    diff = repo.diff()
    assert b"\n--- removed\n+++ added\n" in diff
    files = parse_diff(diff)

    assert [f.path for f in files] == ["notes.md", "z.txt"]
    assert lines_of(files[0]) == [
        ("-", "-- removed", 1, None),
        ("+", "++ added", None, 1),
        (" ", "keep", 2, 2),
    ]
    assert files[0].notes == ()


def test_several_hunks_and_files_keep_their_own_numbering(repo: GitRepo) -> None:
    repo.commit({"a.txt": numbered(40), "b.txt": numbered(5)})
    a_new = numbered(4) + "inserted\n" + numbered(36, start=5).replace("line 30\n", "thirty\n")
    repo.commit({"a.txt": a_new, "b.txt": numbered(4)})

    files = parse_diff(repo.diff())

    assert [f.path for f in files] == ["a.txt", "b.txt"]
    assert [(h.old_start, h.new_start) for h in files[0].hunks] == [(2, 2), (27, 28)]
    assert files[0].changed_lines == {5, 31}
    assert files[1].changed_lines == frozenset()
    assert lines_of(files[1]) == [
        (" ", "line 2", 2, 2),
        (" ", "line 3", 3, 3),
        (" ", "line 4", 4, 4),
        ("-", "line 5", 5, None),
    ]


@pytest.mark.parametrize(
    ("old", "new", "changed", "expected"),
    [
        pytest.param(
            "a\nb",
            "a\nb\nc\n",
            {2, 3},
            [(" ", "a", 1, 1), ("-", "b", 2, None), ("+", "b", None, 2), ("+", "c", None, 3)],
            id="old-side",
        ),
        pytest.param(
            "a\nb\n",
            "a\nB",
            {2},
            [(" ", "a", 1, 1), ("-", "b", 2, None), ("+", "B", None, 2)],
            id="new-side",
        ),
        pytest.param(
            "a\nb",
            "a\nc",
            {2},
            [(" ", "a", 1, 1), ("-", "b", 2, None), ("+", "c", None, 2)],
            id="both-sides",
        ),
    ],
)
def test_no_newline_at_end_of_file(
    repo: GitRepo,
    old: str,
    new: str,
    changed: set[int],
    expected: list[tuple[str, str, int | None, int | None]],
) -> None:
    repo.commit({"f.txt": old, "g.txt": numbered(3)})
    repo.commit({"f.txt": new, "g.txt": numbered(2) + "three\n"})

    diff = repo.diff()
    assert b"\\ No newline at end of file" in diff
    files = parse_diff(diff)

    assert [f.path for f in files] == ["f.txt", "g.txt"]
    assert files[0].changed_lines == changed
    assert lines_of(files[0]) == expected
    # the marker is not a line and does not disturb the next file
    assert files[1].changed_lines == {3}
    assert "No newline" not in render_file(files[0])


def test_crlf_file_numbers_like_lf(tmp_path: Path) -> None:
    results = []
    for name, eol in (("lf", "\n"), ("crlf", "\r\n")):
        repo = GitRepo(tmp_path / name)
        repo.commit({"w.txt": numbered(6).replace("\n", eol)})
        repo.commit({"w.txt": numbered(6).replace("line 4\n", "four\nfour b\n").replace("\n", eol)})
        diff = repo.diff()
        assert (b"\r\n" in diff) == (eol == "\r\n")
        results.append(only(parse_diff(diff)))

    lf, crlf = results
    assert crlf.changed_lines == lf.changed_lines == {4, 5}
    assert lines_of(crlf) == lines_of(lf)
    assert not any("\r" in text for _, text, _, _ in lines_of(crlf))
    assert render_file(crlf) == render_file(lf)


def test_a_whole_diff_with_crlf_endings_parses_the_same(repo: GitRepo) -> None:
    repo.commit({"a.txt": numbered(5), "b.txt": "x\n"})
    repo.commit({"a.txt": numbered(5).replace("line 3", "three"), "b.txt": "x"})

    diff = repo.diff()
    lf, crlf = parse_diff(diff), parse_diff(diff.replace(b"\n", b"\r\n"))

    assert crlf == lf
    assert [f.changed_lines for f in crlf] == [{3}, {1}]


def test_latin1_content_is_replaced_and_noted(repo: GitRepo) -> None:
    repo.commit({"latin.py": "x = 1\n".encode("latin-1"), "ok.py": "ok\n"})
    repo.commit({"latin.py": "café = 1\n".encode("latin-1"), "ok.py": "ok ✓\n"})

    files = parse_diff(repo.diff())

    assert [f.path for f in files] == ["latin.py", "ok.py"]
    latin, ok = files
    assert latin.notes == (NOTE_NOT_UTF8,)
    assert lines_of(latin) == [("-", "x = 1", 1, None), ("+", "caf\ufffd = 1", None, 1)]
    assert latin.changed_lines == {1}
    assert ok.notes == ()
    assert lines_of(ok)[1] == ("+", "ok ✓", None, 1)
    assert render_file(latin).splitlines()[:2] == [
        "## File: latin.py (modified)",
        f"note: {NOTE_NOT_UTF8}",
    ]


# --- other producers ----------------------------------------------------------------------------


def test_format_patch_mail(repo: GitRepo) -> None:
    repo.commit({"a.txt": numbered(3)})
    repo.commit({"a.txt": numbered(3) + "line 4\n"}, message="Add a line\n\n--- not a header")

    patch = repo.git("format-patch", "-1", "--stdout")
    assert patch.startswith(b"From ") and b"\n-- \n" in patch  # mail headers and signature
    file = only(parse_diff(patch))

    assert (file.path, file.status, file.changed_lines) == ("a.txt", FileStatus.MODIFIED, {4})
    assert lines_of(file)[-1] == ("+", "line 4", None, 4)


def test_combined_merge_diff_is_recorded_without_hunks(repo: GitRepo) -> None:
    repo.commit({"f.txt": "a\nb\nc\n", "g.txt": "g\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"f.txt": "A\nb\nc\n"})
    repo.git("checkout", "-q", "main")
    repo.commit({"f.txt": "a\nb\nC\n"})
    repo.git("merge", "-q", "side", "-m", "merge")
    (repo.root / "f.txt").write_text("A\nb\nC!\n")  # an "evil merge" shows in --cc
    repo.git("commit", "-q", "--amend", "-a", "-m", "merge")

    combined = repo.git("show", "--cc", "--format=", "HEAD")
    assert combined.startswith(b"diff --cc f.txt\n") and b"@@@ -1,3 -1,3 +1,3 @@@" in combined
    file = only(parse_diff(combined))

    assert (file.path, file.status, file.hunks) == ("f.txt", FileStatus.MODIFIED, ())
    assert file.notes == ("combined (merge) diff: its hunks are not shown",)


def test_plain_diff_u_output(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(numbered(3))
    (tmp_path / "b" / "same.txt").write_text(numbered(3).replace("line 2", "two"))
    (tmp_path / "b" / "added.txt").write_text("new\n")
    (tmp_path / "a" / "removed.txt").write_text("old\n")
    done = subprocess.run(
        ["diff", "-ruN", "a", "b"], cwd=tmp_path, capture_output=True, check=False
    )
    assert done.returncode == 1, done.stderr  # 1: the trees differ

    files = parse_diff(done.stdout)

    assert [(f.old_path, f.new_path, f.status, f.changed_lines) for f in files] == [
        (None, "added.txt", FileStatus.ADDED, {1}),
        ("removed.txt", None, FileStatus.DELETED, frozenset()),
        ("same.txt", "same.txt", FileStatus.MODIFIED, {2}),
    ]


def test_static_plain_diff_fixture_with_timestamps() -> None:
    files = parse_diff((DATA / "plain_u.diff").read_bytes())

    assert [(f.old_path, f.new_path, f.status, f.changed_lines) for f in files] == [
        ("old/config.ini", "new/config.ini", FileStatus.MODIFIED, {2, 3}),
    ]


# --- malformed input ----------------------------------------------------------------------------


def test_empty_diff_is_no_files() -> None:
    assert parse_diff(b"") == []
    assert parse_diff(b"\n\r\n") == []


def test_non_diff_input_raises_an_exit_code_2_error() -> None:
    with pytest.raises(DiffError, match="not a unified diff") as raised:
        parse_diff(b"hello\nthis is not a diff\n@@ nope\n")
    assert isinstance(raised.value, CodeprismError)
    assert raised.value.exit_code == EXIT_ERROR == 2


def test_truncated_hunk_keeps_what_parsed_and_notes_it() -> None:
    files = parse_diff((DATA / "truncated.diff").read_bytes())

    assert [f.path for f in files] == ["first.py", "second.py"]
    first, second = files
    assert lines_of(first) == [
        (" ", "a", 1, 1),
        ("-", "b", 2, None),
        ("+", "B", None, 2),
    ]
    assert first.notes == ("hunk @@ -1,4 +1,4 @@ is truncated: 2 old and 2 new lines missing",)
    assert (second.changed_lines, second.notes) == ({1}, ())


def test_diff_cut_at_any_byte_never_raises(repo: GitRepo) -> None:
    repo.commit({"a.py": numbered(30), "b.py": "x\n", "c.bin": b"\x00" * 10})
    repo.commit({"a.py": numbered(30).replace("line 9", "nine"), "b.py": None, "c.bin": b"\x01"})
    diff = repo.diff("--binary")

    for cut in range(len(diff) + 1):
        try:
            files = parse_diff(diff[:cut])
        except DiffError:
            assert not diff[:cut].startswith(b"diff --git a/a.py b/a.py\n"), cut
            continue
        # every file but the last (which the cut may have hit) is whole and named right
        whole = files[:-1]
        assert [f.path for f in whole] == ["a.py", "b.py", "c.bin"][: len(whole)]


def test_malformed_hunk_header_and_garbage_are_noted_not_raised() -> None:
    data = (
        b"diff --git a/x.py b/x.py\n"
        b"--- a/x.py\n"
        b"+++ b/x.py\n"
        b"@@ -one +two @@\n"
        b"+ignored\n"
        b"@@ -1,2 +1,2 @@\n"
        b" keep\n"
        b"\xff\xfe garbage in the middle of a hunk\n"
        b"diff --git a/y.py b/y.py\n"
        b"--- a/y.py\n"
        b"+++ b/y.py\n"
        b"@@ -1 +1 @@\n"
        b"-y\n"
        b"+Y\n"
    )

    x, y = parse_diff(data)

    assert x.notes == (
        "malformed hunk header skipped: @@ -one +two @@",
        "hunk @@ -1,2 +1,2 @@ is truncated: 1 old and 1 new lines missing",
    )
    assert lines_of(x) == [(" ", "keep", 1, 1)]
    assert (y.path, y.changed_lines, y.notes) == ("y.py", {1}, ())
