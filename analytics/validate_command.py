"""`codeprism validate`: run the data-quality gate on one run, the newest, or all of them.

    codeprism validate --warehouse W [--run-id ID|all] [--format table|json] [--report-dir DIR]

Exit codes: 0 every validated run passed, 1 a run failed (it is quarantined), 2 error
(no warehouse, unknown run, a gate that could not run).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from analytics.quality import (
    GateOutcome,
    UnknownRunError,
    apply_gate,
    outcome_lines,
    outcome_record,
    require_warehouse,
    run_row,
)
from codeprism.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CodeprismError
from codeprism.warehouse import Warehouse

ALL_RUNS = "all"


def run_ids(warehouse: Warehouse, selector: str | None) -> list[str]:
    """The runs to validate: the named one, the newest (None), or every run ("all")."""
    if selector and selector != ALL_RUNS:
        run_row(warehouse, selector)  # UnknownRunError names the run (or the missing warehouse)
        return [selector]
    require_warehouse(warehouse)
    rows = warehouse.query("SELECT run_id FROM runs ORDER BY started_at, run_id", ["runs"])
    ids = [str(v) for v in rows.column("run_id").to_pylist()]
    if not ids:
        raise UnknownRunError(f"the warehouse at {warehouse.uri} has no runs yet")
    return ids if selector == ALL_RUNS else ids[-1:]


def exit_code(outcomes: Sequence[GateOutcome]) -> int:
    if any(o.result is None for o in outcomes):
        return EXIT_ERROR
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_FINDINGS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codeprism validate",
        description="Check a run's warehouse rows with the data-quality suites; "
        "quarantine a run that fails, restore one that passes again.",
    )
    parser.add_argument("--warehouse", default="./warehouse", help="warehouse URI")
    parser.add_argument("--run-id", help="the run to validate (default: the newest), or 'all'")
    parser.add_argument("--format", dest="fmt", default="table", choices=["table", "json"])
    parser.add_argument(
        "--report-dir",
        type=Path,
        help="where the HTML reports go (default: WAREHOUSE/_quality; needed for s3:// etc.)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        warehouse = Warehouse(args.warehouse)
        selected = run_ids(warehouse, args.run_id)  # first: an unknown run touches nothing
        outcomes = [apply_gate(warehouse, run_id, args.report_dir) for run_id in selected]
    except Exception as exc:  # a clear line for people; the traceback with --debug
        if args.debug:
            raise
        code = exc.exit_code if isinstance(exc, CodeprismError) else EXIT_ERROR
        print(f"codeprism validate: error: {exc}", file=sys.stderr)
        return code
    if args.fmt == "json":
        records = [outcome_record(o) for o in outcomes]
        single = args.run_id != ALL_RUNS
        print(json.dumps(records[0] if single else records, indent=2))
    else:
        for outcome in outcomes:
            for line in outcome_lines(outcome):
                print(f"run {outcome.run_id}: {line}" if not line.startswith(" ") else line)
    return exit_code(outcomes)


if __name__ == "__main__":
    sys.exit(main())
