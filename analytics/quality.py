"""The data-quality gate: one Great Expectations suite per warehouse table, run on one audit run.

A run whose rows break an expectation is *quarantined* (`runs.status = 'quarantined'`), and
the KPIs count only `succeeded` runs, so bad data never reaches a dashboard. Re-validating a
quarantined run after a fix restores it to `succeeded`.

What each suite reads:
- `runs`, `repos`, `findings`: the rows of the run being validated (`run_id = ID`); findings
  of skipped repos belong to the run that audited them and were validated with it.
- `reviews`: every row. Reviews carry no run id, and their key (`review_id`) is unique across
  the whole table, so only the whole table can show a duplicate. A bad review row therefore
  fails the gate of every run validated while it is there: the report shows review and audit
  KPIs side by side, and it is trustworthy only when both are.

Great Expectations runs in memory (an ephemeral context), offline, with analytics and
progress bars off; it is imported only when a gate runs (it costs seconds and ~150 MB).
The HTML report is GE's data docs site for the run, under `<warehouse>/_quality/<run_id>/`
(or under `report_dir` for a remote warehouse).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable

from analytics.quality_suites import QUARANTINED, SUCCEEDED, SUITES, Check, suite_name
from codeprism.errors import CodeprismError
from codeprism.schema import ERRORS, RUNS, TABLES
from codeprism.warehouse import Warehouse, sql_literal

QUALITY_DIR = "_quality"
_SITE = "quality"  # the GE data docs site of a validation
GATE_STAGE = "quality"  # errors.stage of a gate that could not run


class GateError(CodeprismError):
    """The gate could not run (Great Expectations failed, a table could not be read)."""


class UnknownRunError(CodeprismError):
    """The warehouse has no such run (or no runs table at all)."""


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedExpectation:
    table: str
    expectation: str  # GE's expectation type, e.g. expect_column_values_to_be_in_set
    column: str | None  # "a, b" for expectations over several columns
    bad_rows: int  # GE's unexpected_count (unique: every row of a duplicated group)
    description: str = ""


@dataclass(frozen=True)
class GateResult:
    run_id: str
    passed: bool
    failures: tuple[FailedExpectation, ...]
    report_path: Path | None  # the report's index.html; None when no report was saved
    suites: int = 0
    expectations: int = 0  # evaluated


@dataclass(frozen=True)
class GateOutcome:
    """What `apply_gate` did: the verdict, and the run's status before and after."""

    run_id: str
    result: GateResult | None  # None when the gate crashed
    previous_status: str
    status: str
    error: str | None = None  # why the gate could not run

    @property
    def passed(self) -> bool:
        return self.result is not None and self.result.passed


# -- validation --------------------------------------------------------------------------------


def _import_gx() -> Any:
    """Import Great Expectations offline: analytics off before the import reads the setting."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx


def require_warehouse(warehouse: Warehouse) -> None:
    """UnknownRunError unless the warehouse exists (validating must never create one)."""
    if not DeltaTable.is_deltatable(
        warehouse.table_uri("runs"), storage_options=warehouse.storage_options
    ):
        raise UnknownRunError(f"no warehouse at {warehouse.uri} (it has no runs table)")


def run_row(warehouse: Warehouse, run_id: str) -> dict[str, Any]:
    """The run's `runs` row; UnknownRunError when there is none (or no warehouse)."""
    require_warehouse(warehouse)
    rows = warehouse.read("runs", f"run_id = {sql_literal(run_id)}").to_pylist()
    if not rows:
        raise UnknownRunError(f"no run {run_id!r} in the warehouse at {warehouse.uri}")
    return rows[0]


def _frame(warehouse: Warehouse, table: str, run_id: str) -> Any:
    """The columns the suite reads, as a pandas DataFrame (only this run's rows but reviews)."""
    columns = sorted({c for check in SUITES[table] for c in check.columns})
    where = "" if table == "reviews" else f" WHERE run_id = {sql_literal(run_id)}"
    rows = warehouse.query(f"SELECT {', '.join(columns)} FROM {table}{where}", [table])
    schema = pa.schema([TABLES[table].field(c).with_nullable(True) for c in columns])
    return rows.select(columns).cast(schema).to_pandas()


def default_report_dir(warehouse: Warehouse) -> Path | None:
    """`<warehouse>/_quality` for a local warehouse; None for a remote one."""
    return None if "://" in warehouse.uri else Path(warehouse.uri) / QUALITY_DIR


