"""Hand-built conversations for the SLO core (synthetic ids only, no PII)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipelines.catalogue import Catalogue, load_catalogue
from pipelines.slo.definitions import SloDefinitions, load_definitions
from topics.events import (
    AgentAccepted,
    AgentAcceptedEvent,
    AgentAssist,
    AgentAssistEvent,
    ConversationEnded,
    ConversationEndedEvent,
    ConversationStarted,
    ConversationStartedEvent,
    EscalationRequested,
    EscalationRequestedEvent,
    Event,
    IntentDetected,
    IntentDetectedEvent,
    MessageReceived,
    MessageReceivedEvent,
    OutcomeRecorded,
    OutcomeRecordedEvent,
)
from topics.outputs import Decision, Reason, deterministic_id

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def definitions() -> SloDefinitions:
    return load_definitions()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


class Conv:
    """Builds the events of one conversation; times are seconds after ``start``."""

    def __init__(self, cid: str, *, channel: str = "chat", segment: str = "standard",
                 intent: str | None = "balance_inquiry", start: datetime = T0,
                 customer_value: float = 0.0, vulnerability: str = "none") -> None:
        self.cid, self.start, self._n = cid, start, 0
        self.channel, self.segment, self.intent = channel, segment, intent
        self.customer_value, self.vulnerability = customer_value, vulnerability

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def _ev(self, cls: type[Event], seconds: float, data: Any) -> Event:
        self._n += 1
        return cls.build(id=f"{self.cid}-e{self._n}", conversation_id=self.cid, time=self.at(seconds), data=data)

    def started(self, s: float = 0) -> Event:
        return self._ev(ConversationStartedEvent, s, ConversationStarted(
            channel=self.channel, customer_id="cust-1", segment=self.segment, region="GB",
            locale="en-GB", timezone="Europe/London", customer_value=self.customer_value,
            vulnerability=self.vulnerability))

    def detected(self, s: float = 1, name: str | None = None) -> Event:
        return self._ev(IntentDetectedEvent, s, IntentDetected(
            intent=name or self.intent or "unknown", confidence=0.9, model_version="m1"))

    def message(self, s: float = 2) -> Event:
        return self._ev(MessageReceivedEvent, s, MessageReceived(role="customer", text="hello"))

    def requested(self, s: float) -> Event:
        return self._ev(EscalationRequestedEvent, s, EscalationRequested(by="customer"))

    def accepted(self, s: float) -> Event:
        return self._ev(AgentAcceptedEvent, s, AgentAccepted(queue="q1", wait_s=1.0))

    def assist(self, s: float, action: str = "accepted") -> Event:
        return self._ev(AgentAssistEvent, s, AgentAssist(suggestion_id="s1", action=action))

    def ended(self, s: float, by: str = "customer") -> Event:
        return self._ev(ConversationEndedEvent, s, ConversationEnded(ended_by=by))

    def outcome(self, s: float, **fields: Any) -> Event:
        return self._ev(OutcomeRecordedEvent, s, OutcomeRecorded(**{"resolved": True, **fields}))

    def bot_resolved(self, *, csat: int | None = 5, end_s: float = 60) -> list[Event]:
        """A typical contained conversation."""
        return [self.started(), self.detected(), self.message(), self.ended(end_s),
                self.outcome(end_s + 1, resolved_by="bot", csat=csat)]

    def decision(self, source: Event, *, delay_ms: int = 100, action: str = "automate",
                 reasons: tuple[str, ...] = (), mode: str = "active") -> Decision:
        return Decision(
            decision_id=deterministic_id(self.cid, source.id), conversation_id=self.cid,
            source_event_id=source.id, time=source.time + timedelta(milliseconds=delay_ms),
            policy_version="v1", action=action,  # type: ignore[arg-type]
            reasons=[Reason(code=r) for r in reasons], mode=mode,  # type: ignore[arg-type]
        )
