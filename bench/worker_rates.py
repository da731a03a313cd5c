"""How fast a worker process gets through a topic, read from its own metrics endpoint.

A worker announces its endpoint in ``<state>/workers/<name>.metrics`` (``loopline run`` does; so
does :data:`FAUST_COUNTER`). Its rate is ``loopline_events_in_total`` for ``cx.interactions.v1``
between the first and the last record, polled every 50 ms, so start-up (group join, topic
metadata, changelog recovery) is not counted.

:data:`FAUST_COUNTER` is the Faust ceiling: an agent built by the same app factory that only
counts records. A worker's rate against it is the share of Faust's own speed it keeps; the plain
consumers of each benchmark show what the client library reads without Faust.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from topics.specs import INTERACTIONS

ROOT = Path(__file__).resolve().parent.parent

FAUST_COUNTER = """
import sys
from pathlib import Path
from pipelines.app import AppConfig, create_app, run_app
from pipelines.slo.metrics import PipelineMetrics, new_registry, serve_metrics
from topics.specs import INTERACTIONS
bootstrap, state = sys.argv[1], Path(sys.argv[2])
app = create_app(AppConfig("bench-faust-counter", bootstrap_servers=bootstrap, state_dir=state))
registry = new_registry()
health = PipelineMetrics(registry, worker="faust-counter")
topic = app.topic(INTERACTIONS.name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
async def count(stream):
    async for _ in stream.events():
        health.events_in(INTERACTIONS.name)
app.agent(topic, name="count")(count)
_, port = serve_metrics(registry, port=0, host="127.0.0.1")
(state / "workers").mkdir(parents=True, exist_ok=True)
(state / "workers" / "faust-counter.metrics").write_text(f"http://127.0.0.1:{port}/metrics")
run_app(app, loglevel="warning")
"""


def events_in(url: str) -> float:
    """The worker's ``loopline_events_in_total`` for the interactions topic (0 while unreachable)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("loopline_events_in_total{") and f'topic="{INTERACTIONS.name}"' in line)


def worker_env(bootstrap: str, state_dir: Path) -> dict[str, str]:
    return {**os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": bootstrap, "LOOPLINE_STATE_DIR": str(state_dir),
            "LOOPLINE_METRICS_PORT": "0", "LOOPLINE_DEV_MODE": "1", "HF_HUB_OFFLINE": "1"}


def start(command: list[str], *, bootstrap: str, state_dir: Path) -> subprocess.Popen[bytes]:
    """Start a worker process (output to ``<state_dir>/worker.log``)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / "worker.log").open("wb")
    try:
        return subprocess.Popen(command, env=worker_env(bootstrap, state_dir), cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)
    finally:
        log.close()


def rate(process: subprocess.Popen[bytes], *, announced: Path, expected: int, timeout_s: float = 600) -> float:
    """Records/s of a started worker from its first counted record to the ``expected``-th."""
    deadline = time.monotonic() + timeout_s
    while not announced.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start (no {announced.name})")
        time.sleep(0.05)
    url = announced.read_text().strip()
    first: tuple[float, float] | None = None
    while True:
        count = events_in(url)
        now = time.perf_counter()
        if first is None and count > 0:
            first = (now, count)
        if first is not None and count >= expected:
            return (count - first[1]) / max(now - first[0], 1e-6)
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker processed {count:.0f} of {expected} records")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(command: list[str], *, worker: str, bootstrap: str, state_dir: Path, expected: int,
            timeout_s: float = 600) -> float:
    """Start ``command``, take its :func:`rate` over ``expected`` records, stop it."""
    process = start(command, bootstrap=bootstrap, state_dir=state_dir)
    try:
        return rate(process, announced=state_dir / "workers" / f"{worker}.metrics", expected=expected,
                    timeout_s=timeout_s)
    finally:
        stop(process)


def faust_counter_eps(bootstrap: str, expected: int, state_dir: Path) -> float:
    """Records/s of :data:`FAUST_COUNTER` reading the interactions topic from the beginning."""
    return measure([sys.executable, "-c", FAUST_COUNTER, bootstrap, str(state_dir)], worker="faust-counter",
                   bootstrap=bootstrap, state_dir=state_dir, expected=expected)
