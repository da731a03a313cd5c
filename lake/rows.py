"""Pure conversion of contract records into masked lake rows (Arrow tables of the declared schemas).

Every text goes through the masker and every identifier becomes a token before a row exists; the
raw values never reach Arrow. No I/O, no clock.

>>> from datetime import datetime, timezone
>>> from privacy import Masker, MaskingKey
>>> from topics.events import MessageReceived, MessageReceivedEvent
>>> masker = Masker.for_destination("lake", key=MaskingKey(b"k" * 32))
>>> ev = MessageReceivedEvent.build(id="e1", conversation_id="c1",
...     time=datetime(2026, 3, 2, 13, tzinfo=timezone.utc),
...     data=MessageReceived(role="customer", text="mail me at ann@example.org", turn=1))
>>> rows = RowBuilder(masker).interactions([Located(ev, "cx.interactions.v1", 0, 41)])
>>> row = rows.to_pylist()[0]
>>> row["text"], row["pii_kinds"], row["source_offset"]
('mail me at tok:email:8a42540493059f3bca75', ['EMAIL'], 41)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pyarrow as pa

from lake.masking import BatchTextMasker, CustomerIndex, SubjectTokens, TextMasker
from lake.tables import TABLES
from privacy.masking import CUSTOMER_ID_KIND
from topics import events as ev
from topics.outputs import DeadLetter, Decision, Escalation, SloWindow

R = TypeVar("R")

#: slot kind -> how its value is stored: a token of this PII kind, "redact", "keep" or "mask".
SLOT_POLICY: dict[str, str] = {
    "name": "PERSON", "email": "EMAIL", "phone": "PHONE", "card_number": "CREDIT_CARD",
    "iban": "IBAN", "address": "ADDRESS", "account_number": "ACCOUNT_NUMBER",
    "order_number": "ORDER_NUMBER", "policy_number": "POLICY_NUMBER",
    "date_of_birth": "redact", "amount": "keep", "date": "mask", "other": "mask",
}
CUSTOMER_KIND = CUSTOMER_ID_KIND
AGENT_KIND = "AGENT_ID"


@dataclass(frozen=True, slots=True)
class Located(Generic[R]):
    """A decoded record with its source location."""

    record: R
    topic: str
    partition: int
    offset: int


@dataclass
class RowBuilder:
    """Builds masked rows. ``hook`` (also the masker's ``on_token``) files tokens per subject."""

    masker: TextMasker
    hook: SubjectTokens = field(default_factory=SubjectTokens)
    customers: CustomerIndex = field(default_factory=CustomerIndex)
    _clean: dict[str, str] = field(default_factory=dict)  # texts without PII (no tokens: cacheable)
    _found: dict[str, Any] = field(default_factory=dict)  # text -> spans, detected for this batch

    # -- helpers -------------------------------------------------------------------------
    def detect_batch(self, texts: Iterable[str | None]) -> None:
        """Detect PII in all of a batch's texts at once (``privacy``'s batch path, the same spans
        as one by one); :meth:`mask` then only replaces them, under each row's own subject, so
        tokens are still filed per customer. Maskers without ``detect_many`` mask per text."""
        self._found = {}
        if not isinstance(self.masker, BatchTextMasker):
            return
        todo = list(dict.fromkeys(t for t in texts if t and t not in self._clean))
        if todo:
            self._found = dict(zip(todo, self.masker.detect_many(todo), strict=True))

    def mask(self, text: str) -> tuple[str, list[str]]:
        if not text:
            return text, []
        if text in self._clean:
            return self._clean[text], []
        spans = self._found.get(text)
        if spans is not None and isinstance(self.masker, BatchTextMasker):
            result = self.masker.apply(text, spans)
        else:
            result = self.masker.mask(text)
        kinds = sorted({s.kind for s in result.spans})
        if not kinds and len(self._clean) < 50_000:
            self._clean[text] = result.text
        return result.text, kinds

    def customer_token(self, customer_id: str | None) -> str | None:
        return self.masker.token(CUSTOMER_KIND, customer_id) if customer_id else None

    def _slot_value(self, kind: str, value: str) -> tuple[str, list[str]]:
        policy = SLOT_POLICY.get(kind, "mask")
        if policy == "keep":
            return value, []
        if policy == "redact":
            return f"<{kind.upper()}>", [kind.upper()]
        if policy == "mask":
            return self.mask(value)
        return self.masker.token(policy, value), [policy]

    # -- tables --------------------------------------------------------------------------
    def interactions(self, items: Sequence[Located[ev.Event]]) -> pa.Table:
        self.detect_batch(_free_text(item.record.data) for item in items)  # type: ignore[attr-defined]
        rows = [self._interaction(item) for item in items]
        self._found = {}
        return pa.Table.from_pylist(rows, schema=TABLES["interactions"].schema)

    def _interaction(self, item: Located[ev.Event]) -> dict[str, Any]:
        event = item.record
        data: Any = event.data  # type: ignore[attr-defined]
        if isinstance(data, ev.ConversationStarted):
            self.customers.remember(event.subject, data.customer_id)
        customer = data.customer_id if isinstance(data, ev.CustomerPreference | ev.ConversationStarted) \
            else self.customers.get(event.subject)
        row: dict[str, Any] = {
            "event_id": event.id, "event_type": event.type, "conversation_id": event.subject,
            "event_time": event.time, "event_date": event.time.date(), "source": event.source,
            "source_topic": item.topic, "source_partition": item.partition, "source_offset": item.offset,
        }
        with self.hook.subject(customer):
            row["customer_token"] = self.customer_token(customer)
            _FILL.get(type(data), _fill_nothing)(self, data, row)
        return row

    def decisions(self, items: Sequence[Located[Decision]]) -> pa.Table:
        self.detect_batch(item.record.message for item in items)
        rows = []
        for item in items:
            d = item.record
            message, _ = self.mask(d.message)
            rows.append({
                "decision_id": d.decision_id, "conversation_id": d.conversation_id,
                "source_event_id": d.source_event_id, "event_time": d.time, "event_date": d.time.date(),
                "policy_version": d.policy_version, "action": d.action, "mode": d.mode,
                "reason_codes": [r.code for r in d.reasons],
                "intent": d.intent.intent if d.intent else None,
                "confidence": d.intent.confidence if d.intent else None,
                "tier": d.intent.tier if d.intent else None,
                "fallback": d.fallback or None, "message": message or None,
                **_location(item),
            })
        return pa.Table.from_pylist(rows, schema=TABLES["decisions"].schema)

    def escalations(self, items: Sequence[Located[Escalation]]) -> pa.Table:
        self.detect_batch(item.record.summary for item in items)
        rows = []
        for item in items:
            e = item.record
            raw_customer = e.customer.customer_token
            customer = raw_customer if raw_customer.startswith("tok:") else None
            subject = None if customer else (raw_customer or self.customers.get(e.conversation_id))
            with self.hook.subject(subject):
                token = customer or self.customer_token(subject)
                summary, _ = self.mask(e.summary)
            rows.append({
                "escalation_id": e.escalation_id, "conversation_id": e.conversation_id,
                "source_event_id": e.source_event_id, "event_time": e.time, "event_date": e.time.date(),
                "policy_version": e.policy_version, "priority": e.priority, "mode": e.mode,
                "trigger_codes": [t.code for t in e.triggers], "customer_token": token,
                "channel": e.customer.channel, "segment": e.customer.segment,
                "region": e.customer.region, "vulnerability": e.customer.vulnerability,
                "intent": e.intent.intent if e.intent else None,
                "confidence": e.intent.confidence if e.intent else None,
                "tier": e.intent.tier if e.intent else None,
                "summary": summary or None, "slot_kinds": sorted({s.kind for s in e.slots}),
                "transcript_turns": len(e.transcript), "time_to_handoff_ms": e.time_to_handoff_ms,
                "sla_level": e.sla_level, **_location(item),
            })
        return pa.Table.from_pylist(rows, schema=TABLES["escalations"].schema)

    def slo_windows(self, items: Sequence[Located[SloWindow]]) -> pa.Table:
        rows = []
        for item in items:
            w = item.record
            rows.append({
                "window_id": w.window_id, "sli": w.sli, "window_start": w.window_start,
                "window_end": w.window_end, "event_time": w.window_end,
                "event_date": w.window_end.date(), "window_ms": w.window_ms, "intent": w.intent,
                "channel": w.channel, "segment": w.segment, "tier": w.tier, "good": w.good,
                "total": w.total, "weighted_good": w.weighted_good,
                "weighted_total": w.weighted_total, **_location(item),
            })
        return pa.Table.from_pylist(rows, schema=TABLES["slo_windows"].schema)

    def dead_letters(self, items: Sequence[Located[DeadLetter]], *, times: Sequence[Any]) -> pa.Table:
        """``times``: the Kafka timestamps of the dead-letter records (their event time)."""
        self.detect_batch(item.record.reason for item in items)
        rows = []
        for item, when in zip(items, times, strict=True):
            d = item.record
            reason, _ = self.mask(d.reason)
            rows.append({
                "dead_letter_id": d.dead_letter_id, "event_time": when, "event_date": when.date(),
                "reason": reason, "field": d.field, "failed_topic": d.source_topic,
                "failed_partition": d.partition, "failed_offset": d.offset, "worker": d.worker,
                "event_id": d.event_id, "raw_bytes": len(d.raw_b64) * 3 // 4, **_location(item),
            })
        return pa.Table.from_pylist(rows, schema=TABLES["dead_letters"].schema)


def _free_text(data: Any) -> str | None:
    """The free text an interaction payload carries (what the fillers below mask), if any."""
    if isinstance(data, ev.MessageReceived | ev.BotResponded):
        return data.text
    if isinstance(data, ev.TechnicalError):
        return data.detail
    if isinstance(data, ev.EscalationRequested):
        return data.reason
    return None


def _location(item: Located[Any]) -> dict[str, Any]:
    return {"source_topic": item.topic, "source_partition": item.partition, "source_offset": item.offset}


# -- per-payload fillers (interactions) ----------------------------------------------------
Filler = Callable[[RowBuilder, Any, dict[str, Any]], None]


def _fill_nothing(b: RowBuilder, d: Any, row: dict[str, Any]) -> None:
    return None


def _started(b: RowBuilder, d: ev.ConversationStarted, row: dict[str, Any]) -> None:
    row.update(channel=d.channel, segment=d.segment, region=d.region, locale=d.locale,
               timezone=d.timezone, vulnerability=d.vulnerability, customer_value=d.customer_value)


def _message(b: RowBuilder, d: ev.MessageReceived, row: dict[str, Any]) -> None:
    row["text"], row["pii_kinds"] = b.mask(d.text)
    row.update(role=d.role, turn=d.turn, asr_confidence=d.asr_confidence, sentiment=d.sentiment)


def _intent(b: RowBuilder, d: ev.IntentDetected, row: dict[str, Any]) -> None:
    row.update(intent=d.intent, confidence=d.confidence, model_version=d.model_version, turn=d.turn)


def _bot(b: RowBuilder, d: ev.BotResponded, row: dict[str, Any]) -> None:
    row["text"], row["pii_kinds"] = b.mask(d.text)
    row.update(role="bot", latency_ms=d.latency_ms, prompt_version=d.prompt_version,
               fallback_used=d.fallback_used, turn=d.turn)


def _slot(b: RowBuilder, d: ev.SlotCollected, row: dict[str, Any]) -> None:
    row["slot_value"], row["pii_kinds"] = b._slot_value(d.kind, d.value)
    row.update(slot_name=d.name, slot_kind=d.kind)


def _error(b: RowBuilder, d: ev.TechnicalError, row: dict[str, Any]) -> None:
    row["reason"], _ = b.mask(d.detail)
    row.update(error_kind=d.kind, component=d.component, latency_ms=d.latency_ms)


def _escalation(b: RowBuilder, d: ev.EscalationRequested, row: dict[str, Any]) -> None:
    row["reason"], _ = b.mask(d.reason)
    row["escalation_by"] = d.by


def _accepted(b: RowBuilder, d: ev.AgentAccepted, row: dict[str, Any]) -> None:
    with b.hook.subject(None):  # an employee id is not the customer's data
        row["agent_token"] = b.masker.token(AGENT_KIND, d.agent_id) if d.agent_id else None
    row.update(queue=d.queue, wait_s=d.wait_s)


def _assist(b: RowBuilder, d: ev.AgentAssist, row: dict[str, Any]) -> None:
    row["assist_action"] = d.action


def _ended(b: RowBuilder, d: ev.ConversationEnded, row: dict[str, Any]) -> None:
    row.update(ended_by=d.ended_by, turn=d.turns)


def _outcome(b: RowBuilder, d: ev.OutcomeRecorded, row: dict[str, Any]) -> None:
    row.update(resolved=d.resolved, resolved_by=d.resolved_by, csat=d.csat,
               recontact_within_7d=d.recontact_within_7d, deflected_from_channel=d.deflected_from_channel)


def _preference(b: RowBuilder, d: ev.CustomerPreference, row: dict[str, Any]) -> None:
    row["training_opt_out"] = d.training_opt_out


_FILL: dict[type, Filler] = {
    ev.ConversationStarted: _started, ev.MessageReceived: _message, ev.IntentDetected: _intent,
    ev.BotResponded: _bot, ev.SlotCollected: _slot, ev.TechnicalError: _error,
    ev.EscalationRequested: _escalation, ev.AgentAccepted: _accepted, ev.AgentAssist: _assist,
    ev.ConversationEnded: _ended, ev.OutcomeRecorded: _outcome, ev.CustomerPreference: _preference,
}
