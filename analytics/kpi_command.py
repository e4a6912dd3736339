"""`codeprism kpi`: the headline of the newest visible run, or the whole KPI report in HTML.

codeprism kpi --warehouse W                      # headline table in the terminal
codeprism kpi --warehouse W --html report.html   # self-contained report with the charts
codeprism kpi --warehouse W --as-of 2026-11-01T00:00:00Z   # the warehouse as it was then
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from analytics.kpis import KpiInputError, KpiSource, headline, suppressions_in_run
from analytics.kpis.headline import SOURCE_ONLY
from analytics.report import NoVisibleRunError, collect, headline_text, render_html
from codeprism.errors import EXIT_ERROR, EXIT_OK, CodeprismError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeprism kpi", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default="./warehouse", help="warehouse URI")
    parser.add_argument("--html", type=Path, help="write the full HTML report here")
    parser.add_argument(
        "--as-of",
        help="read every table as it was at this ISO time (with a timezone, e.g. ...Z)",
    )
    parser.add_argument("--top", type=int, default=10, help="rules shown in the report")
    parser.add_argument(
        "--all-roles",
        action="store_true",
        help="count findings in tests, examples, vendored and generated files in the headline "
        "and the suppressed findings (default: source files)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _aware_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise KpiInputError(f"--as-of: not an ISO date-time: {text!r}") from None
    if moment.tzinfo is None:
        raise KpiInputError(f"--as-of: give a timezone (e.g. {text}Z or {text}+00:00)")
    return moment


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise KpiInputError("--top must be at least 1")
    as_of = _aware_datetime(args.as_of) if args.as_of else None
    source = KpiSource(args.warehouse, as_of=as_of)
    roles = None if args.all_roles else SOURCE_ONLY
    if not source.versions():
        raise KpiInputError(f"no warehouse tables under {source.warehouse_uri}")
    if args.html is None:
        head = headline(source, roles)
        if not head.height:
            raise NoVisibleRunError(
                f"no visible run in {source.warehouse_uri}: no audit has succeeded yet "
                "(running, failed and quarantined runs are not shown)"
            )
        suppressed = suppressions_in_run(source, str(head["run_id"][0]), roles)
        print(headline_text(head, source.warehouse_uri, roles, suppressed))
        return EXIT_OK
    data = collect(source, top=args.top, roles=roles)
    document = render_html(data)
    try:
        args.html.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise KpiInputError(f"cannot write {args.html}: {exc.strerror or exc}") from None
    print(headline_text(data.headline, source.warehouse_uri, roles, data.suppressed))
    print(f"report written to {args.html} ({len(document.encode()) // 1024} KiB)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        return run(args)
    except (KpiInputError, CodeprismError) as exc:
        if args.debug:
            raise
        print(f"codeprism kpi: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
