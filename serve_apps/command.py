"""`codeprism serve`: the review app (and, with --model, the LLM app) on a local Ray.

On a cluster use `serve deploy serve_apps/config.yaml` instead; this command is the laptop
path: it starts a local Ray (or joins one, with --address or RAY_ADDRESS), sizes the apps to
the CPUs that Ray has, waits until they run or says why they cannot, prints where they
listen and stays up until interrupted. Ctrl-C or SIGTERM stop it and leave no process and no
listening port behind. Secrets come from the environment or --secrets-file.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codeprism.errors import EXIT_OK, CodeprismError, ConfigError
from serve_apps.local_ray import StartupError
from serve_apps.sizing import PlanError, plan_replicas

LLM_ROUTE = "/llm"
EXIT_INTERRUPTED = 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Serve's timings for a fleet behind a load balancer, shortened for a Ray on one machine
# (each kept if the user set it): Serve reports a replica waiting for resources after 30 s,
# but a local Ray never grows, so say so sooner; an ingress replica drains for at least
# 30 s so that remote load balancers notice, but the only balancer here is the local
# HAProxy, which Serve updates at once, and Ctrl-C should not take half a minute.
LOCAL_RAY_SETTINGS = {
    "RAY_SERVE_SLOW_STARTUP_WARNING_S": "10",
    "RAY_SERVE_SLOW_STARTUP_WARNING_PERIOD_S": "5",
    "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "2",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codeprism serve",
        description="Serve webhook-driven reviews (GitHub, GitLab, the review API) locally.",
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to accept remote webhooks")
    parser.add_argument("--model", help="model path, hub id or model config file for the LLM")
    parser.add_argument("--device", choices=["auto", "gpu", "cpu"], default=None)
    parser.add_argument("--state-dir", default="~/.local/state/codeprism")
    parser.add_argument("--warehouse", help="record reviews and findings in this warehouse")
    parser.add_argument("--secrets-file", help="YAML secrets (else CODEPRISM_* variables)")
    parser.add_argument(
        "--config", help="organisation config file (TOML; default: $CODEPRISM_CONFIG)"
    )
    parser.add_argument(
        "--address", help="join this Ray cluster (default: RAY_ADDRESS, else a new local Ray)"
    )
    parser.add_argument(
        "--num-cpus", type=int, help="logical CPUs of a new local Ray (default: the machine's)"
    )
    parser.add_argument(
        "--static-replicas",
        type=int,
        help="static analysis replicas (default: one per CPU left after the other parts)",
    )
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for the apps to run (default 600; a model may load slowly)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    server = Server(args)
    try:
        code = server.run()
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism serve: error: {exc}", file=sys.stderr)
        code = exc.exit_code
    if server.ray_lost:
        # This process's Ray client lost its services: an ordinary exit would wait on it,
        # then Ray would abort the process with a screen of errors. Everything is stopped.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _check_port_free(host: str, port: int) -> None:
    """HAProxy binds the port late, inside Ray; a port already taken would only show as a
    log line of a Ray actor. Say it here instead."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _say(message: str) -> None:
    print(f"codeprism serve: {message}", file=sys.stderr, flush=True)


