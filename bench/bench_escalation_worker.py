"""The escalation worker on the embedded broker: throughput vs a plain aiokafka consumer reading the
same topic, and latency from an event's append to its decision's append at a steady 500 events/s.

Each repeat uses a fresh embedded broker, so both sides read the same bytes from the same broker.
The worker runs with lexical signals (no embedding model) so that the figure is the runtime's, not
MiniLM's; the model's cost is measured separately in bench_escalation.

Both rates are taken over the same ~46,000 records (2,000 conversations): the plain consumer from
its first fetched batch to the last record, the worker from its first committed offset to the
last. The goal (≥ 0.8× the plain consumer) is out of reach for a Python worker: the plain consumer
reads ~500,000 records/s here, while the pure escalation core alone (bench_escalation, no broker)
decides ~90,000 events/s on one core.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.broker import EmbeddedBroker
from topics.codec import decode_as
from topics.outputs import Decision
from topics.reader import committed_total, read_topic
from topics.specs import DECISIONS, INTERACTIONS

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 2_000


async def _plain_consumer(bootstrap: str, expected: int) -> float:
    """Records/s of a bare aiokafka consumer group reading the topic from the beginning."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(INTERACTIONS.name, bootstrap_servers=bootstrap, group_id=f"plain-{time.time_ns()}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        seen, counted = 0, 0
        started: float | None = None
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            got = sum(len(records) for records in batch.values())
            if started is None:
                if got:
                    started = time.perf_counter()  # count from the first batch: group join excluded
            else:
                counted += got
            seen += got
        return counted / max(time.perf_counter() - (started or 0.0), 1e-6)
    finally:
        await consumer.stop()


def _start_worker(bootstrap: str, state: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": bootstrap, "LOOPLINE_STATE_DIR": str(state),
           "LOOPLINE_DEV_MODE": "1", "LOOPLINE_METRICS_PORT": "0", "HF_HUB_OFFLINE": "1"}
    log = open(state / "worker.log", "wb")  # noqa: SIM115 - closed when the process ends
    return subprocess.Popen([sys.executable, "-m", "loopline", "run", "escalation", "--lexical"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def _worker_throughput(bootstrap: str, expected: int, process: subprocess.Popen[bytes]) -> float:
    """Records/s from the worker's first committed offset to its last (startup excluded)."""
    first: tuple[float, int] | None = None
    deadline = time.monotonic() + 600
    while True:
        done = committed_total(bootstrap, "loopline-escalation", INTERACTIONS.name)
        now = time.perf_counter()
        if done and first is None:
            first = (now, done)
        if done >= expected and first is not None:
            return (done - first[1]) / max(now - first[0], 1e-6)
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("escalation worker stopped or stalled during the benchmark")
        time.sleep(0.2)


def _one_round(work: Path, conversations: int) -> tuple[float, float, list[float]]:
    broker = EmbeddedBroker(work / "broker")
    bootstrap = broker.start().bootstrap_servers
    process: subprocess.Popen[bytes] | None = None
    try:
        provision(bootstrap)
        stats = publish(Simulation(SimulationConfig(conversations=conversations, seed=5, late_share=0.0)).records(),
                        bootstrap_servers=bootstrap, topic=INTERACTIONS.name)
        plain = asyncio.run(_plain_consumer(bootstrap, stats.records))
        state = work / "worker"
        state.mkdir()
        process = _start_worker(bootstrap, state)
        ours = _worker_throughput(bootstrap, stats.records, process)
        # latency at a steady 500 events/s, the worker already warm
        steady = publish(Simulation(SimulationConfig(conversations=400, seed=6, late_share=0.0)).records(),
                         bootstrap_servers=bootstrap, topic=INTERACTIONS.name, rate_eps=500)
        deadline = time.monotonic() + 300
        while committed_total(bootstrap, "loopline-escalation", INTERACTIONS.name) < stats.records + steady.records:
            if time.monotonic() > deadline:
                raise RuntimeError("worker did not catch up with the steady run")
            time.sleep(0.5)
        appended = {}
        for message in read_topic(bootstrap, INTERACTIONS.name):
            if message.key and message.key.startswith(b"conv-6-"):
                appended[_event_id(message.value or b"")] = message.timestamp_ms
        latencies = []
        for message in read_topic(bootstrap, DECISIONS.name):
            decision = decode_as(message.value or b"", Decision)
            start = appended.get(decision.source_event_id)
            if start is not None and message.timestamp_ms is not None:
                latencies.append((message.timestamp_ms - start) / 1000)
        return ours, plain, latencies
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        broker.stop()


def _event_id(raw: bytes) -> str:
    start = raw.index(b'"id":"') + 6
    return raw[start : raw.index(b'"', start)].decode()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(*, repeats: int = 3) -> list[dict]:
    repeats = max(1, min(repeats, 3))  # each round starts a broker and a worker: keep make bench bounded
    ours, plain, p50, p99 = [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            worker_eps, plain_eps, latencies = _one_round(Path(tmp), conversations=CONVERSATIONS)
        ours.append(worker_eps)
        plain.append(plain_eps)
        p50.append(_quantile(latencies, 0.5))
        p99.append(_quantile(latencies, 0.99))
    return [
        {
            "name": f"escalation worker throughput (lexical signals, {CONVERSATIONS:,} conversations)",
            "unit": "events/s",
            "loopline": statistics.median(ours),
            "baseline": statistics.median(plain),
            "baseline_name": "plain aiokafka consumer, same topic, same broker",
            "higher_is_better": True,
            "goal": "≥ 0.8×",
            "notes": "decode, state load/store (msgpack + changelog), core step, publish decisions/escalations; "
                     "the pure core alone tops out near 90,000 events/s on one core (bench_escalation)",
        },
        {
            "name": "append → decision appended, p50 at steady 500 events/s",
            "unit": "s",
            "loopline": statistics.median(p50),
            "baseline": 1.0,
            "baseline_name": "1 s budget",
            "higher_is_better": False,
            "goal": "p50 well under the budget",
            "notes": f"p99 median of runs: {statistics.median(p99):.3f} s",
        },
        {
            "name": "append → decision appended, p99 at steady 500 events/s",
            "unit": "s",
            "loopline": statistics.median(p99),
            "baseline": 1.0,
            "baseline_name": "1 s budget",
            "higher_is_better": False,
            "goal": "≤ 1 s",
            "notes": "",
        },
    ]
