"""The interaction-event contract: CloudEvents 1.0 envelopes (structured JSON mode) with typed data.

Every record on ``cx.interactions.v1`` is one of the ``*Event`` classes below. The envelope's
``type`` selects the class (a tagged union), so one decode pass validates envelope and payload.
``dataschema`` names the payload's schema version; a consumer accepts the versions it knows.

Published fields are never silently changed: a new optional field is a minor change (same
``dataschema``), anything else is a new version.

>>> from datetime import datetime, timezone
>>> ev = MessageReceivedEvent.build(
...     id="e1", conversation_id="c1", time=datetime(2026, 1, 1, tzinfo=timezone.utc),
...     data=MessageReceived(role="customer", text="hello", turn=1))
>>> ev.type, ev.subject, ev.dataschema
('cx.message.received', 'c1', 'urn:loopline:schema:cx.message.received:v1')
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Annotated, ClassVar, Literal, TypeVar

from msgspec import Meta, Struct

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
DEFAULT_SOURCE = "urn:loopline:simulator"

# --- constrained scalar types -------------------------------------------------------------------
Id = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
Text = Annotated[str, Meta(max_length=20_000)]
Probability = Annotated[float, Meta(ge=0.0, le=1.0)]
Sentiment = Annotated[float, Meta(ge=-1.0, le=1.0)]
NonNegInt = Annotated[int, Meta(ge=0)]
NonNegFloat = Annotated[float, Meta(ge=0.0)]
Csat = Annotated[int, Meta(ge=1, le=5)]
UtcTime = Annotated[datetime, Meta(tz=True)]

Channel = Literal["voice", "chat", "messaging", "email"]
Segment = Literal["standard", "premium", "business", "vip"]
Vulnerability = Literal["none", "potential", "confirmed"]
Role = Literal["customer", "bot", "agent"]
TechnicalErrorKind = Literal["asr_failure", "latency_spike", "downstream_error", "timeout"]
ResolvedBy = Literal["bot", "agent", "agent_with_assist"]
SlotKind = Literal[
    "name", "email", "phone", "card_number", "iban", "address", "date_of_birth",
    "account_number", "order_number", "policy_number", "amount", "date", "other",
]


# --- payloads -----------------------------------------------------------------------------------
class ConversationStarted(Struct, frozen=True, forbid_unknown_fields=False, omit_defaults=True):
    channel: Channel
    customer_id: Id
    segment: Segment
    region: Annotated[str, Meta(min_length=2, max_length=8)]
    locale: Annotated[str, Meta(min_length=2, max_length=16)]
    timezone: Annotated[str, Meta(min_length=1, max_length=64)]
    customer_value: NonNegFloat = 0.0
    vulnerability: Vulnerability = "none"
    bot_id: ShortText = "bot"


class MessageReceived(Struct, frozen=True, omit_defaults=True):
    role: Role
    text: Text
    turn: NonNegInt = 0
    asr_confidence: Probability | None = None
    sentiment: Sentiment | None = None


class IntentAlternative(Struct, frozen=True):
    intent: Id
    confidence: Probability


class IntentDetected(Struct, frozen=True, omit_defaults=True):
    intent: Id
    confidence: Probability
    model_version: ShortText
    alternatives: list[IntentAlternative] = []
    turn: NonNegInt = 0


class BotResponded(Struct, frozen=True, omit_defaults=True):
    latency_ms: NonNegInt
    prompt_version: ShortText
    text: Text = ""
    knowledge_sources: list[ShortText] = []
    fallback_used: bool = False
    turn: NonNegInt = 0


class SlotCollected(Struct, frozen=True, omit_defaults=True):
    name: Id
    kind: SlotKind
    value: Annotated[str, Meta(max_length=2_000)]


class TechnicalError(Struct, frozen=True, omit_defaults=True):
    kind: TechnicalErrorKind
    component: ShortText
    detail: ShortText = ""
    latency_ms: NonNegInt | None = None


class EscalationRequested(Struct, frozen=True, omit_defaults=True):
    by: Literal["bot", "customer"]
    reason: ShortText = ""


class AgentAccepted(Struct, frozen=True, omit_defaults=True):
    queue: ShortText
    wait_s: NonNegFloat
    agent_id: ShortText = ""


class AgentAssist(Struct, frozen=True, omit_defaults=True):
    suggestion_id: Id
    action: Literal["shown", "accepted", "rejected"]


class ConversationEnded(Struct, frozen=True, omit_defaults=True):
    ended_by: Literal["customer", "bot", "agent", "timeout"]
    turns: NonNegInt = 0


class OutcomeRecorded(Struct, frozen=True, omit_defaults=True):
    resolved: bool
    resolved_by: ResolvedBy | None = None
    csat: Csat | None = None
    recontact_within_7d: bool = False
    deflected_from_channel: Channel | None = None


class CustomerPreference(Struct, frozen=True, omit_defaults=True):
    customer_id: Id
    training_opt_out: bool


# --- envelopes ----------------------------------------------------------------------------------
P = TypeVar("P")
E = TypeVar("E", bound="Event")


class Event(Struct, frozen=True, tag_field="type", kw_only=True):
    """CloudEvents 1.0 envelope; subclasses fix ``type`` (the tag) and the ``data`` class."""

    id: Id
    source: Annotated[str, Meta(min_length=1, max_length=500)]
    time: UtcTime
    subject: Id  # the conversation id; also the Kafka key
    dataschema: Annotated[str, Meta(min_length=1, max_length=500)]
    specversion: Literal["1.0"] = "1.0"
    datacontenttype: Literal["application/json"] = "application/json"

    TYPE: ClassVar[str]
    DATA: ClassVar[builtins.type]
    VERSION: ClassVar[int] = 1

    @property
    def type(self) -> str:
        return self.TYPE

    @property
    def conversation_id(self) -> str:
        return self.subject

    @classmethod
    def schema_uri(cls, version: int | None = None) -> str:
        return f"urn:loopline:schema:{cls.TYPE}:v{version or cls.VERSION}"

    @classmethod
    def build(
        cls: builtins.type[E],
        *,
        id: str,
        conversation_id: str,
        time: datetime,
        data: object,
        source: str = DEFAULT_SOURCE,
    ) -> E:
        return cls(
            id=id, source=source, time=time, subject=conversation_id,
            dataschema=cls.schema_uri(), data=data,  # type: ignore[call-arg]
        )


class ConversationStartedEvent(Event, frozen=True, kw_only=True, tag="cx.conversation.started"):
    TYPE: ClassVar[str] = "cx.conversation.started"
    DATA: ClassVar[builtins.type] = ConversationStarted
    data: ConversationStarted


class MessageReceivedEvent(Event, frozen=True, kw_only=True, tag="cx.message.received"):
    TYPE: ClassVar[str] = "cx.message.received"
    DATA: ClassVar[builtins.type] = MessageReceived
    data: MessageReceived


class IntentDetectedEvent(Event, frozen=True, kw_only=True, tag="cx.intent.detected"):
    TYPE: ClassVar[str] = "cx.intent.detected"
    DATA: ClassVar[builtins.type] = IntentDetected
    data: IntentDetected


class BotRespondedEvent(Event, frozen=True, kw_only=True, tag="cx.bot.responded"):
    TYPE: ClassVar[str] = "cx.bot.responded"
    DATA: ClassVar[builtins.type] = BotResponded
    data: BotResponded


class SlotCollectedEvent(Event, frozen=True, kw_only=True, tag="cx.slot.collected"):
    TYPE: ClassVar[str] = "cx.slot.collected"
    DATA: ClassVar[builtins.type] = SlotCollected
    data: SlotCollected


class TechnicalErrorEvent(Event, frozen=True, kw_only=True, tag="cx.technical.error"):
    TYPE: ClassVar[str] = "cx.technical.error"
    DATA: ClassVar[builtins.type] = TechnicalError
    data: TechnicalError


class EscalationRequestedEvent(Event, frozen=True, kw_only=True, tag="cx.escalation.requested"):
    TYPE: ClassVar[str] = "cx.escalation.requested"
    DATA: ClassVar[builtins.type] = EscalationRequested
    data: EscalationRequested


class AgentAcceptedEvent(Event, frozen=True, kw_only=True, tag="cx.agent.accepted"):
    TYPE: ClassVar[str] = "cx.agent.accepted"
    DATA: ClassVar[builtins.type] = AgentAccepted
    data: AgentAccepted


class AgentAssistEvent(Event, frozen=True, kw_only=True, tag="cx.agent.assist"):
    TYPE: ClassVar[str] = "cx.agent.assist"
    DATA: ClassVar[builtins.type] = AgentAssist
    data: AgentAssist


class ConversationEndedEvent(Event, frozen=True, kw_only=True, tag="cx.conversation.ended"):
    TYPE: ClassVar[str] = "cx.conversation.ended"
    DATA: ClassVar[builtins.type] = ConversationEnded
    data: ConversationEnded


class OutcomeRecordedEvent(Event, frozen=True, kw_only=True, tag="cx.outcome.recorded"):
    TYPE: ClassVar[str] = "cx.outcome.recorded"
    DATA: ClassVar[builtins.type] = OutcomeRecorded
    data: OutcomeRecorded


class CustomerPreferenceEvent(Event, frozen=True, kw_only=True, tag="cx.customer.preference"):
    TYPE: ClassVar[str] = "cx.customer.preference"
    DATA: ClassVar[builtins.type] = CustomerPreference
    data: CustomerPreference


#: Every event class, in lifecycle order.
EVENT_CLASSES: tuple[type[Event], ...] = (
    ConversationStartedEvent,
    MessageReceivedEvent,
    IntentDetectedEvent,
    BotRespondedEvent,
    SlotCollectedEvent,
    TechnicalErrorEvent,
    EscalationRequestedEvent,
    AgentAcceptedEvent,
    AgentAssistEvent,
    ConversationEndedEvent,
    OutcomeRecordedEvent,
    CustomerPreferenceEvent,
)
EVENT_TYPES: dict[str, type[Event]] = {cls.TYPE: cls for cls in EVENT_CLASSES}
