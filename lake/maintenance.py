"""Table maintenance, safe while the sink appends: compaction toward a target file size, checkpoints,
vacuum with a retention that respects readers, and retention of rows (purpose limitation).

Compaction (delta-rs ``optimize.compact``) only rewrites files and commits with ``dataChange=false``;
a concurrent append commits on top of it (appends never conflict with compaction). Vacuum removes
files unreferenced for longer than ``retention_hours`` (default 168 h = 7 days), so a reader holding
an older snapshot keeps its files. Retention deletes rows older than the table's policy, one Delta
``DELETE`` per table; only whole partitions past the horizon and rows in the boundary day are touched.

>>> import tempfile
>>> from datetime import datetime, timezone
>>> horizon = retention_horizon(TABLES["dead_letters"], now=datetime(2026, 3, 31, tzinfo=timezone.utc))
>>> horizon.isoformat()
'2026-03-01T00:00:00+00:00'
>>> retention_predicate(TABLES["dead_letters"], horizon)
"event_date < '2026-03-01' OR event_time < '2026-03-01T00:00:00.000000Z'"
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter

from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from lake.datafiles import writer_properties
from lake.tables import TABLES, TableDef, table_uri

log = logging.getLogger(__name__)

DEFAULT_TARGET_FILE_BYTES = 128 * 1024 * 1024
DEFAULT_VACUUM_RETENTION_HOURS = 168


@dataclass
class CompactReport:
    table: str
    files_before: int
    files_after: int
    files_added: int = 0
    files_removed: int = 0
    vacuumed: int = 0
    version: int = 0
    elapsed_s: float = 0.0


@dataclass
class RetentionReport:
    table: str
    horizon: datetime
    rows_deleted: int = 0
    versions: list[int] = field(default_factory=list)


def open_table(root: str, table: TableDef, *, storage_options: dict[str, str] | None = None) -> DeltaTable | None:
    """The Delta table, or None when it does not exist yet (nothing written)."""
    try:
        return DeltaTable(table_uri(root, table.name), storage_options=storage_options)
    except TableNotFoundError:
        return None


def compact(
    root: str,
    table: TableDef,
    *,
    target_file_bytes: int = DEFAULT_TARGET_FILE_BYTES,
    vacuum_retention_hours: int = DEFAULT_VACUUM_RETENTION_HOURS,
    partition_date: str | None = None,
    storage_options: dict[str, str] | None = None,
) -> CompactReport | None:
    """Compact (one partition, or all), checkpoint, then vacuum files older than the retention."""
    dt = open_table(root, table, storage_options=storage_options)
    if dt is None:
        return None
    started = perf_counter()
    before = len(dt.file_uris())
    filters = [(table.partition_by, "=", partition_date)] if partition_date else None
    metrics = dt.optimize.compact(partition_filters=filters, target_size=target_file_bytes,  # type: ignore[arg-type]
                                  writer_properties=writer_properties(table))
    dt.update_incremental()
    dt.create_checkpoint()
    vacuumed = dt.vacuum(retention_hours=vacuum_retention_hours, dry_run=False,
                         enforce_retention_duration=vacuum_retention_hours >= 1)
    dt.update_incremental()
    return CompactReport(
        table=table.name, files_before=before, files_after=len(dt.file_uris()),
        files_added=int(metrics.get("numFilesAdded", 0)), files_removed=int(metrics.get("numFilesRemoved", 0)),
        vacuumed=len(vacuumed), version=dt.version(), elapsed_s=perf_counter() - started,
    )


def retention_horizon(table: TableDef, *, now: datetime) -> datetime:
    """Midnight UTC of the oldest day still kept (``now`` must be timezone-aware)."""
    day = (now - timedelta(days=table.retention_days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)


def retention_predicate(table: TableDef, horizon: datetime) -> str:
    stamp = horizon.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{table.partition_by} < '{horizon.date().isoformat()}' OR {table.time_column} < '{stamp}'"


def apply_retention(
    root: str,
    *,
    now: datetime,
    tables: list[TableDef] | None = None,
    storage_options: dict[str, str] | None = None,
) -> list[RetentionReport]:
    """Delete rows past each table's retention (``TableDef.retention_days``)."""
    reports = []
    for table in tables or list(TABLES.values()):
        dt = open_table(root, table, storage_options=storage_options)
        horizon = retention_horizon(table, now=now)
        report = RetentionReport(table.name, horizon)
        if dt is not None:
            metrics = dt.delete(retention_predicate(table, horizon), writer_properties=writer_properties(table))
            report.rows_deleted = int(metrics.get("num_deleted_rows", 0))
            report.versions.append(dt.version())
            log.info("retention %s: %d rows before %s deleted", table.name, report.rows_deleted, horizon.date())
        reports.append(report)
    return reports
