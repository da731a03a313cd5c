"""Event builders for the escalation tests (events built directly with topics.events classes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import StepResult, step
from pipelines.escalation.policy import load_policy
from pipelines.escalation.state import ConversationState
from topics import events as ev

POLICY = load_policy()
SIGNALS = Signals.lexical()
#: Monday 2026-01-05 10:00 UTC: inside business hours in Europe/London.
T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


class Conv:
    """Feeds events of one conversation through the core and collects the outputs."""

    def __init__(self, cid: str = "c1", *, t0: datetime = T0, **started: Any) -> None:
        self.cid, self.t, self.n = cid, t0, 0
        self.state = ConversationState()
        self.decisions: list[Any] = []
        self.escalations: list[Any] = []
        data = {"channel": "chat", "customer_id": "cust-1", "segment": "standard", "region": "GB",
                "locale": "en-GB", "timezone": "Europe/London"} | started
        self.send(ev.ConversationStartedEvent, ev.ConversationStarted(**data))

    def send(self, cls: type[ev.Event], data: Any, *, after_s: float = 5.0, eid: str | None = None) -> StepResult:
        self.n += 1
        self.t += timedelta(seconds=after_s)
        event = cls.build(id=eid or f"{self.cid}-e{self.n}", conversation_id=self.cid, time=self.t, data=data)
        out = step(self.state, event, policy=POLICY, signals=SIGNALS)
        self.state = out.state
        self.decisions += out.decisions
        self.escalations += out.escalations
        return out

    def say(self, text: str, **kw: Any) -> StepResult:
        after = kw.pop("after_s", 5.0)
        return self.send(ev.MessageReceivedEvent, ev.MessageReceived(role="customer", text=text, **kw), after_s=after)

    def intent(self, name: str, confidence: float, **kw: Any) -> StepResult:
        return self.send(ev.IntentDetectedEvent, ev.IntentDetected(intent=name, confidence=confidence, model_version="m1", **kw))

    def bot(self, latency_ms: int) -> StepResult:
        return self.send(ev.BotRespondedEvent, ev.BotResponded(latency_ms=latency_ms, prompt_version="p1", text="ok"))

    def error(self, kind: str, *, after_s: float = 5.0) -> StepResult:
        return self.send(ev.TechnicalErrorEvent, ev.TechnicalError(kind=kind, component="core-banking"), after_s=after_s)  # type: ignore[arg-type]

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.state.triggers]

    @property
    def escalation_actions(self) -> list[str]:
        return [d.action for d in self.decisions if d.action in ("handoff", "apologise_and_follow_up")]
