"""`loopline run lake`: the lake sink worker.

A confluent-kafka consumer group over the interaction and output topics (auto-commit off). Records
are batched by size and time; each flush decodes them at the edge (bad records go to the dead-letter
topic), masks every text and identifier, and appends one Delta commit per table carrying a
transaction id per source partition (``app_id`` = group:topic:partition, ``version`` = last offset).
Only after the Delta commit are the Kafka offsets committed.

On assignment each partition is sought to max(committed offset, Delta transaction version + 1), so a
crash between the Delta commit and the offset commit neither loses nor repeats a row; on revocation
the pending records of the revoked partitions are flushed first; lost partitions are dropped
(their new owner re-reads them).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

from lake.masking import CustomerIndex, SubjectTokens, TextMasker, TokenStore
from lake.rows import Located, RowBuilder
from lake.tables import TABLES, TableDef
from lake.writer import LakeWriter, Slice, WriteResult, app_id
from pipelines.edge import EdgeGuard
from pipelines.sinks.batching import DEFAULT_MAX_RECORDS, DEFAULT_MAX_WAIT_S, Batcher, Pending
from topics.codec import decode_as
from topics.exceptions import EventValidationError
from topics.outputs import DeadLetter, Decision, Escalation, SloWindow
from topics.specs import DEADLETTER

log = logging.getLogger(__name__)

WORKER = "lake-sink"
#: Tables whose producers deliver at least once with deterministic ids: dedupe on the key too.
KEY_DEDUPED = frozenset({"decisions", "escalations", "slo_windows", "dead_letters"})
_OUTPUT_CLASSES: dict[str, type] = {
    "decisions": Decision, "escalations": Escalation, "slo_windows": SloWindow, "dead_letters": DeadLetter,
}


@dataclass(frozen=True)
class SinkConfig:
    bootstrap_servers: str
    lake_root: str
    group_id: str = "loopline-lake"
    #: table name -> topic it is fed from (tests use unique topic names)
    topics: Mapping[str, str] = field(default_factory=lambda: {t.name: t.topic for t in TABLES.values()})
    deadletter_topic: str = DEADLETTER.name
    max_records: int = DEFAULT_MAX_RECORDS
    max_wait_s: float = DEFAULT_MAX_WAIT_S
    storage_options: dict[str, str] | None = None
    consumer_config: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class SinkStats:
    consumed: int = 0
    rows_written: int = 0
    rows_skipped: int = 0
    flushes: int = 0
    dead_lettered: int = 0
    write_s: float = 0.0
    by_table: dict[str, int] = field(default_factory=dict)


class LakeSink:
    """The worker: ``run()`` until ``stop()`` (or SIGTERM/SIGINT when ``install_signals``)."""

    def __init__(
        self,
        config: SinkConfig,
        *,
        masker_factory: Callable[[SubjectTokens], TextMasker],
        vault: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.hook = SubjectTokens(store=vault)
        self.rows = RowBuilder(masker_factory(self.hook), hook=self.hook, customers=CustomerIndex())
        self.writer = LakeWriter(config.lake_root, storage_options=config.storage_options)
        self.batcher = Batcher(max_records=config.max_records, max_wait_s=config.max_wait_s)
        self.stats = SinkStats()
        self._clock = clock
        self._stop = threading.Event()
        self._table_of = {topic: TABLES[name] for name, topic in config.topics.items()}
        self._producer = Producer({"bootstrap.servers": config.bootstrap_servers, "linger.ms": 5})
        self.guard = EdgeGuard(worker=WORKER, send=self._send)
        self._consumer = Consumer({
            "bootstrap.servers": config.bootstrap_servers,
            "group.id": config.group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10_000,
            "max.poll.interval.ms": 300_000,
            **config.consumer_config,
        })

    # -- lifecycle -----------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop())

    def run(self, *, until: Callable[[SinkStats], bool] | None = None) -> SinkStats:
        """Consume, batch and write until stopped (or ``until(stats)`` is true); flush on the way out."""
        topics = list(self._table_of)
        self._consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke,
                                 on_lost=self._on_lost)
        log.info("lake sink: group %s over %s into %s", self.config.group_id, topics, self.config.lake_root)
        try:
            while not self._stop.is_set() and not (until and until(self.stats)):
                for msg in self._consumer.consume(num_messages=1000, timeout=0.2):
                    error = msg.error()
                    if error is not None:
                        if error.code() != KafkaError._PARTITION_EOF:
                            log.warning("consumer: %s", error)
                        continue
                    _, ts = msg.timestamp()
                    self.batcher.add(Pending(msg.topic() or "", msg.partition() or 0, msg.offset() or 0,
                                             msg.key(), msg.value(), ts), now_s=self._clock())
                    self.stats.consumed += 1
                if self.batcher.due(now_s=self._clock()):
                    self.flush()
            self.flush()
        finally:
            self._consumer.close()
            self._producer.flush(10)
        return self.stats

    # -- rebalances ----------------------------------------------------------------------
    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        committed = {(tp.topic, tp.partition): tp.offset for tp in consumer.committed(partitions, timeout=30)}
        for tp in partitions:
            start = self.start_offset(tp.topic, tp.partition, committed.get((tp.topic, tp.partition), -1))
            tp.offset = start if start is not None else OFFSET_BEGINNING
        log.info("assigned %s", [(tp.topic, tp.partition, tp.offset) for tp in partitions])
        consumer.assign(partitions)

    def start_offset(self, topic: str, partition: int, committed: int) -> int | None:
        """max(committed Kafka offset, Delta transaction version + 1); None: from the beginning."""
        version = self.writer.committed_version(self._table_of[topic], self._app(topic, partition))
        candidates = [o for o in (committed if committed >= 0 else None,
                                  version + 1 if version is not None else None) if o is not None]
        return max(candidates) if candidates else None

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        revoked = [(tp.topic, tp.partition) for tp in partitions]
        try:
            self.flush(only=revoked)
        except Exception:  # the new owner re-reads from the committed position
            log.exception("flush on revoke failed; dropping pending records of %s", revoked)
            self.batcher.drop(revoked)

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        dropped = self.batcher.drop([(tp.topic, tp.partition) for tp in partitions])
        log.warning("partitions lost: %s (%d pending records dropped)", partitions, dropped)

    # -- flushing ------------------------------------------------------------------------
    def _app(self, topic: str, partition: int) -> str:
        return app_id(self.config.group_id, topic, partition)

    def _send(self, topic: str, key: bytes, value: bytes) -> None:
        if topic == DEADLETTER.name:
            topic = self.config.deadletter_topic
        self._producer.produce(topic, key=key, value=value)
        self.stats.dead_lettered += 1

    def flush(self, only: list[tuple[str, int]] | None = None) -> list[WriteResult]:
        """Write the pending records: decode, mask, one Delta commit per table, then commit offsets."""
        taken = self.batcher.take(only)
        if not taken:
            return []
        started = time.perf_counter()
        by_table: dict[str, list[Slice]] = {}
        for (topic, partition), records in sorted(taken.items()):
            table = self._table_of[topic]
            rows = self._rows(table, records)
            by_table.setdefault(table.name, []).append(Slice(
                app_id=self._app(topic, partition), first_offset=records[0].offset,
                last_offset=records[-1].offset, rows=rows,
            ))
        # dead letters must be durable before their source offsets are committed
        self._producer.flush(30)
        results = []
        for name, slices in by_table.items():
            if not any(s.rows.num_rows for s in slices):
                continue
            result = self.writer.append(TABLES[name], slices, dedupe_keys=name in KEY_DEDUPED)
            results.append(result)
            self.stats.rows_written += result.rows_written
            self.stats.rows_skipped += result.rows_skipped
            self.stats.by_table[name] = self.stats.by_table.get(name, 0) + result.rows_written
        offsets = [TopicPartition(t, p, recs[-1].offset + 1) for (t, p), recs in taken.items()]
        self._consumer.commit(offsets=offsets, asynchronous=False)
        self.stats.flushes += 1
        self.stats.write_s += time.perf_counter() - started
        log.info("flushed %d records: %s", sum(len(r) for r in taken.values()),
                 {r.table: (r.rows_written, r.rows_skipped) for r in results})
        return results

    def _rows(self, table: TableDef, records: list[Pending]) -> Any:
        if table.name == "interactions":
            events = []
            for r in records:
                event = self.guard.decode(r.value, topic=r.topic, partition=r.partition, offset=r.offset, key=r.key)
                if event is not None:
                    events.append(Located(event, r.topic, r.partition, r.offset))
            return self.rows.interactions(events)
        cls = _OUTPUT_CLASSES[table.name]
        decoded: list[Located[Any]] = []
        times = []
        for r in records:
            try:
                decoded.append(Located(decode_as(r.value or b"", cls), r.topic, r.partition, r.offset))
                times.append(datetime.fromtimestamp(max(r.timestamp_ms, 0) / 1000, tz=UTC))
            except EventValidationError as exc:
                if table.name == "dead_letters":  # never dead-letter a dead letter: count and log it
                    log.error("undecodable dead letter at %s[%d]@%d: %s", r.topic, r.partition, r.offset, exc.field)
                    continue
                self.guard.dead_letter(r.value or b"", reason=str(exc), field=exc.field, event_id=exc.event_id,
                                       topic=r.topic, partition=r.partition, offset=r.offset, key=r.key)
        if table.name == "dead_letters":
            return self.rows.dead_letters(decoded, times=times)
        build: Callable[[list[Located[Any]]], Any] = getattr(self.rows, table.name)
        return build(decoded)
