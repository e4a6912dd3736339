"""What goes where on the terminal: the report on stdout, everything else on stderr.

Machine-readable reports (`--format json|sarif` to stdout) are piped into files and parsers,
and one stray line makes them unreadable. Logging configuration is not enough to keep
stdout clean: torch's C++ warnings, vLLM's engine process and Ray's worker processes write
to file descriptor 1 directly, and child processes inherit it. So the descriptor itself is
pointed at stderr while a command runs, and the report goes to a copy of the real stdout.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO


@contextlib.contextmanager
def report_stdout(claim: bool = True, *, restore: bool = True) -> Iterator[TextIO]:
    """Yield the stream the report goes to. With `claim`, file descriptor 1 is a copy of
    stderr for the duration, so whatever anything else in or under this process writes to
    stdout lands on stderr; processes started meanwhile keep writing there.

    A command passes `restore=False`: vLLM and Ray still write while the interpreter exits
    (an engine's shutdown warning), after the report, so stdout stays pointed at stderr.

    When stdout is not this process's descriptor 1 (a test capturing `sys.stdout`), there is
    nothing to redirect and the report goes to `sys.stdout` as is.
    """
    if not claim or not _is_descriptor(sys.stdout, 1):
        yield sys.stdout
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1)
    report = os.fdopen(os.dup(saved), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:
        yield report
    finally:
        report.close()
        sys.stdout.flush()
        if restore:
            os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def held_output(hold: bool = True) -> Iterator[io.StringIO]:
    """Hold what is written to stdout and stderr (descriptors 1 and 2, child processes
    included) in one file for the duration; the yielded buffer gets the held text once the
    block ends, on success or failure. Processes started meanwhile keep the file, which is
    deleted here. vLLM logs to stdout, so holding stderr alone lets its warnings through.

    For chatty start-ups (a model engine): the caller shows the text, or the one line of it
    that matters, only when something went wrong.
    """
    held = io.StringIO()
    fds = [fd for fd, stream in ((1, sys.stdout), (2, sys.stderr)) if _is_descriptor(stream, fd)]
    if not hold or not fds:
        yield held
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in fds}
    with tempfile.TemporaryFile(mode="w+b", prefix="codeprism-held-") as sink:
        for fd in fds:
            os.dup2(sink.fileno(), fd)
        try:
            yield held
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            held.write(sink.read().decode("utf-8", "replace"))


def _is_descriptor(stream: TextIO, fd: int) -> bool:
    try:
        return stream.fileno() == fd
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
