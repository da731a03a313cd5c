"""The pure escalation core: ``step(state, event) -> StepResult(state, decisions, escalations)``.

No I/O, no clock: every window and the SLA run on event time, so a replay gives the same outputs.
Redelivered events (same id) change nothing; ids are deterministic; a conversation escalates at most
once (an SLA re-emit keeps the escalation id and raises ``sla_level``). ``step`` takes ownership of
the state it is given (it updates it in place for speed) and returns it.

>>> from datetime import datetime, timezone
>>> from topics.events import IntentDetected, IntentDetectedEvent
>>> from pipelines.escalation.policy import load_policy
>>> from pipelines.escalation.bundle import Signals
>>> ev = IntentDetectedEvent.build(id="e1", conversation_id="c1", time=datetime(2026, 1, 5, 10, tzinfo=timezone.utc),
...     data=IntentDetected(intent="fraud_report", confidence=0.9, model_version="m1"))
>>> out = step(ConversationState(), ev, policy=load_policy(), signals=Signals.lexical())
>>> out.decisions[0].action, [r.code for r in out.escalations[0].triggers]
('handoff', ['policy_high_risk'])
>>> step(out.state, ev, policy=load_policy(), signals=Signals.lexical()).decisions  # redelivered
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipelines.escalation import fallbacks
from pipelines.escalation.bundle import Signals
from pipelines.escalation.handoff import (
    Mask,
    build_escalation,
    identity,
    intent_prediction,
    priority_of,
    reasons_of,
    to_time,
)
from pipelines.escalation.policy import ESCALATING, PRIORITIES, Policy
from pipelines.escalation.state import (
    ConversationState,
    CustomerTurn,
    EscalationState,
    Intent,
    Line,
    Trigger,
)
from topics.events import (
    AgentAcceptedEvent,
    BotRespondedEvent,
    ConversationEndedEvent,
    ConversationStartedEvent,
    EscalationRequestedEvent,
    Event,
    IntentDetectedEvent,
    MessageReceivedEvent,
    SlotCollectedEvent,
    TechnicalErrorEvent,
)
from topics.outputs import Decision, Escalation, Reason, deterministic_id

_MAX_SLOTS = 50


@dataclass
class StepResult:
    state: ConversationState
    decisions: list[Decision] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def step(
    state: ConversationState, event: Event, *, policy: Policy, signals: Signals,
    mask: Mask = identity, mode: str = "active",
) -> StepResult:
    """Apply one interaction event to the conversation's state."""
    out = StepResult(state)
    if event.id in state.seen:
        return out
    state.seen.append(event.id)
    if len(state.seen) > policy.max_seen_events:
        del state.seen[: len(state.seen) - policy.max_seen_events]
    t_ms = ms(event.time)
    state.conversation_id = state.conversation_id or event.subject
    state.last_ms = max(state.last_ms, t_ms)
    _check_sla(state, t_ms, event.id, policy=policy, mask=mask, mode=mode, out=out)
    ctx = _Ctx(state, event, t_ms, policy, signals, mask, mode, out)
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(ctx)
    return out


def tick(
    state: ConversationState, now: datetime, *, policy: Policy, mask: Mask = identity, mode: str = "active"
) -> StepResult:
    """Advance event time without an event (a timer in the worker): SLA re-emits only."""
    out = StepResult(state)
    _check_sla(state, ms(now), f"tick:{ms(now)}", policy=policy, mask=mask, mode=mode, out=out)
    return out


