"""Running git safely: no prompts, no hooks, no code from the repository, a hard timeout.

Every git process codeprism starts goes through `run_git`, so the hardening lives in one place.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from codeprism.errors import ProblemKind, SourceError
from codeprism.sources.urls import redact

# Config given on the command line wins over every file, including a hostile repo's own.
_SAFE_CONFIG = (
    "core.hooksPath=/dev/null",  # no hooks, whatever the templates or global config say
    "core.fsmonitor=false",  # fsmonitor is a command line taken from config
    "protocol.ext.allow=never",  # ext:: runs an arbitrary command as "transport"
    "submodule.recurse=false",
    "gc.auto=0",  # a detached auto-gc would outlive the cache lock
    "maintenance.auto=false",
    "advice.detachedHead=false",
)

# Variables that would point git at another repository than the one we mean
# (as listed by `git rev-parse --local-env-vars`).
_REPO_LOCAL_ENV = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    }
)

_SUMMARY_PREFIXES = ("fatal:", "error:", "remote:", "ssh:", "warning: ")
_MAX_SUMMARY = 400


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: str
    stderr: str
    raw_stdout: bytes = b""  # undecoded, for output that is not text (diffs, file blobs)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_LOCAL_ENV}
    env.update(
        GIT_TERMINAL_PROMPT="0",  # fail instead of waiting for a password nobody types
        GIT_ASKPASS="",  # empty: git neither runs a helper nor falls back to SSH_ASKPASS
        SSH_ASKPASS="",
        GCM_INTERACTIVE="never",
        LC_ALL="C",  # English messages, so failures can be classified
    )
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    if extra:
        env.update(extra)
    return env


def auth_env(url: str, token: str | None, user: str | None = "x-access-token") -> dict[str, str]:
    """Send `token` to this remote's host only, as an HTTP header set through the environment.

    The environment is private to the process (unlike argv, which `ps` shows) and never
    written to the clone's config, so the token cannot leak into the cache or a log.
    """
    parts = urlsplit(url)
    if not token or parts.scheme not in ("http", "https") or not parts.hostname:
        return {}
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)  # keep the caller's own entries
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
        f"GIT_CONFIG_VALUE_{index}": f"Authorization: {authorization(token, user)}",
    }


def authorization(token: str, user: str | None = "x-access-token") -> str:
    """The Authorization value git sends: Basic with `user` and the token as its password,
    or Bearer with the token alone where `user` is None (Bitbucket Data Center's project and
    repository tokens take nothing else)."""
    return f"Basic {basic_credential(token, user)}" if user is not None else f"Bearer {token}"


def basic_credential(token: str, user: str = "x-access-token") -> str:
    """HTTP basic credential for a token. GitHub takes "x-access-token" for PATs and app
    installation tokens; GitLab takes "oauth2" for its access tokens."""
    return base64.b64encode(f"{user}:{token}".encode()).decode("ascii")


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | None,
    timeout_s: float,
    env: dict[str, str] | None = None,
    secrets: tuple[str, ...] = (),
) -> GitResult:
    """Run git; raise SourceError(TIMEOUT) past `timeout_s`, with its whole process group."""
    command = ["git"]
    for item in _SAFE_CONFIG:
        command += ["-c", item]
    command += list(args)
    if timeout_s <= 0:
        raise SourceError(ProblemKind.TIMEOUT, f"no time left to run git {args[0]}")
    try:
        # a new session, so that a timeout also kills git's helpers (remote-https, ssh)
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=git_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise SourceError(ProblemKind.INTERNAL, "git is not installed or not on PATH") from None
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise SourceError(
            ProblemKind.TIMEOUT, f"git {args[0]} did not finish within {timeout_s:.0f} s"
        ) from None
    return GitResult(
        process.returncode,
        out.decode("utf-8", "replace"),
        redact(err.decode("utf-8", "replace"), secrets),
        out,
    )


def summarise(stderr: str, secrets: tuple[str, ...] = ()) -> str:
    """The lines of git's stderr that say what went wrong, redacted and bounded."""
    lines = [line.strip() for line in redact(stderr, secrets).splitlines() if line.strip()]
    wanted = [line for line in lines if line.startswith(_SUMMARY_PREFIXES)] or lines
    text = " | ".join(wanted[-3:]) or "no error output"
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 3] + "..."


_NOT_FOUND_MARKERS = (
    "repository not found",
    "does not appear to be a git repository",
    "no such repository",  # git daemon --informative-errors
    "not exported",  # git daemon otherwise: "access denied or repository not exported"
    "' not found",  # smart http: "repository 'URL' not found"
)


def failure_kind(stderr: str) -> ProblemKind:
    lowered = stderr.lower()
    if any(marker in lowered for marker in _NOT_FOUND_MARKERS):
        return ProblemKind.NOT_FOUND
    return ProblemKind.UNREACHABLE
