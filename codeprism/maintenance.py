"""Warehouse upkeep: merge small files (Delta optimize/compact) and delete old ones (vacuum).

Every write adds at least one Parquet file, so a table written in many small batches reads
slowly until its small files are merged. Compaction rewrites them into few large files in a
new table version; the old files stay on disk, still referenced by the older versions, so
time travel keeps working. Vacuum later deletes the files that no version within the
retention period needs, and files that no commit names (left by an interrupted write) once
they are older than the retention. With the defaults (the table's
`delta.deletedFileRetentionDuration`,
7 days unless set) every version committed in the last 7 days stays readable; only an
explicit shorter `retention_hours` relaxes deltalake's safety check, and the report says so.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from codeprism.errors import ConfigError
from codeprism.schema import PARTITIONS, TABLES
from codeprism.warehouse import Warehouse

log = logging.getLogger("codeprism.maintenance")

DEFAULT_RETENTION_HOURS = 168.0
"""deltalake's (and Delta's) default `delta.deletedFileRetentionDuration`: one week."""

DEFAULT_TARGET_BYTES = 100 * 1024 * 1024
"""deltalake's default `delta.targetFileSize`: a compacted file aims at about 100 MiB."""

_UNIT_HOURS = {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}


@dataclass(frozen=True)
class MaintenanceOptions:
    """What `maintain` does. None means the table's own setting (or deltalake's default)."""

    retention_hours: int | None = None
    target_file_mb: int | None = None
    dry_run: bool = False

    def __post_init__(self) -> None:
        if self.retention_hours is not None and self.retention_hours < 0:
            raise ConfigError("--retention-hours must be 0 or more")
        if self.target_file_mb is not None and self.target_file_mb <= 0:
            raise ConfigError("--target-file-mb must be more than 0")


@dataclass(frozen=True)
class FileStats:
    files: int
    bytes: int


@dataclass(frozen=True)
class TableReport:
    """One table before and after maintenance (in a dry run, `after` equals `before`)."""

    table: str
    active_before: FileStats  # files of the current version
    active_after: FileStats
    disk_before: FileStats | None  # every data file in the table's folder (local tables only)
    disk_after: FileStats | None
    version_before: int
    version_after: int
    oldest_version_kept: int  # time travel is guaranteed from here to version_after
    retention_hours: float
    retention_enforced: bool  # False only when the user asked for less than the table's
    partitions_compacted: int = 0  # partitions whose small files were (or would be) merged
    files_compacted: int = 0  # small files merged (or that would be)
    files_vacuumed: int = 0  # files deleted (or that would be)
    error: str | None = None


@dataclass
class _Partition:
    values: dict[str, Any]
    small_files: int = 0
    small_bytes: int = 0
    files: list[int] = field(default_factory=list)


# -- reading a table's state ------------------------------------------------------------------


def _add_actions(table: DeltaTable) -> pa.Table:
    return pa.table(table.get_add_actions(flatten=True))


def active_files(table: DeltaTable) -> FileStats:
    actions = _add_actions(table)
    sizes = actions.column("size_bytes").to_pylist() if actions.num_rows else []
    return FileStats(files=len(sizes), bytes=int(sum(sizes)))


def disk_files(table_uri: str) -> FileStats | None:
    """Data files under a local table's folder, referenced or not; None for remote URIs."""
    root = _local_path(table_uri)
    if root is None or not root.is_dir():
        return None
    files = 0
    size = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "_delta_log"]
        for name in names:
            if name.endswith(".parquet"):
                files += 1
                size += os.path.getsize(os.path.join(folder, name))
    return FileStats(files=files, bytes=size)


def _local_path(uri: str) -> Path | None:
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    return None if "://" in uri else Path(uri)


def parse_interval_hours(text: str) -> float | None:
    """Hours of a Delta interval property such as 'interval 7 days'; None if unreadable."""
    match = re.fullmatch(r"\s*interval\s+(\d+(?:\.\d+)?)\s+([a-z]+?)s?\s*", text.lower())
    if not match or match.group(2) not in _UNIT_HOURS:
        return None
    return float(match.group(1)) * _UNIT_HOURS[match.group(2)]


def table_retention_hours(table: DeltaTable) -> float:
    """The table's deleted-file retention; deltalake's one week when it sets none."""
    configured = table.metadata().configuration.get("delta.deletedFileRetentionDuration")
    hours = parse_interval_hours(configured) if configured else None
    return DEFAULT_RETENTION_HOURS if hours is None else hours


def table_target_bytes(table: DeltaTable, target_file_mb: float | None) -> int:
    if target_file_mb is not None:
        return int(target_file_mb * 1024 * 1024)
    configured = table.metadata().configuration.get("delta.targetFileSize")
    return int(configured) if configured and configured.isdigit() else DEFAULT_TARGET_BYTES


def oldest_version_kept(table: DeltaTable, retention_hours: float, now: datetime) -> int:
    """The oldest version time travel can still reach once files past retention are deleted.

    Vacuum deletes a file only when the commit that removed it is older than the cutoff, so
    the newest version committed before the cutoff still has every file it needs, and so has
    every later one.
    """
    cutoff_ms = (now - timedelta(hours=retention_hours)).timestamp() * 1000
    before = [int(c["version"]) for c in table.history() if c["timestamp"] < cutoff_ms]
    return max(before) if before else 0


