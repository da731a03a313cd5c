"""The idempotent writer: transaction ids per source partition make redelivery harmless."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lake.exceptions import SchemaEvolutionError
from lake.rows import RowBuilder
from lake.tables import TABLES, TableDef
from lake.writer import LakeWriter, Slice
from topics.events import Event

from .conftest import located

INTERACTIONS = TABLES["interactions"]
APP = "g:cx.interactions.v1:0"
APP1 = "g:cx.interactions.v1:1"


def _ids(lake_dir: str) -> list[str]:
    return DeltaTable(f"{lake_dir}/interactions").to_pyarrow_table(columns=["event_id"]).column("event_id").to_pylist()


def test_redelivered_batch_is_skipped_and_overlap_keeps_only_new_rows(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    rows = builder.interactions(located(sim_events[:100]))
    first = writer.append(INTERACTIONS, [Slice(APP, 0, 99, rows)])
    again = writer.append(INTERACTIONS, [Slice(APP, 0, 99, rows)])  # crash before the offset commit
    overlap = builder.interactions(located(sim_events[50:150], first_offset=50))
    third = writer.append(INTERACTIONS, [Slice(APP, 50, 149, overlap)])  # 50..99 already written
    assert (first.rows_written, again.rows_written, third.rows_written) == (100, 0, 50)
    assert again.slices_skipped == [APP] and third.rows_skipped == 50
    ids = _ids(lake_dir)
    assert sorted(ids) == sorted(e.id for e in sim_events[:150]) and len(ids) == len(set(ids))
    assert writer.committed_version(INTERACTIONS, APP) == 149


def test_one_commit_carries_a_transaction_per_partition(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    p0 = builder.interactions(located(sim_events[:10], partition=0, first_offset=5))
    p1 = builder.interactions(located(sim_events[10:20], partition=1, first_offset=40))
    result = writer.append(INTERACTIONS, [Slice(APP, 5, 14, p0), Slice("g:cx.interactions.v1:1", 40, 49, p1)])
    dt = DeltaTable(f"{lake_dir}/interactions")
    assert result.rows_written == 20 and dt.version() == 1  # create + one append
    assert (dt.transaction_version(APP), dt.transaction_version("g:cx.interactions.v1:1")) == (14, 49)


def test_key_dedupe_drops_a_record_redelivered_at_a_new_offset(lake_dir: str) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 3, 2, tzinfo=UTC)
    table = TABLES["slo_windows"]

    def batch(offset: int) -> pa.Table:
        return pa.table({"window_id": ["w1"], "sli": ["s"], "window_start": [when], "window_end": [when],
                         "event_time": [when], "event_date": [when.date()], "window_ms": [60_000],
                         "source_topic": ["cx.slo.v1"], "source_partition": [0], "source_offset": [offset]})

    writer = LakeWriter(lake_dir)
    writer.append(table, [Slice("g:cx.slo.v1:0", 3, 3, batch(3))], dedupe_keys=True)
    second = writer.append(table, [Slice("g:cx.slo.v1:0", 9, 9, batch(9))], dedupe_keys=True)
    assert second.rows_written == 0 and second.rows_skipped == 1
    assert DeltaTable(f"{lake_dir}/slo_windows").count() == 1


def test_additive_column_is_evolved_but_a_type_change_is_refused(lake_dir: str) -> None:
    base = TableDef("t", pa.schema([pa.field("id", pa.string(), nullable=False),
                                    pa.field("event_date", pa.date32())]), key="id", topic="x", retention_days=1,
                    stats_columns=("event_date",))
    LakeWriter(lake_dir).table(base)
    wider = TableDef("t", base.schema.append(pa.field("score", pa.float64())), key="id", topic="x", retention_days=1)
    dt = LakeWriter(lake_dir).table(wider)
    assert [f.name for f in dt.schema().fields] == ["id", "event_date", "score"]
    changed = TableDef("t", pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("event_date", pa.date32()),
                                       pa.field("score", pa.float64())]), key="id", topic="x", retention_days=1)
    with pytest.raises(SchemaEvolutionError, match="column id changed type"):
        LakeWriter(lake_dir).table(changed)
    dropped = TableDef("t", base.schema, key="id", topic="x", retention_days=1)
    with pytest.raises(SchemaEvolutionError, match="column score"):
        LakeWriter(lake_dir).table(dropped)


def _data_files(lake_dir: str) -> list[Path]:
    return sorted(Path(lake_dir, "interactions").rglob("*.parquet"))


def test_a_redelivered_batch_writes_no_file_and_no_commit(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    rows = builder.interactions(located(sim_events[:50]))
    writer.append(INTERACTIONS, [Slice(APP, 0, 49, rows)])
    files, version = _data_files(lake_dir), writer.table(INTERACTIONS).version()
    again = LakeWriter(lake_dir).append(INTERACTIONS, [Slice(APP, 0, 49, rows)])  # a restarted sink
    assert (again.rows_written, again.rows_skipped, again.slices_skipped) == (0, 50, [APP])
    assert _data_files(lake_dir) == files and DeltaTable(f"{lake_dir}/interactions").version() == version


def test_a_committed_slice_is_skipped_while_the_other_partition_is_written(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    p0 = builder.interactions(located(sim_events[:30], partition=0))
    p1 = builder.interactions(located(sim_events[30:60], partition=1))
    writer.append(INTERACTIONS, [Slice(APP, 0, 29, p0)])
    result = writer.append(INTERACTIONS, [Slice(APP, 0, 29, p0), Slice(APP1, 0, 29, p1)])
    assert (result.rows_written, result.slices_skipped) == (30, [APP])
    assert sorted(_ids(lake_dir)) == sorted(e.id for e in sim_events[:60])
    assert (writer.committed_version(INTERACTIONS, APP), writer.committed_version(INTERACTIONS, APP1)) == (29, 29)


def test_a_partition_another_writer_moved_on_is_not_written_twice(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    """Writer A knows app APP at offset 49 from its own commit; writer B (the partition's new owner)
    then commits 50..99. A's redelivery of 50..99 must add nothing: its commit carries APP, which B
    committed after A's snapshot, so Delta refuses it and A re-checks."""
    a, b = LakeWriter(lake_dir, sleep=lambda _: None), LakeWriter(lake_dir)
    first = builder.interactions(located(sim_events[:50]))
    second = builder.interactions(located(sim_events[50:100], first_offset=50))
    a.append(INTERACTIONS, [Slice(APP, 0, 49, first)])
    b.append(INTERACTIONS, [Slice(APP, 50, 99, second)])
    late = a.append(INTERACTIONS, [Slice(APP, 50, 99, second)])
    assert (late.rows_written, late.slices_skipped) == (0, [APP])
    ids = _ids(lake_dir)
    assert len(ids) == 100 and len(set(ids)) == 100


def test_versions_read_in_with_another_writers_commit_are_checked_again(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    """A's snapshot absorbs B's commit of APP (A refreshes the table): A must not trust the
    offset it remembered from its own commit."""
    a, b = LakeWriter(lake_dir), LakeWriter(lake_dir)
    a.append(INTERACTIONS, [Slice(APP, 0, 9, builder.interactions(located(sim_events[:10])))])
    redelivered = builder.interactions(located(sim_events[10:20], first_offset=10))
    b.append(INTERACTIONS, [Slice(APP, 10, 19, redelivered)])
    a.table(INTERACTIONS)  # A reads B's commit in
    assert a.append(INTERACTIONS, [Slice(APP, 10, 19, redelivered)]).rows_written == 0
    assert len(_ids(lake_dir)) == 20


def test_checkpoints_are_written_every_checkpoint_interval_commits(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    for n in range(21):  # table creation is version 0: the 20th append is version 20
        writer.append(INTERACTIONS, [Slice(APP, n, n, builder.interactions(located(sim_events[n:n + 1],
                                                                                       first_offset=n)))])
    writer.table(INTERACTIONS)  # wait for the read-back of the last commit
    log_dir = Path(lake_dir, "interactions", "_delta_log")
    assert (log_dir / "00000000000000000020.checkpoint.parquet").exists()
    assert DeltaTable(f"{lake_dir}/interactions").transaction_version(APP) == 20


class _RunsWhenAsked(Future[Any]):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self._work = work

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            try:
                self.set_result(self._work())
            except Exception as exc:  # handed to the waiter, as a thread pool would
                self.set_exception(exc)
        return super().result(timeout)


class _DeferredExecutor:
    """Runs the read-back only when the writer waits for it: a read-back slower than everything."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _RunsWhenAsked(lambda: fn(*args, **kwargs))


def test_files_written_against_versions_a_late_read_back_disproves_are_discarded(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    """A writes its next batch while its read-back is pending; the read-back then brings in B's
    commit of the same partition: A's new file is deleted, nothing is committed twice."""
    a, b = LakeWriter(lake_dir), LakeWriter(lake_dir)
    a._executor = _DeferredExecutor()  # type: ignore[assignment]
    first = a.append(INTERACTIONS, [Slice(APP, 0, 9, builder.interactions(located(sim_events[:10])))])
    assert first.version is None  # read back later
    redelivered = builder.interactions(located(sim_events[10:20], first_offset=10))
    b.append(INTERACTIONS, [Slice(APP, 10, 19, redelivered)])
    files = _data_files(lake_dir)
    late = a.append(INTERACTIONS, [Slice(APP, 10, 19, redelivered)])
    assert (late.rows_written, late.slices_skipped, late.attempts) == (0, [APP], 2)
    assert _data_files(lake_dir) == files and len(_ids(lake_dir)) == 20
    assert first.version == 2  # the read-back reached B's commit on top of A's
