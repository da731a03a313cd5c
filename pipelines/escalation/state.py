"""Per-conversation state of the escalation core: small, bounded, serialisable (msgpack bytes) for a
Faust table.

>>> s = ConversationState(conversation_id="c1")
>>> ConversationState.from_bytes(s.to_bytes()) == s
True
"""

from __future__ import annotations

import msgspec

from pipelines.escalation.exceptions import StateError


class Line(msgspec.Struct, array_like=True):
    role: str
    text: str
    t_ms: int


class CustomerTurn(msgspec.Struct, array_like=True):
    text: str
    t_ms: int
    sentiment: float


class Trigger(msgspec.Struct, array_like=True):
    code: str
    t_ms: int
    evidence: dict[str, str | int | float | bool | None] = {}


class Intent(msgspec.Struct, array_like=True):
    name: str
    confidence: float
    tier: int
    alternatives: list[tuple[str, float]] = []


class EscalationState(msgspec.Struct, array_like=True):
    escalation_id: str
    t_ms: int
    action: str
    priority: str
    source_event_id: str
    sla_level: int = 0
    deadline_ms: int = 0
    accepted: bool = False


class ConversationState(msgspec.Struct):
    conversation_id: str = ""
    seen: list[str] = []
    channel: str = "chat"
    segment: str = "standard"
    region: str = ""
    locale: str = ""
    timezone: str = ""
    customer_id: str = ""
    customer_value: float = 0.0
    vulnerability: str = "none"
    started: bool = False
    customer_turns: list[CustomerTurn] = []
    transcript: list[Line] = []
    slots: dict[str, tuple[str, str]] = {}
    intent: Intent | None = None
    asr_failures: int = 0
    low_asr_streak: int = 0
    latency_baseline_ms: float = 0.0
    latency_spikes: int = 0
    error_times_ms: list[int] = []
    triggers: list[Trigger] = []
    first_risk_ms: int | None = None
    escalation: EscalationState | None = None
    ended_ms: int | None = None
    last_ms: int = 0

    def to_bytes(self) -> bytes:
        return _encoder.encode(self)

    @classmethod
    def from_bytes(cls, raw: bytes) -> ConversationState:
        try:
            return _decoder.decode(raw)
        except msgspec.MsgspecError as exc:
            raise StateError(f"conversation state: cannot decode {len(raw)} bytes: {exc}") from exc

    def expired(self, now_ms: int, *, grace_ms: int, idle_ms: int | None = None) -> bool:
        """True once the conversation ended more than ``grace_ms`` ago, or (with ``idle_ms``) had no
        event for more than ``idle_ms``: a conversation that never ended, or a state that a late
        event (an outcome hours after the end) opened again after the first one expired."""
        if self.ended_ms is not None and now_ms - self.ended_ms > grace_ms:
            return True
        return idle_ms is not None and now_ms - self.last_ms > idle_ms

    def expires_at(self, *, grace_ms: int, idle_ms: int) -> int:
        """The first event time (ms) at which :meth:`expired` holds."""
        idle = self.last_ms + idle_ms + 1
        return idle if self.ended_ms is None else min(idle, self.ended_ms + grace_ms + 1)


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(ConversationState)
