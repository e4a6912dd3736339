"""Real git remotes for tests: bare repositories with a pusher, and `git daemon` on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **_IDENTITY},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Upstream:
    """A bare repository `<root>/<name>.git` and a work tree that commits and pushes to it."""

    def __init__(self, root: Path, name: str) -> None:
        self.bare = root / f"{name}.git"
        self.work = root / f"{name}.work"
        git("init", "-q", "--bare", "-b", "main", str(self.bare))
        # blobless clones need the server to accept filters
        git("config", "uploadpack.allowFilter", "true", cwd=self.bare)
        git("init", "-q", "-b", "main", str(self.work))
        git("remote", "add", "origin", str(self.bare), cwd=self.work)

    @property
    def file_url(self) -> str:
        return self.bare.as_uri()

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        """Write (or, for None, delete) files, commit, push; return the new commit's sha."""
        for relative, text in files.items():
            path = self.work / relative
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        git("add", "-A", cwd=self.work)
        git("commit", "-q", "-m", message, cwd=self.work)
        git("push", "-q", "origin", "main", cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GitDaemon:
    """`git daemon` exporting every repository under `base_path` at git://127.0.0.1:PORT/."""

    def __init__(self, base_path: Path) -> None:
        self.base_path = base_path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"git://127.0.0.1:{self.port}"

    def __enter__(self) -> GitDaemon:
        self._process = subprocess.Popen(
            [
                "git",
                "-c",
                "uploadpack.allowFilter=true",  # so that --filter=blob:none is honoured
                "daemon",
                "--reuseaddr",
                "--listen=127.0.0.1",
                f"--port={self.port}",
                "--export-all",
                "--informative-errors",
                f"--base-path={self.base_path}",
                str(self.base_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its per-connection children are stopped with it
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("git daemon did not start listening")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=10)
            self._process = None
