"""Handoff context: the escalation record an agent reads — triggers, intent, slots, masked transcript,
a five-second extractive summary, customer context, time from the first risk signal.

>>> extractive_summary(["hi", "my card was charged twice for the same order", "hello?"],
...                    intent="billing_dispute", confidence=0.4, reasons=["human_request"], max_chars=200)
'billing_dispute (0.40) · human_request · "my card was charged twice for the same order" · last: "hello?"'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pipelines.escalation.policy import PRIORITIES, Policy
from pipelines.escalation.signals.text import content_tokens
from pipelines.escalation.state import ConversationState
from topics.outputs import (
    CollectedSlot,
    CustomerContext,
    Escalation,
    IntentPrediction,
    Reason,
    TranscriptLine,
)

Mask = Callable[[str], str]


def to_time(t_ms: int) -> datetime:
    return datetime.fromtimestamp(t_ms / 1000, tz=UTC)


def identity(text: str) -> str:
    return text


def reasons_of(state: ConversationState) -> list[Reason]:
    return [Reason(code=t.code, evidence=dict(t.evidence), time=to_time(t.t_ms)) for t in state.triggers]


def intent_prediction(state: ConversationState) -> IntentPrediction | None:
    i = state.intent
    if i is None:
        return None
    return IntentPrediction(intent=i.name, confidence=i.confidence, tier=i.tier,
                            alternatives=[(a, c) for a, c in i.alternatives])


def priority_of(state: ConversationState, *, policy: Policy) -> str:
    """Base priority raised one step per matching boost (policy ``priority.boosts``)."""
    level = PRIORITIES.index(policy.priority_base)
    codes = {t.code for t in state.triggers}
    tier = state.intent.tier if state.intent else 0
    for boost in policy.priority_boosts:
        if (
            (boost.min_tier is not None and tier >= boost.min_tier)
            or (boost.vulnerability and state.vulnerability in boost.vulnerability)
            or (boost.segment and state.segment in boost.segment)
            or (boost.reasons and codes & boost.reasons)
        ):
            level += 1
    return PRIORITIES[min(level, len(PRIORITIES) - 1)]


def extractive_summary(
    customer_texts: list[str], *, intent: str | None, confidence: float | None, reasons: list[str], max_chars: int
) -> str:
    """Intent, why, the customer's most informative sentence and their last one — nothing generated."""
    head = f"{intent} ({confidence:.2f})" if intent and confidence is not None else "intent unknown"
    parts = [head, ", ".join(dict.fromkeys(reasons)) or "no trigger"]
    if customer_texts:
        best = max(customer_texts, key=lambda t: (len(set(content_tokens(t))), -customer_texts.index(t)))
        parts.append(f'"{_clip(best, 120)}"')
        if customer_texts[-1] != best:
            parts.append(f'last: "{_clip(customer_texts[-1], 80)}"')
    return _clip(" · ".join(parts), max_chars)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def build_escalation(
    state: ConversationState, *, policy: Policy, escalation_id: str, source_event_id: str, t_ms: int,
    priority: str, sla_level: int, mask: Mask, mode: str = "active",
) -> Escalation:
    masker = identity if policy.pii_cleared else mask
    lines = state.transcript[-policy.transcript_max_lines:]
    customer_texts = [masker(t.text) for t in state.customer_turns]
    intent = intent_prediction(state)
    return Escalation(
        escalation_id=escalation_id,
        conversation_id=state.conversation_id,
        source_event_id=source_event_id,
        time=to_time(t_ms),
        policy_version=policy.version,
        priority=priority,  # type: ignore[arg-type]
        triggers=reasons_of(state),
        customer=CustomerContext(
            channel=state.channel,  # type: ignore[arg-type]
            segment=state.segment,  # type: ignore[arg-type]
            region=state.region,
            customer_token=masker(state.customer_id) if state.customer_id else "",
            customer_value=state.customer_value,
            vulnerability=state.vulnerability,  # type: ignore[arg-type]
            locale=state.locale,
        ),
        intent=intent,
        slots=[CollectedSlot(name=n, kind=k, value=masker(v)) for n, (k, v) in sorted(state.slots.items())],
        transcript=[TranscriptLine(role=ln.role, text=masker(ln.text), time=to_time(ln.t_ms)) for ln in lines],  # type: ignore[arg-type]
        summary=extractive_summary(
            customer_texts, intent=intent.intent if intent else None,
            confidence=intent.confidence if intent else None,
            reasons=[t.code for t in state.triggers], max_chars=policy.summary_max_chars,
        ),
        first_risk_signal_time=to_time(state.first_risk_ms) if state.first_risk_ms is not None else None,
        time_to_handoff_ms=(t_ms - state.first_risk_ms) if state.first_risk_ms is not None else None,
        sla_level=sla_level,
        mode=mode,  # type: ignore[arg-type]
    )
