"""A test rig for the proof harness: its own embedded broker, the workers as real OS processes
(started, SIGKILLed and restarted like in production), a background publisher, and "caught up"
decided by committed offsets and read-until-idle counts (never by the embedded broker's
watermark, which can be short of the real end: README, "The embedded broker").

Adding a worker to chaos and soak is one entry in :data:`WORKERS`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loopline.exceptions import LooplineError
from loopline.processes import stop_process
from pipelines.sources.publish import PublishStats, publish
from pipelines.sources.simulator import Record
from topics.admin import provision
from topics.broker import EmbeddedBroker
from topics.reader import committed_total, read_topic
from topics.specs import DEADLETTER, DECISIONS, ESCALATIONS, INTERACTIONS, SLO

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WorkerSpec:
    """How to start one worker and which (consumer group, topics) say it is caught up."""

    argv: tuple[str, ...]
    group: str
    inputs: tuple[str, ...]


#: The workers chaos and soak run. ``--lexical``: no embedding model (the reference uses it too).
WORKERS: dict[str, WorkerSpec] = {
    "escalation": WorkerSpec(("-m", "loopline", "run", "escalation", "--lexical"), "loopline-escalation",
                             (INTERACTIONS.name,)),
    "lake": WorkerSpec(("-m", "loopline", "run", "lake"), "loopline-lake",
                       (INTERACTIONS.name, DECISIONS.name, ESCALATIONS.name, SLO.name, DEADLETTER.name)),
    "slo": WorkerSpec(("-m", "loopline", "run", "slo"), "loopline-slo",
                      (INTERACTIONS.name, DECISIONS.name, ESCALATIONS.name)),
}
#: The lake sink of a deliberately broken build (see :mod:`loopline.chaos`, ``broken_sink``).
BROKEN_LAKE = WorkerSpec(("-m", "loopline.chaos", "broken-sink"), "loopline-lake", WORKERS["lake"].inputs)


@dataclass
class Worker:
    name: str
    spec: WorkerSpec
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    started_at: float = 0.0  # time.monotonic() of the last start

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None


@dataclass
class Rig:
    """Broker + workers under ``state_dir``; use as a context manager (stops what it started)."""

    state_dir: Path
    names: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    specs: dict[str, WorkerSpec] = field(default_factory=dict)
    workers: dict[str, Worker] = field(init=False, default_factory=dict)
    bootstrap: str = field(init=False, default="")
    broker_pid: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        unknown = [n for n in self.names if n not in WORKERS and n not in self.specs]
        if unknown:
            raise LooplineError(f"unknown worker(s) {unknown}: choose from {', '.join(WORKERS)}")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.lake_root = str((self.state_dir / "lake").resolve())
        self._broker = EmbeddedBroker(self.state_dir / "broker")

    # --- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> Rig:
        info = self._broker.start()
        self.bootstrap, self.broker_pid = info.bootstrap_servers, info.pid
        provision(self.bootstrap)
        for name in self.names:
            spec = self.specs.get(name) or WORKERS[name]
            self.workers[name] = Worker(name, spec, self.state_dir / f"worker-{name}.log")
            self.start(name)
        return self

    def __exit__(self, *exc: object) -> None:
        self.resume_broker()
        for worker in self.workers.values():
            self._stop(worker)
        self._broker.stop()

    def start(self, name: str) -> Worker:
        worker = self.workers[name]
        env = {**os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": self.bootstrap,
               "LOOPLINE_STATE_DIR": str(self.state_dir / "workers" / name), "LOOPLINE_LAKE_URI": self.lake_root,
               "LOOPLINE_DEV_MODE": "1", "LOOPLINE_METRICS_PORT": "0", "HF_HUB_OFFLINE": "1",
               "PYTHONPATH": str(ROOT), **self.env}
        log = open(worker.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        worker.process = subprocess.Popen([sys.executable, *worker.spec.argv], env=env, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
                                          start_new_session=True)
        log.close()
        worker.starts += 1
        worker.started_at = time.monotonic()
        return worker

    def kill(self, name: str) -> None:
        """SIGKILL (kill -9) the worker's process: no flush, no commit, no goodbye."""
        worker = self.workers[name]
        if worker.process is not None and worker.process.poll() is None:
            worker.process.send_signal(signal.SIGKILL)
            worker.process.wait(timeout=30)
            worker.kills += 1

    def stall_broker(self, seconds: float) -> None:
        """SIGSTOP the broker for ``seconds``, then SIGCONT (it is in-memory: never kill it)."""
        os.kill(self.broker_pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            self.resume_broker()

    def resume_broker(self) -> None:
        if self.broker_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.broker_pid, signal.SIGCONT)

    def check_alive(self) -> None:
        for worker in self.workers.values():
            if worker.process is not None and worker.process.poll() is not None:
                raise LooplineError(f"worker {worker.name} exited on its own with code {worker.process.returncode}; "
                                    f"last log lines:\n{tail(worker.log_path)}")

    def _stop(self, worker: Worker, timeout_s: float = 20.0) -> None:
        if worker.process is not None:
            stop_process(worker.process, timeout_s=timeout_s)

    # --- progress -------------------------------------------------------------------------------
    def committed(self, name: str, topic: str = INTERACTIONS.name) -> int:
        return committed_total(self.bootstrap, self.workers[name].spec.group, topic)

    def wait_caught_up(self, published: int, *, timeout_s: float, poll_s: float = 1.0) -> float:
        """Wait until every worker has committed every input record; the output topics' counts
        come from reading them until idle, repeated until they stop growing."""
        started = time.monotonic()
        deadline = started + timeout_s
        counts: dict[str, int] = {INTERACTIONS.name: published}
        previous: dict[str, int] = {}
        while True:
            self.check_alive()
            behind = [(name, topic, done, counts[topic]) for name, worker in self.workers.items()
                      for topic in worker.spec.inputs if topic in counts
                      for done in [self.committed(name, topic)] if done < counts[topic]]
            if not behind and counts == previous:
                return time.monotonic() - started
            if time.monotonic() > deadline:
                raise LooplineError(f"not caught up after {timeout_s:.0f}s: "
                                    + ", ".join(f"{n} on {t}: {d}/{c}" for n, t, d, c in behind))
            if not behind:  # inputs done: (re)count the outputs the workers feed each other
                previous = dict(counts)
                for topic in {t for w in self.workers.values() for t in w.spec.inputs} - {INTERACTIONS.name}:
                    counts[topic] = count_records(self.bootstrap, topic)
                if counts == previous:
                    continue
            time.sleep(poll_s)