# -- compaction -------------------------------------------------------------------------------


def _partitions(table: DeltaTable, name: str, target_bytes: int) -> list[_Partition]:
    """The table's files grouped by partition, with how many are below the target size."""
    keys = PARTITIONS.get(name, [])
    actions = _add_actions(table)
    groups: dict[tuple[Any, ...], _Partition] = {}
    for row in actions.to_pylist():
        values = {key: row[f"partition.{key}"] for key in keys}
        part = groups.setdefault(tuple(values.values()), _Partition(values))
        part.files.append(int(row["size_bytes"]))
        if row["size_bytes"] < target_bytes:
            part.small_files += 1
            part.small_bytes += int(row["size_bytes"])
    return list(groups.values())


def _filter_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def compact_table(
    warehouse: Warehouse,
    name: str,
    target_bytes: int | None = None,
    only: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> tuple[int, int]:
    """Merge the small files of each partition (or only of the partition `only` names).

    A partition with fewer than two small files is left alone: there is nothing to merge.
    Returns (partitions compacted, small files merged); in a dry run, what would be.
    """
    table = warehouse.table(name)
    target = target_bytes or table_target_bytes(table, None)
    partitions = 0
    merged = 0
    for part in _partitions(table, name, target):
        if only is not None and any(part.values.get(k) != v for k, v in only.items()):
            continue
        if part.small_files < 2:
            continue
        partitions += 1
        merged += part.small_files
        if dry_run:
            continue
        filters = [(k, "=", _filter_value(v)) for k, v in part.values.items()]
        table.optimize.compact(partition_filters=filters or None, target_size=target)
    return partitions, merged


AUDIT_TABLES = ("findings", "repos", "errors", "llm_passes")
"""The tables an audit run writes batch by batch (its `runs` row is rewritten in place)."""


def compact_after_run(warehouse: Warehouse, run_date: date) -> dict[str, int]:
    """Merge what one audit run wrote: its findings partition and the small tables.

    The audit writes a few repos at a time, so a run of thousands of repos leaves one small
    file per batch and table; merging them at the end keeps readers fast. `reviews` is left
    to `codeprism maintain`: the online path writes it all day. A failure (a concurrent
    writer touched the same files) is logged and leaves correct, merely unmerged, data.
    Returns the small files merged per table.
    """
    merged: dict[str, int] = {}
    for name in AUDIT_TABLES:
        only = {"run_date": run_date} if "run_date" in PARTITIONS.get(name, []) else None
        try:
            merged[name] = compact_table(warehouse, name, only=only)[1]
        except (DeltaError, OSError) as exc:
            log.warning("could not compact %s after the run (data is intact): %s", name, exc)
    return merged


# -- maintain: compact then vacuum every table -------------------------------------------------


def maintain(
    warehouse: Warehouse, options: MaintenanceOptions, now: datetime | None = None
) -> list[TableReport]:
    """Compact and vacuum every table of the warehouse; one report per table.

    A table that fails (for example a concurrent writer won the commit) gets a report with
    `error` set, and the other tables are still maintained.
    """
    names = [
        n
        for n in TABLES
        if DeltaTable.is_deltatable(
            warehouse.table_uri(n), storage_options=warehouse.storage_options
        )
    ]
    if not names:
        raise ConfigError(f"no warehouse tables under {warehouse.uri}")
    return [_maintain_table(warehouse, name, options, now or datetime.now(UTC)) for name in names]


def _maintain_table(
    warehouse: Warehouse, name: str, options: MaintenanceOptions, now: datetime
) -> TableReport:
    uri = warehouse.table_uri(name)
    table = warehouse.table(name)
    table_hours = table_retention_hours(table)
    hours = table_hours if options.retention_hours is None else options.retention_hours
    # Only a retention shorter than the table's needs the safety check off, and only when
    # the user asked for it explicitly; the default never turns it off.
    enforced = hours >= table_hours
    before = active_files(table)
    report = TableReport(
        table=name,
        active_before=before,
        active_after=before,
        disk_before=disk_files(uri),
        disk_after=None,
        version_before=table.version(),
        version_after=table.version(),
        oldest_version_kept=0,
        retention_hours=hours,
        retention_enforced=enforced,
    )
    try:
        partitions, merged = compact_table(
            warehouse,
            name,
            target_bytes=table_target_bytes(table, options.target_file_mb),
            dry_run=options.dry_run,
        )
        table = warehouse.table(name)
        vacuumed = table.vacuum(
            retention_hours=options.retention_hours,  # None: the table's own setting
            dry_run=options.dry_run,
            enforce_retention_duration=enforced,
            # full: also files no commit names (an interrupted write) and those whose
            # tombstones have expired from the log; still only past the retention
            full=True,
        )
        if not options.dry_run:
            table = warehouse.table(name)
            table.create_checkpoint()  # readers start from it instead of replaying every commit
    except DeltaError as exc:
        return replace(report, disk_after=disk_files(uri), error=str(exc))
    return replace(
        report,
        active_after=active_files(table),
        disk_after=disk_files(uri),
        version_after=table.version(),
        oldest_version_kept=oldest_version_kept(table, hours, now),
        partitions_compacted=partitions,
        files_compacted=merged,
        files_vacuumed=len(vacuumed),
    )
