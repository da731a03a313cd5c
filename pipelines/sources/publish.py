"""Publish simulator records to Kafka at a steady rate, in order, keyed by conversation id."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from confluent_kafka import Producer

from pipelines.exceptions import PipelineError
from pipelines.sources.simulator import Record


@dataclass
class PublishStats:
    records: int = 0
    bad: int = 0
    elapsed_s: float = 0.0

    @property
    def rate_eps(self) -> float:
        return self.records / self.elapsed_s if self.elapsed_s > 0 else 0.0


def producer(bootstrap_servers: str, **extra: str | int) -> Producer:
    return Producer({
        "bootstrap.servers": bootstrap_servers,
        "acks": "all",
        "linger.ms": 5,
        "compression.type": "none",
        **extra,
    })


def publish(
    records: Iterable[Record],
    *,
    bootstrap_servers: str,
    topic: str,
    rate_eps: float = 0.0,
    on_progress: Callable[[int], None] | None = None,
) -> PublishStats:
    """Produce every record (0 = as fast as the broker takes them); raise if any delivery fails."""
    client = producer(bootstrap_servers)
    stats = PublishStats()
    failures: list[str] = []

    def delivered(err: object, _msg: object) -> None:
        if err is not None:
            failures.append(str(err))

    started = time.monotonic()
    for record in records:
        if rate_eps > 0:
            due = started + stats.records / rate_eps
            delay = due - time.monotonic()
            if delay > 0:
                client.poll(0)
                time.sleep(delay)
        while True:
            try:
                client.produce(topic, value=record.value, key=record.key.encode(), on_delivery=delivered)
                break
            except BufferError:  # local queue full: let deliveries drain
                client.poll(0.05)
        stats.records += 1
        stats.bad += record.bad
        if on_progress and stats.records % 1000 == 0:
            on_progress(stats.records)
        client.poll(0)
    remaining = client.flush(60)
    stats.elapsed_s = time.monotonic() - started
    if remaining or failures:
        raise PipelineError(
            f"publishing to {topic}: {len(failures)} deliveries failed, {remaining} undelivered"
            + (f"; first error: {failures[0]}" if failures else "")
        )
    return stats
