"""Compaction shrinks a day's file count without changing its rows; retention drops old rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.parquet as pq
from deltalake import DeltaTable

from lake.datafiles import private_columns
from lake.maintenance import apply_retention, compact
from lake.rows import RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice
from topics.events import Event

from .conftest import located


def _many_small_commits(lake_dir: str, builder: RowBuilder, events: list[Event], n: int) -> None:
    writer = LakeWriter(lake_dir)
    step = len(events) // n
    for i in range(n):
        part = events[i * step:(i + 1) * step]
        rows = builder.interactions(located(part, first_offset=i * step))
        writer.append(TABLES["interactions"], [Slice("g:t:0", i * step, i * step + len(part) - 1, rows)])


def test_compaction_reduces_files_and_keeps_rows(lake_dir: str, builder: RowBuilder, sim_events: list[Event]) -> None:
    _many_small_commits(lake_dir, builder, sim_events, 8)
    before = DeltaTable(f"{lake_dir}/interactions")
    rows_before = sorted(before.to_pyarrow_table(columns=["event_id"]).column("event_id").to_pylist())
    report = compact(lake_dir, TABLES["interactions"])
    after = DeltaTable(f"{lake_dir}/interactions")
    assert report is not None and report.files_before >= 8 and report.files_after < report.files_before
    assert sorted(after.to_pyarrow_table(columns=["event_id"]).column("event_id").to_pylist()) == rows_before
    assert after.transaction_version("g:t:0") == before.transaction_version("g:t:0")


def test_retention_deletes_rows_past_the_policy_only(lake_dir: str, builder: RowBuilder, sim_events: list[Event]) -> None:
    _many_small_commits(lake_dir, builder, sim_events, 1)
    n = DeltaTable(f"{lake_dir}/interactions").count()
    first_day = min(e.time for e in sim_events)
    keep = apply_retention(lake_dir, now=first_day, tables=[TABLES["interactions"]])
    assert keep[0].rows_deleted == 0 and DeltaTable(f"{lake_dir}/interactions").count() == n
    late = datetime(first_day.year + 2, 1, 1, tzinfo=UTC)  # 400-day policy: everything expired
    gone = apply_retention(lake_dir, now=late, tables=[TABLES["interactions"]])
    assert gone[0].rows_deleted == n and DeltaTable(f"{lake_dir}/interactions").count() == 0


def _private_stats(uri: str) -> list[tuple[str, str]]:
    """(file, column) pairs where a Parquet footer holds statistics on a masked text or token column."""
    private = set(private_columns(TABLES["interactions"]))
    found = []
    for path in DeltaTable(uri).file_uris():
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            for c in range(meta.num_columns):
                column = meta.row_group(g).column(c)
                if column.path_in_schema in private and column.is_stats_set:
                    found.append((path, column.path_in_schema))
    return found


def test_files_rewritten_by_compaction_have_no_statistics_on_private_columns(
    lake_dir: str, builder: RowBuilder, sim_events: list[Event],
) -> None:
    _many_small_commits(lake_dir, builder, sim_events, 8)
    uri = f"{lake_dir}/interactions"
    report = compact(lake_dir, TABLES["interactions"])
    assert report is not None and report.files_added > 0  # the files below were written by delta-rs
    assert _private_stats(uri) == []
