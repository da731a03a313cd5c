"""The lake's tables, declared once: explicit Arrow schemas, partitioning, keys and retention.

One Delta table per name under the lake root (``<root>/<name>``). Every table is partitioned by
event date. Identifiers are tokens (``tok:customer_id:…``), texts are masked; raw bytes never land
(dead letters keep reason and location only).

>>> TABLES["interactions"].key, TABLES["interactions"].partition_by
('event_id', 'event_date')
>>> TABLES["interactions"].schema.field("event_id").type
DataType(string)
>>> table_uri("/lake", "decisions"), table_uri("s3://bucket/lake/", "decisions")
('/lake/decisions', 's3://bucket/lake/decisions')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from lake.exceptions import UnknownTableError
from topics.events import EVENT_TYPES
from topics.specs import DEADLETTER, DECISIONS, ESCALATIONS, INTERACTIONS, SLO

TIMESTAMP = pa.timestamp("us", tz="UTC")
PARTITION_COLUMN = "event_date"


def _f(name: str, type_: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


#: Columns every table carries: where the row came from (exactly-once is checked on these).
_LOCATION = [
    _f("source_topic", pa.string(), False),
    _f("source_partition", pa.int32(), False),
    _f("source_offset", pa.int64(), False),
]

INTERACTIONS_SCHEMA = pa.schema([
    _f("event_id", pa.string(), False),
    _f("event_type", pa.string(), False),
    _f("conversation_id", pa.string(), False),
    _f("event_time", TIMESTAMP, False),
    _f(PARTITION_COLUMN, pa.date32(), False),
    _f("source", pa.string()),
    _f("customer_token", pa.string()),  # tok:customer_id:… when the conversation's customer is known
    _f("channel", pa.string()),
    _f("segment", pa.string()),
    _f("region", pa.string()),
    _f("locale", pa.string()),
    _f("vulnerability", pa.string()),
    _f("customer_value", pa.float64()),
    _f("role", pa.string()),
    _f("turn", pa.int32()),
    _f("text", pa.string()),  # masked
    _f("pii_kinds", pa.list_(pa.string())),  # kinds masked in text / slot value
    _f("asr_confidence", pa.float64()),
    _f("sentiment", pa.float64()),
    _f("intent", pa.string()),
    _f("confidence", pa.float64()),
    _f("model_version", pa.string()),
    _f("latency_ms", pa.int64()),
    _f("prompt_version", pa.string()),
    _f("fallback_used", pa.bool_()),
    _f("slot_name", pa.string()),
    _f("slot_kind", pa.string()),
    _f("slot_value", pa.string()),  # token or masked text
    _f("error_kind", pa.string()),
    _f("component", pa.string()),
    _f("escalation_by", pa.string()),
    _f("reason", pa.string()),  # masked
    _f("queue", pa.string()),
    _f("wait_s", pa.float64()),
    _f("agent_token", pa.string()),
    _f("assist_action", pa.string()),
    _f("ended_by", pa.string()),
    _f("resolved", pa.bool_()),
    _f("resolved_by", pa.string()),
    _f("csat", pa.int32()),
    _f("recontact_within_7d", pa.bool_()),
    _f("training_opt_out", pa.bool_()),  # set on cx.customer.preference rows
    *_LOCATION,
    # added for the batch jobs (additive): replay needs the local time zone (business hours) and
    # the KPIs need where a contact was deflected from
    _f("timezone", pa.string()),
    _f("deflected_from_channel", pa.string()),
])

DECISIONS_SCHEMA = pa.schema([
    _f("decision_id", pa.string(), False),
    _f("conversation_id", pa.string(), False),
    _f("source_event_id", pa.string(), False),
    _f("event_time", TIMESTAMP, False),
    _f(PARTITION_COLUMN, pa.date32(), False),
    _f("policy_version", pa.string(), False),
    _f("action", pa.string(), False),
    _f("mode", pa.string(), False),
    _f("reason_codes", pa.list_(pa.string())),
    _f("intent", pa.string()),
    _f("confidence", pa.float64()),
    _f("tier", pa.int32()),
    _f("fallback", pa.string()),
    _f("message", pa.string()),  # masked
    *_LOCATION,
])

ESCALATIONS_SCHEMA = pa.schema([
    _f("escalation_id", pa.string(), False),
    _f("conversation_id", pa.string(), False),
    _f("source_event_id", pa.string(), False),
    _f("event_time", TIMESTAMP, False),
    _f(PARTITION_COLUMN, pa.date32(), False),
    _f("policy_version", pa.string(), False),
    _f("priority", pa.string(), False),
    _f("mode", pa.string(), False),
    _f("trigger_codes", pa.list_(pa.string())),
    _f("customer_token", pa.string()),
    _f("channel", pa.string()),
    _f("segment", pa.string()),
    _f("region", pa.string()),
    _f("vulnerability", pa.string()),
    _f("intent", pa.string()),
    _f("confidence", pa.float64()),
    _f("tier", pa.int32()),
    _f("summary", pa.string()),  # masked
    _f("slot_kinds", pa.list_(pa.string())),  # kinds only: values live in interactions, tokenised
    _f("transcript_turns", pa.int32()),
    _f("time_to_handoff_ms", pa.int64()),
    _f("sla_level", pa.int32()),
    *_LOCATION,
])

SLO_WINDOWS_SCHEMA = pa.schema([
    _f("window_id", pa.string(), False),
    _f("sli", pa.string(), False),
    _f("window_start", TIMESTAMP, False),
    _f("window_end", TIMESTAMP, False),
    _f("event_time", TIMESTAMP, False),  # = window_end
    _f(PARTITION_COLUMN, pa.date32(), False),
    _f("window_ms", pa.int64(), False),
    _f("intent", pa.string()),
    _f("channel", pa.string()),
    _f("segment", pa.string()),
    _f("tier", pa.int32()),
    _f("good", pa.float64()),
    _f("total", pa.float64()),
    _f("weighted_good", pa.float64()),
    _f("weighted_total", pa.float64()),
    *_LOCATION,
])

DEAD_LETTERS_SCHEMA = pa.schema([
    _f("dead_letter_id", pa.string(), False),
    _f("event_time", TIMESTAMP, False),  # when the dead letter was written to the lake's topic
    _f(PARTITION_COLUMN, pa.date32(), False),
    _f("reason", pa.string()),  # masked: validation errors quote the bad value
    _f("field", pa.string()),
    _f("failed_topic", pa.string()),
    _f("failed_partition", pa.int32()),
    _f("failed_offset", pa.int64()),
    _f("worker", pa.string()),
    _f("event_id", pa.string()),
    _f("raw_bytes", pa.int64()),  # size only: never the bytes
    *_LOCATION,
])


@dataclass(frozen=True)
class TableDef:
    """A lake table: name, schema, the column that identifies a row, and retention."""

    name: str
    schema: pa.Schema
    key: str
    topic: str  # the Kafka topic it is fed from
    retention_days: int
    time_column: str = "event_time"
    partition_by: str = PARTITION_COLUMN
    #: columns with Delta statistics: never identifiers or texts (the log must not hold tokens)
    stats_columns: tuple[str, ...] = ("event_time", PARTITION_COLUMN)
    text_columns: tuple[str, ...] = field(default=())
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    probabilities: tuple[str, ...] = ()

    @property
    def configuration(self) -> dict[str, str | None]:
        return {
            "delta.dataSkippingStatsColumns": ",".join(self.stats_columns),
            "delta.checkpointInterval": "20",
            "delta.logRetentionDuration": "interval 7 days",
            "delta.deletedFileRetentionDuration": "interval 1 days",
        }


_CHANNELS = ("voice", "chat", "messaging", "email")
_SEGMENTS = ("standard", "premium", "business", "vip")

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (
        TableDef(
            "interactions", INTERACTIONS_SCHEMA, key="event_id", topic=INTERACTIONS.name,
            retention_days=400,
            text_columns=("text", "slot_value", "reason"),
            enums={
                "event_type": tuple(EVENT_TYPES),
                "channel": _CHANNELS,
                "role": ("customer", "bot", "agent"),
                "segment": _SEGMENTS,
            },
            probabilities=("confidence", "asr_confidence"),
        ),
        TableDef(
            "decisions", DECISIONS_SCHEMA, key="decision_id", topic=DECISIONS.name,
            retention_days=400, text_columns=("message",),
            enums={
                "action": ("automate", "clarify", "draft_only", "handoff",
                           "apologise_and_follow_up", "none"),
                "mode": ("active", "shadow", "canary"),
            },
            probabilities=("confidence",),
        ),
        TableDef(
            "escalations", ESCALATIONS_SCHEMA, key="escalation_id", topic=ESCALATIONS.name,
            retention_days=400, text_columns=("summary",),
            enums={
                "priority": ("low", "normal", "high", "urgent"),
                "mode": ("active", "shadow", "canary"),
                "channel": _CHANNELS,
            },
            probabilities=("confidence",),
        ),
        TableDef(
            "slo_windows", SLO_WINDOWS_SCHEMA, key="window_id", topic=SLO.name,
            retention_days=800,
            stats_columns=("event_time", PARTITION_COLUMN, "window_start", "window_end"),
        ),
        TableDef(
            "dead_letters", DEAD_LETTERS_SCHEMA, key="dead_letter_id", topic=DEADLETTER.name,
            retention_days=30, text_columns=("reason",),
        ),
    )
}

BY_TOPIC: dict[str, TableDef] = {t.topic: t for t in TABLES.values()}


def get_table(name: str) -> TableDef:
    """The declaration of ``name``, or :class:`UnknownTableError` listing the known ones."""
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(
            f"table {name!r} is not a lake table; known: {', '.join(TABLES)}"
        ) from None


def table_uri(root: str, name: str) -> str:
    """The Delta table location of ``name`` under ``root`` (local path or object-store URI)."""
    return f"{root.rstrip('/')}/{name}"
