"""Loopback helpers for tests that run servers: a free port, waiting until a URL answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_http(
    url: str, ready: Callable[[requests.Response], bool], timeout_s: float = 180.0
) -> None:
    """`serve.run` returns once replicas are healthy; wait until the proxy routes to them."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if ready(requests.get(url, timeout=10)):
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not come up in {timeout_s:.0f} s")
        time.sleep(1.0)
