"""Webhook acknowledgement load: the review app's ingress on Ray Serve beside bare uvicorn.

    python benchmarks/webhook_load.py [--rates 50,200,500] [--seconds 20] [--warmup 5]
                                      [--rss-requests 10000] [--rss-rate 200]

What is measured: the acknowledgement path of `POST /webhooks/github`, from the request being
due to its answer being read. Every request is a correctly signed `pull_request` event with
action `closed` (the recorded GitHub fixture) and its own `X-GitHub-Delivery`: the ingress
verifies the signature, parses the JSON, classifies it ("ignore": a closed pull request
starts no review) and commits the delivery to the inbox before answering 202. So this is
the full acknowledgement work of every webhook, recording included, without starting reviews
(no orchestrator, static analysis or LLM work; the app runs with `model=None`).

The two targets, on the same machine in the same run, one at a time:
- codeprism: `serve_apps.review.build_review_app` on a local Ray (`num_cpus=8`) and Ray Serve,
  fronted as `codeprism serve` fronts it (serve_apps/ingress_mode.py): HAProxy on a free
  loopback port, forwarding to the HTTP server inside the Ingress replica. With
  `--classic-ingress`, Serve's HTTP proxy actor instead (proxy, then the replica over Ray);
- bare: a FastAPI app under uvicorn (one process, started by this script) doing the same work
  by hand: HMAC-SHA256 with `hmac.compare_digest`, `json.loads`, `classify_github` and
  `Inbox.accept` into its own SQLite inbox, answering the same status. The same recording
  code on both sides: the difference is what Ray Serve adds (the proxy hop, routing, replica
  scheduling, its request logging).

The load is open-loop: request i is due at start + i / rate whatever happened before, it
is sent from an asyncio client (aiohttp, keep-alive connections, in its own process) and its
latency runs from the time it was due, so queueing in the server (or the client) counts. Each
rate starts with an unmeasured warm-up at that rate. `client lag p99` says how late the
client itself sent; when it is large the client, not the server, was the bottleneck.

Memory: the RSS of the Ingress replica's process before and after `--rss-requests` more
requests (at `--rss-rate`, after all the rates above have warmed it up).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, cast

import psutil
from fastapi import FastAPI, Request  # module level: FastAPI resolves the string annotations
from fastapi.responses import JSONResponse, Response

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "webhooks"
    / "github"
    / "pull_request.closed.json"
)
SECRET_ENV = "CODEPRISM_BENCH_WEBHOOK_SECRET"  # a throwaway secret made for this run
PATH = "/webhooks/github"
EXPECTED_STATUS = 202  # recorded and ignored
INGRESS_PROCESS = "ServeReplica:codeprism:Ingress"


# -- the bare baseline server (run in its own process) ----------------------------------------


def bare_server(port: int, state_dir: str) -> None:
    import uvicorn

    from codeprism.webhooks.events import TriggerOptions, classify_github
    from codeprism.webhooks.inbox import Inbox

    secret = os.environ[SECRET_ENV].encode()
    inbox = Inbox(Path(state_dir) / "inbox.sqlite3")
    triggers = TriggerOptions()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post(PATH)
    async def github(request: Request) -> Response:
        body = await request.body()
        given = request.headers.get("x-hub-signature-256", "").encode()
        expected = b"sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "bad or missing signature"}, status_code=401)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        event = request.headers.get("x-github-event", "")
        decision = classify_github(event, payload, triggers)
        delivery = request.headers.get("x-github-delivery")
        accepted = inbox.accept("github", delivery, event or "unknown", decision)
        body_out = {"outcome": accepted.outcome, "reason": decision.reason}
        status = 202
        if decision.kind == "ping":
            status = 200
        elif decision.kind == "invalid" and not accepted.duplicate:
            status = 400
        return JSONResponse(body_out, status_code=status)

    @app.get("/healthz")
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the open-loop client (run in its own process) --------------------------------------------


async def _send(session: Any, url: str, body: bytes, signature: str, due: float) -> list[Any]:
    import aiohttp

    loop = asyncio.get_running_loop()
    lag = loop.time() - due
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/benchmark",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature,
    }
    try:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0
    return [status, loop.time() - due, lag]


async def _phase(session: Any, url: str, body: bytes, signature: str, rate: float, n: int) -> Any:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks = []
    for i in range(n):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_send(session, url, body, signature, due)))
    results = await asyncio.gather(*tasks)
    return results, loop.time() - start


async def _load(url: str, rate: float, seconds: float, warmup: float, timeout_s: float) -> Any:
    import aiohttp

    body = FIXTURE.read_bytes()
    signature = signature_hex(body)
    connector = aiohttp.TCPConnector(limit=512)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if warmup > 0:
            await _phase(session, url, body, signature, rate, max(1, int(rate * warmup)))
        return await _phase(session, url, body, signature, rate, max(1, int(rate * seconds)))


def client(url: str, rate: float, seconds: float, warmup: float, timeout_s: float) -> None:
    results, elapsed = asyncio.run(_load(url, rate, seconds, warmup, timeout_s))
    print("RESULT " + json.dumps({"results": results, "elapsed": elapsed}))


# -- the driver ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, timeout_s: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout_s:.0f} s")


def check_once(base: str) -> str:
    """One request by hand: the target must answer 202 "ignored" before it is loaded."""
    import httpx

    body = FIXTURE.read_bytes()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature_hex(body),
    }
    response = httpx.post(base + PATH, content=body, headers=headers, timeout=30)
    if response.status_code != EXPECTED_STATUS or response.json().get("outcome") != "ignored":
        raise SystemExit(f"{base}: unexpected answer {response.status_code} {response.text}")
    return str(response.json()["outcome"])


def signature_hex(body: bytes) -> str:
    secret = os.environ[SECRET_ENV].encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def run_client(base: str, rate: float, seconds: float, warmup: float, timeout_s: float) -> Any:
    command = [
        sys.executable,
        __file__,
        "--client",
        base + PATH,
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--timeout",
        str(timeout_s),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise SystemExit(f"the client failed:\n{done.stderr[-3000:]}")


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[index]


def summarise(raw: Any) -> dict[str, Any]:
    results = raw["results"]
    ok = sorted(r[1] for r in results if r[0] == EXPECTED_STATUS)
    lags = sorted(r[2] for r in results)
    return {
        "sent": len(results),
        "ok": len(ok),
        "errors": len(results) - len(ok),
        "achieved": len(ok) / raw["elapsed"],
        "p50": percentile(ok, 0.50) * 1000,
        "p99": percentile(ok, 0.99) * 1000,
        "max": (ok[-1] if ok else float("nan")) * 1000,
        "lag99": percentile(lags, 0.99) * 1000,
        "other_statuses": dict(Counter(str(r[0]) for r in results if r[0] != EXPECTED_STATUS)),
    }


def ingress_process() -> psutil.Process:
    """The Ingress replica of this run's Ray (Ray 2.60 titles it
    "ray::ServeReplica:codeprism:Ingress"); other sessions' Rays on the machine may run one
    too, so only this process's descendants (its raylet's workers) are considered."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            title = " ".join(proc.cmdline()) + " " + proc.name()
        except psutil.Error:
            continue
        if INGRESS_PROCESS in title:
            found.append(proc)
    if len(found) != 1:
        raise SystemExit(f"expected one {INGRESS_PROCESS} process, found {len(found)}")
    return found[0]