@dataclass
class Server:
    """One run of the command: start, wait, serve until a signal, stop cleanly."""

    args: argparse.Namespace
    stop: threading.Event = field(default_factory=threading.Event)
    apps: list[str] = field(default_factory=list)
    processes: Any = None  # RayProcesses of a local Ray this command started
    joined: bool = False
    on_signal: Any = None
    ray_lost: bool = False  # Ray's services ended before this command could stop them

    def run(self) -> int:
        self._catch_signals()
        try:
            return self._serve()
        finally:
            self._shut_down()

    def _catch_signals(self) -> None:
        """A stop signal ends the wait (startup or serving); the cleanup then runs in full.
        A second one while stopping is ignored: stopping halfway would leave processes."""

        def handle(signum: int, _frame: object) -> None:
            if not self.stop.is_set():
                _say(f"{signal.Signals(signum).name}: stopping")
            self.stop.set()

        self.on_signal = handle
        for signum in STOP_SIGNALS:
            signal.signal(signum, handle)

    def _serve(self) -> int:
        import ray
        from ray import serve

        from serve_apps.ingress_mode import use_high_throughput_ingress
        from serve_apps.llm import LLMAppArgs, build_llm_app, llm_app_cpus
        from serve_apps.local_ray import RayProcesses, wait_until_running
        from serve_apps.review import ReviewAppArgs, build_review_app

        args = self.args
        # everything that can be checked without Ray fails here, in one line
        _check_port_free(args.host, args.port)
        checked = ReviewAppArgs(secrets_file=args.secrets_file, config=args.config)
        checked.secrets()
        checked.operator_settings()
        llm_args = LLMAppArgs(model=args.model, device=args.device) if args.model else None
        model = llm_args.model_settings() if llm_args else None
        address = args.address or os.environ.get("RAY_ADDRESS")
        self.joined = bool(address)
        if self.joined:
            ray.init(address=address, log_to_driver=False)
        else:
            use_high_throughput_ingress()  # a joined cluster has its own front
            for name, value in LOCAL_RAY_SETTINGS.items():
                os.environ.setdefault(name, value)
            ray.init(address="local", num_cpus=args.num_cpus, include_dashboard=False)
            self.processes = RayProcesses(ray.get_runtime_context().get_node_id())
        for signum in STOP_SIGNALS:  # ray.init installs a SIGTERM handler of its own
            signal.signal(signum, self.on_signal)
        if self.stop.is_set():
            return EXIT_INTERRUPTED

        cpus = float(ray.available_resources().get("CPU", 0.0))
        llm_cpus = llm_app_cpus(llm_args, model) if llm_args and model else 0.0
        try:
            plan = plan_replicas(cpus, llm_cpus, args.static_replicas)
        except PlanError as exc:
            raise ConfigError(str(exc)) from None
        _say(f"Ray has {cpus:g} CPUs free: {plan.describe()}")

        base = f"http://{args.host}:{args.port}"
        serve.start(http_options={"host": args.host, "port": args.port})
        targets = []
        if llm_args is not None and model is not None:
            _say(model.describe())
            llm = build_llm_app(llm_args)
            targets.append(serve.RunTarget(llm, name="llm", route_prefix=LLM_ROUTE))
        review = build_review_app(
            ReviewAppArgs(
                state_dir=args.state_dir,
                warehouse=args.warehouse,
                secrets_file=args.secrets_file,
                config=args.config,
                model=args.model,
                llm_url=f"http://127.0.0.1:{args.port}{LLM_ROUTE}",
                **plan.review_app_sizes(),
            )
        )
        targets.append(serve.RunTarget(review, name="codeprism", route_prefix="/"))
        self.apps = [target.name for target in targets]
        serve.run_many(
            targets, wait_for_ingress_deployment_creation=False, wait_for_applications_running=False
        )
        started = wait_until_running(
            self.apps,
            timeout_s=args.startup_timeout,
            fixed_size=not self.joined,
            stop=self.stop,
            say=_say,
            on_tick=self._remember_processes,
        )
        if not started or not self._answers(f"http://127.0.0.1:{args.port}/healthz"):
            return EXIT_INTERRUPTED
        self._remember_processes()
        print(f"codeprism serve: listening on {base}", flush=True)
        hooks = ("github", "gitlab", "bitbucket", "bitbucket-dc", "azure")
        print("  POST " + "   ".join(f"{base}/webhooks/{hook}" for hook in hooks))
        print(f"  POST {base}/v1/reviews")
        print(f"  GET  {base}/healthz   GET {base}/metrics   (Ctrl-C stops)", flush=True)
        while not self.stop.wait(10.0):
            self._remember_processes()  # replicas restart; remember their processes too
        return EXIT_OK

    def _answers(self, url: str, timeout_s: float = 60.0) -> bool:
        """Wait until the front answers `url` (HAProxy learns of a new replica a moment
        after Serve reports it running). False if stopped first."""
        deadline = time.monotonic() + timeout_s
        while not self.stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=2.0) as response:
                    if response.status == 200:
                        return True
            except OSError as exc:  # refused, reset, timed out, HTTP errors
                if time.monotonic() >= deadline:
                    raise StartupError(f"the apps run but {url} does not answer: {exc}") from exc
            self.stop.wait(0.5)
        return False

    def _remember_processes(self) -> None:
        if self.processes is not None:
            self.processes.refresh()

    def _shut_down(self) -> None:
        """Serve, then Ray, then whatever of the local Ray outlived them (HAProxy above all).
        Each step is bounded: the Ray it talks to may already be gone."""
        import ray
        from ray import serve

        from serve_apps.local_ray import within

        if not ray.is_initialized():
            return
        _say("stopping")
        started = time.monotonic()
        if self.joined:  # the cluster and its Serve stay; only this command's apps go
            for app in self.apps:
                within(60.0, f"deleting app {app}", functools.partial(serve.delete, app))
        elif self.processes is not None:
            self._remember_processes()
            processes = self.processes
            # A signal to the whole process group (Ctrl-C is not one: Ray's services block
            # SIGINT) ends Ray's services too; then Serve cannot stop in order, and Ray ends
            # this process soon after it loses them: end the rest at once.
            stopped = within(
                30.0,
                "serve.shutdown",
                serve.shutdown,
                give_up=lambda: not processes.services_alive(),
            )
            self.ray_lost = not stopped and not processes.services_alive()
            if self.ray_lost:
                _say("Ray's services stopped before Serve did: ending what is left of them")
        if not self.ray_lost:  # without its services, ray.shutdown only waits and fails
            within(30.0, "ray.shutdown", ray.shutdown)
        self._end_survivors()
        _say(f"stopped in {time.monotonic() - started:.1f}s")

    def _end_survivors(self) -> None:
        if self.processes is not None:
            ended = self.processes.end_survivors()
            if ended:
                _say(f"ended leftover processes: {', '.join(ended)}")


__all__ = ["build_parser", "main"]
