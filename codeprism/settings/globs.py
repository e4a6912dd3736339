"""Path globs of the settings, matched against repository-relative '/'-separated paths.

gitignore-like, small and predictable:
- `*` matches within one path segment, `?` one character, `**` any number of segments;
- a pattern without a `/` (other than a trailing one) matches at any depth (`*.min.js`);
  one with a `/` is anchored at the top of the repository (`src/gen`, `./setup.py`);
- a pattern that matches a directory matches everything under it (`generated/`, `qa`).

A glob is data from a repository, so it is checked before it is used: no absolute paths, no
`..` segments, no NUL, at most 256 characters. It can only ever select files of the
repository being analysed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MAX_GLOB_CHARS = 256


def check_glob(pattern: str) -> str:
    """The pattern, or ValueError saying why it is refused."""
    if not pattern or len(pattern) > MAX_GLOB_CHARS:
        raise ValueError(f"a path glob must have 1 to {MAX_GLOB_CHARS} characters")
    if "\x00" in pattern or "\\" in pattern:
        raise ValueError(f"path glob {pattern!r} holds a NUL or a backslash")
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern):
        raise ValueError(f"path glob {pattern!r} is absolute; globs are relative to the repository")
    if ".." in pattern.split("/"):
        raise ValueError(f"path glob {pattern!r} leaves the repository ('..')")
    return pattern


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    # `./name` is anchored at the top of the repository like `dir/name`, not matched anywhere
    anywhere = "/" not in pattern.rstrip("/")
    body = pattern.removeprefix("./").rstrip("/")
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "(?:.*/)?" if anywhere else ""
    return re.compile(f"{prefix}{''.join(out)}(?:/.*)?", re.DOTALL)


def matches(path: str, pattern: str) -> bool:
    return _compile(pattern).fullmatch(path) is not None


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    return any(matches(path, p) for p in patterns)
