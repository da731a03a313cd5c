"""Records that loopline publishes: decisions, escalations (handoffs), SLO windows, dead letters,
late events and policy versions. Routing systems code against these; ids are deterministic so a
consumer can deduplicate redelivered records by id.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Literal

from msgspec import Meta, Struct

from topics.events import Channel, Id, Probability, Segment, ShortText, Text, UtcTime, Vulnerability

Action = Literal["automate", "clarify", "draft_only", "handoff", "apologise_and_follow_up", "none"]
Mode = Literal["active", "shadow", "canary"]
Priority = Literal["low", "normal", "high", "urgent"]
Scalar = str | int | float | bool | None


def deterministic_id(*parts: str) -> str:
    """A stable id from its inputs (sha-256, 32 hex chars).

    >>> deterministic_id("c1", "e1", "v3") == deterministic_id("c1", "e1", "v3")
    True
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


class Reason(Struct, frozen=True, omit_defaults=True):
    """A trigger's reason code with the evidence that fired it (never raw PII)."""

    code: ShortText
    evidence: dict[str, Scalar] = {}
    time: UtcTime | None = None


class IntentPrediction(Struct, frozen=True, omit_defaults=True):
    intent: Id
    confidence: Probability
    tier: Annotated[int, Meta(ge=0, le=3)]
    alternatives: list[tuple[str, float]] = []


class KbArticleRef(Struct, frozen=True, omit_defaults=True):
    """An approved knowledge-base article suggested as a safe fallback (id + version pin it)."""

    article_id: Id
    version: ShortText
    title: ShortText = ""
    url: ShortText = ""
    score: float = 0.0


class Decision(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One decision per evaluated input event, on ``cx.decisions.v1`` (key: conversation id)."""

    decision_id: Id
    conversation_id: Id
    source_event_id: Id
    time: UtcTime
    policy_version: ShortText
    action: Action
    reasons: list[Reason] = []
    intent: IntentPrediction | None = None
    mode: Mode = "active"
    message: Text = ""
    fallback: ShortText = ""  # clarify_question | kb_articles | not_sure | follow_up | callback_offer | draft
    kb_articles: list[KbArticleRef] = []
    prompt_version: ShortText = ""  # the prompt template version the policy runs with (optional)


class TranscriptLine(Struct, frozen=True, omit_defaults=True):
    role: Literal["customer", "bot", "agent"]
    text: Text
    time: UtcTime | None = None


class CollectedSlot(Struct, frozen=True, omit_defaults=True):
    name: Id
    kind: ShortText
    value: Text


class CustomerContext(Struct, frozen=True, omit_defaults=True):
    channel: Channel
    segment: Segment
    region: ShortText
    customer_token: ShortText = ""
    customer_value: float = 0.0
    vulnerability: Vulnerability = "none"
    locale: ShortText = ""


class Escalation(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A handoff to a human, on ``cx.escalations.v1`` (key: conversation id), with everything the
    agent needs so the customer never repeats themselves."""

    escalation_id: Id
    conversation_id: Id
    source_event_id: Id
    time: UtcTime
    policy_version: ShortText
    priority: Priority
    triggers: list[Reason]
    customer: CustomerContext
    intent: IntentPrediction | None = None
    slots: list[CollectedSlot] = []
    transcript: list[TranscriptLine] = []
    summary: Text = ""
    first_risk_signal_time: UtcTime | None = None
    time_to_handoff_ms: int | None = None
    sla_level: Annotated[int, Meta(ge=0)] = 0
    mode: Mode = "active"
    prompt_version: ShortText = ""  # the prompt template version the policy runs with (optional)


class SloWindow(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Good/total counts of one SLI in one closed event-time window, on ``cx.slo.v1``."""

    window_id: Id
    sli: ShortText
    window_start: UtcTime
    window_end: UtcTime
    window_ms: Annotated[int, Meta(gt=0)]
    intent: ShortText
    channel: ShortText
    segment: ShortText
    tier: Annotated[int, Meta(ge=0, le=3)]
    good: Annotated[float, Meta(ge=0)]
    total: Annotated[float, Meta(ge=0)]
    weighted_good: float | None = None
    weighted_total: float | None = None


class DeadLetter(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A record that failed validation or processing, on ``cx.deadletter.v1``, with its location
    and raw bytes so it can be repaired and replayed."""

    dead_letter_id: Id
    reason: Text
    field: ShortText
    source_topic: ShortText
    partition: int
    offset: int
    worker: ShortText
    raw_b64: str
    event_id: ShortText | None = None
    key: ShortText | None = None

    @classmethod
    def for_record(
        cls,
        raw: bytes,
        *,
        reason: str,
        field: str,
        event_id: str | None,
        source_topic: str,
        partition: int,
        offset: int,
        worker: str,
        key: bytes | None = None,
    ) -> DeadLetter:
        return cls(
            dead_letter_id=deterministic_id(source_topic, str(partition), str(offset), worker),
            reason=reason[:2000],
            field=field[:200],
            source_topic=source_topic,
            partition=partition,
            offset=offset,
            worker=worker,
            raw_b64=base64.b64encode(raw).decode("ascii"),
            event_id=event_id[:200] if event_id else None,
            key=key.decode("utf-8", "replace")[:200] if key else None,
        )

    def raw(self) -> bytes:
        return base64.b64decode(self.raw_b64)


class LateEvent(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An event that arrived after its window closed (event time older than watermark − grace),
    on ``cx.late.v1``. Counted, never silently dropped."""

    event_id: Id
    conversation_id: Id
    event_type: ShortText
    event_time: UtcTime
    watermark: UtcTime
    lateness_ms: Annotated[int, Meta(ge=0)]
    worker: ShortText
    raw_b64: str


class PolicyRecord(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A policy version on the compacted ``cx.policies.v1`` (key: policy name + slot)."""

    name: ShortText
    version: ShortText
    slot: Literal["active", "shadow", "canary", "candidate", "retired"]
    document: str
    approvals: list[ShortText] = []
    canary_share: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.0
    time: UtcTime | None = None
    #: lifecycle stage of ``version`` (draft → approved → shadow → canary → active → retired); on the
    #: per-version ledger records (slot "candidate") and on slot records alike
    stage: Literal["", "draft", "approved", "shadow", "canary", "active", "retired"] = ""
    prompt_version: ShortText = ""
    reason: Text = ""  # why the stage changed (a rollback names the burn rates it saw)


AuditKind = Literal["stage_change", "approval", "refusal", "rollback", "alert", "erasure"]


class AuditRecord(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One governance event on ``cx.audit.v1`` (key: subject), kept in the ``audit`` Delta table:
    every stage change, approval, refused promotion, automatic rollback, alert and erasure."""

    audit_id: Id
    time: UtcTime
    kind: AuditKind
    subject: ShortText  # policy name, prompt template, or the erased customer's token
    actor: ShortText  # who or what acted: a person's handle, "rollout-controller", "erasure-job"
    version: ShortText = ""
    from_stage: ShortText = ""
    to_stage: ShortText = ""
    reason: Text = ""
    details: dict[str, Scalar] = {}
