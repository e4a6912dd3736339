"""Parse unified diffs from bytes, and render them for a model with new-file line numbers.

Input is `git diff` / `git format-patch` output or plain `diff -u` output, and it is untrusted:
a PR diff can hold any bytes. So the parser works on bytes and never raises on content:

- Lines are split on b"\\n" only, and one trailing b"\\r" is dropped, so a CRLF file (or a whole
  diff saved with CRLF endings) numbers exactly like an LF one.
- Each line is decoded as UTF-8 on its own; undecodable bytes become U+FFFD and the file gets
  a note, so one latin-1 line does not garble the rest.
- Hunk line counts are honoured: inside a hunk, "--- x" is a removed line, not a file header.
- A hunk that ends early (truncated diff, stray text) keeps the lines it had, and the file gets
  a note. Only input with no file header at all raises `DiffError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from codeprism.errors import EXIT_ERROR, CodeprismError

LineKind = Literal["+", "-", " "]

NOTE_NOT_UTF8 = "not valid UTF-8; undecodable bytes shown as U+FFFD"


class DiffError(CodeprismError):
    """The input is not a unified diff at all (bad input: exit code 2)."""

    exit_code = EXIT_ERROR


class FileStatus(StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One hunk line; `old_line` is None for "+" lines, `new_line` is None for "-" lines."""

    kind: LineKind
    text: str
    old_line: int | None
    new_line: int | None


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    lines: tuple[DiffLine, ...]

    @property
    def added_lines(self) -> frozenset[int]:
        return frozenset(
            line.new_line for line in self.lines if line.kind == "+" and line.new_line is not None
        )

    @property
    def new_range(self) -> tuple[int, int] | None:
        """First and last new-file line this hunk shows, or None when it shows none."""
        numbers = [line.new_line for line in self.lines if line.new_line is not None]
        return (numbers[0], numbers[-1]) if numbers else None


