"""`codeprism review`: review a diff with the static analyzers and the LLM agents.

    codeprism review --diff change.diff --model ./my-model [--agents security,logic]
    codeprism review --repo . --base main --head HEAD --model model.yaml --format sarif

The findings go to stdout (or --output) in the chosen format; what was dropped (off-diff,
invalid, duplicate, over the cap) and what was left out of the model's context go to stderr,
so a machine-readable report stays clean. Without --model only the static analyzers run.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from codeprism import __version__
from codeprism.baseline import load_baseline
from codeprism.console import report_stdout
from codeprism.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CodeprismError, ConfigError
from codeprism.findings import Severity, at_or_above
from codeprism.formatters import FORMATS, render
from codeprism.llm.config import load_model_config
from codeprism.llm.engines import Engine, LocalEngine, ServeEngine
from codeprism.review.agents import AGENT_NAMES
from codeprism.review.diff import parse_diff
from codeprism.review.output import DropReason
from codeprism.review.runner import ReviewConfig, ReviewResult, diff_from_repo, head_tree, review
from codeprism.settings.layers import Effective, resolve
from codeprism.settings.repo_file import apply_repo_config, read_repo_config_at


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeprism review", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--diff", help="unified diff file ('-' reads stdin)")
    source.add_argument("--repo", type=Path, help="local git repository (with --base/--head)")
    parser.add_argument("--base", help="base ref (with --repo)")
    parser.add_argument("--head", help="head ref (with --repo)")
    parser.add_argument("--model", help="model path, hub id, or a model config YAML/JSON")
    parser.add_argument(
        "--serve-url", help="use the Serve LLM app at this URL instead of an in-process vLLM"
    )
    parser.add_argument(
        "--config", help="organisation config file (TOML; default: $CODEPRISM_CONFIG)"
    )
    parser.add_argument("--agents", help=f"comma-separated (default: {','.join(AGENT_NAMES)})")
    parser.add_argument("--max-findings", type=int, help="review cap (default 20)")
    parser.add_argument("--max-calls", type=int, default=ReviewConfig().max_calls)
    parser.add_argument("--no-static", action="store_true", help="skip the static analyzers")
    parser.add_argument(
        "--all-roles",
        action="store_true",
        default=None,
        help="also report findings in tests, examples, vendored and generated files",
    )
    parser.add_argument("--baseline", help="report only findings this baseline file lacks")
    parser.add_argument("--format", dest="fmt", default="table", choices=FORMATS)
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and drop notes")
    return parser


def review_settings(args: argparse.Namespace) -> Effective:
    """The layers, with the repository's own settings read at the base (`--repo`): a change
    cannot relax its own review."""
    flags = {
        "review.agents": _names(args.agents) if args.agents is not None else None,
        "review.max_findings": args.max_findings,
        "all_roles": args.all_roles,
        "baseline": args.baseline,
        "fail_on": args.fail_on,
    }
    effective, _ = resolve(
        environ=os.environ,
        config_file=args.config,
        command_line=flags,
    )
    if args.repo is not None and args.base:
        effective = apply_repo_config(effective, read_repo_config_at(args.repo, args.base))
    return effective


def run(args: argparse.Namespace, report: TextIO) -> int:
    effective = review_settings(args)
    settings = effective.settings
    config = ReviewConfig.from_settings(
        settings,
        load_baseline(settings.baseline) if settings.baseline else None,
        max_calls=args.max_calls,
        static=not args.no_static,
    )
    data = _read_diff(args)
    files = parse_diff(data)
    model = load_model_config(args.model) if args.model else None
    engine: Engine | None = None
    if model is not None:
        if args.serve_url:
            engine = ServeEngine(model, args.serve_url)
        else:
            engine = LocalEngine(model, quiet=not args.debug)
        print(f"codeprism review: {model.describe()}", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="codeprism-head-") as scratch:
            tree = head_tree(args.repo, args.head, files, Path(scratch)) if args.repo else None
            repo = args.repo.resolve().name if args.repo else ""
            result = review(files, engine=engine, model=model, config=config, tree=tree, repo=repo)
    finally:
        if engine is not None:
            engine.close()
    result.warnings.extend(effective.notes)
    document = render(result.findings, args.fmt, tool_version=__version__, summary=result.summary())
    if args.output:
        args.output.write_text(document)
    else:
        report.write(document)
    _report(result, verbose=args.debug)
    if settings.fail_on and at_or_above(result.findings, settings.fail_on):
        return EXIT_FINDINGS
    return EXIT_OK


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _read_diff(args: argparse.Namespace) -> bytes:
    if args.repo is not None:
        if not args.base or not args.head:
            raise ConfigError("--repo needs --base and --head")
        return diff_from_repo(args.repo, args.base, args.head)
    if args.diff == "-":
        return sys.stdin.buffer.read()
    path = Path(args.diff)
    if not path.is_file():
        raise ConfigError(f"diff file {path} does not exist")
    return path.read_bytes()


def _report(result: ReviewResult, verbose: bool) -> None:
    dropped = ", ".join(f"{r.value} {result.dropped.get(r, 0)}" for r in DropReason)
    lines = [
        f"review: {result.files} files, {len(result.findings)} findings, "
        f"{result.requests} LLM requests" + (f" to {result.model}" if result.model else ""),
        f"dropped: {dropped}",
    ]
    lines += [f"left out: {o.path}: {o.reason.value} {o.detail}".rstrip() for o in result.omitted]
    if result.suppressed:
        accepted = ", ".join(f"{rule} {n}" for rule, n in sorted(result.suppressed.items()))
        lines.append(f"suppressed (accepted in the code or the baseline): {accepted}")
    lines += [f"warning: {warning}" for warning in result.warnings]
    if result.not_shown:
        roles = ", ".join(f"{role} {n}" for role, n in sorted(result.not_shown.items()))
        lines.append(f"not shown (file roles; --all-roles shows them): {roles}")
    if verbose:
        lines += [f"note: {note}" for note in result.notes]
    print("\n".join(lines), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    # vLLM logs every engine step at INFO; the report is what people came for
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "DEBUG" if args.debug else "WARNING")
    # a machine-readable report on stdout: nothing else may reach stdout (console.py)
    claim = args.fmt != "table" and args.output is None
    try:
        with report_stdout(claim, restore=False) as report:
            return run(args, report)
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism review: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_ERROR
