"""The `codeprism` command line.

Exit codes (DESIGN.md): 0 clean, 1 findings at or above --fail-on, 2 error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from codeprism import __version__
from codeprism.corpus import DEMO_PROJECTS, prepare_corpus
from codeprism.errors import CodeprismError


def _audit(argv: Sequence[str]) -> int:
    # The audit is a Ray job; the CLI is its front door (the one place the core reaches jobs/).
    from jobs.audit import main as audit_main

    return audit_main(argv)


def _demo(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="codeprism demo",
        description="Download real public projects from PyPI and audit them.",
    )
    parser.add_argument("--warehouse", default="./warehouse")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser(),
    )
    args, rest = parser.parse_known_args(argv)
    try:
        projects = prepare_corpus(DEMO_PROJECTS, args.cache_dir / "corpus")
    except CodeprismError as exc:
        print(f"codeprism demo: error: {exc}", file=sys.stderr)
        return exc.exit_code
    audit_argv = [str(p) for p in projects] + ["--warehouse", args.warehouse, *rest]
    return _audit(audit_argv)


def _review(argv: Sequence[str]) -> int:
    from codeprism.review.command import main as review_main

    return review_main(argv)


def _validate(argv: Sequence[str]) -> int:
    # The quality gate lives in analytics/ (Great Expectations); imported only when asked for.
    from analytics.validate_command import main as validate_main

    return validate_main(argv)


def _serve(argv: Sequence[str]) -> int:
    # Serving needs Ray Serve; the command lives with the apps it starts.
    from serve_apps.command import main as serve_main

    return serve_main(argv)


def _kpi(argv: Sequence[str]) -> int:
    # KPIs and the report live in analytics/ (polars, matplotlib); imported only when asked for.
    from analytics.kpi_command import main as kpi_main

    return kpi_main(argv)


def _config(argv: Sequence[str]) -> int:
    from codeprism.config_command import main as config_main

    return config_main(argv)


def _baseline(argv: Sequence[str]) -> int:
    from codeprism.baseline_command import main as baseline_main

    return baseline_main(argv)


def _maintain(argv: Sequence[str]) -> int:
    from codeprism.maintain_command import main as maintain_main

    return maintain_main(argv)


COMMANDS = {
    "audit": (_audit, "audit repositories, paths or a GitHub organisation into the warehouse"),
    "review": (_review, "review a diff with the static analyzers and the LLM agents"),
    "serve": (_serve, "review pull requests from GitHub, GitLab, Bitbucket, Azure webhooks"),
    "kpi": (_kpi, "print the KPI headline, or write the HTML report with --html"),
    "baseline": (_baseline, "record today's findings as accepted: `baseline create --repo PATH`"),
    "config": (_config, "show the effective settings and where each value came from"),
    "maintain": (_maintain, "compact small files and vacuum old versions of the warehouse"),
    "demo": (_demo, "download a few real public projects from PyPI and audit them"),
    "validate": (_validate, "check a run with the data-quality gate; quarantine it if it fails"),
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("--version", "-V"):
        print(f"codeprism {__version__}")
        return 0
    if not argv or argv[0] not in COMMANDS:
        usage = "\n".join(f"  {name:<8} {help_}" for name, (_, help_) in COMMANDS.items())
        print(f"usage: codeprism COMMAND [ARGS]\n\ncommands:\n{usage}", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    command, _ = COMMANDS[argv[0]]
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
