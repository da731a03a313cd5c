"""The idempotent writer: transaction ids per source partition make redelivery harmless."""

from __future__ import annotations

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
