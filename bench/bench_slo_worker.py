"""SLO worker throughput vs a plain consumer of the same topic on the same broker.

Per repeat: a fresh embedded broker, the same seeded simulator records on ``cx.interactions.v1``;
then (1) a plain confluent-kafka consumer reads every record (no decoding) and (2) ``loopline run
slo`` (a real process) consumes them: decode at the edge, the SLO core, windows to ``cx.slo.v1``,
late records to ``cx.late.v1``, metrics, snapshots + acks. The worker's rate is read from its own
``loopline_events_in_total`` between the first and the last record, so Faust's start-up (group
join, topic metadata) is not counted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from confluent_kafka import Consumer

from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.broker import EmbeddedBroker
from topics.specs import INTERACTIONS

ROOT = Path(__file__).resolve().parent.parent
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


def _events_in(url: str) -> float:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("loopline_events_in_total{") and 'topic="cx.interactions.v1"' in line)


#: A Faust agent that only counts records (same app factory, same metrics endpoint): how much of the
#: gap to the plain consumer is Faust/aiokafka itself.
PLAIN_FAUST = """
import sys
from pathlib import Path
from pipelines.app import AppConfig, create_app, run_app
from pipelines.slo.metrics import PipelineMetrics, new_registry, serve_metrics
from topics.specs import INTERACTIONS
bootstrap, state = sys.argv[1], Path(sys.argv[2])
app = create_app(AppConfig("bench-plain-faust", bootstrap_servers=bootstrap, state_dir=state))
registry = new_registry()
health = PipelineMetrics(registry, worker="slo")
topic = app.topic(INTERACTIONS.name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
async def count(stream):
    async for _ in stream.events():
        health.events_in(INTERACTIONS.name)
app.agent(topic, name="count")(count)
_, port = serve_metrics(registry, port=0, host="127.0.0.1")
(state / "workers").mkdir(parents=True, exist_ok=True)
(state / "workers" / "slo.metrics").write_text(f"http://127.0.0.1:{port}/metrics")
run_app(app, loglevel="warning")
"""


def _worker_eps(bootstrap: str, expected: int, state_dir: Path, *, plain_faust: bool = False) -> float:
    env = {**os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": bootstrap, "LOOPLINE_STATE_DIR": str(state_dir),
           "LOOPLINE_METRICS_PORT": "0", "LOOPLINE_DEV_MODE": "1"}
    log = (state_dir.parent / f"worker-{plain_faust}.log").open("wb")
    command = ([sys.executable, "-c", PLAIN_FAUST, bootstrap, str(state_dir)] if plain_faust
               else [sys.executable, "-m", "loopline", "run", "slo"])
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        announced = state_dir / "workers" / "slo.metrics"
        deadline = time.monotonic() + 180
        while not announced.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("slo worker did not start")
            time.sleep(0.05)
        url = announced.read_text().strip()
        first_at = first_count = None
        while True:
            count = _events_in(url)
            now = time.perf_counter()
            if first_at is None and count > 0:
                first_at, first_count = now, count
            if count >= expected and first_at is not None and first_count is not None:
                return (count - first_count) / (now - first_at)
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"slo worker processed {count} of {expected} records")
            time.sleep(0.05)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
                ours.append(_worker_eps(bootstrap, stats.records, Path(tmp) / "state"))
                faust_plain.append(_worker_eps(bootstrap, stats.records, Path(tmp) / "faust", plain_faust=True))
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
