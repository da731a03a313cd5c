"""Shared fixtures: the real embedded broker (one per session), unique topics per test, kcat."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from topics.admin import provision
from topics.broker import EmbeddedBroker
from topics.specs import TopicSpec

ROOT = Path(__file__).resolve().parent.parent
DEV_DATA = ROOT.parent / "shared" / "data" / "dev"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a real Kafka-protocol broker: LOOPLINE_BOOTSTRAP_SERVERS if set, else
    the embedded Tansu broker, started through the same code as `loopline broker start`."""
    external = os.environ.get("LOOPLINE_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    embedded = EmbeddedBroker(tmp_path_factory.mktemp("broker-state"))
    info = embedded.start()
    try:
        yield info.bootstrap_servers
    finally:
        embedded.stop()


@pytest.fixture
def topic_factory(broker: str) -> Callable[..., TopicSpec]:
    """Provision a uniquely named copy of a topic spec (tests run in any order)."""

    def make(spec: TopicSpec | None = None, **changes: object) -> TopicSpec:
        base = spec or TopicSpec(name="t", description="test topic", key="k", messages=())
        unique = replace(base, name=f"{base.name}.test-{uuid.uuid4().hex[:10]}", **changes)  # type: ignore[arg-type]
        provision(broker, [unique])
        return unique

    return make


@pytest.fixture(scope="session")
def kcat() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real kcat binary (through tools/kcat, see there why)."""
    if shutil.which("kcat") is None and not Path("/usr/bin/kcat").exists():
        pytest.fail("kcat is not installed: run `make setup` (apt-get install kcat)")

    def run(*args: str, timeout_s: float = 30.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(ROOT / "tools" / "kcat"), *args], capture_output=True, text=True,
                              timeout=timeout_s, check=False)

    return run


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[str]:
    """A dedicated embedded broker for tests whose workers use the fixed loopline topic names."""
    embedded = EmbeddedBroker(tmp_path / "own-broker")
    info = embedded.start()
    try:
        yield info.bootstrap_servers
    finally:
        embedded.stop()


@pytest.fixture
def run_worker(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `loopline run NAME` as a real process against a given cluster; stopped at teardown."""
    import signal
    import sys

    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, bootstrap: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        state = tmp_path / f"worker-{name}-{len(started)}"
        state.mkdir(parents=True)
        environment = {
            **os.environ, "LOOPLINE_BOOTSTRAP_SERVERS": bootstrap, "LOOPLINE_STATE_DIR": str(state),
            "LOOPLINE_DEV_MODE": "1", "LOOPLINE_METRICS_PORT": "0", "HF_HUB_OFFLINE": "1", **(env or {}),
        }
        log = open(state / "worker.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "loopline", "run", name, *args], env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        process.log_path = state / "worker.log"  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


WaitUntil = Callable[..., Any]


def _log_tail(process: subprocess.Popen[bytes], chars: int = 3000) -> str:
    log_path = getattr(process, "log_path", None)
    return Path(log_path).read_text()[-chars:] if log_path else ""


def _wait_until(predicate: Callable[[], Any], *, what: str, timeout_s: float = 240.0,
                processes: Sequence[subprocess.Popen[bytes]] = (), poll_s: float = 0.5) -> Any:
    """Poll ``predicate`` until it returns something truthy, and return that. Fails, with the
    watched processes' log tails, as soon as one of them exits or when ``timeout_s`` runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        for process in processes:
            assert process.poll() is None, f"a process exited while waiting for {what}:\n{_log_tail(process)}"
        if time.monotonic() >= deadline:
            tails = "\n".join(_log_tail(p) for p in processes)
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}" + (f"\n{tails}" if tails else ""))
        time.sleep(poll_s)


@pytest.fixture
def wait_until() -> WaitUntil:
    """:func:`_wait_until`: poll a condition, watching worker processes."""
    return _wait_until


@pytest.fixture
def wait_committed() -> WaitUntil:
    """Wait until consumer group ``group`` has committed ``expected`` offsets of cx.interactions.v1,
    watching the worker ``process``."""
    from topics.reader import committed_total
    from topics.specs import INTERACTIONS

    def wait(bootstrap: str, group: str, expected: int, process: subprocess.Popen[bytes], *,
             timeout_s: float = 240.0, poll_s: float = 0.5) -> None:
        _wait_until(lambda: committed_total(bootstrap, group, INTERACTIONS.name) >= expected,
                    what=f"{group} to commit {expected} offsets", timeout_s=timeout_s, processes=[process],
                    poll_s=poll_s)

    return wait
