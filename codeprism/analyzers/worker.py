"""The worker process that runs the in-process analyzers under a per-file deadline.

bandit, detect-secrets and lizard are Python libraries that cannot be interrupted from
inside: a file that keeps one busy for an hour would hold the whole sweep. So they run in a
child process that loads them once and then analyses one file per request, answering once
per analyzer. The parent waits for each answer with `file_timeout_s`; when it does not come,
the parent kills the child, records TIMEOUT, starts a fresh child and carries on with the next
analyzer and file. A child that dies (segfault, OOM kill) is an ANALYZER_FAILED.

The child is a plain `python -P -m codeprism.analyzers.worker` started with subprocess, not
`multiprocessing`: the parent is often a Ray worker with threads (so no fork without exec),
and spawn/forkserver would re-import the parent's `__main__` (Ray's worker script) in every
child. Requests and answers are pickled over two pipes handed to the child by fd number.
The child exits when its request pipe closes, so it never outlives its parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from codeprism.analyzers.base import FileAnalyzer, ParseFailure, SourceText
from codeprism.errors import Problem, ProblemKind, Stage
from codeprism.files import RepoFile
from codeprism.findings import Finding

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

STARTUP_TIMEOUT_S = 120.0  # loading the tools, on a busy machine
MAX_REASON_CHARS = 500


class WorkerError(RuntimeError):
    """The worker process could not be started."""


class Worker:
    """Parent side: a persistent child process running the file analyzers."""

    def __init__(self, config: AnalysisConfig, names: Sequence[str]) -> None:
        self.config = config
        self.names = tuple(names)
        self._proc: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._answers: Connection | None = None
        self.restarts = 0

    def start(self) -> None:
        if self._proc is not None:
            return
        request_r, request_w = os.pipe()
        answer_r, answer_w = os.pipe()
        env = dict(os.environ)
        # The child must import codeprism and the tools from wherever the parent did (a Ray
        # runtime_env adds paths at run time); -P keeps its cwd out of sys.path.
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in sys.path if p)
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-P", "-m", __name__, str(request_r), str(answer_w)],
                pass_fds=(request_r, answer_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                cwd=os.path.abspath(os.sep),
                env=env,
            )
        finally:
            os.close(request_r)
            os.close(answer_w)
        self._requests = Connection(request_w, readable=False)
        self._answers = Connection(answer_r, writable=False)
        try:
            self._requests.send((self.config, self.names))
            if not self._answers.poll(STARTUP_TIMEOUT_S):
                raise WorkerError(f"analyzer worker did not start in {STARTUP_TIMEOUT_S:g} s")
            answer = self._answers.recv()
        except (OSError, EOFError) as exc:
            self.close()
            raise WorkerError(f"analyzer worker died while starting: {exc}") from exc
        except WorkerError:
            self.close()
            raise
        if answer[0] != "ready":
            self.close()
            raise WorkerError(f"analyzer worker failed to load the analyzers: {answer[1]}")

    def close(self) -> None:
        """Stop the child now (kill: it holds no state worth a graceful exit)."""
        for conn in (self._requests, self._answers):
            if conn is not None:
                conn.close()
        self._requests = self._answers = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def run(
        self, file: RepoFile, text: str, names: Sequence[str]
    ) -> tuple[list[Finding], list[Problem]]:
        """Run `names` on one file, each under the per-file deadline."""
        findings: list[Finding] = []
        problems: list[Problem] = []
        pending = list(names)
        while pending:
            self._send(("file", file.path, file.rel, text, tuple(pending)))
            while pending:
                name = pending.pop(0)
                answer = self._receive(self.config.file_timeout_s)
                if answer is None or answer[0] == "died":
                    kind, reason = _lost_worker(answer, self.config.file_timeout_s, name)
                    problems.append(_problem(file, kind, reason, name))
                    self._restart()
                    break  # resend what is left to the fresh child
                status, payload = answer[0], answer[2]
                if status == "ok":
                    findings.extend(payload)
                else:
                    kind = ProblemKind.PARSE if status == "parse" else ProblemKind.ANALYZER_FAILED
                    problems.append(_problem(file, kind, payload, name))
        return findings, problems

    def _send(self, message: tuple[Any, ...]) -> None:
        self.start()
        assert self._requests is not None
        try:
            self._requests.send(message)
        except OSError:  # the child died between files: one retry with a fresh one
            self._restart()
            assert self._requests is not None
            self._requests.send(message)

    def _receive(self, timeout: float) -> tuple[Any, ...] | None:
        """The next answer, ("died", exit code) if the child is gone, None on timeout."""
        assert self._answers is not None and self._proc is not None
        if not self._answers.poll(timeout):
            return None
        try:
            answer: tuple[Any, ...] = self._answers.recv()
        except (EOFError, OSError):
            return ("died", self._proc.wait())
        return answer

    def _restart(self) -> None:
        self.close()
        self.restarts += 1
        self.start()


def _lost_worker(
    answer: tuple[Any, ...] | None, timeout: float, name: str
) -> tuple[ProblemKind, str]:
    if answer is None:
        return ProblemKind.TIMEOUT, f"{name} ran over {timeout:g} s; stopped"
    return ProblemKind.ANALYZER_FAILED, f"{name} crashed the worker (exit code {answer[1]})"


def _problem(file: RepoFile, kind: ProblemKind, reason: str, analyzer: str) -> Problem:
    return Problem(
        stage=Stage.ANALYZE,
        kind=kind,
        reason=reason[:MAX_REASON_CHARS],
        path=file.rel,
        analyzer=analyzer,
    )


# --- child side ---------------------------------------------------------------------------


def _load(config: AnalysisConfig, names: Sequence[str]) -> dict[str, FileAnalyzer]:
    from codeprism.analyzers import analyzer_class

    loaded: dict[str, FileAnalyzer] = {}
    for name in names:
        cls = analyzer_class(name)
        if not issubclass(cls, FileAnalyzer):
            raise TypeError(f"{name} is not a file analyzer")
        loaded[name] = cls(config)
    return loaded


def _serve(requests: Connection, answers: Connection) -> None:
    config, names = requests.recv()
    try:
        analyzers = _load(config, names)
    except Exception:
        answers.send(("error", traceback.format_exc()[-MAX_REASON_CHARS:]))
        return
    answers.send(("ready",))
    while True:
        try:
            message = requests.recv()
        except EOFError:  # the parent closed the pipe or died
            return
        _, path, rel, text, wanted = message
        source = SourceText(path=path, rel=rel, text=text)
        for name in wanted:
            started = time.monotonic()
            try:
                answers.send(("ok", name, analyzers[name].analyze(source)))
            except ParseFailure as exc:
                answers.send(("parse", name, str(exc)))
            except Exception as exc:
                elapsed = time.monotonic() - started
                reason = f"{name} failed after {elapsed:.1f} s: {type(exc).__name__}: {exc}"
                answers.send(("failed", name, reason))


def main(argv: Sequence[str]) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when this child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = Connection(int(argv[0]), writable=False)
    answers = Connection(int(argv[1]), readable=False)
    _serve(requests, answers)


if __name__ == "__main__":
    main(sys.argv[1:])
