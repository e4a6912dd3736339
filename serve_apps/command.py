"""`codeprism serve`: the review app (and, with --model, the LLM app) on a local Ray.

On a cluster use `serve deploy serve_apps/config.yaml` instead; this command is the laptop
path: it starts (or joins, with RAY_ADDRESS) Ray, runs both apps, prints where they listen and
stays up until interrupted. Secrets come from the environment or --secrets-file.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence

from codeprism.errors import CodeprismError

LLM_ROUTE = "/llm"


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
    parser.add_argument("--num-cpus", type=int, help="logical CPUs of a new local Ray")
    parser.add_argument("--debug", action="store_true")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _serve(args)
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism serve: error: {exc}", file=sys.stderr)
        return exc.exit_code


def _serve(args: argparse.Namespace) -> int:
    import ray
    from ray import serve

    from serve_apps.ingress_mode import use_high_throughput_ingress
    from serve_apps.llm import LLMAppArgs, build_llm_app
    from serve_apps.review import ReviewAppArgs, build_review_app

    review_args = ReviewAppArgs(
        state_dir=args.state_dir,
        warehouse=args.warehouse,
        secrets_file=args.secrets_file,
        model=args.model,
        llm_url=f"http://127.0.0.1:{args.port}{LLM_ROUTE}",
    )
    review_args.secrets()  # a broken secrets file fails here, with its message
    use_high_throughput_ingress()  # a new local Ray only; a joined cluster has its own
    ray.init(num_cpus=args.num_cpus, include_dashboard=False)
    serve.start(http_options={"host": args.host, "port": args.port})
    base = f"http://{args.host}:{args.port}"
    if args.model:
        print(f"codeprism serve: starting the LLM app ({args.model}) at {base}{LLM_ROUTE}")
        llm = build_llm_app(LLMAppArgs(model=args.model, device=args.device))
        serve.run(llm, name="llm", route_prefix=LLM_ROUTE)
    serve.run(build_review_app(review_args), name="codeprism", route_prefix="/")
    print(f"codeprism serve: listening on {base}")
    print(f"  POST {base}/webhooks/github   POST {base}/webhooks/gitlab   POST {base}/v1/reviews")
    print(f"  GET  {base}/healthz   GET {base}/metrics   (Ctrl-C stops)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    print("codeprism serve: stopping", file=sys.stderr)
    serve.shutdown()
    ray.shutdown()
    return 0
