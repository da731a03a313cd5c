"""``loopline run rollout``: the rollout controller — judges the running canary and rolls it back.

It follows ``cx.policies.v1`` (from offset 0, no group: it always knows every slot) and, as the
consumer group ``loopline-rollout``, ``cx.interactions.v1`` and ``cx.decisions.v1``. While a canary
runs, every record goes through the pure :class:`~pipelines.rollout.judge.CanaryJudge`. On a
verdict it publishes the rollback (canary slot → retired, active unchanged) on ``cx.policies.v1``,
the ``rollback`` and ``alert`` audit records on ``cx.audit.v1`` (and in the ``audit`` Delta table
when a lake is configured), raises ``loopline_rollout_alert`` and logs why, then commits offsets.

A plain confluent-kafka loop rather than a Faust agent: the controller is a singleton control
process with one small in-memory judge per canary, no table. After a restart the judge starts empty
from the committed offsets, so a verdict may take up to one more window (documented limitation).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from prometheus_client import CollectorRegistry

from lake.audit import write_audit
from pipelines.catalogue import Catalogue
from pipelines.rollout.governance import Governance
from pipelines.rollout.judge import CanaryJudge, Verdict
from pipelines.rollout.ledger import PolicyLedger
from pipelines.rollout.metrics import RolloutMetrics
from pipelines.rollout.promotion import Promotion, plan_rollback
from pipelines.slo.definitions import SloDefinitions
from topics.codec import decode_as, decode_event, encode
from topics.outputs import Decision, PolicyRecord
from topics.specs import AUDIT, DECISIONS, INTERACTIONS, POLICIES

log = logging.getLogger(__name__)

GROUP = "loopline-rollout"
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ControllerConfig:
    bootstrap_servers: str
    policy_name: str = "escalation"
    group: str = GROUP
    lake_root: str | None = None
    idle_release_s: float = 2.0  # release held events when no record at all arrived for this long


class RolloutController:
    def __init__(
        self, config: ControllerConfig, *, governance: Governance, definitions: SloDefinitions,
        catalogue: Catalogue, registry: CollectorRegistry | None = None, clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.governance = governance
        self.definitions = definitions
        self.catalogue = catalogue
        self.registry = registry or CollectorRegistry()
        self.metrics = RolloutMetrics(self.registry)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ledger = PolicyLedger(name=config.policy_name)
        self.judge: CanaryJudge | None = None
        self.rollbacks: list[Verdict] = []
        self._last_record = time.monotonic()
        self._producer = Producer({"bootstrap.servers": config.bootstrap_servers, "linger.ms": 5})

    # --- consumers ----------------------------------------------------------------------------
    def _policies_consumer(self) -> Consumer:
        consumer = Consumer({"bootstrap.servers": self.config.bootstrap_servers, "enable.auto.commit": False,
                             "group.id": f"loopline-rollout-policies-{uuid.uuid4().hex}",
                             "auto.offset.reset": "earliest", "enable.partition.eof": True})
        consumer.assign([TopicPartition(POLICIES.name, p, 0) for p in range(POLICIES.partitions)])
        return consumer

    def _data_consumer(self) -> Consumer:
        consumer = Consumer({"bootstrap.servers": self.config.bootstrap_servers, "group.id": self.config.group,
                             "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        consumer.subscribe([INTERACTIONS.name, DECISIONS.name])
        return consumer

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        policies, data = self._policies_consumer(), self._data_consumer()
        try:
            self._catch_up_policies(policies)
            while not stop.is_set():
                self._poll_policies(policies, timeout_s=0.0)
                batch = data.consume(num_messages=500, timeout=0.5)
                for message in batch:
                    if message.error() is None:
                        self._handle(message.topic() or "", message.value(), message.partition() or 0)
                if batch:
                    self._last_record = time.monotonic()
                elif self.judge is not None and self.judge.held and \
                        time.monotonic() - self._last_record > self.config.idle_release_s:
                    self._after(self.judge.release_held())
                if batch:
                    data.commit(asynchronous=False)
        finally:
            self._producer.flush(10)
            data.close()
            policies.close()

    def _catch_up_policies(self, consumer: Consumer, idle_s: float = 1.0) -> None:
        last = time.monotonic()
        while time.monotonic() - last < idle_s:
            if self._poll_policies(consumer, timeout_s=0.2):
                last = time.monotonic()

    def _poll_policies(self, consumer: Consumer, *, timeout_s: float) -> int:
        seen = 0
        for message in consumer.consume(num_messages=100, timeout=timeout_s):
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    log.error("rollout: reading %s: %s", POLICIES.name, error)
                continue
            seen += 1
            try:
                self.apply_policy((message.key() or b"").decode(), decode_as(message.value() or b"", PolicyRecord))
            except Exception as exc:  # a bad policy record must not stop the controller
                log.error("rollout: ignoring policy record: %s", exc)
        return seen

    # --- the record path ----------------------------------------------------------------------
    def apply_policy(self, key: str, record: PolicyRecord) -> None:
        self.ledger.apply(key, record)
        canary = self.ledger.canary
        if canary is None:
            if self.judge is not None:
                log.info("rollout: canary %s left its slot; judging stops", self.judge.version)
            self.judge = None
            self.metrics.canary_share.set(0.0)
            return
        if self.judge is None or self.judge.version != canary.version or self.judge.share != canary.canary_share:
            self.judge = CanaryJudge(self.definitions, self.catalogue, self.governance.canary,
                                     version=canary.version, share=canary.canary_share,
                                     decision_partitions=DECISIONS.partitions)
            self.metrics.canary_share.set(canary.canary_share)
            self.metrics.alert.labels(self.config.policy_name).set(0)
            log.info("rollout: judging canary %s at %.0f%% of conversations", canary.version, canary.canary_share * 100)

    def _handle(self, topic: str, value: bytes | None, partition: int = 0) -> None:
        self.metrics.records.labels(topic).inc()
        if self.judge is None:
            return
        try:
            if topic == DECISIONS.name:
                decision = decode_as(value or b"", Decision)
                verdict = self.judge.on_decision(decision, partition=partition)
            else:
                verdict = self.judge.on_event(decode_event(value or b""))
        except Exception:  # the escalation worker dead-letters bad records; here they are only counted
            self.metrics.skipped.labels(topic).inc()
            return
        self._after(verdict)

    def _after(self, verdict: Verdict | None) -> None:
        judge = self.judge
        if judge is None:
            return
        for comparison in judge.last:
            self.metrics.burn.labels("canary", comparison.sli).set(comparison.canary_burn)
            self.metrics.burn.labels("control", comparison.sli).set(comparison.control_burn)
            self.metrics.outcomes.labels("canary", comparison.sli).set(comparison.canary_total)
            self.metrics.outcomes.labels("control", comparison.sli).set(comparison.control_total)
        if verdict is not None:
            self.roll_back(verdict)

    def roll_back(self, verdict: Verdict) -> Promotion:
        plan = plan_rollback(self.ledger, version=verdict.version, reason=verdict.reason,
                             details=verdict.details(), now=self.clock())
        if not plan.ok:
            log.warning("rollout: no rollback: %s", plan.reason)
            return plan
        for key, record in plan.records:
            self._producer.produce(POLICIES.name, key=key.encode(), value=encode(record))
        for audit in plan.audit:
            self._producer.produce(AUDIT.name, key=audit.subject.encode(), value=encode(audit))
        if self._producer.flush(30) != 0:
            log.error("rollout: rollback records not all delivered")
        if self.config.lake_root:
            try:
                write_audit(self.config.lake_root, plan.audit)
            except Exception as exc:  # the topic holds the audit; the table catches up on the next write
                log.error("rollout: audit table not written: %s", exc)
        for key, record in plan.records:
            self.apply_policy(key, record)
        self.rollbacks.append(verdict)
        self.metrics.rollbacks.labels(verdict.version, verdict.comparison.sli).inc()
        self.metrics.alert.labels(self.config.policy_name).set(1)
        log.error("rollout: ALERT canary %s rolled back: %s", verdict.version, verdict.reason)
        return plan