def device_line() -> str:
    import fastapi
    import ray
    import uvicorn

    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, {memory:.0f} GiB, python {platform.python_version()},"
        f" ray {ray.__version__}, fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__},"
        f" load average before start {load}"
    )


def start_codeprism(root: Path, max_ongoing: int | None, classic: bool) -> tuple[str, Any]:
    import ray
    from ray import serve

    from serve_apps import review
    from serve_apps.ingress_mode import use_high_throughput_ingress

    if classic:  # the user's values win over the shipped ones
        os.environ.update({"RAY_SERVE_ENABLE_HA_PROXY": "0", "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0"})
    use_high_throughput_ingress()  # what `codeprism serve` does before it starts Ray
    front = (
        "HAProxy + direct ingress (as shipped)"
        if os.environ["RAY_SERVE_ENABLE_HA_PROXY"] == "1"
        else "Serve's HTTP proxy actor (--classic-ingress)"
    )
    print(f"codeprism front: {front}")
    from serve_apps.review import ReviewAppArgs, build_review_app

    if max_ongoing is not None:  # the builder looks the deployment up by its module name
        ingress = cast(Any, review.Ingress).options(max_ongoing_requests=max_ongoing)
        review.Ingress = ingress  # type: ignore[misc]
    limit = cast(Any, review.Ingress).max_ongoing_requests
    how = "as shipped" if max_ongoing is None else "overridden by --ingress-max-ongoing"
    print(f"codeprism Ingress: max_ongoing_requests={limit} ({how})")

    secrets_file = root / "secrets.yaml"
    secrets_file.write_text(f"github_webhook_secret: '{os.environ[SECRET_ENV]}'\n")
    secrets_file.chmod(0o600)
    args = ReviewAppArgs(
        state_dir=str(root / "codeprism-state"), secrets_file=str(secrets_file), model=None
    )
    port = free_port()
    ray.init(num_cpus=8, include_dashboard=False, log_to_driver=False)
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(build_review_app(args), name="codeprism", route_prefix="/")
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/healthz")
    return base, ray