@dataclass(frozen=True, slots=True)
class FileDiff:
    old_path: str | None
    new_path: str | None
    status: FileStatus
    is_binary: bool = False
    hunks: tuple[Hunk, ...] = ()
    similarity: int | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The path a reviewer cites: the new one, or the old one for a deletion."""
        return self.new_path or self.old_path or ""

    @property
    def changed_lines(self) -> frozenset[int]:
        """New-file line numbers of the added ("+") lines."""
        return frozenset().union(*(hunk.added_lines for hunk in self.hunks))


# ---------------------------------------------------------------------------------------------
# Parsing


_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_BINARY_FILES = re.compile(rb"^Binary files (.+) and (.+) differ$")
_MODE = re.compile(rb"^[0-7]{6}$")
_GIT_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): ord('"'),
    ord("\\"): ord("\\"),
}
DEV_NULL = "/dev/null"


@dataclass
class _FileBuilder:
    """A file being parsed; paths are raw (prefixes still on) until `build`."""

    from_git_header: bool
    old_path: str | None = None
    new_path: str | None = None
    status: FileStatus | None = None
    is_binary: bool = False
    similarity: int | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    saw_file_lines: bool = False  # the ---/+++ pair
    hunks: list[Hunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def build(self) -> FileDiff:
        old_path, new_path = self.old_path, self.new_path
        status = self.status
        if not self.from_git_header and self.hunks:
            # plain `diff -N` names an absent side with a real path and an epoch timestamp;
            # its hunks say it plainly: nothing on one side
            if all(hunk.old_start == hunk.old_count == 0 for hunk in self.hunks):
                status = FileStatus.ADDED
            elif all(hunk.new_start == hunk.new_count == 0 for hunk in self.hunks):
                status = FileStatus.DELETED
        if old_path == DEV_NULL or status is FileStatus.ADDED:
            status, old_path = FileStatus.ADDED, None
        elif new_path == DEV_NULL or status is FileStatus.DELETED:
            status, new_path = FileStatus.DELETED, None
        # a/ and b/ are git's default prefixes; strip them only as a pair (or against /dev/null)
        if (old_path is None or old_path.startswith("a/")) and (
            new_path is None or new_path.startswith("b/")
        ):
            old_path = old_path[2:] if old_path else None
            new_path = new_path[2:] if new_path else None
        return FileDiff(
            old_path=old_path,
            new_path=new_path,
            status=status or FileStatus.MODIFIED,
            is_binary=self.is_binary,
            hunks=tuple(self.hunks),
            similarity=self.similarity,
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            notes=tuple(self.notes),
        )


def parse_diff(data: bytes) -> list[FileDiff]:
    """Every file in `data`, in order. Empty input gives []; non-diff input raises DiffError."""
    return _Parser(data).parse()


class _Parser:
    def __init__(self, data: bytes) -> None:
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the final newline ends the last line; it does not start another
        self.lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
        self.files: list[_FileBuilder] = []

    def parse(self) -> list[FileDiff]:
        index = 0
        while index < len(self.lines):
            index = self._step(index)
        if not self.files and any(line.strip() for line in self.lines):
            raise DiffError("input is not a unified diff: no file header (diff --git, ---/+++)")
        return [builder.build() for builder in self.files]

    @property
    def current(self) -> _FileBuilder | None:
        return self.files[-1] if self.files else None

    def _step(self, index: int) -> int:
        """Consume the structure that starts at `index`; return the index after it."""
        line = self.lines[index]
        current = self.current
        if line.startswith(b"diff --git "):
            self._start_git_file(line[len(b"diff --git ") :])
        elif line.startswith((b"diff --cc ", b"diff --combined ")):
            # a merge commit's combined diff: "@@@" hunks against several parents
            path = _decode_path(line.split(b" ", 2)[2])
            builder = _FileBuilder(from_git_header=False, old_path=path, new_path=path)
            builder.note("combined (merge) diff: its hunks are not shown")
            self.files.append(builder)
        elif self._at_file_lines(index):
            self._file_lines(line[4:], self.lines[index + 1][4:])
            return index + 2
        elif line.startswith(b"@@ ") and current is not None:
            return self._hunk(index, current)
        elif line.startswith(b"Binary files "):
            self._binary_files(line)
        elif line == b"GIT binary patch" and current is not None:
            current.is_binary = True
            return self._skip_binary_patch(index + 1)
        elif current is not None and current.from_git_header and not current.hunks:
            self._extended_header(line, current)
        # anything else is preamble (format-patch mail, diffstat) or stray text: ignored
        return index + 1

    def _at_file_lines(self, index: int) -> bool:
        """A ---/+++ pair: the paths of the open git section, or a plain diff's file header.
        A plain header must be followed by a hunk, so that a "--- x" / "+++ y" pair in a
        format-patch commit message is not taken for a file."""
        if not (
            self.lines[index].startswith(b"--- ")
            and index + 1 < len(self.lines)
            and self.lines[index + 1].startswith(b"+++ ")
        ):
            return False
        current = self.current
        if current is not None and current.from_git_header and not current.saw_file_lines:
            return True
        return index + 2 < len(self.lines) and self.lines[index + 2].startswith(b"@@ ")

    def _start_git_file(self, names: bytes) -> None:
        builder = _FileBuilder(from_git_header=True)
        builder.old_path, builder.new_path = _split_git_names(names)
        self.files.append(builder)

    def _file_lines(self, old: bytes, new: bytes) -> None:
        current = self.current
        if current is None or not current.from_git_header or current.saw_file_lines:
            current = _FileBuilder(from_git_header=False)
            self.files.append(current)
        current.saw_file_lines = True
        current.old_path = _decode_path(old, strip_timestamp=True)
        current.new_path = _decode_path(new, strip_timestamp=True)

    def _binary_files(self, line: bytes) -> None:
        current = self.current
        if current is None or not current.from_git_header or current.hunks or current.is_binary:
            # plain `diff -r` reports a binary file with this line and no header of its own
            current = _FileBuilder(from_git_header=False)
            self.files.append(current)
            match = _BINARY_FILES.match(line)
            if match:
                current.old_path = _decode_path(match.group(1))
                current.new_path = _decode_path(match.group(2))
        current.is_binary = True

    def _skip_binary_patch(self, index: int) -> int:
        while index < len(self.lines) and not self.lines[index].startswith(b"diff --git "):
            index += 1
        return index

    def _extended_header(self, line: bytes, builder: _FileBuilder) -> None:
        key, _, value = line.partition(b" ")
        if line.startswith((b"rename from ", b"rename to ", b"copy from ", b"copy to ")):
            verb, direction, raw = line.split(b" ", 2)
            builder.status = FileStatus.RENAMED if verb == b"rename" else FileStatus.COPIED
            # rename paths carry no a/ b/ prefix; add it so `build` strips pairs uniformly
            prefix = "a/" if direction == b"from" else "b/"
            path = prefix + _decode_path(raw)
            if direction == b"from":
                builder.old_path = path
            else:
                builder.new_path = path
        elif line.startswith(b"similarity index "):
            digits = value[len(b"index ") :].rstrip(b"%")
            if digits.isdigit():
                builder.similarity = int(digits)
        elif line.startswith(b"new file mode "):
            builder.status, builder.new_mode = FileStatus.ADDED, _mode(line.split(b" ")[-1])
        elif line.startswith(b"deleted file mode "):
            builder.status, builder.old_mode = FileStatus.DELETED, _mode(line.split(b" ")[-1])
        elif key in (b"old", b"new") and value.startswith(b"mode "):
            mode = _mode(value[len(b"mode ") :])
            if key == b"old":
                builder.old_mode = mode
            else:
                builder.new_mode = mode
        elif key == b"index" and value.count(b" ") == 1:
            # "index abc..def 100644": the mode is unchanged
            mode = _mode(value.split(b" ")[1])
            builder.old_mode = builder.old_mode or mode
            builder.new_mode = builder.new_mode or mode

    def _hunk(self, index: int, builder: _FileBuilder) -> int:
        match = _HUNK_HEADER.match(self.lines[index])
        if match is None:
            builder.note(f"malformed hunk header skipped: {_decode(self.lines[index])[0][:80]}")
            return index + 1
        old_start, new_start = int(match.group(1)), int(match.group(3))
        old_count = 1 if match.group(2) is None else int(match.group(2))
        new_count = 1 if match.group(4) is None else int(match.group(4))
        section, bad = _decode(match.group(5))
        old_left, new_left = old_count, new_count
        old_no, new_no = old_start, new_start
        lines: list[DiffLine] = []
        index += 1
        while (old_left > 0 or new_left > 0) and index < len(self.lines):
            raw = self.lines[index]
            marker = raw[:1]
            if marker == b"\\":  # "\ No newline at end of file": not a line of either file
                index += 1
                continue
            # GNU patch accepts an empty line as an empty context line (editors strip the space)
            if marker not in (b" ", b"-", b"+", b""):
                break
            if (marker == b"-" and old_left == 0) or (marker == b"+" and new_left == 0):
                break
            if marker in (b" ", b"") and (old_left == 0 or new_left == 0):
                break
            text, line_bad = _decode(raw[1:])
            bad = bad or line_bad
            if marker == b"+":
                lines.append(DiffLine("+", text, None, new_no))
                new_no, new_left = new_no + 1, new_left - 1
            elif marker == b"-":
                lines.append(DiffLine("-", text, old_no, None))
                old_no, old_left = old_no + 1, old_left - 1
            else:
                lines.append(DiffLine(" ", text, old_no, new_no))
                old_no, new_no = old_no + 1, new_no + 1
                old_left, new_left = old_left - 1, new_left - 1
            index += 1
        if old_left > 0 or new_left > 0:
            builder.note(
                f"hunk @@ -{old_start},{old_count} +{new_start},{new_count} @@ is truncated: "
                f"{old_left} old and {new_left} new lines missing"
            )
        # the marker for the hunk's last line comes after the counts are used up
        if index < len(self.lines) and self.lines[index].startswith(b"\\"):
            index += 1
        if bad:
            builder.note(NOTE_NOT_UTF8)
        hunk = Hunk(old_start, old_count, new_start, new_count, section, tuple(lines))
        builder.hunks.append(hunk)
        return index


def _decode(raw: bytes) -> tuple[str, bool]:
    """Text of one line, and whether it needed replacement characters."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), True


