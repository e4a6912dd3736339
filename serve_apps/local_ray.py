"""The Ray under `codeprism serve`: waiting for the apps to be placed, and leaving nothing behind.

Two things a laptop user meets that a cluster operator does not:

- A local Ray has a fixed size (no autoscaler): a deployment that Serve cannot place now will
  never be placed, and HAProxy meanwhile accepts connections it never answers. So the wait
  for the apps reads Serve's own status and gives up with the deployment, the resources it
  asks for and the flag that helps, instead of hanging.
- HAProxy is a child of Serve's proxy actor, started in a process group of its own. A signal
  to the command's process group (Ctrl-C in a terminal, `kill -- -PGID`) can end Ray's
  services before Serve stops HAProxy, which then keeps running and keeps the port. So the
  command remembers every process of the Ray it started, HAProxy included, and ends the ones
  that outlive the orderly shutdown.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psutil

from codeprism.errors import CodeprismError, root_cause_line

log = logging.getLogger(__name__)

# What each deployment's placement depends on, for the error message: the flag that helps.
FLAG_HINTS = {
    "StaticAnalysis": "fewer static analysis replicas (--static-replicas 1) or more CPUs "
    "(--num-cpus N)",
    "Ingress": "more CPUs (--num-cpus N)",
    "ReviewOrchestrator": "more CPUs (--num-cpus N)",
}
LLM_HINT = "more CPUs (--num-cpus N), or a GPU node (--device gpu) for the model"
_UNSCHEDULED = re.compile(
    r"to be scheduled.*Resources required for each replica: (?P<required>\{[^}]*\}), "
    r"total resources available: (?P<available>\{[^}]*\})",
    re.S,
)


class StartupError(CodeprismError):
    """The apps could not be placed or started; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """A deployment that is not running yet, as Serve reports it."""

    app: str
    deployment: str
    status: str
    message: str

    def unschedulable(self) -> re.Match[str] | None:
        """Serve's slow-scheduling warning, when the replica asks for more of some resource
        than Ray has free. (The same warning comes for replicas that ask for nothing and
        only wait on a busy machine: those are still starting.)"""
        match = _UNSCHEDULED.search(self.message)
        if match is None:
            return None
        required, available = _resources(match["required"]), _resources(match["available"])
        if required is None or available is None:
            return None  # unreadable: let the startup timeout decide
        short = any(amount > available.get(name, 0.0) for name, amount in required.items())
        return match if short else None

    def explain(self) -> str:
        match = self.unschedulable()
        where = f"deployment {self.deployment} (app {self.app})"
        if match:
            hint = FLAG_HINTS.get(self.deployment, LLM_HINT)
            return (
                f"{where} cannot be placed: each replica needs {match['required']}, "
                f"Ray has {match['available']} free; use {hint}"
            )
        if self.status == "DEPLOY_FAILED" or self.status == "UNHEALTHY":
            return f"{where} failed to start: {root_cause_line(self.message)}"
        return f"{where} is still starting ({self.status.lower()})"


