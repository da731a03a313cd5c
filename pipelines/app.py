"""The Faust app factory: one place that decides how every stream processor talks to Kafka.

Processors are at-least-once (the embedded broker has no transactions); effectively-once comes
from deterministic output ids and per-conversation dedupe of applied event ids in the cores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

from topics.reader import log_ends

#: How long the broker may hold a fetch that finds nothing new. Faust fixes it at 1,500 ms, and the
#: embedded broker holds a fetch for that long rather than answering when a record arrives, so it
#: bounded the time from append to processing: a plain aiokafka consumer at 500 records/s saw
#: p50 367 ms / p99 753 ms at 1,500 ms, 132 / 256 ms at 500 ms and 9 / 14 ms at 10 ms. An idle
#: worker then asks the broker 40 times a second, which costs it next to nothing.
FETCH_MAX_WAIT_MS = 25


@dataclass(frozen=True)
class AppConfig:
    """What a worker needs to build its Faust app (read from settings at the CLI edge)."""

    name: str
    bootstrap_servers: str
    state_dir: Path
    partitions: int = 6
    commit_interval_s: float = 1.0


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka when the consumer starts
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def highwaters(self, *partitions: Any) -> Mapping[Any, int]:
        """The real ends of the partitions' logs. Table recovery reads each changelog up to this:
        with the embedded broker's watermark (base offset of the last batch + 1), a restarted
        worker lost the rest of each changelog partition's last batch."""
        reported = await super().highwaters(*partitions)
        bootstrap = ",".join(f"{url.host}:{url.port}" for url in self.app.conf.broker)
        ends = await asyncio.get_running_loop().run_in_executor(
            None, lambda: log_ends(bootstrap, {(tp.topic, tp.partition): end for tp, end in reported.items()
                                               if end is not None}))
        return {tp: ends.get((tp.topic, tp.partition), end) for tp, end in reported.items()}


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class LooplineApp(faust.App):
    """A Faust app whose worker consumer uses :data:`FETCH_MAX_WAIT_MS`."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)


def create_app(config: AppConfig, **overrides: Any) -> faust.App:
    """A Faust app for one loopline worker (consumer group ``loopline-<name>``)."""
    data_dir = config.state_dir / "faust" / config.name
    data_dir.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "broker": f"kafka://{config.bootstrap_servers.split(',')[0]}"
        + "".join(f";kafka://{b}" for b in config.bootstrap_servers.split(",")[1:]),
        "store": "memory://",  # tables are rebuilt from their changelog topics on start
        "datadir": str(data_dir),
        "topic_partitions": config.partitions,
        "topic_replication_factor": 1,
        "topic_allow_declare": True,
        "consumer_auto_offset_reset": "earliest",
        "broker_commit_interval": config.commit_interval_s,
        # The embedded broker holds a JoinGroup for about half the session timeout before it
        # answers (measured: 60 s -> 30 s of a worker doing nothing at start). 12 s keeps a restart
        # quick and still tolerates a multi-second pause (the first MiniLM call) without eviction.
        "broker_session_timeout": 12.0,
        "broker_rebalance_timeout": 12.0,
        "broker_heartbeat_interval": 2.0,
        "processing_guarantee": "at_least_once",
        "producer_acks": -1,
        "producer_linger": 0.005,  # batch changelog and output records: fewer, larger produce requests
        "producer_max_batch_size": 262_144,
        "web_enabled": False,
        "table_standby_replicas": 0,
        "stream_wait_empty": True,
        "value_serializer": "raw",
        "key_serializer": "raw",
        "logging_config": None,
    }
    options.update(overrides)
    return LooplineApp(f"loopline-{config.name}", **options)


def run_app(app: faust.App, *, loglevel: str = "warning") -> None:
    """Run ``app`` until SIGTERM/SIGINT (Faust commits offsets on the way out).

    Faust's worker attaches a terminal spinner that sets the root logger to DEBUG, so every debug
    record of aiokafka and Faust is built (then dropped): ~7 % of a busy worker's CPU. Without the
    spinner the root logger keeps ``loglevel``."""
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.spinner = None
    worker.execute_from_commandline()
