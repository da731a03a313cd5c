"""Lake benchmarks, each measured side by side with its baseline in the same run on the same data.

1. Sink write throughput: the same masked Arrow batches appended to Delta with exactly-once on (a
   transaction-version check per source partition, an ``app_transactions`` commit per batch) vs
   written with plain ``pyarrow.parquet.write_table`` (same zstd compression, one file per batch).
   The Delta timing ends once the writer has read its last commit back (``committed_version``),
   so the background read-back of the last commit is paid too. One untimed round of both paths
   runs first and the paths alternate which goes first, so none pays the process's first-write
   costs alone (files, allocator, page cache). Two baselines: plain pyarrow (zstd, its defaults:
   the goal's measure), and pyarrow with the sink's own Parquet settings
   (``lake.datafiles.parquet_options``: no statistics on texts/tokens, no dictionary on columns
   unique per row, which alone makes files ~20 % smaller and faster to write), so the second
   ratio is the cost of Delta and exactly-once alone.
2. A day's partition after 40 small appends, before vs after ``loopline jobs compact``: file count
   and the time to read the partition.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable

from lake.datafiles import parquet_options
from lake.maintenance import compact
from lake.rows import Located, RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice, app_id
from pipelines.sinks.batching import DEFAULT_MAX_RECORDS
from pipelines.sources.simulator import Simulation, SimulationConfig
from privacy import Masker, MaskingKey
from topics.codec import decode_event

BATCH_ROWS = DEFAULT_MAX_RECORDS  # the sink's own flush size
EVENTS = 50_000


def _batches() -> tuple[list[pa.Table], float]:
    """Masked Arrow batches of ~50k simulator events, and the masking+conversion rate (events/s)."""
    records = list(Simulation(SimulationConfig(conversations=EVENTS // 22 + 50, seed=3)).records())[:EVENTS]
    builder = RowBuilder(Masker.for_destination("lake", key=MaskingKey(b"b" * 32)))
    started = time.perf_counter()
    batches = []
    for i in range(0, len(records), BATCH_ROWS):
        chunk = records[i:i + BATCH_ROWS]
        located = [Located(decode_event(r.value), "cx.interactions.v1", 0, i + n) for n, r in enumerate(chunk)]
        batches.append(builder.interactions(located))
    return batches, len(records) / (time.perf_counter() - started)


def _delta_append(root: Path, batches: list[pa.Table]) -> float:
    writer = LakeWriter(str(root))
    table = TABLES["interactions"]
    app = app_id("bench", "cx.interactions.v1", 0)
    writer.table(table)  # table creation is not part of the steady state
    started = time.perf_counter()
    offset = 0
    for batch in batches:
        writer.append(table, [Slice(app, offset, offset + batch.num_rows - 1, batch)])
        offset += batch.num_rows
    if writer.committed_version(table, app) != offset - 1:
        raise RuntimeError(f"bench: committed version {writer.committed_version(table, app)}, expected {offset - 1}")
    return time.perf_counter() - started


def _parquet_write(root: Path, batches: list[pa.Table], *, tuned: bool = False) -> float:
    """Plain ``pq.write_table``, one file per batch: zstd and pyarrow's defaults, or (``tuned``) the
    sink's own Parquet settings."""
    root.mkdir(parents=True, exist_ok=True)
    options: dict = {"compression": "zstd"}
    if tuned:
        options = parquet_options(TABLES["interactions"], batches[0].column_names)
    started = time.perf_counter()
    for n, batch in enumerate(batches):
        pq.write_table(batch, root / f"part-{n:05d}.parquet", **options)
    return time.perf_counter() - started


def _read_day(uri: str, day: object) -> float:
    started = time.perf_counter()
    DeltaTable(uri).to_pyarrow_table(filters=[("event_date", "=", day)])
    return time.perf_counter() - started