def _safe_name(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id) or "_"


def validate_run(warehouse: Warehouse, run_id: str, report_dir: Path | None = None) -> GateResult:
    """Validate one run's rows with every suite; save the HTML report; change nothing else.

    The report goes to `report_dir/<run_id>/index.html`, `report_dir` defaulting to
    `<warehouse>/_quality` (a remote warehouse without `report_dir` gets no report).
    Raises UnknownRunError for an unknown run and GateError when GE itself fails.
    """
    run_row(warehouse, run_id)
    root = report_dir if report_dir is not None else default_report_dir(warehouse)
    try:
        frames = {table: _frame(warehouse, table, run_id) for table in SUITES}
        return _validate(run_id, frames, root)
    except GateError:
        raise
    except Exception as exc:  # GE's own failures (whatever their type), unreadable tables
        raise GateError(f"{type(exc).__name__}: {exc}") from exc


def _validate(run_id: str, frames: Mapping[str, Any], root: Path | None) -> GateResult:
    gx = _import_gx()
    from great_expectations.core.run_identifier import RunIdentifier

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_mkdir(root))) if root else None
    try:
        context = _context(gx, staging)
        source = context.data_sources.add_pandas("warehouse")
        # One GE run for all suites: the report groups their pages under the run's name.
        gx_run = RunIdentifier(run_name=_safe_name(run_id), run_time=datetime.now(UTC))
        failures: list[FailedExpectation] = []
        evaluated = 0
        for table, checks in SUITES.items():
            result = _run_suite(gx, context, source, table, checks, frames[table], gx_run)
            evaluated += len(result.results)
            failures += _failures(table, checks, result)
        report = None
        if staging is not None and root is not None:
            context.build_data_docs(site_names=[_SITE])
            report = _publish(staging, root / _safe_name(run_id))
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return GateResult(
        run_id=run_id,
        passed=not failures,
        failures=tuple(failures),
        report_path=report,
        suites=len(SUITES),
        expectations=evaluated,
    )


def _context(gx: Any, site_dir: Path | None) -> Any:
    """An in-memory GE context: no project folder, analytics and progress bars off."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if site_dir is not None:
        sites[_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _run_suite(
    gx: Any,
    context: Any,
    source: Any,
    table: str,
    checks: Sequence[Check],
    frame: Any,
    gx_run: Any,
) -> Any:
    """Build the table's suite from its checks and validate the frame with it."""
    import great_expectations.expectations as gxe

    suite = context.suites.add(gx.ExpectationSuite(name=suite_name(table)))
    for check in checks:
        expectation_class = getattr(gxe, check.expectation)
        suite.add_expectation(expectation_class(**check.kwargs(), description=check.description))
    batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("run")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name(table), data=batch, suite=suite)
    )
    return definition.run(
        batch_parameters={"dataframe": frame},
        # SUMMARY: the unexpected count and a sample of bad values, which the report lists
        result_format={"result_format": "SUMMARY"},
        run_id=gx_run,
    )


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _publish(staging: Path, target: Path) -> Path:
    """Replace the run's previous report with the new one (so it holds one validation)."""
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target / "index.html"


def _failures(table: str, checks: Sequence[Check], result: Any) -> list[FailedExpectation]:
    by_description = {c.description: c for c in checks}
    failures = []
    for item in result.results:
        config = item.expectation_config
        raised = _raised(item.exception_info)
        if raised:
            raise GateError(f"{suite_name(table)}: {config.type} raised: {raised}")
        if item.success:
            continue
        check = by_description.get(config.description)
        failures.append(
            FailedExpectation(
                table=table,
                expectation=config.type,
                column=", ".join(check.columns) if check else config.kwargs.get("column"),
                bad_rows=int(item.result.get("unexpected_count") or 0),
                description=config.description or "",
            )
        )
    return failures


def _raised(info: Any) -> str | None:
    """The message of an exception GE caught while evaluating an expectation, if any."""
    if not isinstance(info, Mapping):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    for value in info.values():  # keyed by metric when several metrics were computed
        message = _raised(value)
        if message:
            return message
    return None


# -- the gate: verdict -> run status -----------------------------------------------------------


