"""Lake rows back into contract events (masked texts, tokenised ids), for replays.

The lake keeps what the escalation core reads: roles, masked texts, ASR confidence, upstream
sentiment, intents and confidences, latencies, error kinds, slots (tokenised), agent acceptance,
the conversation's channel, segment, region, time zone and vulnerability. It does not keep intent
alternatives, knowledge sources or assist suggestion ids: events rebuilt here carry none of them
(they change messages, never actions).

>>> from datetime import datetime, timezone
>>> row = {"event_id": "e1", "event_type": "cx.message.received", "conversation_id": "c1",
...        "event_time": datetime(2026, 3, 2, 13, tzinfo=timezone.utc), "source": "urn:sim",
...        "role": "customer", "text": "get me a human", "turn": 2}
>>> event = event_from_row(row)
>>> type(event).__name__, event.data.text, event.data.turn
('MessageReceivedEvent', 'get me a human', 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topics import events as ev

Row = dict[str, Any]


def _started(r: Row) -> Any:
    return ev.ConversationStarted(
        channel=r["channel"], customer_id=r.get("customer_token") or "unknown", segment=r["segment"],
        region=r.get("region") or "ZZ", locale=r.get("locale") or "und", timezone=r.get("timezone") or "UTC",
        customer_value=r.get("customer_value") or 0.0, vulnerability=r.get("vulnerability") or "none",
    )


def _message(r: Row) -> Any:
    return ev.MessageReceived(role=r["role"], text=r.get("text") or "", turn=r.get("turn") or 0,
                              asr_confidence=r.get("asr_confidence"), sentiment=r.get("sentiment"))


def _intent(r: Row) -> Any:
    return ev.IntentDetected(intent=r["intent"], confidence=r["confidence"],
                             model_version=r.get("model_version") or "unknown", turn=r.get("turn") or 0)


def _bot(r: Row) -> Any:
    return ev.BotResponded(latency_ms=r.get("latency_ms") or 0, prompt_version=r.get("prompt_version") or "unknown",
                           text=r.get("text") or "", fallback_used=bool(r.get("fallback_used")),
                           turn=r.get("turn") or 0)


def _slot(r: Row) -> Any:
    return ev.SlotCollected(name=r["slot_name"], kind=r["slot_kind"], value=r.get("slot_value") or "")


def _error(r: Row) -> Any:
    return ev.TechnicalError(kind=r["error_kind"], component=r.get("component") or "unknown",
                             detail=r.get("reason") or "", latency_ms=r.get("latency_ms"))


def _requested(r: Row) -> Any:
    return ev.EscalationRequested(by=r["escalation_by"], reason=r.get("reason") or "")


def _accepted(r: Row) -> Any:
    return ev.AgentAccepted(queue=r.get("queue") or "unknown", wait_s=r.get("wait_s") or 0.0,
                            agent_id=r.get("agent_token") or "")


def _assist(r: Row) -> Any:
    return ev.AgentAssist(suggestion_id="unknown", action=r["assist_action"])


def _ended(r: Row) -> Any:
    return ev.ConversationEnded(ended_by=r["ended_by"], turns=r.get("turn") or 0)


def _outcome(r: Row) -> Any:
    return ev.OutcomeRecorded(resolved=bool(r["resolved"]), resolved_by=r.get("resolved_by"), csat=r.get("csat"),
                              recontact_within_7d=bool(r.get("recontact_within_7d")),
                              deflected_from_channel=r.get("deflected_from_channel"))


def _preference(r: Row) -> Any:
    return ev.CustomerPreference(customer_id=r.get("customer_token") or "unknown",
                                 training_opt_out=bool(r.get("training_opt_out")))


_BUILD: dict[str, tuple[type[ev.Event], Callable[[Row], Any]]] = {
    "cx.conversation.started": (ev.ConversationStartedEvent, _started),
    "cx.message.received": (ev.MessageReceivedEvent, _message),
    "cx.intent.detected": (ev.IntentDetectedEvent, _intent),
    "cx.bot.responded": (ev.BotRespondedEvent, _bot),
    "cx.slot.collected": (ev.SlotCollectedEvent, _slot),
    "cx.technical.error": (ev.TechnicalErrorEvent, _error),
    "cx.escalation.requested": (ev.EscalationRequestedEvent, _requested),
    "cx.agent.accepted": (ev.AgentAcceptedEvent, _accepted),
    "cx.agent.assist": (ev.AgentAssistEvent, _assist),
    "cx.conversation.ended": (ev.ConversationEndedEvent, _ended),
    "cx.outcome.recorded": (ev.OutcomeRecordedEvent, _outcome),
    "cx.customer.preference": (ev.CustomerPreferenceEvent, _preference),
}

#: the interactions columns the rebuild reads
COLUMNS = (
    "event_id", "event_type", "conversation_id", "event_time", "source", "customer_token", "channel",
    "segment", "region", "locale", "timezone", "vulnerability", "customer_value", "role", "turn", "text",
    "asr_confidence", "sentiment", "intent", "confidence", "model_version", "latency_ms", "prompt_version",
    "fallback_used", "slot_name", "slot_kind", "slot_value", "error_kind", "component", "escalation_by",
    "reason", "queue", "wait_s", "agent_token", "assist_action", "ended_by", "resolved", "resolved_by",
    "csat", "recontact_within_7d", "training_opt_out", "deflected_from_channel",
    "source_partition", "source_offset",
)


def event_from_row(row: Row) -> ev.Event:
    """The contract event a lake row was made from (with the lake's masked values)."""
    cls, build = _BUILD[row["event_type"]]
    return cls.build(id=row["event_id"], conversation_id=row["conversation_id"], time=row["event_time"],
                     data=build(row), source=row.get("source") or "urn:loopline:lake")
