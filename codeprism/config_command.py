"""`codeprism config show`: the effective settings, and the layer each value came from.

    codeprism config show [--config FILE] [--repo PATH] [--format json]

The layers are the packaged defaults, the organisation config file (`--config` or
`CODEPRISM_CONFIG`), the environment (`CODEPRISM_<KEY>`, `.` written `__`) and, with
`--repo`, that repository's `.codeprism.toml` or `[tool.codeprism]` as the repository may
set it; what it asked for and did not get is listed as notes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from codeprism.errors import EXIT_OK, CodeprismError, ConfigError
from codeprism.settings import layers
from codeprism.settings.repo_file import apply_repo_config, read_repo_config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeprism config", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the effective settings and their layers")
    show.add_argument("--config", help="organisation config file (default: $CODEPRISM_CONFIG)")
    show.add_argument("--repo", type=Path, help="apply this repository's own settings too")
    show.add_argument("--format", dest="fmt", default="text", choices=["text", "json"])
    return parser


def show(args: argparse.Namespace) -> str:
    effective, _ = layers.resolve(environ=os.environ, config_file=args.config)
    if args.repo is not None:
        if not args.repo.is_dir():
            raise ConfigError(f"--repo {args.repo} is not a directory")
        effective = apply_repo_config(effective, read_repo_config(args.repo))
    if args.fmt == "json":
        return json.dumps(effective.as_dict(), indent=2)
    return effective.render()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(show(args))
    except CodeprismError as exc:
        print(f"codeprism config: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return EXIT_OK