def _mode(raw: bytes) -> str | None:
    return raw.decode("ascii") if _MODE.match(raw) else None


def _decode_path(raw: bytes, strip_timestamp: bool = False) -> str:
    """A path as git or diff writes it: C-quoted, or bare up to a tab (diff's timestamp)."""
    if raw.startswith(b'"'):
        path, _ = _unquote(raw)
        return path
    if strip_timestamp or b"\t" in raw:
        raw = raw.split(b"\t", 1)[0]
    return _decode(raw)[0]


def _unquote(raw: bytes) -> tuple[str, bytes]:
    """Decode a git C-quoted path starting at raw[0] == '"'; return it and the rest of raw."""
    out = bytearray()
    index = 1
    while index < len(raw):
        byte = raw[index]
        if byte == ord('"'):
            return _decode(bytes(out))[0], raw[index + 1 :]
        if byte == ord("\\") and index + 1 < len(raw):
            following = raw[index + 1 : index + 4]
            if following[:3].isdigit() and len(following) == 3:
                out.append(int(following, 8) & 0xFF)
                index += 4
                continue
            out.append(_GIT_ESCAPES.get(raw[index + 1], raw[index + 1]))
            index += 2
            continue
        out.append(byte)
        index += 1
    return _decode(bytes(out))[0], b""  # unterminated quote: take what there is