@dataclass
class _Ctx:
    state: ConversationState
    event: Event
    t_ms: int
    policy: Policy
    signals: Signals
    mask: Mask
    mode: str
    out: StepResult
    fired: list[str] = field(default_factory=list)

    def fire(self, code: str, **evidence: str | int | float | bool | None) -> None:
        """Record a trigger (once per code; later firings are evidence already held)."""
        if any(t.code == code for t in self.state.triggers):
            return
        self.state.triggers.append(Trigger(code=code, t_ms=self.t_ms, evidence=evidence))
        self.risk()
        self.fired.append(code)

    def risk(self) -> None:
        if self.state.first_risk_ms is None:
            self.state.first_risk_ms = self.t_ms

    def conditions(self, tier: int) -> list:  # type: ignore[type-arg]
        values = {
            "segment": self.state.segment, "region": self.state.region, "channel": self.state.channel,
            "vulnerability": self.state.vulnerability,
            "business_hours": fallbacks.in_business_hours(self.policy, self.t_ms, self.state.timezone),
        }
        return [c for c in self.policy.conditions if tier >= c.min_tier and c.matches(values)]

    def decide(self, action: str, reasons: list[Reason], **extra: object) -> Decision:
        decision = Decision(
            decision_id=deterministic_id(self.state.conversation_id, self.event.id, self.policy.version, self.mode),
            conversation_id=self.state.conversation_id,
            source_event_id=self.event.id,
            time=to_time(self.t_ms),
            policy_version=self.policy.version,
            action=action,  # type: ignore[arg-type]
            reasons=reasons,
            intent=intent_prediction(self.state),
            mode=self.mode,  # type: ignore[arg-type]
            **extra,  # type: ignore[arg-type]
        )
        self.out.decisions.append(decision)
        return decision

    def escalate(self, action: str = "handoff") -> None:
        """Hand over (once per conversation) with every trigger so far as evidence."""
        state = self.state
        if state.escalation is not None:
            return
        tier = state.intent.tier if state.intent else 0
        for condition in self.conditions(tier):
            if condition.escalation_action:
                action = condition.escalation_action
        priority = priority_of(state, policy=self.policy)
        escalation_id = deterministic_id("escalation", state.conversation_id, self.mode)
        state.escalation = EscalationState(
            escalation_id=escalation_id, t_ms=self.t_ms, action=action, priority=priority,
            source_event_id=self.event.id,
            deadline_ms=self.t_ms + int(self.policy.sla_accept_within_s[priority] * 1000),
        )
        message, fallback = fallbacks.escalation_message(self.policy, action=action, channel=state.channel)
        self.decide(action, reasons_of(state), message=message, fallback=fallback)
        self.out.escalations.append(build_escalation(
            state, policy=self.policy, escalation_id=escalation_id, source_event_id=self.event.id,
            t_ms=self.t_ms, priority=priority, sla_level=0, mask=self.mask, mode=self.mode,
        ))


def _check_sla(
    state: ConversationState, t_ms: int, source_event_id: str, *, policy: Policy, mask: Mask, mode: str,
    out: StepResult,
) -> None:
    esc = state.escalation
    if esc is None or esc.accepted or esc.sla_level >= policy.sla_max_level or t_ms < esc.deadline_ms:
        return
    esc.sla_level += 1
    esc.priority = PRIORITIES[min(PRIORITIES.index(esc.priority) + 1, len(PRIORITIES) - 1)]
    esc.deadline_ms = t_ms + int(policy.sla_accept_within_s[esc.priority] * 1000)
    out.escalations.append(build_escalation(
        state, policy=policy, escalation_id=esc.escalation_id, source_event_id=source_event_id, t_ms=t_ms,
        priority=esc.priority, sla_level=esc.sla_level, mask=mask, mode=mode,
    ))


# --- handlers -------------------------------------------------------------------------------------
def _started(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, ConversationStartedEvent)
    d, s = ctx.event.data, ctx.state
    s.started = True
    s.channel, s.segment, s.region, s.locale = d.channel, d.segment, d.region, d.locale
    s.timezone, s.customer_id, s.customer_value, s.vulnerability = d.timezone, d.customer_id, d.customer_value, d.vulnerability


def _transcript(ctx: _Ctx, role: str, text: str) -> None:
    lines = ctx.state.transcript
    lines.append(Line(role=role, text=text[:2000], t_ms=ctx.t_ms))
    if len(lines) > ctx.policy.transcript_max_lines:
        del lines[: len(lines) - ctx.policy.transcript_max_lines]


