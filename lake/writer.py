"""The idempotent Delta writer: one commit per table per flush, carrying one Delta transaction id
per source partition (``app_id`` = group:topic:partition, ``version`` = last offset written).

Before writing, the writer reads each app id's committed version and drops what is already in the
table (a whole slice, or the rows of a slice up to that version), so a redelivered batch after a
crash, a rebalance or a restart never adds a row twice. A commit conflict reloads the table and
checks again before retrying.

The data files are written with pyarrow (:mod:`lake.datafiles`: one zstd Parquet file per date,
statistics computed here, none on texts or tokens) and committed with
``DeltaTable.create_write_transaction``, which carries the transaction ids and runs Delta's conflict
check; this costs about half of delta-rs's ``write_deltalake`` per batch. The commit is read back,
and the checkpoint due every ``delta.checkpointInterval`` commits written, on a helper thread while
the caller prepares the next batch (:mod:`lake.handle`).

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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import (
    CommitProperties,
    DeltaTable,
    Field,
    Schema,
    Transaction,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, PostCommitHookProperties, RemoveAction

from lake.datafiles import FileWriter, stats_columns
from lake.exceptions import LakeWriteError
from lake.handle import StaleHandle, TableHandle
from lake.schema import added_fields
from lake.tables import TableDef, table_uri

log = logging.getLogger(__name__)

#: checkpoints and log cleanup are done by the read-back after the commit (lake.handle)
_HOOKS_IN_READ_BACK = PostCommitHookProperties(create_checkpoint=False, cleanup_expired_logs=False)


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
    """What one append did. ``version`` is the table version reached by reading the commit back; it
    is set in the background (None until then, the writer's next call waits for it)."""

    table: str
    rows_written: int = 0
    rows_skipped: int = 0
    slices_skipped: list[str] = field(default_factory=list)
    version: int | None = None
    attempts: int = 0


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
        self._handles: dict[str, TableHandle] = {}
        self._executor: ThreadPoolExecutor | None = None

    # -- tables --------------------------------------------------------------------------
    def uri(self, table: TableDef) -> str:
        return table_uri(self.root, table.name)

    def table(self, table: TableDef) -> DeltaTable:
        """The Delta table at its latest version, created on first use and evolved (additively) to
        its declaration."""
        return self._handle(table, fresh=True).dt

    def committed_version(self, table: TableDef, app: str) -> int | None:
        """The last source offset committed to ``table`` for app id ``app`` (None: nothing yet)."""
        return self._handle(table, fresh=True).versions([app])[app]

    def _handle(self, table: TableDef, *, fresh: bool = False) -> TableHandle:
        """The open table, settled (no read-back pending); read to its latest version if ``fresh``."""
        cached = self._handles.get(table.name)
        if cached is not None:
            try:
                cached.settle()
                if fresh:
                    cached.advance()
                return cached
            except (StaleHandle, DeltaError):  # e.g. the log was cleaned up under us (erasure): reopen
                self._handles.pop(table.name, None)
        dt = self._open_or_create(table)
        new = added_fields(dt.schema(), table.schema, table=table.name)
        if new:
            log.info("table %s: adding columns %s", table.name, [f.name for f in new])
            dt.alter.add_columns([_delta_field(f) for f in new])
            dt.update_incremental()
        config = dt.metadata().configuration
        handle = TableHandle(
            dt, dt.schema(), stats_columns(table, configured=config.get("delta.dataSkippingStatsColumns")),
            FileWriter(self.uri(table), storage_options=self.storage_options),
            checkpoint_every=max(1, int(config.get("delta.checkpointInterval") or 100)),
            log_cleanup=(config.get("delta.enableExpiredLogCleanup") or "true").lower() != "false",
        )
        self._handles[table.name] = handle
        return handle

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

    # -- writes --------------------------------------------------------------------------
    def append(self, table: TableDef, slices: Sequence[Slice], *, dedupe_keys: bool = False) -> WriteResult:
        """Append the slices' new rows in one commit with their transaction ids; skip the rows a
        previous commit already holds. Retries commit conflicts (reloading and re-checking).

        Rows repeating a key within the flush are dropped; with ``dedupe_keys`` also rows whose key
        is already in the table's partitions of the same dates (for topics whose producers
        deliver at least once: a redelivered record has a new offset but the same key).

        The versions checked are the table's as last read plus this writer's own commits (see
        :mod:`lake.handle`); they are checked again just before the commit, and a commit carrying an
        app id that another writer committed after that read (a new owner of the partition, a
        zombie) is refused by Delta's conflict check, which makes this writer reload, check again
        and drop what is now written. ``version`` in the result is set once the commit is read back
        (in the background; the next call on this writer waits for it)."""
        result = WriteResult(table.name)
        apps = [s.app_id for s in slices]
        refused = 0
        for attempt in range(1, self.max_attempts + 1):
            result.attempts = attempt
            handle = self._handles.get(table.name)
            used = handle.known_versions(apps) if handle is not None and not dedupe_keys else None
            if handle is None or used is None:  # the table is needed now: wait for the read-back
                handle = self._handle(table)
                used = handle.versions(apps)
            data, txns = _new_rows(slices, used, result)
            if not txns:
                result.version = self._handle(table).dt.version()
                return result
            data = conform(data, table.schema)
            before = data.num_rows
            data = first_per_key(data, table.key)
            if dedupe_keys and data.num_rows:
                data = without_stored_keys(handle.dt, data, table)
            result.rows_skipped += before - data.num_rows
            actions: list[AddAction | RemoveAction] = (
                [*handle.files.write(data, table=table, stats_on=handle.stats_on)] if data.num_rows else []
            )
            try:
                dt = handle.settle()
            except StaleHandle as exc:  # the read-back failed: nothing was committed, reopen
                log.warning("table %s: reopening (%s)", table.name, exc)
                handle.files.discard(actions)
                self._handles.pop(table.name, None)
                continue
            if handle.versions(apps) != used:  # another writer moved on while we wrote: again
                handle.files.discard(actions)
                continue
            try:
                dt.create_write_transaction(
                    actions, mode="append", schema=handle.schema, partition_by=[table.partition_by],
                    commit_properties=CommitProperties(app_transactions=txns, max_commit_retries=3),
                    post_commithook_properties=_HOOKS_IN_READ_BACK,
                )
            except CommitFailedError as exc:
                if attempt == self.max_attempts:
                    raise LakeWriteError(
                        f"table {table.name}: commit failed after {attempt} attempts: {exc}"
                    ) from exc
                log.warning("table %s: commit conflict (attempt %d): %s", table.name, attempt, exc)
                self._handles.pop(table.name, None)
                self._sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
                continue
            except DeltaError as exc:  # e.g. the log was cleaned up under the snapshot: reopen once
                self._handles.pop(table.name, None)
                refused += 1
                if refused > 1 or attempt == self.max_attempts:
                    raise LakeWriteError(f"table {table.name}: commit failed: {exc}") from exc
                log.warning("table %s: commit error, reopening (attempt %d): %s", table.name, attempt, exc)
                continue
            handle.record({t.app_id: t.version for t in txns})
            result.rows_written = data.num_rows
            self._read_back(handle, result)
            return result
        raise LakeWriteError(f"table {table.name}: no commit after {self.max_attempts} attempts")

    def _read_back(self, handle: TableHandle, result: WriteResult) -> None:
        """Advance the handle past this writer's commit on a helper thread (the next commit is based
        on it), then fill in ``result.version``."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lake-read-back")

        def run() -> None:
            handle.advance(own_commits=1)
            result.version = handle.dt.version()

        handle.pending(self._executor.submit(run))


def _new_rows(
    slices: Sequence[Slice], done_by_app: Mapping[str, int | None], result: WriteResult
) -> tuple[pa.Table, list[Transaction]]:
    """The slices' rows after each app id's committed version, and the transactions recording them;
    counts what is skipped in ``result``."""
    todo, txns = [], []
    result.rows_skipped, result.slices_skipped = 0, []
    for s in slices:
        done = done_by_app.get(s.app_id)
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
    if len(todo) == 1:
        return todo[0], txns
    return (pa.concat_tables(todo, promote_options="permissive") if todo else pa.table({})), txns


def first_per_key(data: pa.Table, key: str) -> pa.Table:
    """The first row of each key, in order.

    >>> first_per_key(pa.table({"k": ["a", "b", "a"], "v": [1, 2, 3]}), "k").to_pydict()
    {'k': ['a', 'b'], 'v': [1, 2]}
    """
    if len(pc.unique(data.column(key))) == data.num_rows:  # the usual case; unique() is the cheap test
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