def apply_gate(warehouse: Warehouse, run_id: str, report_dir: Path | None = None) -> GateOutcome:
    """Validate a run and set its status from the verdict; running it twice changes nothing.

    Failed: a succeeded run becomes quarantined. Passed: a quarantined run is restored to
    succeeded. Running and failed runs keep their status (KPIs do not count them anyway).
    A gate that crashes quarantines the run too (unvalidated data must not reach a
    dashboard) and records an `errors` row (stage `quality`) with the reason.
    Raises UnknownRunError for an unknown run.
    """
    row = run_row(warehouse, run_id)
    previous = str(row["status"])
    try:
        result = validate_run(warehouse, run_id, report_dir)
    except GateError as exc:
        _record_gate_error(warehouse, row, str(exc))
        status = _set_status(warehouse, row, QUARANTINED if previous == SUCCEEDED else previous)
        return GateOutcome(run_id, None, previous, status, error=str(exc))
    _clear_gate_errors(warehouse, run_id)
    if result.passed:
        wanted = SUCCEEDED if previous == QUARANTINED else previous
    else:
        wanted = QUARANTINED if previous == SUCCEEDED else previous
    return GateOutcome(run_id, result, previous, _set_status(warehouse, row, wanted))


def _set_status(warehouse: Warehouse, row: dict[str, Any], status: str) -> str:
    if row["status"] != status:  # no new table version when nothing changes
        warehouse.write_run(pa.Table.from_pylist([row | {"status": status}], schema=RUNS))
    return status


def _gate_errors_where(run_id: str) -> str:
    return f"run_id = {sql_literal(run_id)} AND stage = {sql_literal(GATE_STAGE)}"


def _record_gate_error(warehouse: Warehouse, run: dict[str, Any], reason: str) -> None:
    row = {
        "run_id": run["run_id"],
        "run_date": run["run_date"],
        "repo_id": "",  # the whole run, not one repository
        "repo": "",
        "path": None,
        "stage": GATE_STAGE,
        "kind": "internal",
        "analyzer": "great_expectations",
        "reason": f"quality gate could not run; run quarantined: {reason}",
        "created_at": datetime.now(UTC),
    }
    warehouse.replace(
        "errors", pa.Table.from_pylist([row], schema=ERRORS), _gate_errors_where(run["run_id"])
    )


def _clear_gate_errors(warehouse: Warehouse, run_id: str) -> None:
    """A gate that ran makes an earlier crash's errors row stale."""
    stale = warehouse.query(
        f"SELECT COUNT(*) AS n FROM errors WHERE {_gate_errors_where(run_id)}", ["errors"]
    )
    if int(stale.column("n")[0].as_py()):
        warehouse.replace("errors", ERRORS.empty_table(), _gate_errors_where(run_id))


# -- what people read --------------------------------------------------------------------------


def outcome_lines(outcome: GateOutcome) -> list[str]:
    """One summary line, then one line per failed expectation with its count of bad rows."""
    result = outcome.result
    if result is None:
        note = "run quarantined" if outcome.status == QUARANTINED else f"run {outcome.status}"
        return [f"quality gate: ERROR — {note}; {outcome.error}"]
    report = (
        f"report: {result.report_path}"
        if result.report_path
        else "no report saved (remote warehouse: give a local report directory)"
    )
    if result.passed:
        head = f"quality gate: passed ({result.suites} suites, {result.expectations} expectations)"
        restored = "; run restored to succeeded" if outcome.previous_status == QUARANTINED else ""
        return [f"{head}{restored}; {report}"]
    note = "run quarantined" if outcome.status == QUARANTINED else f"run stays {outcome.status}"
    lines = [f"quality gate: FAILED — {note}; {report}"]
    for failure in result.failures:
        rows = "row" if failure.bad_rows == 1 else "rows"
        lines.append(
            f"  {suite_name(failure.table)} {failure.expectation}"
            f"({failure.column or ''}): {failure.bad_rows} bad {rows} — {failure.description}"
        )
    return lines


def outcome_record(outcome: GateOutcome) -> dict[str, Any]:
    """The outcome as plain JSON-ready data."""
    result = outcome.result
    return {
        "run_id": outcome.run_id,
        "passed": outcome.passed,
        "status": outcome.status,
        "previous_status": outcome.previous_status,
        "error": outcome.error,
        "report_path": str(result.report_path) if result and result.report_path else None,
        "suites": result.suites if result else 0,
        "expectations": result.expectations if result else 0,
        "failures": [
            {
                "table": f.table,
                "expectation": f.expectation,
                "column": f.column,
                "bad_rows": f.bad_rows,
                "description": f.description,
            }
            for f in (result.failures if result else ())
        ],
    }
