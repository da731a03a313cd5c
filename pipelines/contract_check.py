"""The contract check: read a topic of interaction events, validate every record, route the bad
ones to the dead-letter topic, and count events per type. The demo runs it as its first stage."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from confluent_kafka import Producer

from pipelines.edge import EdgeGuard
from pipelines.exceptions import PipelineError
from topics.reader import read_topic


@dataclass
class CheckResult:
    events_by_type: Counter[str] = field(default_factory=Counter)
    dead_lettered: int = 0
    elapsed_s: float = 0.0


def check_stream(bootstrap_servers: str, topic: str, *, worker: str = "contract-check") -> CheckResult:
    producer = Producer({"bootstrap.servers": bootstrap_servers, "acks": "all"})
    guard = EdgeGuard(worker, lambda t, key, value: producer.produce(t, key=key, value=value))
    result = CheckResult()
    started = time.monotonic()
    for message in read_topic(bootstrap_servers, topic):
        event = guard.decode(message.value, topic=message.topic, partition=message.partition,
                             offset=message.offset, key=message.key)
        if event is not None:
            result.events_by_type[event.TYPE] += 1
        producer.poll(0)
    if producer.flush(30):
        raise PipelineError(f"{worker}: dead letters not delivered within 30 s")
    result.dead_lettered = sum(guard.dead_lettered.values())
    result.elapsed_s = time.monotonic() - started
    return result