def _split_git_names(names: bytes) -> tuple[str, str]:
    """The two paths of "diff --git A B". Unquoted names may hold spaces, so when A and B are
    not quoted, prefer the split where both sides name the same file (the non-rename case);
    a rename's true names come later from "rename from/to" or the ---/+++ lines."""
    if names.startswith(b'"'):
        old, rest = _unquote(names)
        rest = rest.lstrip(b" ")
        return old, _decode_path(rest)
    if names.endswith(b'"') and b' "' in names:
        split = names.index(b' "')
        return _decode_path(names[:split]), _decode_path(names[split + 1 :])
    middle = len(names) // 2
    if names[middle : middle + 1] == b" ":
        left, right = names[:middle], names[middle + 1 :]
        if left[2:] == right[2:]:
            return _decode(left)[0], _decode(right)[0]
    split = names.find(b" b/")
    if split < 0:
        split = names.find(b" ")
    if split < 0:
        return _decode(names)[0], _decode(names)[0]
    return _decode(names[:split])[0], _decode(names[split + 1 :])[0]


# ---------------------------------------------------------------------------------------------
# Rendering


def render_file(file: FileDiff, hunks: Sequence[Hunk] | None = None) -> str:
    """The file (or the given subset of its hunks) in the format the review prompt explains.

    Always `render_header(file)` followed by `render_hunk(h)` for each hunk, so a caller can
    count tokens piece by piece and add them up.
    """
    shown = file.hunks if hunks is None else hunks
    return render_header(file) + "".join(render_hunk(hunk) for hunk in shown)


def render_header(file: FileDiff) -> str:
    """`## File: path (status[, ...])` and one line per note."""
    details: list[str] = [file.status.value]
    if file.status in (FileStatus.RENAMED, FileStatus.COPIED) and file.old_path:
        details = [f"{file.status.value} from {file.old_path}"]
    if file.old_mode and file.new_mode and file.old_mode != file.new_mode:
        details.append(f"mode {file.old_mode} -> {file.new_mode}")
    if file.is_binary:
        details.append("binary")
    lines = [f"## File: {file.path} ({', '.join(details)})"]
    lines.extend(f"note: {note}" for note in file.notes)
    return "\n".join(lines) + "\n"


def render_hunk(hunk: Hunk) -> str:
    """The hunk's header, then `__new hunk__` with numbered new-file lines ("N + text" for an
    added line, "N   text" for context), then `__old hunk__` with the removed lines ("-text",
    no number: they do not exist in the new file). Empty sections are left out."""
    header = f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"
    out = [f"{header} {hunk.section}" if hunk.section else header]
    new_side = [(line.new_line, line) for line in hunk.lines if line.new_line is not None]
    removed = [line for line in hunk.lines if line.kind == "-"]
    if new_side:
        width = len(str(new_side[-1][0]))
        out.append("__new hunk__")
        out.extend(f"{number:>{width}} {line.kind} {line.text}" for number, line in new_side)
    if removed:
        out.append("__old hunk__")
        out.extend(f"-{line.text}" for line in removed)
    return "\n".join(out) + "\n"