def _message(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, MessageReceivedEvent)
    d, s, tr = ctx.event.data, ctx.state, ctx.policy.triggers
    _transcript(ctx, d.role, d.text)
    if d.role != "customer":
        return
    sentiment = ctx.signals.sentiment(d.text, upstream=d.sentiment)
    previous = [t.sentiment for t in s.customer_turns[-(tr.sentiment_drop_turns - 1):]]
    s.customer_turns.append(CustomerTurn(text=d.text[:2000], t_ms=ctx.t_ms, sentiment=sentiment))
    if len(s.customer_turns) > ctx.policy.max_customer_turns:
        del s.customer_turns[: len(s.customer_turns) - ctx.policy.max_customer_turns]
    if tr.asr_enabled and s.channel == "voice" and d.asr_confidence is not None:
        s.low_asr_streak = s.low_asr_streak + 1 if d.asr_confidence < tr.asr_low_confidence else 0
        if s.low_asr_streak >= tr.asr_consecutive_low:
            ctx.fire("asr_failure", kind="low_confidence", consecutive=s.low_asr_streak,
                     asr_confidence=round(d.asr_confidence, 3))
    if tr.human_request_enabled:
        score = ctx.signals.human_request(d.text)
        if score >= tr.human_request_threshold:
            ctx.fire("human_request", score=round(score, 3), turn=d.turn)
    if tr.sentiment_enabled:
        source = "upstream" if d.sentiment is not None else "text"
        if sentiment <= tr.sentiment_level:
            ctx.fire("sentiment", kind="level", score=round(sentiment, 3), source=source)
        elif previous and max(previous) - sentiment >= tr.sentiment_drop:
            ctx.fire("sentiment", kind="drop", score=round(sentiment, 3),
                     drop=round(max(previous) - sentiment, 3), source=source)
        elif sentiment < 0:
            ctx.risk()
    if tr.rephrase_enabled:
        _rephrase(ctx)
    if ctx.fired:
        ctx.escalate()


def _rephrase(ctx: _Ctx) -> None:
    tr, turns = ctx.policy.triggers, ctx.state.customer_turns
    window = [t.text for t in turns if ctx.t_ms - t.t_ms <= tr.rephrase_within_s * 1000]
    if len(window) < tr.rephrase_turns:  # cheap path: too few turns to restate anything
        return
    n = len(window)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    scores = ctx.signals.rephrase.score_pairs([(window[i], window[j]) for i, j in pairs])
    linked = {n - 1}
    frontier = [n - 1]
    edges = [(i, j) for (i, j), sc in zip(pairs, scores, strict=True) if sc >= tr.rephrase_similarity]
    while frontier:  # the turns connected to the newest one restate one request
        node = frontier.pop()
        for i, j in edges:
            other = j if i == node else i if j == node else None
            if other is not None and other not in linked:
                linked.add(other)
                frontier.append(other)
    if len(linked) >= tr.rephrase_turns:
        ctx.fire("rephrase", turns=len(linked), within_s=tr.rephrase_within_s,
                 max_similarity=round(max(scores), 3))


def _intent(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, IntentDetectedEvent)
    d, s, policy = ctx.event.data, ctx.state, ctx.policy
    catalogue = policy.catalogue
    name = d.intent if d.intent in catalogue else "out_of_scope"
    tier = catalogue.tier_of(name) if name in catalogue else 3
    s.intent = Intent(name=d.intent, confidence=d.confidence, tier=tier,
                      alternatives=[(a.intent, a.confidence) for a in d.alternatives][:5])
    if s.escalation is not None:
        ctx.decide("none", [Reason(code="already_escalated", evidence={"escalation_id": s.escalation.escalation_id})])
        return
    conditions = ctx.conditions(tier)
    margin = max((c.confidence_margin for c in conditions), default=0.0)
    action = policy.band_action(tier=tier, intent=name, confidence=d.confidence - margin)
    evidence = {"intent": d.intent, "confidence": round(d.confidence, 4), "tier": tier, "margin": margin}
    code = ""
    for condition in conditions:
        if condition.force_action:
            action, code = condition.force_action, condition.reason
    if action in ESCALATING:
        code = code or ("policy_high_risk" if tier == 3 else "policy_low_confidence")
        ctx.fire(code, **evidence)
        ctx.escalate(action)
        return
    if action != "automate":
        ctx.risk()
    text = s.customer_turns[-1].text if s.customer_turns else ""
    message, fallback, articles = fallbacks.safe_fallback(
        policy, action=action, intent=s.intent, channel=s.channel, text=text, kb=ctx.signals.kb)
    reason = Reason(code=f"policy_{action}", evidence=evidence)
    ctx.decide(action, [reason], message=message, fallback=fallback, kb_articles=articles)