def _resources(text: str) -> dict[str, float] | None:
    """Serve's resource dict as printed ({"CPU": 1.0}); None if it is not one."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    try:
        return {str(name): float(amount) for name, amount in parsed.items()}
    except (TypeError, ValueError):
        return None


def _status_name(status: object) -> str:
    """ "HEALTHY" for DeploymentStatus.HEALTHY: a str-valued enum, whose str() is the member's
    qualified name in some Ray processes and the value in others."""
    return str(getattr(status, "value", status))


def waiting_deployments(apps: Sequence[str]) -> tuple[list[Waiting], list[str]]:
    """(deployments not yet running, apps that failed as a whole with their message)."""
    from ray import serve

    serve_status = serve.status()
    waiting: list[Waiting] = []
    failed: list[str] = []
    for name in apps:
        app = serve_status.applications.get(name)
        if app is None:
            waiting.append(Waiting(name, "(all)", "NOT_STARTED", ""))
            continue
        if _status_name(app.status) == "DEPLOY_FAILED" and not app.deployments:
            failed.append(f"app {name} failed to deploy: {root_cause_line(app.message)}")
        for deployment, info in app.deployments.items():
            status = _status_name(info.status)
            if status != "HEALTHY":
                waiting.append(Waiting(name, deployment, status, info.message))
    return waiting, failed


def wait_until_running(
    apps: Sequence[str],
    *,
    timeout_s: float,
    fixed_size: bool,
    stop: threading.Event,
    say: Callable[[str], None],
    every_s: float = 1.0,
    on_tick: Callable[[], None] = lambda: None,
) -> bool:
    """Wait until every deployment of `apps` is healthy. False if `stop` was set first.

    Raises StartupError at once for a failed deployment, or for one that cannot be placed on
    a Ray of `fixed_size` (a local Ray never grows), and after `timeout_s` otherwise.
    """
    deadline = time.monotonic() + timeout_s
    last_said = ""
    next_say = 0.0
    while not stop.is_set():
        on_tick()
        waiting, failed = waiting_deployments(apps)
        if failed:
            raise StartupError("; ".join(failed))
        if not waiting:
            return True
        broken = [w for w in waiting if w.status in ("DEPLOY_FAILED", "UNHEALTHY")]
        stuck = [w for w in waiting if w.unschedulable()] if fixed_size else []
        if broken or stuck:
            raise StartupError("; ".join(w.explain() for w in broken + stuck))
        if time.monotonic() >= deadline:
            raise StartupError(
                f"not running after {timeout_s:g}s: "
                + "; ".join(w.explain() for w in waiting)
                + " (raise --startup-timeout if it only needs longer)"
            )
        line = "waiting for " + ", ".join(
            sorted({f"{w.deployment} ({w.status.lower()})" for w in waiting})
        )
        if line != last_said or time.monotonic() >= next_say:
            say(line)
            last_said, next_say = line, time.monotonic() + 15.0
        stop.wait(every_s)
    return False


class RayProcesses:
    """Every process of the local Ray this command started, remembered while they run.

    `refresh` records this process's descendants (Ray's services, workers, vLLM) and the
    HAProxy processes of this Ray's node (their config lives under a directory named after
    the node id); `end_survivors` ends those still alive after the orderly shutdown.
    A process is known by its pid and start time, so a reused pid is never signalled.
    """

    def __init__(self, node_id: str) -> None:
        self._me = psutil.Process()
        self._node_marker = f"{os.sep}{node_id}{os.sep}"
        self._known: dict[tuple[int, float], str] = {}

    def refresh(self) -> None:
        with contextlib.suppress(psutil.Error):
            for child in self._me.children(recursive=True):
                self._remember(child)
        for proc in psutil.process_iter(["name", "cmdline"]):
            name = proc.info.get("name") or ""
            cmdline = " ".join(proc.info.get("cmdline") or ())
            if "haproxy" in name and self._node_marker in cmdline:
                self._remember(proc)

    def _remember(self, proc: psutil.Process) -> None:
        with contextlib.suppress(psutil.Error):
            self._known[(proc.pid, proc.create_time())] = proc.name()

    def alive(self) -> list[psutil.Process]:
        found = []
        for pid, started in self._known:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if proc.create_time() == started and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        return found

    def services_alive(self) -> bool:
        """Whether Ray's own services (GCS, raylet) still run. A signal to the whole process
        group ends them with the command; then nothing can stop Serve in order, and the
        driver itself is ended by Ray soon after it loses the GCS."""
        services = {"gcs_server", "raylet"}
        remembered = {name for name in self._known.values() if name in services}
        running = {p.name() for p in self.alive() if p.name() in services}
        return remembered == running

    def end_survivors(self, grace_s: float = 5.0, rounds: int = 3) -> list[str]:
        """SIGTERM, then SIGKILL after `grace_s`, to every remembered process still alive;
        returns their names.

        Each round looks again first: while Serve winds down, its HAProxy manager reloads
        HAProxy, which starts a new HAProxy process (orphaned once Ray is gone) that no
        earlier look could have seen. It is found by its node's config path.
        """
        names: set[str] = set()
        for _ in range(rounds):
            self.refresh()
            survivors = self.alive()
            if not survivors:
                break
            names |= {self._known.get((p.pid, p.create_time()), "?") for p in survivors}
            for proc in survivors:
                with contextlib.suppress(psutil.Error):
                    proc.terminate()
            _, still = psutil.wait_procs(survivors, timeout=grace_s)
            for proc in still:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(still, timeout=grace_s)
        return sorted(names)


def within(
    timeout_s: float,
    what: str,
    action: Callable[[], object],
    give_up: Callable[[], bool] = lambda: False,
) -> bool:
    """Run `action` in a thread, giving up after `timeout_s` or as soon as `give_up()` says
    so: a shutdown step must not hang the command when the Ray it talks to is already gone.
    True if it finished cleanly."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as exc:  # reported below; the next step still runs
            outcome.append(exc)

    thread = threading.Thread(target=run, name=what, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while thread.is_alive() and time.monotonic() < deadline and not give_up():
        thread.join(0.25)
    if not outcome:
        if time.monotonic() >= deadline:  # else give_up() said so, and the caller tells why
            log.warning("%s did not finish within %gs; going on", what, timeout_s)
        return False
    if outcome[0] is not None:
        log.warning("%s failed: %s", what, outcome[0])
        return False
    return True