def run(*, repeats: int = 5) -> list[dict]:
    batches, mask_eps = _batches()
    rows = sum(b.num_rows for b in batches)
    delta_s, parquet_s, tuned_s = [], [], []
    files_before, files_after, read_before, read_after = [], [], [], []
    warm = Path(tempfile.mkdtemp(prefix="bench-lake-warm-"))
    try:
        _delta_append(warm / "delta", batches)
        _parquet_write(warm / "parquet", batches)
        _parquet_write(warm / "tuned", batches, tuned=True)
    finally:
        shutil.rmtree(warm, ignore_errors=True)
    for n in range(repeats):
        work = Path(tempfile.mkdtemp(prefix="bench-lake-"))
        try:
            if n % 2:
                parquet_s.append(_parquet_write(work / "parquet", batches))
                tuned_s.append(_parquet_write(work / "tuned", batches, tuned=True))
                delta_s.append(_delta_append(work / "delta", batches))
            else:
                delta_s.append(_delta_append(work / "delta", batches))
                tuned_s.append(_parquet_write(work / "tuned", batches, tuned=True))
                parquet_s.append(_parquet_write(work / "parquet", batches))
            # small appends into one day, then compaction
            day_rows = pa.concat_tables(batches)
            dates = day_rows.column("event_date")
            counts = pc.value_counts(dates).to_pylist()
            day_value = pa.scalar(max(counts, key=lambda c: c["counts"])["values"], pa.date32())
            day = day_value.as_py().isoformat()
            one_day = day_rows.filter(pc.equal(dates, day_value))
            small = LakeWriter(str(work / "small"))
            step = max(1, one_day.num_rows // 40)
            for n, i in enumerate(range(0, one_day.num_rows, step)):
                part = one_day.slice(i, step)
                small.append(TABLES["interactions"], [Slice(app_id("b", "t", 0), n * 10**6, n * 10**6 + 1, part)])
            uri = str(work / "small" / "interactions")
            files_before.append(len([f for f in DeltaTable(uri).file_uris() if f"event_date={day}" in f]))
            read_before.append(statistics.median(_read_day(uri, day_value.as_py()) for _ in range(3)))
            compact(str(work / "small"), TABLES["interactions"], vacuum_retention_hours=168)
            files_after.append(len([f for f in DeltaTable(uri).file_uris() if f"event_date={day}" in f]))
            read_after.append(statistics.median(_read_day(uri, day_value.as_py()) for _ in range(3)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    return [
        {
            "name": "lake sink write (exactly-once Delta)", "unit": "events/s",
            "loopline": rows / med(delta_s), "baseline": rows / med(parquet_s),
            "baseline_name": "pyarrow.parquet.write_table, same batches", "higher_is_better": True,
            "goal": "≥ 0.7×",
            "notes": f"{rows} masked events in {len(batches)} batches of {BATCH_ROWS}, one commit each, "
                     f"pyarrow files + create_write_transaction; goal >= 0.7x; "
                     f"masking+row building alone: {mask_eps:,.0f} events/s",
        },
        {
            "name": "lake sink write vs pyarrow with the sink's Parquet settings", "unit": "events/s",
            "loopline": rows / med(delta_s), "baseline": rows / med(tuned_s),
            "baseline_name": "pq.write_table with lake.datafiles.parquet_options, same batches",
            "higher_is_better": True,
            "notes": "the cost of the Delta log, the partition split and exactly-once alone (no goal set)",
        },
        {
            "name": "day partition files after compaction", "unit": "files",
            "loopline": med(files_after), "baseline": med(files_before),
            "baseline_name": "same partition before compaction (40 small appends)", "higher_is_better": False,
            "notes": "loopline jobs compact: optimize.compact + checkpoint + vacuum (168 h)",
        },
        {
            "name": "day partition read time after compaction", "unit": "s",
            "loopline": med(read_after), "baseline": med(read_before),
            "baseline_name": "same partition before compaction", "higher_is_better": False,
            "notes": "DeltaTable.to_pyarrow_table with a partition filter, median of 3 reads",
        },
    ]


if __name__ == "__main__":
    for row in run(repeats=1):
        print(row)
