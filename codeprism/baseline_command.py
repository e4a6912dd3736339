"""`codeprism baseline create`: record a repository's findings of today as accepted.

    codeprism baseline create --repo PATH|URL [--output FILE] [--config FILE]

The repository is analysed as `codeprism audit` analyses it (the same layers of settings,
its own config file included), and the fingerprints of every reported finding, in files of
every role, are written to FILE (default `codeprism-baseline.json`). `audit` and `review`
with `--baseline FILE` then report and fail only on findings the file does not list.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from codeprism.analysis import AnalysisConfig, AnalyzerSuite
from codeprism.audit import AnalysisScope
from codeprism.baseline import DEFAULT_FILE, baseline_document
from codeprism.errors import EXIT_OK, CodeprismError, SourceError
from codeprism.settings import layers
from codeprism.sources import checkout, spec_from_target


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeprism baseline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="write the fingerprints of today's findings")
    create.add_argument("--repo", required=True, help="repository: a local path or a git URL")
    create.add_argument("--output", type=Path, default=Path(DEFAULT_FILE))
    create.add_argument(
        "--config", help="organisation config file (TOML; default: $CODEPRISM_CONFIG)"
    )
    create.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser(),
    )
    create.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def create(args: argparse.Namespace) -> int:
    effective, _ = layers.resolve(environ=os.environ, config_file=args.config)
    spec = spec_from_target(args.repo)
    token = os.environ.get("CODEPRISM_GITHUB_TOKEN") or os.environ.get("GITHUB_TOKEN")
    try:
        root = checkout(spec, args.cache_dir, token=token).root
    except SourceError as exc:
        raise CodeprismError(f"cannot read {args.repo}: {exc.reason}") from None
    print(f"baseline: analysing {spec.name} at {root}", file=sys.stderr, flush=True)
    settings, notes = AnalysisScope(effective.settings).for_repo(root)
    for note in notes:
        print(f"warning: {note.reason}", file=sys.stderr)
    with AnalyzerSuite(AnalysisConfig.from_settings(effective.settings)) as suite:
        analysis = suite.analyze(root, spec.name, org=spec.org, settings=settings)
    document = baseline_document(analysis.findings, spec.name)
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(
        f"baseline: {len(document['findings'])} findings of {spec.name} written to {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        return create(args)
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism baseline: error: {exc}", file=sys.stderr)
        return exc.exit_code
