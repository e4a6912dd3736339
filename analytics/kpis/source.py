"""Where the KPIs read from: the warehouse's Delta tables as polars LazyFrames, now or earlier.

A `KpiSource` pins one Delta version per table the first time that table is used, so every
KPI computed from the same source sees the same data, even while an audit keeps writing.
Make a new source to see newer data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError, TableNotFoundError

from codeprism.schema import TABLES
from codeprism.warehouse import Warehouse

VISIBLE_STATUS = "succeeded"
"""The only run status the KPIs count: running, failed and quarantined runs are invisible."""

REPORTED = pl.col("suppression").is_null()
"""The findings the KPIs count: not accepted by an in-source marker or a baseline file
(codeprism.suppressions). Rows of tables older than schema version 3 read as reported."""


class KpiInputError(ValueError):
    """A KPI was asked for something the warehouse cannot answer (unknown run, bad version)."""


@dataclass(frozen=True)
class KpiSource:
    """The warehouse tables as LazyFrames, as they are now or were at an earlier point.

    - `warehouse_uri`: the warehouse root (a local path, or any URI deltalake reads, with
      `storage_options` for its credentials); each table is `<uri>/<name>`.
    - `version`: Delta time travel by version number, **per table**: a mapping such as
      `{"runs": 3, "findings": 7}`. Every table has its own version counter, so a single
      number would mean unrelated states of different tables; an int is refused. Tables not
      named are read at their latest version. `KpiSource.versions()` of an earlier source
      gives a mapping that reproduces exactly what it saw.
    - `as_of`: Delta time travel by time, for **every** table: each one is read at its last
      version committed at or before this instant (timezone-aware; a table created after it
      reads as empty). This is the way to see "the warehouse as it was on Monday".

    `version` and `as_of` exclude each other. Tables missing from the warehouse read as empty
    frames with their schema, so a warehouse without reviews still answers the audit KPIs.
    """

    warehouse_uri: str
    version: Mapping[str, int] | None = None
    as_of: datetime | None = None
    storage_options: dict[str, str] | None = None
    _tables: dict[str, DeltaTable | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _scans: dict[str, pl.LazyFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.version is not None and self.as_of is not None:
            raise KpiInputError("give either version (per table) or as_of (a time), not both")
        if self.version is not None:
            if not isinstance(self.version, Mapping):
                raise KpiInputError(
                    "version must map table names to Delta versions, e.g. {'findings': 3}: "
                    "each table counts its versions separately; use as_of for one point in time"
                )
            for name, number in self.version.items():
                if name not in TABLES:
                    raise KpiInputError(f"version names an unknown table {name!r}")
                if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                    raise KpiInputError(f"version of {name!r} must be an int >= 0, got {number!r}")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise KpiInputError("as_of must be timezone-aware, e.g. datetime(..., tzinfo=UTC)")
        # The same normalisation as the writer, so both name the same table locations.
        object.__setattr__(
            self, "warehouse_uri", Warehouse(self.warehouse_uri, self.storage_options).uri
        )

    # -- tables --------------------------------------------------------------------------

    def scan(self, name: str) -> pl.LazyFrame:
        """The table `name` as a LazyFrame at this source's pinned version of it."""
        if name not in TABLES:
            raise KpiInputError(f"unknown warehouse table {name!r}")
        if name not in self._scans:
            self._scans[name] = self._scan(name)
        return self._scans[name]

    def _scan(self, name: str) -> pl.LazyFrame:
        # The table object is loaded once at the pinned version and handed to scan_delta, so
        # a query does not read the Delta log again: a pinned version's files never change.
        table = self._table(name)
        if table is None:
            return pl.LazyFrame(schema=empty_schema(name))
        scan = pl.scan_delta(table)
        # A table an older codeprism wrote lacks the newer (nullable) columns: read as null.
        have = set(scan.collect_schema().names())
        missing = {c: t for c, t in empty_schema(name).items() if c not in have}
        if missing:
            scan = scan.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in missing.items())
        return scan

    def versions(self) -> dict[str, int]:
        """The Delta version read from each existing table (pins every table not yet used)."""
        pinned = {name: self._version_of(name) for name in TABLES}
        return {name: number for name, number in pinned.items() if number is not None}

    def runs(self) -> pl.LazyFrame:
        """Every run row, whatever its status."""
        return self.scan("runs")

    def visible_runs(self) -> pl.LazyFrame:
        """The runs the KPIs count: status 'succeeded' only."""
        return self.scan("runs").filter(pl.col("status") == VISIBLE_STATUS)

    def repos(self) -> pl.LazyFrame:
        return self.scan("repos")

    def findings(self) -> pl.LazyFrame:
        """The reported findings: every KPI counts and lists these, and only these.

        An accepted finding (column `suppression` not null: a marker such as `nosec`, or
        "baseline") keeps its row in the warehouse but is never reported; `suppressed_findings`
        reads those rows."""
        return self.scan("findings").filter(REPORTED)

    def suppressed_findings(self) -> pl.LazyFrame:
        """The accepted findings rows (column `suppression` not null), which no other KPI sees."""
        return self.scan("findings").filter(~REPORTED)

    def errors(self) -> pl.LazyFrame:
        return self.scan("errors")

    def reviews(self) -> pl.LazyFrame:
        return self.scan("reviews")

    def llm_passes(self) -> pl.LazyFrame:
        return self.scan("llm_passes")

    # -- version pinning -----------------------------------------------------------------

    def _version_of(self, name: str) -> int | None:
        """The version this source reads of `name`; None when the table does not exist (then)."""
        table = self._table(name)
        return None if table is None else table.version()

    def _table(self, name: str) -> DeltaTable | None:
        """`name` loaded at this source's version or time, once: the version it settles on is
        what this source reads from then on. None when the table does not exist (then)."""
        if name not in self._tables:
            self._tables[name] = self._load(name)
        return self._tables[name]

    def _load(self, name: str) -> DeltaTable | None:
        uri = f"{self.warehouse_uri}/{name}"
        try:
            table = DeltaTable(uri, storage_options=self.storage_options)
        except TableNotFoundError:
            return None
        wanted = self.version.get(name) if self.version else None
        try:
            if wanted is not None:
                table.load_as_version(wanted)
            elif self.as_of is not None:
                created = datetime.fromtimestamp(table.metadata().created_time / 1000, UTC)
                if self.as_of < created:
                    return None
                table.load_as_version(self.as_of)
        except DeltaError as exc:
            point = f"version {wanted}" if wanted is not None else f"as_of {self.as_of}"
            raise KpiInputError(
                f"table {name!r} cannot be read at {point} (latest version "
                f"{table.version()}): {exc}"
            ) from None
        return table


def empty_schema(name: str) -> dict[str, Any]:
    """The polars schema of an empty warehouse table, from the Arrow contract."""
    return dict(pl.from_arrow(TABLES[name].empty_table()).schema)  # type: ignore[union-attr]
