"""Read a topic from the beginning up to its current end (tests, the demo and verifiers)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, TopicPartition


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None  # the broker's append time (or the producer's create time)


def end_offsets(bootstrap_servers: str, topic: str, *, timeout_s: float = 10.0) -> dict[int, int]:
    """High watermark per partition."""
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": f"loopline-probe-{uuid.uuid4().hex}",
                         "enable.auto.commit": False})
    try:
        metadata = consumer.list_topics(topic, timeout=timeout_s).topics[topic]
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)[1]
            for p in metadata.partitions
        }
    finally:
        consumer.close()


def read_topic(
    bootstrap_servers: str, topic: str, *, timeout_s: float = 60.0, idle_s: float = 1.0
) -> Iterator[Message]:
    """Every message currently in ``topic``, all partitions, from offset 0.

    Reading stops when every partition has reached the end reported at start *and* nothing new
    arrived for ``idle_s``. The idle wait is needed because the embedded Tansu broker reports a
    high watermark of (base offset of the last record batch + 1), which can be short of the real
    end (see README, "Known limits of the embedded broker").
    """
    ends = end_offsets(bootstrap_servers, topic)
    if not any(ends.values()):
        return
    consumer = Consumer({
        "bootstrap.servers": bootstrap_servers,
        "group.id": f"loopline-reader-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    consumer.assign([TopicPartition(topic, p, 0) for p, end in ends.items() if end > 0])
    reached = {p for p, end in ends.items() if end == 0}
    deadline = time.monotonic() + timeout_s
    last_message = time.monotonic()
    try:
        while len(reached) < len(ends) or time.monotonic() - last_message < idle_s:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic}: not at its end after {timeout_s}s")
            for msg in consumer.consume(num_messages=1000, timeout=0.2):
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        continue
                    raise RuntimeError(f"reading {topic}: {error}")
                last_message = time.monotonic()
                partition, offset = msg.partition() or 0, msg.offset() or 0
                if offset >= ends[partition] - 1:
                    reached.add(partition)
                kind, stamp = msg.timestamp()
                yield Message(topic, partition, offset, msg.key(), msg.value(), stamp if kind else None)
    finally:
        consumer.close()


def log_ends(bootstrap_servers: str, reported: Mapping[tuple[str, int], int], *, idle_s: float = 0.3,
             timeout_s: float = 10.0) -> dict[tuple[str, int], int]:
    """The real end of each ``(topic, partition)`` log, given the high watermarks a broker reported.

    The embedded broker reports the base offset of the last record batch + 1 (see README, "The
    embedded broker"), so the rest of that batch lies past the watermark. Reading each partition
    from its reported watermark - 1 until nothing arrives for ``idle_s`` finds the real end; on a
    broker that reports it right this reads one record per partition and changes nothing."""
    ends = dict(reported)
    starts = [TopicPartition(topic, partition, end - 1) for (topic, partition), end in reported.items() if end > 0]
    if not starts:
        return ends
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": f"loopline-ends-{uuid.uuid4().hex}",
                         "enable.auto.commit": False, "enable.partition.eof": False})
    consumer.assign(starts)
    deadline = time.monotonic() + timeout_s
    last_message = time.monotonic()
    try:
        while time.monotonic() - last_message < idle_s and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=1000, timeout=0.1):
                if msg.error() is not None:
                    continue
                last_message = time.monotonic()
                tp = (msg.topic() or "", msg.partition() or 0)
                ends[tp] = max(ends.get(tp, 0), (msg.offset() or 0) + 1)
    finally:
        consumer.close()
    return ends


def committed_total(bootstrap_servers: str, group: str, topic: str, *, timeout_s: float = 10.0) -> int:
    """Sum over partitions of the group's committed offsets: the number of records it has fully
    processed when the topic starts at offset 0 (true for loopline's delete-policy topics).

    Committed offsets, not the broker's watermark, say "caught up" on the embedded broker (README).
    """
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": group, "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=timeout_s).topics[topic].partitions
        committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=timeout_s)
        return sum(max(tp.offset, 0) for tp in committed)
    finally:
        consumer.close()
