"""What every analyzer shares: the two analyzer kinds, snippets and redaction.

An analyzer maps one tool's output onto `Finding`s. Two kinds exist because the tools differ:

- `FileAnalyzer`: an in-process Python library (bandit, detect-secrets, lizard). It runs
  inside the worker process (see `worker.py`), one file per call, so that a file that keeps
  it busy past the deadline can be stopped by killing the worker.
- `BatchAnalyzer`: an external binary that is fast per file but slow to start (ruff). It gets
  many files per invocation and enforces its own deadlines.

Analyzer modules import their tool lazily (inside `__init__`), so the parent process can read
the registry (names, versions, file selection) without loading every tool.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import TYPE_CHECKING, ClassVar, TypeVar

from codeprism.errors import Problem
from codeprism.files import RepoFile, split_lines
from codeprism.findings import Finding

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

T = TypeVar("T")
MAX_SNIPPET_LINES = 5
MAX_SNIPPET_LINE_CHARS = 400
REDACTED = "<redacted>"


class ParseFailure(Exception):
    """The analyzer could not parse the file: recorded as a PARSE problem, no findings."""


class Analyzer(ABC):
    name: ClassVar[str]
    # Bump when the mapping from tool output to findings changes (severity, CWE, rule set).
    mapping_version: ClassVar[str]
    # The distribution whose installed version is the tool version.
    distribution: ClassVar[str]

    def __init__(self, config: AnalysisConfig) -> None:
        self.config = config

    @classmethod
    def version(cls, config: AnalysisConfig) -> str:
        """`<tool version>+<mapping version>`: changes whenever the results could change."""
        return f"{metadata.version(cls.distribution)}+{cls.mapping_version}"

    @classmethod
    @abstractmethod
    def accepts(cls, rel_path: str) -> bool:
        """Whether this analyzer looks at a file, decided from its path alone."""


@dataclass(frozen=True)
class SourceText:
    """One decoded file as a file analyzer sees it."""

    path: str  # absolute, inside the repository
    rel: str
    text: str

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)


class FileAnalyzer(Analyzer):
    @abstractmethod
    def analyze(self, source: SourceText) -> list[Finding]:
        """Findings for one file; raise `ParseFailure` when the file cannot be parsed."""


@dataclass
class BatchResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class BatchAnalyzer(Analyzer):
    @abstractmethod
    def analyze_batch(self, root: str, files: Sequence[RepoFile]) -> BatchResult:
        """Findings and per-file problems for many files, each under the per-file deadline."""


BATCH_FILES = 500
BATCH_ARG_CHARS = 100_000  # far below any OS argument limit


def arg_batches(files: Sequence[RepoFile]) -> list[Sequence[RepoFile]]:
    """Consecutive slices of `files` small enough for one command line each."""
    batches: list[Sequence[RepoFile]] = []
    start, chars = 0, 0
    for index, file in enumerate(files):
        if index > start and (index - start >= BATCH_FILES or chars > BATCH_ARG_CHARS):
            batches.append(files[start:index])
            start, chars = index, 0
        chars += len(file.rel) + 1
    if start < len(files):
        batches.append(files[start:])
    return batches


def run_bisecting(
    batch: Sequence[RepoFile],
    run: Callable[[Sequence[RepoFile]], T],
    fatal: tuple[type[Exception], ...],
    on_alone: Callable[[RepoFile, Exception], None],
) -> list[T]:
    """`run(batch)`; when it raises one of `fatal` (a deadline passed, the tool failed), the
    batch is halved and each half run again, down to the one file that breaks the tool,
    which is handed to `on_alone`. Every other file's results are kept."""
    try:
        return [run(batch)]
    except fatal as exc:
        if len(batch) == 1:
            on_alone(batch[0], exc)
            return []
        middle = len(batch) // 2
        return run_bisecting(batch[:middle], run, fatal, on_alone) + run_bisecting(
            batch[middle:], run, fatal, on_alone
        )


def snippet(lines: Sequence[str], start: int, end: int) -> str:
    """The flagged lines (at most MAX_SNIPPET_LINES, each clipped) as stored with a finding."""
    last = min(end, start + MAX_SNIPPET_LINES - 1, len(lines))
    return "\n".join(line[:MAX_SNIPPET_LINE_CHARS] for line in lines[start - 1 : last])


def clamp_lines(lines: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """A valid 1-based line range within the file, whatever the tool reported."""
    start = min(max(start, 1), max(len(lines), 1))
    return start, max(start, end)


# A quoted string literal in most languages: what a credential rule flags.
_STRING_LITERAL = re.compile(r"""(?P<q>'''|\"\"\"|['"`])(?:\\.|(?!(?P=q)).)*(?P=q)""", re.S)


def redact_literals(text: str) -> str:
    """Replace every quoted string literal by a placeholder (keeps the surrounding code)."""
    return _STRING_LITERAL.sub(lambda m: f"{m['q']}{REDACTED}{m['q']}", text)
