"""`loopline run slo`: the Faust worker around the pure SLO core (:class:`SloProcessor`).

One agent consumes ``cx.interactions.v1``, ``cx.decisions.v1`` and ``cx.escalations.v1`` (the
worker runs without decisions too: then risk signals come from the events alone). It only moves
records: decode at the edge (bad records → ``cx.deadletter.v1``), hand them to the shard's core,
publish closed windows to ``cx.slo.v1`` and late records to ``cx.late.v1``, and record metrics.

* **Shards.** One :class:`SloProcessor` per ``cx.interactions.v1`` partition: each has its own
  event-time watermark, and its windows carry the shard in their id (consumers of ``cx.slo.v1``
  sum the shards). A decision or escalation goes to the shard that holds its conversation, else to
  the shard librdkafka's default partitioner (CRC32 of the key) puts the conversation in.
* **Decision latency** is measured between Kafka append times (decision record − its source
  event's record): ``Decision.time`` is stamped with the event time for determinism.
* **State across restarts.** Events are consumed *without* automatic acks. Every
  ``checkpoint_interval_s`` (and when the input goes idle) the worker sends its pending outputs,
  writes a snapshot of every changed shard to ``<state_dir>/faust/slo/`` (write + rename), and only
  then acks the events the snapshots cover, so Faust never commits an offset whose effect is not in
  a snapshot. After a crash the worker reloads the snapshots and re-reads from the committed
  offsets; the core ignores records it has already applied (per-conversation ids, tombstones), and
  outputs produced after the last snapshot are produced again with the same deterministic ids.
  Limitation: snapshots are local files. A shard that moves to another machine starts empty there
  (its open conversations and windows are recounted only by the batch job, which owns the final
  numbers).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from pipelines.app import AppConfig, create_app, run_app
from pipelines.catalogue import Catalogue
from pipelines.edge import EdgeGuard
from pipelines.slo.definitions import SloDefinitions
from pipelines.slo.metrics import PipelineMetrics, SloMetrics
from pipelines.slo.processor import SloProcessor, StepOutput
from topics.codec import decode_as, encode
from topics.exceptions import EventValidationError
from topics.outputs import Decision, Escalation, LateEvent, SloWindow
from topics.specs import DEADLETTER, DECISIONS, ESCALATIONS, INTERACTIONS, LATE, SLO

log = logging.getLogger(__name__)

WORKER = "slo"
INPUTS = (INTERACTIONS.name, DECISIONS.name, ESCALATIONS.name)


def default_shard(key: bytes | None, partitions: int = INTERACTIONS.partitions) -> int:
    """The partition librdkafka's default partitioner (``consistent_random``: CRC32 of the key)
    gives a keyed record — where the conversation's interaction events are.

    >>> default_shard(b"conv-1-000001", 6) == default_shard(b"conv-1-000001", 6)
    True
    """
    return zlib.crc32(key) % partitions if key else 0


def window_key(window: SloWindow) -> bytes:
    """The ``cx.slo.v1`` key: sli/window/intent/channel/segment/tier (see topics/specs.py)."""
    return (f"{window.sli}/{window.window_ms}/{window.window_start.isoformat()}/{window.intent}/"
            f"{window.channel}/{window.segment}/{window.tier}").encode()


@dataclass
class Shards:
    """The processors of this worker, one per interactions partition, with their snapshots."""

    definitions: SloDefinitions
    catalogue: Catalogue
    snapshot_dir: Path
    processors: dict[int, SloProcessor] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)

    def get(self, shard: int) -> SloProcessor:
        core = self.processors.get(shard)
        if core is None:
            core = SloProcessor(self.definitions, self.catalogue, worker=WORKER, shard=f"{INTERACTIONS.name}/{shard}")
            path = self._path(shard)
            if path.exists():
                try:
                    core.restore(path.read_bytes())
                    log.info("slo: shard %d restored from %s (watermark %s)", shard, path, core.watermark)
                except Exception as exc:  # any unreadable snapshot: start the shard afresh
                    log.error("slo: ignoring unreadable snapshot %s: %s", path, exc)
                    core = SloProcessor(self.definitions, self.catalogue, worker=WORKER,
                                        shard=f"{INTERACTIONS.name}/{shard}")
            self.processors[shard] = core
        self.dirty.add(shard)
        return core

    def owner(self, conversation_id: str, key: bytes | None) -> int:
        for shard, core in self.processors.items():
            if core.knows(conversation_id):
                return shard
        return default_shard(key or conversation_id.encode())

    def save(self) -> int:
        """Snapshot every changed shard (write, fsync, rename); return how many were written."""
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        written = 0
        for shard in sorted(self.dirty):
            path = self._path(shard)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                handle.write(self.processors[shard].snapshot())
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(path)
            written += 1
        self.dirty.clear()
        return written

    def state_size(self) -> dict[str, int]:
        sizes: Counter[str] = Counter()
        for core in self.processors.values():
            sizes.update(core.state_size)
        return dict(sizes)

    def _path(self, shard: int) -> Path:
        return self.snapshot_dir / f"shard-{shard}.snapshot"


class SloWorker:
    def __init__(
        self,
        config: AppConfig,
        *,
        definitions: SloDefinitions,
        catalogue: Catalogue,
        registry: CollectorRegistry | None = None,
        checkpoint_interval_s: float = 1.0,
    ) -> None:
        self.app: faust.App = create_app(config)
        self.definitions = definitions
        self.registry = registry or CollectorRegistry()
        self.health = PipelineMetrics(self.registry, worker=WORKER)
        self.metrics = SloMetrics(self.registry, definitions, catalogue)
        self.health.touch(INPUTS)
        self.health.policy_in_use("slos", f"v{definitions.version}")
        self.shards = Shards(definitions, catalogue, config.state_dir / "faust" / config.name / "snapshots")
        self.checkpoint_interval_s = checkpoint_interval_s
        self.outbox: list[tuple[str, bytes, bytes]] = []
        self.unacked: list[Any] = []
        self.last_checkpoint = time.monotonic()
        self.lock = asyncio.Lock()
        raw: dict[str, Any] = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
        app = self.app
        self.source = app.topic(*INPUTS, partitions=INTERACTIONS.partitions, **raw)
        self.out = {spec.name: app.topic(spec.name, partitions=spec.partitions, **raw) for spec in (SLO, LATE, DEADLETTER)}
        self.guard = EdgeGuard(WORKER, self._send)
        app.agent(self.source, name=f"{WORKER}-inputs")(self._process)
        app.timer(checkpoint_interval_s)(self._idle_checkpoint)

    # --- agent and timer ----------------------------------------------------------------------
    async def _process(self, stream: Any) -> None:
        async for event in stream.noack().events():
            message = event.message
            async with self.lock:
                self.health.events_in(message.topic)
                try:
                    self.handle(event.value, topic=message.topic, partition=message.partition,
                                offset=message.offset, key=message.key, append_ts=message.timestamp)
                except Exception as exc:  # a worker never crashes on a record: it becomes a dead letter
                    self.health.processing_error(message.topic)
                    self.guard.processing_failed(event.value, exc, topic=message.topic, partition=message.partition,
                                                 offset=message.offset, key=message.key)
                self.unacked.append(event)
                self._lag(message)
                await self._flush_outbox()
                if time.monotonic() - self.last_checkpoint >= self.checkpoint_interval_s:
                    await self._checkpoint()

    async def _idle_checkpoint(self) -> None:
        async with self.lock:
            if self.unacked:
                await self._checkpoint()

    async def _checkpoint(self) -> None:
        """Outputs sent, snapshots written, THEN the events they cover are acked (committable)."""
        await self._flush_outbox()
        await self.app.producer.flush()  # delivered, not just enqueued (timer sends are not attached to an offset)
        self.shards.save()
        events, self.unacked = self.unacked, []
        for event in events:
            event.ack()
        self.last_checkpoint = time.monotonic()
        self.health.state_entries(self.shards.state_size())

    async def _flush_outbox(self) -> None:
        outbox, self.outbox = self.outbox, []
        for topic, key, value in outbox:
            await self.out[topic].send(key=key, value=value)

    def _lag(self, message: Any) -> None:
        try:
            highwater = self.app.consumer.highwater(message.tp)
        except Exception:
            return
        if highwater is not None:
            self.health.consumer_lag(message.topic, message.partition, max(0, int(highwater) - message.offset - 1))

    # --- the record path (synchronous, testable without a broker) -----------------------------
    def handle(self, raw: bytes | None, *, topic: str, partition: int, offset: int, key: bytes | None,
               append_ts: float | None = None) -> StepOutput | None:
        append_ms = int(append_ts * 1000) if append_ts else None
        if topic == INTERACTIONS.name:
            event = self.guard.decode(raw, topic=topic, partition=partition, offset=offset, key=key)
            if event is None:
                self.health.dead_lettered(topic)
                return None
            step = self.shards.get(partition).on_event(event, append_ms=append_ms)
        else:
            record = self._decode_output(raw, topic=topic, partition=partition, offset=offset, key=key)
            if record is None:
                return None
            core = self.shards.get(self.shards.owner(record.conversation_id, key))
            if isinstance(record, Decision):
                step = core.on_decision(record, append_ms=append_ms)
            else:
                step = core.on_escalation(record)
                self.metrics.record_escalation(record)
        self._publish(step, topic=topic)
        return step

    def _decode_output(self, raw: bytes | None, *, topic: str, partition: int, offset: int,
                       key: bytes | None) -> Decision | Escalation | None:
        cls: type[Decision] | type[Escalation] = Decision if topic == DECISIONS.name else Escalation
        try:
            if raw is None:
                raise EventValidationError("empty record (tombstone)", event_id=None, field="<record>", value=None)
            return decode_as(raw, cls)
        except EventValidationError as exc:
            self.guard.dead_letter(raw or b"", reason=str(exc), field=exc.field, event_id=exc.event_id,
                                   topic=topic, partition=partition, offset=offset, key=key)
            self.health.dead_lettered(topic)
            return None

    def _publish(self, step: StepOutput, *, topic: str) -> None:
        self.metrics.record(step.outcomes)  # late outcomes too: Prometheus has no event time
        for window in step.windows:
            self._send(SLO.name, window_key(window), encode(window))
        for late in step.late:
            self._send(LATE.name, late.conversation_id.encode(), encode(late))
        if step.late:
            self.health.late(topic, len(step.late))

    def _send(self, topic: str, key: bytes, value: bytes) -> None:
        self.outbox.append((topic, key, value))


def decode_window(raw: bytes) -> SloWindow:
    return decode_as(raw, SloWindow)


def decode_late(raw: bytes) -> LateEvent:
    return decode_as(raw, LateEvent)


def run_worker(worker: SloWorker, *, loglevel: str = "warning") -> None:
    """Run until SIGTERM/SIGINT (Faust handles the signals; the last checkpoint runs on the way)."""
    run_app(worker.app, loglevel=loglevel)
