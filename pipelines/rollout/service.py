"""The I/O around the pure planners: read the ledger from ``cx.policies.v1``, publish a plan's
records and audit, and keep the ``audit`` Delta table in step. Used by the CLI and the demo."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Producer

from lake.audit import write_audit
from pipelines.rollout.exceptions import RolloutError
from pipelines.rollout.governance import Governance
from pipelines.rollout.ledger import PolicyLedger
from pipelines.rollout.promotion import Promotion, plan_promotion
from pipelines.rollout.prompts import PromptCatalogue
from topics.codec import decode_as, encode
from topics.outputs import AuditRecord, PolicyRecord
from topics.reader import read_topic
from topics.specs import AUDIT, POLICIES

log = logging.getLogger(__name__)


def read_ledger(bootstrap: str, *, name: str = "escalation") -> PolicyLedger:
    ledger = PolicyLedger(name=name)
    for message in read_topic(bootstrap, POLICIES.name, idle_s=0.5):
        try:
            ledger.apply((message.key or b"").decode(), decode_as(message.value or b"", PolicyRecord))
        except Exception as exc:  # a bad record in the compacted topic must not hide the others
            log.warning("policy ledger: skipping %s@%d: %s", POLICIES.name, message.offset, exc)
    return ledger


def read_audit_topic(bootstrap: str) -> list[AuditRecord]:
    return [decode_as(m.value or b"", AuditRecord) for m in read_topic(bootstrap, AUDIT.name, idle_s=0.5)]


def publish_plan(bootstrap: str, plan: Promotion, *, lake_root: str | None = None) -> None:
    """Records (only when the plan is ok) and audit (always) to the broker, then the audit table."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    if plan.ok:
        for key, record in plan.records:
            producer.produce(POLICIES.name, key=key.encode(), value=encode(record))
    for audit in plan.audit:
        producer.produce(AUDIT.name, key=audit.subject.encode(), value=encode(audit))
    if producer.flush(30) != 0:
        raise RolloutError(f"promotion: records not delivered to {POLICIES.name}/{AUDIT.name} within 30 s")
    if lake_root:
        write_audit(lake_root, plan.audit)


def promote(
    bootstrap: str, *, version: str, target: str, governance: Governance, actor: str,
    document_path: Path | None = None, policies_dir: Path | None = None, share: float | None = None,
    prompts: PromptCatalogue | None = None, lake_root: str | None = None, now: datetime | None = None,
) -> Promotion:
    """Plan and publish a promotion; a refusal is published (audited) too and returned with ok False."""
    ledger = read_ledger(bootstrap, name=governance.policy)
    document = document_path.read_text(encoding="utf-8") if document_path else None
    if document is None and ledger.version(version) is None and policies_dir is not None:
        document = find_document(policies_dir, version)
    plan = plan_promotion(ledger, version=version, target=target, document=document, governance=governance,
                          actor=actor, now=now or datetime.now(UTC), share=share, prompts=prompts)
    publish_plan(bootstrap, plan, lake_root=lake_root)
    return plan


def find_document(directory: Path, version: str) -> str | None:
    """The text of the ``policy-*.yaml`` in ``directory`` whose ``version`` is ``version``."""
    import yaml

    for path in sorted(directory.glob("policy-*.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(raw, dict) and str(raw.get("version")) == version:
            return text
    return None
