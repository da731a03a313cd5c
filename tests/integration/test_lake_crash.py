"""Exactly-once into the lake under fault injection, on the real embedded broker and real Delta.

- crash: 50,000 events, the sink is killed with SIGKILL six times (three of them right as a data
  file lands, i.e. mid-write), restarted each time; the verifier then finds every event id exactly
  once and nothing missing.
- rebalance: two sink processes share the consumer group; one joins late, the other is killed and
  a third joins; same result.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lake.tables import TABLES
from lake.verify import VerifyReport, verify_table
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Record, Simulation, SimulationConfig
from topics.specs import DEADLETTER, DECISIONS, ESCALATIONS, INTERACTIONS, SLO, TopicSpec

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _records(n: int, *, seed: int) -> list[Record]:
    sim = Simulation(SimulationConfig(conversations=n // 22 + 50, seed=seed))
    records = list(sim.records())[:n]
    assert len(records) == n, f"simulator produced {len(records)} records, wanted {n}"
    return records


def _event_id(record: Record) -> str:
    import msgspec

    return str(msgspec.json.decode(record.value)["id"])


class SinkRig:
    """Unique topics + lake dir + the sink as a real OS process (started/killed like in production)."""

    def __init__(self, broker: str, topic_factory: Callable[..., TopicSpec], tmp: Path) -> None:
        self.broker = broker
        self.specs = {
            "interactions": topic_factory(INTERACTIONS), "decisions": topic_factory(DECISIONS),
            "escalations": topic_factory(ESCALATIONS), "slo_windows": topic_factory(SLO),
            "dead_letters": topic_factory(DEADLETTER),
        }
        self.group = f"lake-test-{uuid.uuid4().hex[:8]}"
        self.tmp = tmp
        self.lake = tmp / "lake"
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-m", "loopline.commands.lake", "run", "--group", self.group,
                "--max-records", "1500", "--max-wait-s", "0.5",
                "--deadletter-topic", self.specs["dead_letters"].name]
        for table, spec in self.specs.items():
            args += ["--topic", f"{table}={spec.name}"]
        env = {**os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": self.broker, "LOOPLINE_STATE_DIR": str(self.tmp / "state"),
               "LOOPLINE_LAKE_URI": str(self.lake), "LOOPLINE_DEV_MODE": "1", "PYTHONPATH": str(ROOT)}
        log = open(self.tmp / f"sink-{len(self.processes)}.log", "wb")  # noqa: SIM115 — lives with the process
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.processes.append(process)
        return process

    def data_files(self) -> int:
        folder = self.lake / "interactions"
        return sum(1 for _ in folder.rglob("*.parquet")) if folder.exists() else 0

    def wait_for_new_file(self, process: subprocess.Popen[bytes], *, timeout_s: float = 60.0) -> None:
        before = self.data_files()
        deadline = time.monotonic() + timeout_s
        while self.data_files() == before:
            assert process.poll() is None, f"sink exited early with {process.returncode}: {self.log_tail()}"
            assert time.monotonic() < deadline, f"no data file written in {timeout_s}s: {self.log_tail()}"
            time.sleep(0.005)

    def wait_complete(self, expected: set[str], *, timeout_s: float = 180.0) -> VerifyReport:
        deadline = time.monotonic() + timeout_s
        report = verify_table(str(self.lake), TABLES["interactions"], expected=expected)
        while not report.ok and time.monotonic() < deadline:
            if report.duplicated or report.unexpected:
                break  # can only get worse
            time.sleep(1.0)
            report = verify_table(str(self.lake), TABLES["interactions"], expected=expected)
        return report

    def log_tail(self) -> str:
        logs = sorted(self.tmp.glob("sink-*.log"))
        return logs[-1].read_text(errors="replace")[-3000:] if logs else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def rig(broker: str, topic_factory: Callable[..., TopicSpec], tmp_path: Path) -> Iterator[SinkRig]:
    rig = SinkRig(broker, topic_factory, tmp_path)
    try:
        yield rig
    finally:
        rig.stop_all()


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_sink_survives_kill_9_with_every_event_exactly_once(rig: SinkRig) -> None:
    records = _records(50_000, seed=101)
    expected = {_event_id(r) for r in records}
    chunks = [records[i::5] for i in range(5)]  # publish while the sink restarts, so every kill finds work
    rng = random.Random(7)
    kills = 0
    for round_ in range(6):
        if round_ < len(chunks):
            publish(chunks[round_], bootstrap_servers=rig.broker, topic=rig.specs["interactions"].name)
        process = rig.start()
        if round_ % 2 == 0:
            rig.wait_for_new_file(process)  # a data file just landed: its commit is in flight
        else:
            time.sleep(rng.uniform(2.5, 5.0))
        assert process.poll() is None, f"sink died on its own: {rig.log_tail()}"
        _kill(process)
        kills += 1
    rig.start()
    report = rig.wait_complete(expected)
    print(report.line("interactions"), f"after {kills} kill -9")
    assert kills >= 5
    assert report.ok, report.line("interactions")
    assert report.rows == 50_000


def test_two_sinks_sharing_the_group_rebalance_without_loss_or_duplicates(rig: SinkRig) -> None:
    records = _records(20_000, seed=202)
    expected = {_event_id(r) for r in records}
    first_half, second_half = records[::2], records[1::2]
    publish(first_half, bootstrap_servers=rig.broker, topic=rig.specs["interactions"].name)
    a = rig.start()
    rig.wait_for_new_file(a)
    b = rig.start()  # joins: partitions move from a to b (a flushes its revoked ones)
    time.sleep(4.0)
    publish(second_half, bootstrap_servers=rig.broker, topic=rig.specs["interactions"].name)
    time.sleep(1.0)
    _kill(a)  # b takes a's partitions after the session timeout
    rig.start()  # and a third joins
    report = rig.wait_complete(expected)
    print(report.line("interactions"), "with", len(rig.processes), "sink processes")
    assert b.poll() is None, f"second sink died: {rig.log_tail()}"
    assert report.ok, report.line("interactions")
    assert report.rows == 20_000
