"""The pyarrow write path: files per date, the add actions' statistics, no statistics on private
columns (neither in the Delta log nor in Parquet footers), and files other engines read as before."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from deltalake.transaction import AddAction, RemoveAction

from lake.datafiles import FileWriter, private_columns, split_partitions, stats_columns, stats_json
from lake.exceptions import LakeWriteError
from lake.rows import RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice
from topics.events import Event

from .conftest import located

INTERACTIONS = TABLES["interactions"]
APP = "g:cx.interactions.v1:0"


def _log_actions(table_dir: Path, kind: str) -> list[dict]:
    out = []
    for commit in sorted((table_dir / "_delta_log").glob("*.json")):
        for line in commit.read_text(encoding="utf-8").splitlines():
            action = json.loads(line)
            if kind in action:
                out.append(action[kind])
    return out


def _two_days(builder: RowBuilder, events: list[Event]) -> pa.Table:
    """Simulator rows with the second half moved to the next day (event time and date)."""
    rows = builder.interactions(located(events))
    half = rows.num_rows // 2
    shift = pa.array([0] * half + [86_400_000_000] * (rows.num_rows - half), pa.duration("us"))
    times = pa.compute.add(rows.column("event_time"), shift)
    rows = rows.set_column(rows.schema.get_field_index("event_time"), rows.schema.field("event_time"), times)
    dates = pa.compute.cast(times, pa.date32())
    return rows.set_column(rows.schema.get_field_index("event_date"), rows.schema.field("event_date"), dates)


def test_stats_bound_timestamps_to_the_millisecond_and_count_nulls() -> None:
    # 13:00:00.0015 and 13:00:00.0020: min rounds down, max is already a whole millisecond
    ts = pa.array([datetime(2026, 3, 2, 13, 0, 0, 1500, tzinfo=UTC), datetime(2026, 3, 2, 13, 0, 0, 2000, tzinfo=UTC),
                   None], pa.timestamp("us", tz="UTC"))
    data = pa.table({"event_time": ts, "n": [3, None, -1], "x": [1.5, math.nan, 2.0], "s": ["a", "b", None]})
    stats = json.loads(stats_json(data, columns=["event_time", "n", "x", "s", "missing"]))
    assert stats == {
        "numRecords": 3,
        "minValues": {"event_time": "2026-03-02T13:00:00.001Z", "n": -1},
        "maxValues": {"event_time": "2026-03-02T13:00:00.002Z", "n": 3},
        # NaN gives no usable bound and strings never get one: null counts only
        "nullCount": {"event_time": 1, "n": 1, "x": 0, "s": 1},
    }


def test_stats_columns_never_include_private_or_partition_columns() -> None:
    assert stats_columns(INTERACTIONS) == ["event_time"]  # declared: event_time, event_date
    configured = "event_time,customer_token,text,agent_token,channel,event_date"
    assert stats_columns(INTERACTIONS, configured=configured) == ["event_time", "channel"]
    assert set(private_columns(INTERACTIONS)) == {"customer_token", "agent_token", "text", "slot_value", "reason"}


def test_split_partitions_groups_rows_by_date_and_drops_the_partition_column() -> None:
    data = pa.table({"event_date": pa.array([date(2026, 3, 2), None, date(2026, 3, 1), date(2026, 3, 2)]),
                     "n": [1, 2, 3, 4]})
    parts = split_partitions(data, "event_date")
    assert [(value, rows.column("n").to_pylist()) for value, rows in parts] == [
        ("2026-03-01", [3]), ("2026-03-02", [1, 4]), (None, [2])]
    assert all(rows.column_names == ["n"] for _, rows in parts)
    with pytest.raises(LakeWriteError, match="partition column event_date: value 'a/b'"):
        split_partitions(pa.table({"event_date": ["a/b"], "n": [1]}), "event_date")


def test_one_file_per_date_with_partition_values_and_time_stats(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    rows = _two_days(builder, sim_events[:200])
    result = LakeWriter(lake_dir).append(INTERACTIONS, [Slice(APP, 0, 199, rows)])
    assert result.rows_written == 200
    table_dir = Path(lake_dir) / "interactions"
    adds = _log_actions(table_dir, "add")
    days = sorted({d.isoformat() for d in rows.column("event_date").to_pylist()})
    assert sorted(a["partitionValues"]["event_date"] for a in adds) == days and len(days) == 2
    for add in adds:
        day = add["partitionValues"]["event_date"]
        assert add["path"].startswith(f"event_date={day}/part-00000-") and add["path"].endswith("-c000.zstd.parquet")
        assert add["size"] == (table_dir / add["path"]).stat().st_size
        stats = json.loads(add["stats"])
        assert set(stats["minValues"]) == {"event_time"} and stats["minValues"]["event_time"].startswith(day)
        on_day = [t for t, d in zip(rows.column("event_time").to_pylist(), rows.column("event_date").to_pylist(),
                                    strict=True) if d.isoformat() == day]
        assert stats["numRecords"] == len(on_day) and stats["nullCount"] == {"event_time": 0}
        assert "event_date" not in pq.read_schema(table_dir / add["path"]).names  # the value is in the path
    assert not list(table_dir.rglob("*.tmp"))  # staged files were all renamed


def test_private_columns_have_no_statistics_in_the_log_or_the_footers(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    rows = builder.interactions(located(sim_events[:300]))
    assert rows.column("customer_token").null_count < rows.num_rows  # the fixture holds tokens
    LakeWriter(lake_dir).append(INTERACTIONS, [Slice(APP, 0, 299, rows)])
    table_dir = Path(lake_dir) / "interactions"
    private = set(private_columns(INTERACTIONS))
    for add in _log_actions(table_dir, "add"):
        stats = json.loads(add["stats"])
        assert not private & (set(stats["minValues"]) | set(stats["maxValues"]) | set(stats["nullCount"]))
        meta = pq.ParquetFile(table_dir / add["path"]).metadata.row_group(0)
        columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
        assert all(not columns[name].is_stats_set for name in private)
        assert columns["event_time"].is_stats_set and columns["channel"].statistics.has_min_max
    log_text = "".join(p.read_text(encoding="utf-8") for p in (table_dir / "_delta_log").glob("*.json"))
    assert "tok:" not in log_text  # no token anywhere in the log


def test_files_read_the_same_through_delta_polars_and_duckdb(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    rows = _two_days(builder, sim_events[:240])
    writer = LakeWriter(lake_dir)
    writer.append(INTERACTIONS, [Slice(APP, 0, 119, rows.slice(0, 120))])
    writer.append(INTERACTIONS, [Slice(APP, 120, 239, rows.slice(120))])
    uri = f"{lake_dir}/interactions"
    expected = sorted(zip(rows.column("event_id").to_pylist(), rows.column("event_date").to_pylist(), strict=True))
    via_delta = DeltaTable(uri).to_pyarrow_table(columns=["event_id", "event_date"])
    assert sorted(zip(via_delta.column("event_id").to_pylist(), via_delta.column("event_date").to_pylist(),
                      strict=True)) == expected
    via_polars = pl.read_delta(uri).select("event_id", "event_date").sort("event_id")
    assert list(via_polars.iter_rows()) == sorted(expected)
    via_duckdb = duckdb.execute(
        "SELECT event_id, event_date FROM read_parquet($files, hive_partitioning = true) ORDER BY event_id",
        {"files": DeltaTable(uri).file_uris()}).fetchall()
    assert via_duckdb == sorted(expected)
    one_day = DeltaTable(uri).to_pyarrow_table(filters=[("event_date", "=", expected[0][1])])
    assert one_day.num_rows == sum(1 for _, d in expected if d == expected[0][1])


def test_a_null_in_a_required_column_is_refused_and_nothing_is_committed(lake_dir: str) -> None:
    when = datetime(2026, 3, 2, tzinfo=UTC)
    rows = pa.table({"dead_letter_id": pa.array([None], pa.string()), "event_time": [when],
                     "event_date": [when.date()], "source_topic": ["t"], "source_partition": [0],
                     "source_offset": [1]})
    writer = LakeWriter(lake_dir)
    with pytest.raises(LakeWriteError, match="column dead_letter_id is required but 1 rows hold null"):
        writer.append(TABLES["dead_letters"], [Slice("g:t:0", 1, 1, rows)])
    assert writer.committed_version(TABLES["dead_letters"], "g:t:0") is None


def test_object_store_path_writes_relative_paths_through_the_delta_handler(lake_dir: str) -> None:
    from deltalake.fs import DeltaStorageHandler
    from pyarrow import fs as pafs

    table = TABLES["dead_letters"]
    dt = LakeWriter(lake_dir).table(table)
    files = FileWriter(dt.table_uri)
    files.fs, files.root, files.local = pafs.PyFileSystem(DeltaStorageHandler(dt.table_uri)), "", False
    when = datetime(2026, 3, 2, tzinfo=UTC)
    rows = pa.table({"dead_letter_id": ["d1"], "event_time": [when], "event_date": [when.date()],
                     "source_topic": ["t"], "source_partition": [0], "source_offset": [1]})
    from lake.writer import conform

    actions: list[AddAction | RemoveAction] = [
        *files.write(conform(rows, table.schema), table=table, stats_on=["event_time"])]
    dt.create_write_transaction(actions, mode="append", schema=dt.schema(), partition_by=["event_date"])
    assert DeltaTable(dt.table_uri).to_pyarrow_table(columns=["dead_letter_id"]).to_pylist() == [
        {"dead_letter_id": "d1"}]
