"""SLO worker throughput vs a plain consumer of the same topic on the same broker.

Per repeat: a fresh embedded broker, the same seeded simulator records on ``cx.interactions.v1``;
then (1) a plain confluent-kafka consumer reads every record (no decoding) and (2) ``loopline run
slo`` (a real process) consumes them: decode at the edge, the SLO core, windows to ``cx.slo.v1``,
late records to ``cx.late.v1``, metrics, snapshots + acks. The worker's rate is read from its own
``loopline_events_in_total`` between the first and the last record, so Faust's start-up (group
join, topic metadata) is not counted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer

from bench import worker_rates
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.broker import EmbeddedBroker
from topics.specs import INTERACTIONS

CONVERSATIONS = 1000


def _plain_consumer_eps(bootstrap: str, expected: int) -> float:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-plain-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([INTERACTIONS.name])
    seen, first = 0, None
    deadline = time.monotonic() + 120
    try:
        while seen < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=1000, timeout=0.2):
                if message.error() is None:
                    first = first or time.perf_counter()
                    seen += 1
        last = time.perf_counter()
    finally:
        consumer.close()
    if seen < expected or first is None:
        raise RuntimeError(f"plain consumer read {seen} of {expected} records")
    return (seen - 1) / (last - first)


def run(*, repeats: int = 5) -> list[dict]:
    records = list(Simulation(SimulationConfig(conversations=CONVERSATIONS, seed=1)).records())
    ours, plain, faust_plain = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-slo-") as tmp:
            broker = EmbeddedBroker(Path(tmp) / "broker")
            bootstrap = broker.start().bootstrap_servers
            try:
                provision(bootstrap)
                stats = publish(records, bootstrap_servers=bootstrap, topic=INTERACTIONS.name)
                plain.append(_plain_consumer_eps(bootstrap, stats.records))
                ours.append(worker_rates.measure([sys.executable, "-m", "loopline", "run", "slo"], worker="slo",
                                                 bootstrap=bootstrap, state_dir=Path(tmp) / "state",
                                                 expected=stats.records, timeout_s=180))
                faust_plain.append(worker_rates.faust_counter_eps(bootstrap, stats.records, Path(tmp) / "faust"))
            finally:
                broker.stop()
    return [{
        "name": f"SLO worker throughput ({len(records):,} simulator records, embedded broker)",
        "unit": "records/s",
        "loopline": statistics.median(ours),
        "baseline": statistics.median(plain),
        "baseline_name": "plain confluent-kafka consumer of the same topic (no decoding)",
        "higher_is_better": True,
        "notes": "loopline run slo as a process: Faust/aiokafka consumer, edge validation, SLO core "
                 "(7 SLIs, 2 window families), outputs, metrics, snapshot+ack every 1 s",
    }, {
        "name": "SLO worker throughput vs a Faust agent that only counts",
        "unit": "records/s",
        "loopline": statistics.median(ours),
        "baseline": statistics.median(faust_plain),
        "baseline_name": "plain Faust agent on the same topic (same app factory, counts records)",
        "higher_is_better": True,
        "notes": "separates the Faust/aiokafka cost from loopline's own work per record",
    }]


if __name__ == "__main__":
    for row in run(repeats=1):
        print(row)
