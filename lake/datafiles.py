"""The data files of one Delta append, written with pyarrow: one zstd Parquet file per partition
value, and the ``add`` action (path, partition values, size, statistics JSON) that commits it.

delta-rs's own writer spends about twice as long as ``pyarrow.parquet.write_table`` on the same
batch; writing the files here and committing them with ``DeltaTable.create_write_transaction``
keeps the Delta protocol (same layout ``<partition>=<value>/part-…-c000.zstd.parquet``, same
statistics) at the cost of the plain Parquet write. The privacy rule is the writer's: texts and
``*_token`` columns have no statistics, neither in the Parquet footers nor in the Delta log.

>>> import pyarrow as pa
>>> from datetime import date, datetime, timezone
>>> when = [datetime(2026, 3, 2, 13, 0, 0, 1500, tzinfo=timezone.utc), None]
>>> part = pa.table({"event_time": pa.array(when, pa.timestamp("us", tz="UTC")), "text": ["a", "b"]})
>>> stats_json(part, columns=["event_time"])
'{"numRecords":2,"minValues":{"event_time":"2026-03-02T13:00:00.001Z"},"maxValues":{"event_time":"2026-03-02T13:00:00.002Z"},"nullCount":{"event_time":1}}'
>>> data = pa.table({"event_date": [date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 2)], "n": [1, 2, 3]})
>>> [(value, rows.column("n").to_pylist()) for value, rows in split_partitions(data, "event_date")]
[('2026-03-01', [2]), ('2026-03-02', [1, 3])]
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import ColumnProperties, WriterProperties
from deltalake.transaction import AddAction, RemoveAction
from pyarrow import fs as pafs

from lake.exceptions import LakeWriteError
from lake.tables import TableDef

#: Hive's name for a null partition value (what delta-rs and Spark write).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.-]+$")
_MS = timedelta(milliseconds=1)


def private_columns(table: TableDef) -> list[str]:
    """Columns that must never have statistics: masked texts and tokens.

    >>> from lake.tables import TABLES
    >>> private_columns(TABLES["interactions"])
    ['customer_token', 'text', 'slot_value', 'reason', 'agent_token']
    """
    return [f.name for f in table.schema if f.name.endswith("_token") or f.name in table.text_columns]


def writer_properties(table: TableDef) -> WriterProperties:
    """delta-rs's Parquet settings for the files it rewrites (compaction, retention and erasure
    deletes): zstd, and no column statistics on :func:`private_columns`, as :func:`parquet_options`
    for the files the writer writes itself."""
    no_stats = ColumnProperties(statistics_enabled="NONE")
    return WriterProperties(compression="ZSTD", column_properties=dict.fromkeys(private_columns(table), no_stats))


def stats_columns(table: TableDef, *, configured: str | None = None) -> list[str]:
    """The columns whose min/max/null count go into the add action: the table's
    ``delta.dataSkippingStatsColumns`` (``configured``, else the declaration), never a partition
    column (its value is in the path) and never a private column, whatever the configuration says.

    >>> from lake.tables import TABLES
    >>> stats_columns(TABLES["interactions"], configured="event_time,event_date,customer_token")
    ['event_time']
    """
    names = [c.strip() for c in configured.split(",")] if configured else list(table.stats_columns)
    private = set(private_columns(table))
    return [c for c in names if c and c != table.partition_by and c not in private and c in table.schema.names]


def partition_value(value: object, *, column: str) -> str | None:
    """The Delta ``partitionValues`` string of one partition value (None for null).

    >>> partition_value(date(2026, 3, 2), column="event_date"), partition_value(None, column="event_date")
    ('2026-03-02', None)
    """
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, bool | float) or not _SAFE_VALUE.match(text):
        raise LakeWriteError(f"partition column {column}: value {text!r} is not a date, an integer or a plain word")
    return text


def split_partitions(data: pa.Table, column: str) -> list[tuple[str | None, pa.Table]]:
    """The rows of each partition value (sorted, null last), without the partition column (the
    value lives in the file's path, as delta-rs writes it)."""
    rest = data.drop_columns([column])
    values = data.column(column)
    distinct = pc.unique(values)
    if len(distinct) == 1:
        return [(partition_value(distinct[0].as_py(), column=column), rest)]
    out: list[tuple[str | None, pa.Table]] = []
    for value in sorted(distinct.to_pylist(), key=lambda v: (v is None, v)):
        mask = pc.is_null(values) if value is None else pc.equal(values, pa.scalar(value, values.type))
        out.append((partition_value(value, column=column), rest.filter(mask)))
    return out


def stats_json(data: pa.Table, *, columns: Iterable[str]) -> str:
    """The add action's ``stats``: ``numRecords`` and, per column, the null count and (for numbers,
    dates and timestamps) min and max. Timestamps are kept to the millisecond as the protocol
    says: the minimum rounded down and the maximum rounded up, so both still bound every row."""
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    for name in columns:
        if name not in data.column_names:
            continue
        column = data.column(name)
        nulls[name] = column.null_count
        low, high = _bounds(column)
        if low is not None and high is not None:
            mins[name], maxs[name] = low, high
    stats = {"numRecords": data.num_rows, "minValues": mins, "maxValues": maxs, "nullCount": nulls}
    return json.dumps(stats, separators=(",", ":"), allow_nan=False)


def _bounds(column: pa.ChunkedArray) -> tuple[Any, Any]:
    kind = column.type
    if column.null_count == len(column) or not (
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
    ):
        return None, None
    found = pc.min_max(column)
    low, high = found["min"].as_py(), found["max"].as_py()
    if pa.types.is_timestamp(kind):
        if kind.tz is None:  # a Delta ``timestamp_ntz``: no zone suffix
            return _ms_text(low, up=False, zone=""), _ms_text(high, up=True, zone="")
        return _ms_text(low, up=False, zone="Z"), _ms_text(high, up=True, zone="Z")
    if pa.types.is_date(kind):
        return low.isoformat(), high.isoformat()
    if pa.types.is_floating(kind) and (
        not (math.isfinite(low) and math.isfinite(high)) or pc.any(pc.is_nan(column)).as_py()
    ):
        return None, None  # NaN/inf: engines order NaN differently, and JSON has no NaN
    return low, high


def _ms_text(value: datetime, *, up: bool, zone: str) -> str:
    trimmed = value.replace(microsecond=value.microsecond // 1000 * 1000)
    if up and trimmed != value:
        trimmed += _MS
    return trimmed.replace(tzinfo=None).isoformat(timespec="milliseconds") + zone


#: columns whose values never repeat within a file: a dictionary page there is pure overhead
UNIQUE_PER_ROW = ("source_offset",)


def parquet_options(table: TableDef, columns: Sequence[str]) -> dict[str, Any]:
    """``pq.write_table`` options: zstd; statistics for every column but the private ones; dictionary
    encoding for every column but those unique per row (the key, the source offset, event time).

    >>> from lake.tables import TABLES
    >>> options = parquet_options(TABLES["dead_letters"], ["dead_letter_id", "event_time", "reason", "field"])
    >>> options["write_statistics"], options["use_dictionary"]
    (['dead_letter_id', 'event_time', 'field'], ['reason', 'field'])
    """
    private = set(private_columns(table))
    unique = {table.key, table.time_column, *UNIQUE_PER_ROW}
    return {
        "compression": "zstd",
        "write_statistics": [c for c in columns if c not in private],
        "use_dictionary": [c for c in columns if c not in unique],
    }


def filesystem(uri: str, storage_options: dict[str, str] | None) -> tuple[pafs.FileSystem, str, bool]:
    """The pyarrow filesystem for a table location, the table's root in it, and whether it is local
    (local files are written under a temporary name and renamed, as delta-rs's object store does,
    so a crash mid-write never leaves a truncated ``.parquet``)."""
    if uri.startswith("file://") or not re.match(r"^[a-z][a-z0-9+.-]*://", uri):
        return pafs.LocalFileSystem(), os.path.abspath(uri.removeprefix("file://")), True
    from deltalake.fs import DeltaStorageHandler

    return pafs.PyFileSystem(DeltaStorageHandler(uri, options=storage_options)), "", False


class FileWriter:
    """Writes one append's data files under a table root and returns their add actions."""

    def __init__(self, uri: str, *, storage_options: dict[str, str] | None = None) -> None:
        self.fs, self.root, self.local = filesystem(uri, storage_options)
        self._dirs: set[str] = set()

    def write(self, data: pa.Table, *, table: TableDef, stats_on: Sequence[str]) -> list[AddAction]:
        """One file per partition value of ``data``; nothing is committed here."""
        _check_required(data, table)
        actions = []
        for value, rows in split_partitions(data, table.partition_by):
            folder = f"{table.partition_by}={NULL_PARTITION if value is None else value}"
            rel = f"{folder}/part-00000-{uuid.uuid4()}-c000.zstd.parquet"
            size = self._write_file(rows, folder, rel, parquet_options(table, rows.column_names))
            actions.append(AddAction(
                path=rel, size=size, partition_values={table.partition_by: value},
                modification_time=int(time.time() * 1000), data_change=True,
                stats=stats_json(rows, columns=stats_on),
            ))
        return actions

    def discard(self, actions: Sequence[AddAction | RemoveAction]) -> None:
        """Delete files written for a commit that will not be made (best effort: an unreferenced
        file is harmless, vacuum removes it)."""
        for action in actions:
            with contextlib.suppress(OSError):
                self.fs.delete_file(self._full(action.path))

    def _full(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    def _write_file(self, rows: pa.Table, folder: str, rel: str, options: dict[str, Any]) -> int:
        if folder not in self._dirs:
            self.fs.create_dir(self._full(folder), recursive=True)
            self._dirs.add(folder)
        target = self._full(rel)
        staging = f"{target}.{uuid.uuid4().hex[:8]}.tmp" if self.local else target
        with self.fs.open_output_stream(staging) as out:
            pq.write_table(rows, out, **options)
            size = out.tell()
        if staging != target:
            self.fs.move(staging, target)
        return int(size)


def _check_required(data: pa.Table, table: TableDef) -> None:
    for f in data.schema:  # conformed to the declaration: its nullability is the table's
        if not f.nullable and (nulls := data.column(f.name).null_count):
            raise LakeWriteError(f"table {table.name}: column {f.name} is required but {nulls} rows hold null")