def _bot(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, BotRespondedEvent)
    d, s, tr = ctx.event.data, ctx.state, ctx.policy.triggers
    if d.text:
        _transcript(ctx, "bot", d.text)
    if not tr.latency_enabled:
        return
    if s.latency_baseline_ms <= 0:
        s.latency_baseline_ms = tr.latency_baseline_ms.get(s.channel, 800.0)
    limit = max(tr.latency_min_spike_ms, tr.latency_factor * s.latency_baseline_ms)
    if d.latency_ms >= limit:
        s.latency_spikes += 1
        if s.latency_spikes >= tr.latency_spikes:
            ctx.fire("latency_spike", spikes=s.latency_spikes, latency_ms=d.latency_ms,
                     baseline_ms=round(s.latency_baseline_ms, 1))
            ctx.escalate()
    else:  # spikes never poison the baseline
        a = tr.latency_baseline_alpha
        s.latency_baseline_ms = (1 - a) * s.latency_baseline_ms + a * d.latency_ms


def _error(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, TechnicalErrorEvent)
    d, s, tr = ctx.event.data, ctx.state, ctx.policy.triggers
    if d.kind == "asr_failure" and tr.asr_enabled:
        s.asr_failures += 1
        if s.asr_failures >= tr.asr_failures:
            ctx.fire("asr_failure", kind="error", failures=s.asr_failures, component=d.component)
    if d.kind in tr.downstream_kinds and tr.downstream_enabled:
        horizon = ctx.t_ms - int(tr.downstream_within_s * 1000)
        s.error_times_ms = sorted([t for t in s.error_times_ms if t >= horizon] + [ctx.t_ms])[-50:]
        count = sum(1 for t in s.error_times_ms if horizon <= t <= ctx.t_ms)
        if count >= tr.downstream_errors:
            ctx.fire("downstream_error", errors=count, within_s=tr.downstream_within_s, component=d.component)
    if ctx.fired:
        ctx.escalate()


def _requested(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, EscalationRequestedEvent)
    code = "human_request" if ctx.event.data.by == "customer" else "bot_request"
    ctx.fire(code, by=ctx.event.data.by, source="cx.escalation.requested")
    ctx.escalate()


def _slot(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, SlotCollectedEvent)
    d, slots = ctx.event.data, ctx.state.slots
    if d.name in slots or len(slots) < _MAX_SLOTS:
        slots[d.name] = (d.kind, d.value)


def _accepted(ctx: _Ctx) -> None:
    if ctx.state.escalation is not None:
        ctx.state.escalation.accepted = True


def _ended(ctx: _Ctx) -> None:
    assert isinstance(ctx.event, ConversationEndedEvent)
    ctx.state.ended_ms = ctx.t_ms


_HANDLERS = {
    ConversationStartedEvent: _started,
    MessageReceivedEvent: _message,
    IntentDetectedEvent: _intent,
    BotRespondedEvent: _bot,
    TechnicalErrorEvent: _error,
    EscalationRequestedEvent: _requested,
    SlotCollectedEvent: _slot,
    AgentAcceptedEvent: _accepted,
    ConversationEndedEvent: _ended,
}
