"""Analyst access: three example questions, answered with polars (``pl.scan_delta``) and with DuckDB.

DuckDB's ``delta`` extension is downloaded at run time (not offline from PyPI), so DuckDB reads the
Parquet files of the table's **current snapshot**: the active file list from the Delta log
(``DeltaTable.file_uris()``), never a glob of the folder (which would also read removed and
uncommitted files). Both give the same answers (tests/unit/lake/test_lake_queries.py).

1. ``events_by_channel``: events and conversations per channel.
2. ``top_intents``: the five most detected intents with their mean confidence.
3. ``bot_latency``: mean and worst bot response latency per channel.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from deltalake import DeltaTable

from lake.tables import table_uri


def active_files(root: str, name: str) -> list[str]:
    """Parquet files of the table's current snapshot (what DuckDB must read)."""
    return DeltaTable(table_uri(root, name)).file_uris()


def _channel_of_conversation(lf: pl.LazyFrame) -> pl.LazyFrame:
    return (lf.filter(pl.col("event_type") == "cx.conversation.started")
              .select("conversation_id", pl.col("channel").alias("conv_channel")))


# -- polars ----------------------------------------------------------------------------------
def polars_events_by_channel(root: str) -> pl.DataFrame:
    lf = pl.scan_delta(table_uri(root, "interactions"))
    return (lf.join(_channel_of_conversation(lf), on="conversation_id")
              .group_by("conv_channel")
              .agg(pl.len().alias("events"), pl.col("conversation_id").n_unique().alias("conversations"))
              .rename({"conv_channel": "channel"}).sort("channel").collect())


def polars_top_intents(root: str) -> pl.DataFrame:
    lf = pl.scan_delta(table_uri(root, "interactions"))
    return (lf.filter(pl.col("event_type") == "cx.intent.detected")
              .group_by("intent")
              .agg(pl.len().alias("detections"), pl.col("confidence").mean().round(3).alias("mean_confidence"))
              .sort(["detections", "intent"], descending=[True, False]).head(5).collect())


def polars_bot_latency(root: str) -> pl.DataFrame:
    lf = pl.scan_delta(table_uri(root, "interactions"))
    return (lf.filter(pl.col("event_type") == "cx.bot.responded")
              .join(_channel_of_conversation(lf), on="conversation_id")
              .group_by("conv_channel")
              .agg(pl.col("latency_ms").mean().round(1).alias("mean_ms"),
                   pl.col("latency_ms").max().alias("max_ms"))
              .rename({"conv_channel": "channel"}).sort("channel").collect())


# -- DuckDB ----------------------------------------------------------------------------------
DUCKDB_SQL: dict[str, str] = {
    "events_by_channel": """
        WITH i AS (SELECT * FROM read_parquet($files, hive_partitioning = true)),
             c AS (SELECT conversation_id, channel AS conv_channel FROM i
                   WHERE event_type = 'cx.conversation.started')
        SELECT conv_channel AS channel, count(*) AS events, count(DISTINCT conversation_id) AS conversations
        FROM i JOIN c USING (conversation_id) GROUP BY ALL ORDER BY channel""",
    "top_intents": """
        SELECT intent, count(*) AS detections, round(avg(confidence), 3) AS mean_confidence
        FROM read_parquet($files, hive_partitioning = true)
        WHERE event_type = 'cx.intent.detected'
        GROUP BY intent ORDER BY detections DESC, intent LIMIT 5""",
    "bot_latency": """
        WITH i AS (SELECT * FROM read_parquet($files, hive_partitioning = true)),
             c AS (SELECT conversation_id, channel AS conv_channel FROM i
                   WHERE event_type = 'cx.conversation.started')
        SELECT conv_channel AS channel, round(avg(latency_ms), 1) AS mean_ms, max(latency_ms) AS max_ms
        FROM i JOIN c USING (conversation_id)
        WHERE event_type = 'cx.bot.responded' GROUP BY ALL ORDER BY channel""",
}


def duckdb_answer(root: str, question: str) -> list[dict[str, Any]]:
    """Run one of :data:`DUCKDB_SQL` over the interactions table's active files."""
    import duckdb

    con = duckdb.connect()
    try:
        rel = con.execute(DUCKDB_SQL[question], {"files": active_files(root, "interactions")})
        names = [d[0] for d in rel.description]
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()


POLARS_ANSWERS = {
    "events_by_channel": polars_events_by_channel,
    "top_intents": polars_top_intents,
    "bot_latency": polars_bot_latency,
}
