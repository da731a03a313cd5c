"""A seeded, deterministic generator of realistic voice and chat conversations.

Each conversation follows a *scenario* (normal, high-risk intent, low confidence, a customer who asks
for a human, rephrases, grows angry, a voice line with ASR failures, a slow or failing backend …) and
the ground truth says whether it must escalate and why (see docs/simulator.md for the exact
patterns). Same seed and arguments → byte-identical output.

>>> sim = Simulation(SimulationConfig(conversations=3, seed=7))
>>> records = list(sim.records())
>>> records == list(Simulation(SimulationConfig(conversations=3, seed=7)).records())
True
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.catalogue import Catalogue, load_catalogue
from pipelines.sources import pii
from pipelines.sources.phrases import (
    BOT_REPLIES,
    HUMAN_REQUEST_HARD_NEGATIVES,
    HUMAN_REQUESTS,
    MILD_NEGATIVE_TURNS,
    NEGATIVE_TURNS,
    NEUTRAL_TURNS,
    POSITIVE_TURNS,
    REPHRASES,
    UTTERANCES,
)
from topics import events as ev
from topics.codec import encode

SOURCE = "urn:loopline:simulator"
DEFAULT_START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)

#: Scenario → share of conversations. Hard negatives are sprinkled into "normal" ones.
SCENARIOS: dict[str, float] = {
    "normal": 0.36,
    "unsure_clarify": 0.07,
    "high_risk": 0.10,
    "low_confidence": 0.07,
    "vulnerable": 0.05,
    "human_request": 0.09,
    "rephrase": 0.06,
    "sentiment": 0.07,
    "asr_failure": 0.05,
    "latency_spike": 0.04,
    "downstream_error": 0.04,
}
#: The reason code each escalating scenario stands for.
SCENARIO_REASON = {
    "high_risk": "policy_high_risk",
    "low_confidence": "policy_low_confidence",
    "vulnerable": "vulnerable_customer",
    "human_request": "human_request",
    "rephrase": "rephrase",
    "sentiment": "sentiment",
    "asr_failure": "asr_failure",
    "latency_spike": "latency_spike",
    "downstream_error": "downstream_error",
}

REGIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "US": (("America/New_York", "America/Chicago", "America/Los_Angeles"), "en-US"),
    "UK": (("Europe/London",), "en-GB"),
    "DE": (("Europe/Berlin",), "en-DE"),
    "IN": (("Asia/Kolkata",), "en-IN"),
    "AU": (("Australia/Sydney",), "en-AU"),
}
SEGMENTS = (("standard", 0.62), ("premium", 0.22), ("business", 0.11), ("vip", 0.05))
SEGMENT_VALUE = {"standard": (50, 800), "premium": (800, 5000), "business": (2000, 20000), "vip": (10000, 90000)}
CHANNELS = (("voice", 0.4), ("chat", 0.4), ("messaging", 0.15), ("email", 0.05))
#: Per-intent calibration of the intent model: a share of detections are wrong with high confidence.
MISCALIBRATED = {"card_declined": 0.25, "pending_transaction": 0.2, "plan_change": 0.15, "refund_request": 0.12}
NORMAL_LATENCY_MS = {"voice": (300, 900), "chat": (400, 1200), "messaging": (400, 1200), "email": (500, 1200)}
MODEL_VERSION = "intent-clf-2026.02"
OVERCONFIDENT_FAILURE = 0.6
PROMPT_VERSION = "cx-prompt-v7"


@dataclass(frozen=True)
class SimulationConfig:
    conversations: int = 300
    seed: int = 42
    bad_share: float = 0.0  # share of extra malformed records
    late_share: float = 0.01  # share of events delivered well after their event time
    bot_failure_share: float = 0.0  # degrade the bot: this share of automated conversations fail
    start: datetime = DEFAULT_START
    spacing_s: float = 12.0  # mean gap between conversation starts (event time)
    scenario_weights: dict[str, float] = field(default_factory=lambda: dict(SCENARIOS))
    #: intent -> confidence c below which the intent model is over-confident (off when empty): half
    #: of the "normal" conversations go to these intents, with confidences spread across
    #: [c - 0.25, c + 0.2] (capped at 0.995), and automated ones detected below c fail
    #: ``OVERCONFIDENT_FAILURE`` of the time (the threshold job must recover c)
    overconfident: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """One record to publish: Kafka key, value bytes, event time; ``bad`` marks an injected
    malformed record."""

    key: str
    value: bytes
    time: datetime
    bad: bool = False


@dataclass
class Truth:
    conversation_id: str
    scenario: str
    channel: str
    segment: str
    region: str
    timezone: str
    local_hour: int
    vulnerability: str
    intent: str
    true_intent: str
    tier: int
    should_escalate: bool
    reasons: list[str]
    first_trigger_event_id: str | None
    resolved: bool
    resolved_by: str | None
    csat: int | None
    csat_late: bool
    events: int = 0
    hard_negatives: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "conversation", **self.__dict__}


class Simulation:
    """Generates the records and the ground truth of one seeded run."""

    def __init__(self, config: SimulationConfig, *, catalogue: Catalogue | None = None) -> None:
        self.config = config
        self.catalogue = catalogue or load_catalogue()
        self.truth: list[Truth] = []
        self.bad_records: list[dict[str, Any]] = []
        tiers: dict[int, list[str]] = {t: self.catalogue.names_in_tier(t) for t in range(4)}
        self._tiers = tiers
        self._customers = max(1, int(config.conversations * 0.7))

    # --- public -----------------------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        """Every record in publication order (event-time order, except injected late ones)."""
        self.truth = []
        self.bad_records = []
        rng = random.Random(self.config.seed)
        stream: list[tuple[datetime, int, Record]] = []
        seq = 0
        for index in range(self.config.conversations):
            conv_rng = random.Random(_derive_seed(self.config.seed, index))
            start = self.config.start + timedelta(seconds=index * self.config.spacing_s * rng.uniform(0.5, 1.5))
            conversation = _Conversation(self, index, start, conv_rng)
            for record in conversation.play():
                deliver_at = record.time
                if rng.random() < self.config.late_share:
                    deliver_at = record.time + timedelta(minutes=rng.uniform(8, 20))
                stream.append((deliver_at, seq, record))
                seq += 1
            self.truth.append(conversation.truth)
        bad_count = round(len(stream) * self.config.bad_share)
        for n in range(bad_count):
            at, _, victim = stream[rng.randrange(len(stream))]
            record = _malformed(rng, n, victim, self.config.seed)
            self.bad_records.append({"kind": "bad_record", "key": record.key, "defect": _DEFECT_NAMES[n % len(_DEFECTS)]})
            stream.append((at, seq, record))
            seq += 1
        stream.sort(key=lambda item: (item[0], item[1]))
        for _, _, record in stream:
            yield record

    def truth_rows(self) -> list[dict[str, Any]]:
        return [t.as_dict() for t in self.truth] + self.bad_records

    def write_truth(self, path: Path) -> None:
        """Ground truth as JSONL (call after :meth:`records` has been consumed)."""
        with path.open("w", encoding="utf-8") as handle:
            for row in self.truth_rows():
                handle.write(json.dumps(row, sort_keys=True) + "\n")


def _derive_seed(seed: int, index: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{index}".encode()).digest()[:8], "big")


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    total = sum(w for _, w in items)
    pick = rng.random() * total
    for item, weight in items:
        pick -= weight
        if pick <= 0:
            return item
    return items[-1][0]


class _Conversation:
    """Plays one conversation: a small script of events with advancing event time."""

    def __init__(self, sim: Simulation, index: int, start: datetime, rng: random.Random) -> None:
        self.sim = sim
        self.rng = rng
        self.cfg = sim.config
        self.id = f"conv-{sim.config.seed}-{index:06d}"
        self.now = start
        self.seq = 0
        self.turn = 0
        self.out: list[Record] = []
        self.scenario = _weighted(rng, sim.config.scenario_weights)
        region = rng.choice(list(REGIONS))
        zones, locale = REGIONS[region]
        self.region, self.timezone, self.locale = region, rng.choice(zones), locale
        self.channel = _weighted(rng, CHANNELS)
        if self.scenario == "asr_failure":
            self.channel = "voice"
        self.segment = _weighted(rng, SEGMENTS)
        self.vulnerability = "confirmed" if self.scenario == "vulnerable" else ("potential" if rng.random() < 0.05 else "none")
        self.customer_id = f"cust-{rng.randrange(sim._customers):06d}"
        self.first_trigger: str | None = None
        self.reasons: list[str] = []
        self.hard_negatives: list[str] = []
        self.confidence = 1.0

    # --- event helpers --------------------------------------------------------------------------
    def _advance(self, low_s: float, high_s: float) -> None:
        self.now += timedelta(seconds=self.rng.uniform(low_s, high_s))

    def emit(self, cls: type[ev.Event], data: Any, *, at: datetime | None = None) -> str:
        self.seq += 1
        event_id = f"{self.id}-{self.seq:03d}"
        time = at or self.now
        event: ev.Event = cls.build(id=event_id, conversation_id=self.id, time=time, data=data, source=SOURCE)
        self.out.append(Record(key=self.id, value=encode(event), time=time))
        return event_id

    def customer_says(self, text: str, *, sentiment: float | None = None) -> str:
        self.turn += 1
        asr = round(self.rng.uniform(0.72, 0.99), 3) if self.channel == "voice" else None
        return self.emit(
            ev.MessageReceivedEvent,
            ev.MessageReceived(role="customer", text=text, turn=self.turn, asr_confidence=asr, sentiment=sentiment),
        )

    def bot_says(self, text: str, *, latency_ms: int | None = None, fallback: bool = False) -> str:
        low, high = NORMAL_LATENCY_MS[self.channel]
        latency = latency_ms if latency_ms is not None else self.rng.randint(low, high)
        self.now += timedelta(milliseconds=latency)
        self.emit(ev.MessageReceivedEvent, ev.MessageReceived(role="bot", text=text, turn=self.turn))
        return self.emit(
            ev.BotRespondedEvent,
            ev.BotResponded(latency_ms=latency, prompt_version=PROMPT_VERSION, text=text,
                            knowledge_sources=[f"kb-{self.rng.randint(1, 40):03d}"] if not fallback else [],
                            fallback_used=fallback, turn=self.turn),
        )

    def detect(self, intent: str, confidence: float) -> str:
        others = [name for name in UTTERANCES if name != intent]
        alternatives = [
            ev.IntentAlternative(intent=name, confidence=round(max(0.0, (1 - confidence) * self.rng.uniform(0.2, 0.9)), 3))
            for name in self.rng.sample(others, 2)
        ]
        alternatives.sort(key=lambda a: -a.confidence)
        return self.emit(
            ev.IntentDetectedEvent,
            ev.IntentDetected(intent=intent, confidence=round(confidence, 3), model_version=MODEL_VERSION,
                              alternatives=alternatives, turn=self.turn),
        )

    def trigger(self, reason: str, event_id: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        if self.first_trigger is None:
            self.first_trigger = event_id

    # --- the script -----------------------------------------------------------------------------
    def play(self) -> list[Record]:
        rng, scenario = self.rng, self.scenario
        value_low, value_high = SEGMENT_VALUE[self.segment]
        self.emit(
            ev.ConversationStartedEvent,
            ev.ConversationStarted(
                channel=self.channel, customer_id=self.customer_id, segment=self.segment, region=self.region,
                locale=self.locale, timezone=self.timezone, customer_value=round(rng.uniform(value_low, value_high), 2),
                vulnerability=self.vulnerability, bot_id="cx-bot",  # type: ignore[arg-type]
            ),
        )
        if rng.random() < 0.03:
            self.emit(ev.CustomerPreferenceEvent, ev.CustomerPreference(customer_id=self.customer_id, training_opt_out=True))
        intent, confidence = self._choose_intent()
        self.confidence = confidence
        true_intent = intent
        if intent in MISCALIBRATED and rng.random() < MISCALIBRATED[intent]:
            true_intent = rng.choice([n for n in UTTERANCES if n != intent and self.sim.catalogue.tier_of(n) <= 2])
        self._advance(1, 4)
        opening = rng.choice(UTTERANCES[true_intent])
        sentiment_upstream = scenario == "sentiment" and rng.random() < 0.5
        first_msg = self.customer_says(opening, sentiment=0.0 if sentiment_upstream else None)
        self._advance(0.2, 0.8)
        detect_id = self.detect(intent, confidence)
        tier = self.sim.catalogue.tier_of(intent)
        if scenario == "high_risk":
            self.trigger("policy_high_risk", detect_id)
            if rng.random() < 0.3:  # the bot's own guard asks for a human too
                self._advance(0.1, 0.5)
                self.emit(ev.EscalationRequestedEvent, ev.EscalationRequested(by="bot", reason="high-risk intent"))
        elif scenario == "low_confidence":
            self.trigger("policy_low_confidence", detect_id)
        elif scenario == "vulnerable":
            self.trigger("vulnerable_customer", detect_id)
        del first_msg
        self.bot_says(BOT_REPLIES["answer"] if scenario != "unsure_clarify" else BOT_REPLIES["clarify"].format(
            a=intent.replace("_", " "), b=rng.choice(list(UTTERANCES)).replace("_", " ")))
        self._collect_slots(intent)
        getattr(self, f"_scenario_{scenario}", self._scenario_normal)()
        escalated = bool(self.reasons)
        if escalated:
            self._handoff()
        else:
            self._small_talk_close()
        self._advance(5, 30)
        ended_by = rng.choice(["agent"] if escalated else ["customer", "bot"])
        self.emit(ev.ConversationEndedEvent, ev.ConversationEnded(ended_by=ended_by, turns=self.turn))  # type: ignore[arg-type]
        resolved, resolved_by, csat, csat_late = self._outcome(escalated, intent, true_intent)
        self.truth = Truth(
            conversation_id=self.id, scenario=scenario, channel=self.channel, segment=self.segment,
            region=self.region, timezone=self.timezone,
            local_hour=self.out[0].time.astimezone(ZoneInfo(self.timezone)).hour,
            vulnerability=self.vulnerability, intent=intent, true_intent=true_intent, tier=tier,
            should_escalate=escalated, reasons=list(self.reasons), first_trigger_event_id=self.first_trigger,
            resolved=resolved, resolved_by=resolved_by, csat=csat, csat_late=csat_late,
            events=self.seq, hard_negatives=self.hard_negatives,
        )
        return self.out

    def _choose_intent(self) -> tuple[str, float]:
        rng, scenario = self.rng, self.scenario
        tiers = self.sim._tiers
        if scenario == "high_risk":
            return rng.choice(tiers[3]), rng.uniform(0.80, 0.97)
        if scenario == "low_confidence":
            return rng.choice(tiers[2]), rng.uniform(0.15, 0.55)
        if scenario == "vulnerable":
            return rng.choice(tiers[1] + tiers[2]), rng.uniform(0.90, 0.995)
        if scenario == "unsure_clarify":
            return rng.choice(tiers[0] + tiers[1]), rng.uniform(0.35, 0.60)
        pool = tiers[0] + tiers[1] + tiers[2]
        overconfident = self.cfg.overconfident
        if overconfident and rng.random() < 0.5:  # only consumes randomness when the option is on
            intent = rng.choice(sorted(overconfident))
            c = overconfident[intent]
            return intent, rng.uniform(max(0.0, c - 0.25), min(0.995, c + 0.2))
        intent = rng.choice(pool)
        low = 0.90 if self.sim.catalogue.tier_of(intent) == 2 else 0.75
        return intent, rng.uniform(low, 0.995)

    def _collect_slots(self, intent: str) -> None:
        rng = self.rng
        name = pii.person_name(rng)
        wanted: list[tuple[str, str, str]] = [("full_name", "name", name)]
        if rng.random() < 0.5:
            wanted.append(("email", "email", pii.email(rng, name)))
        if rng.random() < 0.4:
            wanted.append(("phone", "phone", pii.phone(rng, self.region)))
        if intent in {"card_declined", "lost_or_stolen_card", "fraud_report", "card_activation", "billing_dispute"} or rng.random() < 0.15:
            wanted.append(("card_number", "card_number", pii.card_number(rng)))
        if intent in {"transfer_status", "direct_debit_issue", "refund_request"} or rng.random() < 0.1:
            wanted.append(("iban", "iban", pii.iban(rng)))
        if intent in {"change_address", "delivery_status"} or rng.random() < 0.1:
            wanted.append(("address", "address", pii.address(rng)))
        for slot_name, kind, value in wanted:
            self._advance(2, 6)
            self.bot_says(BOT_REPLIES["slot"].format(slot=slot_name.replace("_", " ")))
            self._advance(2, 8)
            spoken = value
            if self.channel == "voice" and kind in {"card_number", "phone"}:
                spoken = pii.spoken_digits(value, rng)
            prefix = {"name": "my name is", "email": "it's", "phone": "my number is", "card_number": "the card number is",
                      "iban": "my IBAN is", "address": "I live at"}[kind]
            self.customer_says(f"{prefix} {spoken}")
            self._advance(0.2, 0.6)
            self.emit(ev.SlotCollectedEvent, ev.SlotCollected(name=slot_name, kind=kind, value=value))  # type: ignore[arg-type]

    # --- scenarios: each adds its pattern (and hard negatives where it is "normal") -------------
    def _scenario_normal(self) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            self._advance(3, 10)
            self.hard_negatives.append("human_request")
            self.customer_says(rng.choice(HUMAN_REQUEST_HARD_NEGATIVES))
            self.bot_says(BOT_REPLIES["answer"])
        elif roll < 0.18:
            self._advance(3, 10)
            self.hard_negatives.append("sentiment")
            self.customer_says(rng.choice(MILD_NEGATIVE_TURNS), sentiment=round(rng.uniform(-0.3, -0.2), 2) if rng.random() < 0.5 else None)
            self.bot_says(BOT_REPLIES["answer"])
        elif roll < 0.23 and self.channel == "voice":
            self.hard_negatives.append("asr_failure")
            self.emit(ev.TechnicalErrorEvent, ev.TechnicalError(kind="asr_failure", component="asr"))
        elif roll < 0.28:
            self.hard_negatives.append("latency_spike")
            self._advance(2, 6)
            self.customer_says(rng.choice(NEUTRAL_TURNS))
            self.bot_says(BOT_REPLIES["answer"], latency_ms=rng.randint(4500, 7000))
        elif roll < 0.32:
            self.hard_negatives.append("downstream_error")
            self.emit(ev.TechnicalErrorEvent, ev.TechnicalError(kind="downstream_error", component="core-banking-api"))
        elif roll < 0.37:
            self.hard_negatives.append("rephrase")
            self._advance(5, 15)
            intent = self._last_intent()
            self.customer_says(self.rng.choice(UTTERANCES[intent]))
            self.bot_says(BOT_REPLIES["answer"])

    def _scenario_unsure_clarify(self) -> None:
        self._advance(3, 8)
        self.customer_says("yes the first one")
        self.bot_says(BOT_REPLIES["answer"])

    def _scenario_human_request(self) -> None:
        rng = self.rng
        self._advance(3, 12)
        if self.channel in {"chat", "messaging"} and rng.random() < 0.35:
            event_id = self.emit(ev.EscalationRequestedEvent, ev.EscalationRequested(by="customer", reason="button"))
        else:
            event_id = self.customer_says(_typo(rng.choice(HUMAN_REQUESTS), rng))
        self.trigger("human_request", event_id)

    def _scenario_rephrase(self) -> None:
        intent = self._last_intent()
        options = list(self.rng.choice(REPHRASES.get(intent) or (UTTERANCES[intent],)))
        self.rng.shuffle(options)
        event_id = ""
        for text in options[:3]:
            self._advance(8, 30)  # three restatements within 120 s of event time
            event_id = self.customer_says(text)
            self.bot_says(BOT_REPLIES["sorry"], fallback=True)
        self.trigger("rephrase", event_id)

    def _scenario_sentiment(self) -> None:
        rng = self.rng
        upstream = rng.random() < 0.5
        scores = [round(rng.uniform(-0.4, -0.2), 2), round(rng.uniform(-0.95, -0.7), 2)]
        texts = [rng.choice(MILD_NEGATIVE_TURNS), rng.choice(NEGATIVE_TURNS)]
        event_id = ""
        for text, score in zip(texts, scores, strict=True):
            self._advance(5, 15)
            event_id = self.customer_says(text, sentiment=score if upstream else None)
            self.bot_says(BOT_REPLIES["sorry"])
        self.trigger("sentiment", event_id)

    def _scenario_asr_failure(self) -> None:
        rng = self.rng
        event_id = ""
        if rng.random() < 0.5:
            for _ in range(2):
                self._advance(2, 6)
                event_id = self.emit(ev.TechnicalErrorEvent, ev.TechnicalError(kind="asr_failure", component="asr", detail="no transcript"))
        else:
            for _ in range(2):
                self._advance(3, 8)
                self.turn += 1
                event_id = self.emit(ev.MessageReceivedEvent, ev.MessageReceived(
                    role="customer", text=rng.choice(["uh the the", "hmm what", "sorry I", "can you"]),
                    turn=self.turn, asr_confidence=round(rng.uniform(0.15, 0.45), 3)))
        self.trigger("asr_failure", event_id)

    def _scenario_latency_spike(self) -> None:
        event_id = ""
        for _ in range(2):
            self._advance(3, 8)
            self.customer_says(self.rng.choice(NEUTRAL_TURNS))
            event_id = self.bot_says(BOT_REPLIES["answer"], latency_ms=self.rng.randint(4500, 9000))
            if self.rng.random() < 0.5:
                self.emit(ev.TechnicalErrorEvent, ev.TechnicalError(kind="latency_spike", component="llm-gateway"))
        self.trigger("latency_spike", event_id)

    def _scenario_downstream_error(self) -> None:
        event_id = ""
        for _ in range(3):
            self._advance(3, 15)  # three within 60 s
            kind = "timeout" if self.rng.random() < 0.3 else "downstream_error"
            event_id = self.emit(ev.TechnicalErrorEvent, ev.TechnicalError(kind=kind, component="core-banking-api"))  # type: ignore[arg-type]
        self.trigger("downstream_error", event_id)

    def _last_intent(self) -> str:
        for record in reversed(self.out):
            if b'"cx.intent.detected"' in record.value[:40]:
                intent = record.value.split(b'"intent":"', 1)[1].split(b'"', 1)[0].decode()
                return intent if intent in UTTERANCES else "balance_inquiry"
        return "balance_inquiry"

    # --- the end --------------------------------------------------------------------------------
    def _handoff(self) -> None:
        rng = self.rng
        self._advance(1, 3)
        self.bot_says(BOT_REPLIES["handoff"])
        wait_s = rng.uniform(20, 240) if rng.random() > 0.1 else rng.uniform(400, 900)  # some breach the SLA
        self.now += timedelta(seconds=wait_s)
        self.emit(ev.AgentAcceptedEvent, ev.AgentAccepted(queue=f"{self.channel}-tier-queue", wait_s=round(wait_s, 1),
                                                          agent_id=f"agent-{rng.randint(1, 60):03d}"))
        if rng.random() < 0.6:
            self._advance(10, 40)
            self.emit(ev.AgentAssistEvent, ev.AgentAssist(suggestion_id=f"sugg-{rng.randint(1, 9999):04d}", action="shown"))
            self._advance(2, 10)
            self.emit(ev.AgentAssistEvent, ev.AgentAssist(suggestion_id=f"sugg-{rng.randint(1, 9999):04d}",
                                                          action="accepted" if rng.random() < 0.65 else "rejected"))
        self._advance(30, 240)
        self.turn += 1
        self.emit(ev.MessageReceivedEvent, ev.MessageReceived(role="agent", text="I've sorted that out for you now.", turn=self.turn))

    def _small_talk_close(self) -> None:
        self._advance(3, 10)
        self.customer_says(self.rng.choice(POSITIVE_TURNS))

    def _outcome(self, escalated: bool, intent: str, true_intent: str) -> tuple[bool, str | None, int | None, bool]:
        rng = self.rng
        if escalated:
            assisted = any(b'"cx.agent.assist"' in r.value[:40] for r in self.out)
            resolved = rng.random() < (0.93 if assisted else 0.88)
            resolved_by = ("agent_with_assist" if assisted else "agent") if resolved else None
        else:
            # healthy automation fails rarely: more for hard intents, low confidence and wrong intents
            automation = self.sim.catalogue[intent].automation_success_rate
            fail = (1 - automation) * 0.05 + max(0.0, 0.9 - self.confidence) * 0.1
            if intent != true_intent:
                fail = 0.35
            elif intent in self.cfg.overconfident and self.confidence < self.cfg.overconfident[intent]:
                fail = OVERCONFIDENT_FAILURE
            success = (1 - fail) * (1 - self.cfg.bot_failure_share)
            resolved = rng.random() < success
            resolved_by = "bot" if resolved else None
        csat: int | None = None
        if rng.random() < 0.7:
            csat = (rng.choice([4, 5, 5]) if rng.random() < 0.99 else 3) if resolved else rng.choice([1, 2, 2, 3])
        late = csat is not None and rng.random() < 0.3
        at = self.now + (timedelta(hours=rng.uniform(1, 6)) if late else timedelta(seconds=rng.uniform(5, 60)))
        deflected = "voice" if self.channel != "voice" and rng.random() < 0.15 else None
        self.emit(ev.OutcomeRecordedEvent, ev.OutcomeRecorded(
            resolved=resolved, resolved_by=resolved_by, csat=csat,  # type: ignore[arg-type]
            recontact_within_7d=(not resolved and rng.random() < 0.6) or rng.random() < 0.05,
            deflected_from_channel=deflected,  # type: ignore[arg-type]
        ), at=at)
        return resolved, resolved_by, csat, late


def _typo(text: str, rng: random.Random) -> str:
    """Customers type fast: now and then swap two letters or drop one."""
    if rng.random() > 0.35 or len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


# --- malformed records (--bad-share) ---------------------------------------------------------------
def _truncated(v: bytes, rng: random.Random) -> bytes:
    return v[: max(1, len(v) // 2)]


def _wrong_type(v: bytes, rng: random.Random) -> bytes:
    return v.replace(b'"subject":"', b'"subject":12345,"x":"', 1)


def _missing_time(v: bytes, rng: random.Random) -> bytes:
    start = v.index(b'"time":')
    end = v.index(b",", start)
    return v[:start] + v[end + 1 :]


def _unknown_type(v: bytes, rng: random.Random) -> bytes:
    return v.replace(b'"type":"cx.', b'"type":"cx.unknown.', 1)


def _naive_time(v: bytes, rng: random.Random) -> bytes:
    return v.replace(b'Z"', b'"', 1)


def _not_json(v: bytes, rng: random.Random) -> bytes:
    return b"\xff\xfe not json at all"


_DEFECTS = (_truncated, _wrong_type, _missing_time, _unknown_type, _naive_time, _not_json)
_DEFECT_NAMES = ("truncated", "wrong_type", "missing_time", "unknown_type", "naive_time", "not_json")


def _malformed(rng: random.Random, n: int, victim: Record, seed: int) -> Record:
    value = victim.value.replace(b'"id":"', f'"id":"bad-{seed}-{n:05d}-'.encode(), 1)
    return Record(key=victim.key, value=_DEFECTS[n % len(_DEFECTS)](value, rng), time=victim.time, bad=True)
