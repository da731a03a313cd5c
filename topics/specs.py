"""Every topic loopline reads or writes, declared once as code and imported where it is used.

>>> INTERACTIONS.name, POLICIES.cleanup_policy
('cx.interactions.v1', 'compact')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from topics.events import EVENT_CLASSES
from topics.outputs import (
    AuditRecord,
    DeadLetter,
    Decision,
    Escalation,
    LateEvent,
    PolicyRecord,
    SloWindow,
)

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    description: str
    key: str  # what the Kafka key holds
    messages: tuple[type, ...]
    partitions: int = 6
    replication_factor: int = 1
    retention_ms: int = 7 * DAY_MS
    cleanup_policy: str = "delete"  # or "compact"
    extra_config: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> dict[str, str]:
        """Broker-side topic configuration (strings, as the AdminClient wants them)."""
        config = {"cleanup.policy": self.cleanup_policy, **self.extra_config}
        if self.cleanup_policy == "delete":
            config["retention.ms"] = str(self.retention_ms)
        return config


INTERACTIONS = TopicSpec(
    name="cx.interactions.v1",
    description="Every interaction event from channel adapters and bots, as CloudEvents 1.0 (structured JSON).",
    key="conversation id (CloudEvents subject): one conversation stays ordered on one partition",
    messages=EVENT_CLASSES,
    retention_ms=14 * DAY_MS,
)
DECISIONS = TopicSpec(
    name="cx.decisions.v1",
    description="One decision per evaluated event: automate, clarify, draft only, hand off …, with reasons and policy version.",
    key="conversation id",
    messages=(Decision,),
)
ESCALATIONS = TopicSpec(
    name="cx.escalations.v1",
    description="Handoffs to a human with full context; deduplicate by escalation_id (at-least-once delivery).",
    key="conversation id",
    messages=(Escalation,),
)
SLO = TopicSpec(
    name="cx.slo.v1",
    description="Good/total counts per SLI per closed event-time window.",
    key="sli/window/intent/channel/segment/tier",
    messages=(SloWindow,),
    partitions=3,
)
POLICIES = TopicSpec(
    name="cx.policies.v1",
    description="Policy versions and their rollout slot (active, shadow, canary); compacted, latest per key wins.",
    key="policy name + slot",
    messages=(PolicyRecord,),
    partitions=1,
    cleanup_policy="compact",
)
DEADLETTER = TopicSpec(
    name="cx.deadletter.v1",
    description="Records that failed validation or processing, with reason, source location and raw bytes.",
    key="source topic/partition/offset",
    messages=(DeadLetter,),
    partitions=1,
    retention_ms=30 * DAY_MS,
)
LATE = TopicSpec(
    name="cx.late.v1",
    description="Events later than a window's grace period; counted by the SLO worker and reconciled in batch.",
    key="conversation id",
    messages=(LateEvent,),
    partitions=1,
    retention_ms=30 * DAY_MS,
)

SHADOW_DECISIONS = TopicSpec(
    name="cx.decisions.shadow.v1",
    description="Decisions of the shadow policy version on the same events as the active one; never routed.",
    key="conversation id",
    messages=(Decision,),
)
AUDIT = TopicSpec(
    name="cx.audit.v1",
    description="Governance events: stage changes, approvals, refused promotions, rollbacks, alerts, erasures.",
    key="subject (policy name, prompt template or customer token)",
    messages=(AuditRecord,),
    partitions=1,
    retention_ms=400 * DAY_MS,
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    INTERACTIONS, DECISIONS, ESCALATIONS, SLO, POLICIES, DEADLETTER, LATE, SHADOW_DECISIONS, AUDIT,
)
BY_NAME: dict[str, TopicSpec] = {spec.name: spec for spec in ALL_TOPICS}
