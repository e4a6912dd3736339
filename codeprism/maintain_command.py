"""`codeprism maintain`: compact small files and vacuum old ones in every warehouse table.

    codeprism maintain --warehouse W [--retention-hours H] [--target-file-mb N] [--dry-run]

Safe by default: the retention is each table's own (7 days unless set), so time travel to
any version of the last 7 days keeps working. Prints, per table, the files and bytes before
and after and the versions time travel can still reach.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable, Sequence

from codeprism.errors import EXIT_ERROR, EXIT_OK, CodeprismError
from codeprism.maintenance import FileStats, MaintenanceOptions, TableReport, maintain
from codeprism.warehouse import Warehouse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeprism maintain", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default="./warehouse", help="warehouse URI")
    parser.add_argument(
        "--retention-hours",
        type=int,
        help="keep files that versions of the last H hours need (default: each table's "
        "delta.deletedFileRetentionDuration, 168 h unless set); shorter than the table's "
        "setting cuts time travel and is reported",
    )
    parser.add_argument(
        "--target-file-mb",
        type=int,
        help="size compacted files aim at (default: delta.targetFileSize, else 100 MiB)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        options = MaintenanceOptions(
            retention_hours=args.retention_hours,
            target_file_mb=args.target_file_mb,
            dry_run=args.dry_run,
        )
        reports = maintain(Warehouse(args.warehouse), options)
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism maintain: error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(render_reports(reports, options))
    return EXIT_ERROR if any(r.error for r in reports) else EXIT_OK


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # unreachable; keeps mypy sure of a return


def _change(before: FileStats | None, after: FileStats | None, attr: str) -> str:
    if before is None or after is None:
        return "n/a"
    b, a = getattr(before, attr), getattr(after, attr)
    if attr == "bytes":
        return f"{_size(b)} -> {_size(a)}"
    return f"{b} -> {a}"


def render_reports(reports: Iterable[TableReport], options: MaintenanceOptions) -> str:
    """The per-table table people read: files and bytes before/after, versions kept."""
    reports = list(reports)
    dry = options.dry_run
    rows = [
        (
            "table",
            "files (current version)",
            "bytes (current version)",
            "files on disk",
            "bytes on disk",
            "to merge" if dry else "merged",
            "to vacuum" if dry else "vacuumed",
            "versions kept",
        )
    ]
    for r in reports:
        rows.append(
            (
                r.table,
                _change(r.active_before, r.active_after, "files"),
                _change(r.active_before, r.active_after, "bytes"),
                _change(r.disk_before, r.disk_after, "files"),
                _change(r.disk_before, r.disk_after, "bytes"),
                str(r.files_compacted),
                str(r.files_vacuumed),
                "error" if r.error else f"{r.oldest_version_kept}..{r.version_after}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append("")
    if dry:
        lines.append("dry run: nothing was changed")
    hours = ", ".join(f"{h:g} h" for h in sorted({r.retention_hours for r in reports}))
    origin = "--retention-hours" if options.retention_hours is not None else "the tables' setting"
    lines.append(
        f"retention {hours} ({origin}): time travel reaches every version in 'versions kept'"
    )
    shorter = sorted(r.table for r in reports if not r.retention_enforced)
    if shorter:
        which = "every table" if len(shorter) == len(reports) else ", ".join(shorter)
        lines.append(
            f"warning: --retention-hours is shorter than the retention set for {which}: "
            "deltalake's retention check was turned off as asked; older versions lose their "
            "files, so time travel to them, and readers still on them, fail"
        )
    for r in reports:
        if r.error:
            lines.append(f"error: {r.table}: {r.error} (re-run when no audit is writing)")
    return "\n".join(lines)