def count_records(bootstrap: str, topic: str) -> int:
    return sum(1 for _ in read_topic(bootstrap, topic, timeout_s=300.0, idle_s=2.0))


class Publisher(threading.Thread):
    """Publish records at a steady rate in the background (the broker may be stalled meanwhile)."""

    def __init__(self, records: Iterable[Record], *, bootstrap: str, rate_eps: float) -> None:
        super().__init__(name="chaos-publisher", daemon=True)
        self.records, self.bootstrap, self.rate_eps = records, bootstrap, rate_eps
        self.stats: PublishStats | None = None
        self.error: BaseException | None = None
        self.progress = 0

    def run(self) -> None:
        try:
            self.stats = publish(self.records, bootstrap_servers=self.bootstrap, topic=INTERACTIONS.name,
                                 rate_eps=self.rate_eps, on_progress=self._progress)
        except BaseException as exc:  # reported by result()
            self.error = exc

    def _progress(self, n: int) -> None:
        self.progress = n

    def result(self, *, timeout_s: float) -> PublishStats:
        self.join(timeout_s)
        if self.is_alive():
            raise LooplineError(f"publishing did not finish within {timeout_s:.0f}s")
        if self.error is not None or self.stats is None:
            raise LooplineError(f"publishing failed: {self.error}")
        return self.stats


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in _files(path))


def _files(path: Path) -> Iterator[Path]:
    if path.exists():
        for item in path.rglob("*"):
            with contextlib.suppress(OSError):
                if item.is_file():
                    yield item