def start_bare(root: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    state = root / "bare-state"
    state.mkdir()
    command = [sys.executable, __file__, "--bare-server", str(port), "--state-dir", str(state)]
    server = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/healthz", timeout_s=60)
    return base, server


def row(target: str, rate: float, s: dict[str, Any]) -> str:
    return (
        f"{rate:>6.0f} | {target:<9} | {s['sent']:>6} | {s['ok']:>6} | {s['errors']:>6} |"
        f" {s['achieved']:>8.1f} | {s['p50']:>8.1f} | {s['p99']:>8.1f} | {s['max']:>8.1f} |"
        f" {s['lag99']:>7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rates", default="50,200,500", help="requests/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per rate")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds per rate")
    parser.add_argument("--rss-requests", type=int, default=10_000)
    parser.add_argument("--rss-rate", type=float, default=200.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument(
        "--ingress-max-ongoing",
        type=int,
        help="override the Ingress deployment's max_ongoing_requests (default: as shipped)",
    )
    parser.add_argument(
        "--classic-ingress",
        action="store_true",
        help="Serve's HTTP proxy actor in front instead of HAProxy and direct ingress",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--state-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.rate, args.seconds, args.warmup, args.timeout)
        return
    if args.bare_server:
        bare_server(args.bare_server, args.state_dir)
        return

    os.environ[SECRET_ENV] = secrets.token_hex(32)  # inherited by the server and clients
    rates = [float(r) for r in args.rates.split(",")]
    print(device_line())
    print(
        f"request: {FIXTURE.name} ({FIXTURE.stat().st_size:,} bytes), signed, unique delivery"
        f" ids; open loop, {args.seconds:.0f} s per rate after {args.warmup:.0f} s warm-up"
    )
    with tempfile.TemporaryDirectory(prefix="webhook-load-") as tmp:
        root = Path(tmp)
        bare_base, bare = start_bare(root)
        try:
            codeprism_base, ray = start_codeprism(
                root, args.ingress_max_ongoing, args.classic_ingress
            )
            targets = {"codeprism": codeprism_base, "bare": bare_base}
            for base in targets.values():
                check_once(base)
            ingress = ingress_process()
            print(f"ingress replica: pid {ingress.pid}, {' '.join(ingress.cmdline()).strip()}")
            rss_start = ingress.memory_info().rss
            print()
            print(
                "  rate | target    |   sent |     ok | errors | achieved |  p50 ms |"
                "  p99 ms |  max ms | lag99ms"
            )
            summaries: dict[tuple[str, float], dict[str, Any]] = {}
            for rate in rates:
                for target, base in targets.items():
                    raw = run_client(base, rate, args.seconds, args.warmup, args.timeout)
                    summaries[target, rate] = summarise(raw)
                    print(row(target, rate, summaries[target, rate]), flush=True)
            for (target, rate), summary in summaries.items():
                if summary["other_statuses"]:  # 0: no answer (connection error, timeout)
                    print(f"  {target} at {rate:.0f}/s, not 202: {summary['other_statuses']}")
            print()
            for rate in rates:
                ours, bare_s = summaries["codeprism", rate], summaries["bare", rate]
                print(
                    f"rate {rate:>4.0f}/s: codeprism/bare p50 {ours['p50'] / bare_s['p50']:.2f}"
                    f" ({ours['p50']:.1f} / {bare_s['p50']:.1f} ms),"
                    f" p99 {ours['p99'] / bare_s['p99']:.2f}"
                    f" ({ours['p99']:.1f} / {bare_s['p99']:.1f} ms)"
                )
            print()
            rss_before = ingress.memory_info().rss
            seconds = args.rss_requests / args.rss_rate
            raw = run_client(codeprism_base, args.rss_rate, seconds, 0.0, args.timeout)
            rss_after = ingress.memory_info().rss
            s = summarise(raw)
            growth = rss_after / rss_before - 1
            print(
                f"ingress RSS: {rss_start / 2**20:.1f} MiB at start,"
                f" {rss_before / 2**20:.1f} MiB after the rates above,"
                f" {rss_after / 2**20:.1f} MiB after {s['sent']:,} more requests"
                f" ({s['ok']:,} ok, at {args.rss_rate:.0f}/s): growth {growth:+.1%}"
                " (target < +10%)"
            )
            if s["other_statuses"]:
                print(f"  not 202 during the RSS run: {s['other_statuses']}")
            ray.shutdown()
        finally:
            bare.send_signal(signal.SIGINT)
            bare.wait(timeout=30)


if __name__ == "__main__":
    main()
