"""The Faust app factory: the worker's Kafka consumer asks the broker to answer fetches within
FETCH_MAX_WAIT_MS (Faust's own 1,500 ms bounded the append-to-decision latency)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pipelines.app import FETCH_MAX_WAIT_MS, AppConfig, create_app


def test_the_worker_consumer_waits_at_most_fetch_max_wait_ms(tmp_path: Path) -> None:
    async def build() -> int:
        app = create_app(AppConfig("unit", bootstrap_servers="127.0.0.1:1", state_dir=tmp_path))
        thread = app.consumer._new_consumer_thread()
        client = thread._create_worker_consumer(app.transport)  # built, not started: no broker needed
        return int(client._fetch_max_wait_ms)

    assert FETCH_MAX_WAIT_MS < 100
    assert asyncio.run(build()) == FETCH_MAX_WAIT_MS
