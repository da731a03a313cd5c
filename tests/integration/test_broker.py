"""The embedded broker's lifecycle: start, find, health, stop, and no orphans."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopline.cli import _build
from topics.broker import EmbeddedBroker, _is_tansu, wait_for_metadata
from topics.exceptions import BrokerError

pytestmark = pytest.mark.integration


def _tansu_pids() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _is_tansu(int(entry.name)):
            pids.add(int(entry.name))
    return pids


def test_start_is_found_by_later_commands_and_stop_leaves_nothing(tmp_path: Path) -> None:
    broker = EmbeddedBroker(tmp_path)
    info = broker.start()
    try:
        assert info.bootstrap_servers.startswith("127.0.0.1:")
        assert wait_for_metadata(info.bootstrap_servers, timeout_s=5)
        again = EmbeddedBroker(tmp_path).start()  # a second start finds the running one
        assert again.pid == info.pid
        assert EmbeddedBroker(tmp_path).info() == info  # found from the state directory alone
        assert (tmp_path / "broker.log").exists()
    finally:
        assert broker.stop() is True
    assert not _is_tansu(info.pid), "no orphan process after stop"
    assert not (tmp_path / "broker.json").exists()
    assert broker.stop() is False  # stopping twice is harmless


def test_failed_start_raises_clear_error_and_leaves_no_orphan(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        before = _tansu_pids()
        with pytest.raises(BrokerError, match="did not answer"):
            EmbeddedBroker(tmp_path).start(port=port, timeout_s=3)
    assert _tansu_pids() - before == set()
    assert not (tmp_path / "broker.json").exists()


def test_cli_start_status_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPLINE_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LOOPLINE_BOOTSTRAP_SERVERS", raising=False)
    runner, app = CliRunner(), _build()
    assert runner.invoke(app, ["broker", "status"]).exit_code == 1
    started = runner.invoke(app, ["broker", "start"])
    assert started.exit_code == 0, started.output
    try:
        status = runner.invoke(app, ["broker", "status"])
        assert status.exit_code == 0 and "127.0.0.1:" in status.output
    finally:
        assert runner.invoke(app, ["broker", "stop"]).exit_code == 0
    assert runner.invoke(app, ["broker", "status"]).exit_code == 1


def test_configured_cluster_means_nothing_is_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: str) -> None:
    monkeypatch.setenv("LOOPLINE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("LOOPLINE_BOOTSTRAP_SERVERS", broker)
    result = CliRunner().invoke(_build(), ["broker", "start"])
    assert result.exit_code == 0 and "nothing to start" in result.output
    assert not (tmp_path / "broker.json").exists()


def test_stale_state_file_with_dead_pid_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "broker.json").write_text(
        '{"pid": 999999, "port": 1, "binary": "x", "version": "v", "started_at": "t", "log_path": "l"}')
    assert EmbeddedBroker(tmp_path).info() is None
    assert os.path.exists(tmp_path / "broker.json")
