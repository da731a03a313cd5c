"""The idempotent Delta writer: one commit per table per flush, carrying one Delta transaction id
per source partition (``app_id`` = group:topic:partition, ``version`` = last offset written).

Before writing, the writer reads each app id's committed version and drops what is already in the
table (a whole slice, or the rows of a slice up to that version), so a redelivered batch after a
crash, a rebalance or a restart never adds a row twice. A commit conflict reloads the table and
checks again before retrying.

>>> import tempfile, pyarrow as pa
>>> from datetime import datetime, timezone
>>> from lake.tables import TABLES
>>> root = tempfile.mkdtemp()
>>> writer = LakeWriter(root)
>>> when = datetime(2026, 3, 2, tzinfo=timezone.utc)
>>> rows = pa.table({"dead_letter_id": ["d1"], "event_time": [when], "event_date": [when.date()],
...     "source_topic": ["cx.deadletter.v1"], "source_partition": [0], "source_offset": [7]})
>>> s = Slice(app_id="g:cx.deadletter.v1:0", first_offset=7, last_offset=7, rows=rows)
>>> writer.append(TABLES["dead_letters"], [s]).rows_written
1
>>> writer.append(TABLES["dead_letters"], [s]).rows_written  # redelivered: skipped
0
>>> writer.committed_version(TABLES["dead_letters"], "g:cx.deadletter.v1:0")
7
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import (
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    Field,
    Schema,
    Transaction,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from lake.exceptions import LakeWriteError
from lake.schema import added_fields
from lake.tables import TableDef, table_uri

log = logging.getLogger(__name__)


def app_id(group: str, topic: str, partition: int) -> str:
    """The Delta transaction id of one source partition.

    >>> app_id("loopline-lake", "cx.interactions.v1", 3)
    'loopline-lake:cx.interactions.v1:3'
    """
    return f"{group}:{topic}:{partition}"


@dataclass(frozen=True)
class Slice:
    """The rows of one source partition in one flush, with the offsets they cover."""

    app_id: str
    first_offset: int
    last_offset: int
    rows: pa.Table  # must carry ``source_offset``


@dataclass
class WriteResult:
    table: str
    rows_written: int = 0
    rows_skipped: int = 0
    slices_skipped: list[str] = field(default_factory=list)
    version: int | None = None
    attempts: int = 0


def writer_properties(table: TableDef) -> WriterProperties:
    """Parquet settings: zstd, and no column statistics on texts and identifiers (the footers of
    data files then hold no masked text or token as a min/max)."""
    no_stats = ColumnProperties(statistics_enabled="NONE")
    private = [f.name for f in table.schema if f.name.endswith("_token") or f.name in table.text_columns]
    return WriterProperties(compression="ZSTD", column_properties=dict.fromkeys(private, no_stats))


class LakeWriter:
    """Appends rows to the lake's Delta tables exactly once per (app id, offset)."""

    def __init__(
        self,
        root: str,
        *,
        storage_options: dict[str, str] | None = None,
        max_attempts: int = 8,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.root = root
        self.storage_options = storage_options
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._tables: dict[str, DeltaTable] = {}

    # -- tables --------------------------------------------------------------------------
    def uri(self, table: TableDef) -> str:
        return table_uri(self.root, table.name)

    def table(self, table: TableDef) -> DeltaTable:
        """The Delta table, created on first use and evolved (additively) to its declaration."""
        cached = self._tables.get(table.name)
        if cached is not None:
            try:
                cached.update_incremental()
                return cached
            except DeltaError:  # e.g. the log was cleaned up under us (erasure): reopen
                self._tables.pop(table.name, None)
        dt = self._open_or_create(table)
        new = added_fields(dt.schema(), table.schema, table=table.name)
        if new:
            log.info("table %s: adding columns %s", table.name, [f.name for f in new])
            dt.alter.add_columns([_delta_field(f) for f in new])
            dt.update_incremental()
        self._tables[table.name] = dt
        return dt

    def _open_or_create(self, table: TableDef) -> DeltaTable:
        uri = self.uri(table)
        try:
            return DeltaTable(uri, storage_options=self.storage_options)
        except TableNotFoundError:
            pass
        try:
            return DeltaTable.create(
                uri, table.schema, mode="ignore", partition_by=[table.partition_by],
                configuration=table.configuration, storage_options=self.storage_options,
                name=table.name,
            )
        except (CommitFailedError, DeltaError):  # another writer created it first
            return DeltaTable(uri, storage_options=self.storage_options)

    def committed_version(self, table: TableDef, app: str) -> int | None:
        """The last source offset committed to ``table`` for app id ``app`` (None: nothing yet)."""
        return self.table(table).transaction_version(app)

    # -- writes --------------------------------------------------------------------------
    def append(self, table: TableDef, slices: Sequence[Slice], *, dedupe_keys: bool = False) -> WriteResult:
        """Append the slices' new rows in one commit with their transaction ids; skip the rows a
        previous commit already holds. Retries commit conflicts (reloading and re-checking).

        Rows repeating a key within the flush are dropped; with ``dedupe_keys`` also rows whose key
        is already in the table's partitions of the same dates (for topics whose producers
        deliver at least once: a redelivered record has a new offset but the same key)."""
        result = WriteResult(table.name)
        for attempt in range(1, self.max_attempts + 1):
            result.attempts = attempt
            dt = self.table(table)
            todo, txns = [], []
            result.rows_skipped, result.slices_skipped = 0, []
            for s in slices:
                done = dt.transaction_version(s.app_id)
                rows = s.rows
                if done is not None and done >= s.last_offset:
                    result.slices_skipped.append(s.app_id)
                    result.rows_skipped += rows.num_rows
                    continue
                if done is not None and done >= s.first_offset:
                    keep = pc.greater(rows.column("source_offset"), pa.scalar(done, pa.int64()))
                    result.rows_skipped += rows.num_rows - pc.sum(pc.cast(keep, pa.int64())).as_py()
                    rows = rows.filter(keep)
                todo.append(rows)
                txns.append(Transaction(app_id=s.app_id, version=s.last_offset))
            if not txns:
                result.version = dt.version()
                return result
            data = conform(pa.concat_tables(todo, promote_options="permissive") if len(todo) > 1 else todo[0],
                           table.schema)
            before = data.num_rows
            data = first_per_key(data, table.key)
            if dedupe_keys and data.num_rows:
                data = without_stored_keys(dt, data, table)
            result.rows_skipped += before - data.num_rows
            try:
                write_deltalake(
                    dt, data, mode="append", partition_by=[table.partition_by],
                    writer_properties=writer_properties(table),
                    commit_properties=CommitProperties(app_transactions=txns, max_commit_retries=3),
                    storage_options=self.storage_options,
                )
            except CommitFailedError as exc:
                if attempt == self.max_attempts:
                    raise LakeWriteError(
                        f"table {table.name}: commit failed after {attempt} attempts: {exc}"
                    ) from exc
                log.warning("table %s: commit conflict (attempt %d): %s", table.name, attempt, exc)
                self._tables.pop(table.name, None)
                self._sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
                continue
            result.rows_written = data.num_rows
            dt.update_incremental()
            result.version = dt.version()
            return result
        raise LakeWriteError(f"table {table.name}: no commit after {self.max_attempts} attempts")


def first_per_key(data: pa.Table, key: str) -> pa.Table:
    """The first row of each key, in order.

    >>> first_per_key(pa.table({"k": ["a", "b", "a"], "v": [1, 2, 3]}), "k").to_pydict()
    {'k': ['a', 'b'], 'v': [1, 2]}
    """
    if pc.count_distinct(data.column(key)).as_py() == data.num_rows:
        return data
    seen: set[str] = set()
    keep = []
    for i, value in enumerate(data.column(key).to_pylist()):
        if value not in seen:
            seen.add(value)
            keep.append(i)
    return data if len(keep) == data.num_rows else data.take(keep)


def without_stored_keys(dt: DeltaTable, data: pa.Table, table: TableDef) -> pa.Table:
    """``data`` minus the rows whose key the table already holds (same dates only: a key is
    deterministic, so its date is too)."""
    dates = pc.unique(data.column(table.partition_by))
    stored = dt.to_pyarrow_dataset().to_table(
        columns=[table.key], filter=pc.field(table.partition_by).isin(dates)
    ).column(table.key)
    if len(stored) == 0:
        return data
    return data.filter(pc.invert(pc.is_in(data.column(table.key), value_set=stored.combine_chunks())))


def conform(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """``data`` with exactly ``schema``'s columns, in order and types (missing ones as nulls).

    >>> conform(pa.table({"b": [1]}), pa.schema([("a", pa.string()), ("b", pa.int64())])).to_pylist()
    [{'a': None, 'b': 1}]
    """
    if data.schema.equals(schema):
        return data
    columns = []
    for f in schema:
        if f.name in data.column_names:
            columns.append(data.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(data.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _delta_field(f: pa.Field) -> Field:
    return Schema.from_arrow(pa.schema([f])).fields[0]
