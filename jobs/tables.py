"""The tables the batch jobs write (kept here, not in ``lake.tables.TABLES``: they are not fed from
a topic, carry no source location and no customer token, so the sink, quality suites and erasure
— which iterate ``TABLES`` — must not see them).

* ``kpis``: one row per day × intent × channel × segment × tier × KPI, replaced per day (idempotent).
* ``replay_decisions``: the decisions of an offline replay, replaced per ``replay_id``.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

KPIS_SCHEMA = pa.schema([
    pa.field("event_date", pa.date32(), nullable=False),
    pa.field("kpi", pa.string(), nullable=False),
    pa.field("intent", pa.string(), nullable=False),
    pa.field("channel", pa.string(), nullable=False),
    pa.field("segment", pa.string(), nullable=False),
    pa.field("tier", pa.int32(), nullable=False),
    pa.field("good", pa.float64()),
    pa.field("total", pa.float64()),
    pa.field("weighted_good", pa.float64()),
    pa.field("weighted_total", pa.float64()),
    pa.field("p50_ms", pa.float64()),
    pa.field("p90_ms", pa.float64()),
    pa.field("computed_at", TIMESTAMP, nullable=False),
])

REPLAY_DECISIONS_SCHEMA = pa.schema([
    pa.field("replay_id", pa.string(), nullable=False),
    pa.field("decision_id", pa.string(), nullable=False),
    pa.field("conversation_id", pa.string(), nullable=False),
    pa.field("source_event_id", pa.string(), nullable=False),
    pa.field("event_time", TIMESTAMP, nullable=False),
    pa.field("event_date", pa.date32(), nullable=False),
    pa.field("policy_version", pa.string(), nullable=False),
    pa.field("action", pa.string(), nullable=False),
    pa.field("mode", pa.string(), nullable=False),
    pa.field("reason_codes", pa.list_(pa.string())),
    pa.field("intent", pa.string()),
    pa.field("confidence", pa.float64()),
    pa.field("tier", pa.int32()),
    pa.field("production_action", pa.string()),  # the action production took on the same event
    pa.field("changed", pa.bool_(), nullable=False),
])

KPIS = "kpis"
REPLAY_DECISIONS = "replay_decisions"
