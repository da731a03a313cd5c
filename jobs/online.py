"""`loopline replay online`: re-publish the lake's (masked) events of a period to a sandbox topic.

Events are rebuilt from the lake rows (:mod:`jobs.events`: masked texts, tokenised ids), keyed by
conversation id (one conversation stays on one partition, in its source order) and paced by event
time at ``speed`` × real time (0 = as fast as possible), so shadow workers can consume them. The
schedule is pure (:func:`schedule`) and the producer is the only I/O.

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
>>> schedule([t0, t0 + timedelta(seconds=10), t0 + timedelta(seconds=30)], speed=10.0)
[0.0, 1.0, 3.0]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from confluent_kafka import Producer

from jobs.events import event_from_row
from jobs.exceptions import JobError
from jobs.lakeio import Period
from jobs.replay import period_events
from topics.codec import encode


def schedule(times: list[datetime], *, speed: float) -> list[float]:
    """Seconds after the start at which each event is sent (``speed`` 0: all at once)."""
    if not times:
        return []
    t0 = times[0]
    if speed <= 0:
        return [0.0] * len(times)
    return [max(0.0, (t - t0).total_seconds() / speed) for t in times]


@dataclass
class OnlineResult:
    topic: str
    published: int
    conversations: int
    elapsed_s: float


def publish_period(
    root: str, period: Period, *, bootstrap_servers: str, topic: str, speed: float = 1.0,
    progress: Callable[[int], None] | None = None, sleep: Callable[[float], None] = time.sleep,
) -> OnlineResult:
    frame = period_events(root, period)
    # global event-time order; ties keep each conversation's source order
    frame = frame.with_row_index("_source_order").sort(["event_time", "_source_order"])
    # a conversation's own order must be its source order even when event times go backwards
    # (late events): re-sort each conversation's slots by source order
    frame = _per_conversation_source_order(frame)
    rows = frame.to_dicts()
    offsets = schedule([r["event_time"] for r in rows], speed=speed)
    producer = Producer({"bootstrap.servers": bootstrap_servers, "enable.idempotence": True,
                         "linger.ms": 20, "acks": "all"})
    errors: list[str] = []

    def delivered(err: object, _msg: object) -> None:
        if err is not None:
            errors.append(str(err))

    started = time.monotonic()
    for i, (row, at_s) in enumerate(zip(rows, offsets, strict=True)):
        wait = at_s - (time.monotonic() - started)
        if wait > 0:
            producer.poll(0)
            sleep(wait)
        event = event_from_row(row)
        producer.produce(topic, key=event.subject.encode(), value=encode(event), on_delivery=delivered)
        producer.poll(0)
        if progress is not None and i % 1000 == 999:
            progress(1000)
    producer.flush(30)
    if errors:
        raise JobError(f"replay online: {len(errors)} records not delivered to {topic}: {errors[0]}")
    if progress is not None:
        progress(len(rows) % 1000)
    return OnlineResult(topic, len(rows), frame["conversation_id"].n_unique(), time.monotonic() - started)


def _per_conversation_source_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the global slots (event-time pacing) but fill each conversation's slots with its events
    in source order, so per-conversation order is exactly what production consumed."""
    position = pl.int_range(pl.len()).alias("_slot")
    slots = frame.with_columns(position).select("conversation_id", "_slot", "event_time")
    ordered = frame.sort(["conversation_id", "source_partition", "source_offset"]).with_columns(
        pl.int_range(pl.len()).over("conversation_id").alias("_k")).drop("event_time")
    slots = slots.with_columns(pl.int_range(pl.len()).over("conversation_id").alias("_k"))
    return (slots.join(ordered, on=["conversation_id", "_k"]).sort("_slot")
            .drop("_slot", "_k", "_source_order"))
