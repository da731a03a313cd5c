"""Per-conversation tracking until each SLI is known; pure (no I/O, no clock).

The tracker consumes interaction events, decisions and escalations, and yields
:class:`~pipelines.slo.outcomes.SliOutcome` records:

* per conversation, once ``outcome_wait_ms`` of event time has passed since it ended (time for
  the outcome, its CSAT, and the decisions of the other topic to arrive), or ``idle_timeout_ms``
  since its last event (a conversation that never ends is closed as abandoned, stamped at that
  deadline). Outcomes are stamped with the conversation's end time;
* per active decision, once both the decision and its source event are known (decision latency,
  stamped with the source event's time).

Time only moves through :meth:`ConversationTracker.expire`, driven by the caller's watermark.
A closed conversation leaves a tombstone (its applied ids) for ``tombstone_ms``: a redelivered
record is ignored, a new record for it (a CSAT hours late) comes back as a :class:`Straggler`.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from msgspec import json as msgjson

from pipelines.catalogue import Catalogue
from pipelines.slo.definitions import SliDefinition, SloDefinitions
from pipelines.slo.outcomes import OTHER, Labels, SliOutcome, from_ms, to_ms
from pipelines.slo.slis import (
    ESCALATING_ACTIONS,
    ConversationState,
    evaluate,
    evaluate_time_to_escalation,
    weight_of,
)
from topics.events import (
    AgentAcceptedEvent,
    AgentAssistEvent,
    ConversationEndedEvent,
    ConversationStartedEvent,
    EscalationRequestedEvent,
    Event,
    IntentDetectedEvent,
    OutcomeRecordedEvent,
)
from topics.outputs import Decision, Escalation, deterministic_id

_ENCODER = msgjson.Encoder()


@dataclass(frozen=True, slots=True)
class Straggler:
    """A record for a conversation that is already closed: it goes to ``cx.late.v1``."""

    event_id: str
    conversation_id: str
    event_type: str
    event_time_ms: int
    raw: bytes


@dataclass(slots=True)
class TrackerOutput:
    outcomes: list[SliOutcome]
    stragglers: list[Straggler]


class ConversationTracker:
    def __init__(self, definitions: SloDefinitions, catalogue: Catalogue) -> None:
        self._definitions = definitions
        self._catalogue = catalogue
        self._conversation_slis = tuple(s for s in definitions.slis if s.kind != "decision_latency")
        self._latency_slis = tuple(s for s in definitions.slis if s.kind == "decision_latency")
        self._wait_ms = definitions.stream.outcome_wait_ms
        self._idle_ms = definitions.stream.idle_timeout_ms
        self._tombstone_ms = definitions.stream.tombstone_ms
        self._states: dict[str, ConversationState] = {}
        self._deadlines: list[tuple[int, str]] = []
        self._tombstones: dict[str, frozenset[str]] = {}
        self._tombstone_heap: list[tuple[int, str]] = []
        #: decisions whose source event was never seen before their conversation closed
        self.unmatched_decisions = 0

    # --- size, for the state-size gauge -------------------------------------------------------
    @property
    def open_conversations(self) -> int:
        return len(self._states)

    @property
    def tombstones(self) -> int:
        return len(self._tombstones)

    def holds(self, conversation_id: str) -> bool:
        return conversation_id in self._states or conversation_id in self._tombstones

    # --- inputs -------------------------------------------------------------------------------
    def apply_event(self, event: Event, *, append_ms: int | None = None) -> TrackerOutput:
        """Apply one interaction event. ``append_ms`` is the record's Kafka append time, when the
        caller has it: decision latency is then measured between append times (see
        :meth:`apply_decision`)."""
        out = TrackerOutput([], [])
        state = self._state_for(event.subject, event.id, event.type, to_ms(event.time), event, out)
        if state is None:
            return out
        moment_ms = to_ms(event.time)
        state.last_event_ms = max(state.last_event_ms, moment_ms)
        state.event_times_ms[event.id] = moment_ms
        if append_ms is not None:
            state.append_times_ms[event.id] = append_ms
        self._apply(state, event, moment_ms)
        for decision_id, decision_ms, intent, decision_append_ms in state.pending_decisions.pop(event.id, []):
            latency_ms = decision_ms - moment_ms
            if decision_append_ms is not None and append_ms is not None:
                latency_ms = decision_append_ms - append_ms
            out.outcomes.extend(self._latency(state, decision_id, latency_ms, moment_ms, intent))
        return out

    def apply_decision(self, decision: Decision, *, append_ms: int | None = None) -> TrackerOutput:
        """Apply one decision. Its latency is ``append_ms`` minus its source event's append time
        when both are known (a live worker: ``Decision.time`` is the *event* time, stamped so for
        determinism, so it cannot measure how long deciding took), else ``Decision.time`` minus
        the source event's time (replays and hand-built tests)."""
        out = TrackerOutput([], [])
        moment_ms = to_ms(decision.time)
        state = self._state_for(
            decision.conversation_id, decision.decision_id, "loopline.decision", moment_ms, decision, out
        )
        if state is None or decision.mode == "shadow":
            return out  # shadow decisions were never acted on
        if decision.action in ESCALATING_ACTIONS and decision.reasons:
            state.signal(moment_ms)
            state.escalation_actions.add(decision.action)
            state.escalation_reasons.update(r.code for r in decision.reasons)
        intent = decision.intent.intent if decision.intent else None
        source_ms = state.event_times_ms.get(decision.source_event_id)
        if source_ms is None:
            state.pending_decisions.setdefault(decision.source_event_id, []).append(
                (decision.decision_id, moment_ms, intent, append_ms)
            )
        else:
            latency_ms = moment_ms - source_ms
            source_append_ms = state.append_times_ms.get(decision.source_event_id)
            if append_ms is not None and source_append_ms is not None:
                latency_ms = append_ms - source_append_ms
            out.outcomes.extend(
                self._latency(state, decision.decision_id, latency_ms, source_ms, intent)
            )
        return out

    def apply_escalation(self, escalation: Escalation) -> TrackerOutput:
        out = TrackerOutput([], [])
        moment_ms = to_ms(escalation.time)
        # An escalation record is re-emitted with a higher sla_level under the same id: key on both.
        record_id = f"{escalation.escalation_id}:{escalation.sla_level}"
        state = self._state_for(
            escalation.conversation_id, record_id, "loopline.escalation", moment_ms, escalation, out
        )
        if state is None or escalation.mode == "shadow":
            return out
        state.escalation_reasons.update(t.code for t in escalation.triggers)
        if escalation.first_risk_signal_time is not None:
            state.signal(to_ms(escalation.first_risk_signal_time))
        return out

    # --- time ---------------------------------------------------------------------------------
    def expire(self, watermark_ms: int) -> list[SliOutcome]:
        """Close conversations whose deadline the watermark has reached; forget old tombstones."""
        outcomes: list[SliOutcome] = []
        while self._deadlines and self._deadlines[0][0] <= watermark_ms:
            _, conversation_id = heapq.heappop(self._deadlines)
            state = self._states.get(conversation_id)
            if state is None:
                continue  # already closed
            deadline_ms = self._deadline(state)
            if deadline_ms <= watermark_ms:
                outcomes.extend(self._finalize(state, at_ms=deadline_ms))
            else:
                heapq.heappush(self._deadlines, (deadline_ms, conversation_id))
        horizon_ms = watermark_ms - self._tombstone_ms
        while self._tombstone_heap and self._tombstone_heap[0][0] <= horizon_ms:
            _, conversation_id = heapq.heappop(self._tombstone_heap)
            self._tombstones.pop(conversation_id, None)
        return outcomes

    def finalize_all(self) -> list[SliOutcome]:
        """End of a bounded input: close every open conversation at its own deadline."""
        outcomes: list[SliOutcome] = []
        for state in sorted(self._states.values(), key=lambda s: (self._deadline(s), s.conversation_id)):
            outcomes.extend(self._finalize(state, at_ms=self._deadline(state)))
        self._deadlines.clear()
        return outcomes

    # --- internals ----------------------------------------------------------------------------
    def _state_for(
        self, conversation_id: str, record_id: str, record_type: str, moment_ms: int,
        record: object, out: TrackerOutput,
    ) -> ConversationState | None:
        """The open state for a record, or None when the record must not be applied (duplicate,
        or its conversation is closed — then it is returned as a straggler)."""
        closed = self._tombstones.get(conversation_id)
        if closed is not None:
            if record_id not in closed:
                out.stragglers.append(
                    Straggler(record_id, conversation_id, record_type, moment_ms, _ENCODER.encode(record))
                )
            return None
        state = self._states.get(conversation_id)
        if state is None:
            state = ConversationState(conversation_id, last_event_ms=moment_ms)
            self._states[conversation_id] = state
            heapq.heappush(self._deadlines, (self._deadline(state), conversation_id))
        if record_id in state.seen_ids:
            return None  # redelivered: already applied
        state.seen_ids.add(record_id)
        return state

    def _apply(self, state: ConversationState, event: Event, moment_ms: int) -> None:
        if isinstance(event, ConversationStartedEvent):
            started = event.data
            state.started = True
            state.labels = state.labels._replace(channel=started.channel, segment=started.segment)
            state.customer_value = started.customer_value
            state.vulnerability = started.vulnerability
        elif isinstance(event, IntentDetectedEvent):
            name = event.data.intent
            if name in self._catalogue:
                state.labels = state.labels._replace(intent=name, tier=self._catalogue.tier_of(name))
            else:
                state.labels = state.labels._replace(intent=OTHER, tier=3)
        elif isinstance(event, EscalationRequestedEvent):
            state.signal(moment_ms)
            state.escalation_actions.add("requested")
        elif isinstance(event, AgentAcceptedEvent):
            if state.agent_accepted_ms is None or moment_ms < state.agent_accepted_ms:
                state.agent_accepted_ms = moment_ms
        elif isinstance(event, AgentAssistEvent):
            state.assist_accepted |= event.data.action == "accepted"
        elif isinstance(event, ConversationEndedEvent):
            if state.ended_ms is None:
                state.ended_ms = moment_ms
                state.ended_by = event.data.ended_by
                heapq.heappush(self._deadlines, (self._deadline(state), state.conversation_id))
        elif isinstance(event, OutcomeRecordedEvent):
            data = event.data
            state.has_outcome = True
            state.resolved = data.resolved
            state.resolved_by = data.resolved_by or state.resolved_by
            state.csat = data.csat if data.csat is not None else state.csat
            state.recontact_within_7d |= data.recontact_within_7d
            state.deflected_from = data.deflected_from_channel or state.deflected_from

    def _deadline(self, state: ConversationState) -> int:
        if state.ended_ms is not None:
            return state.ended_ms + self._wait_ms
        return state.last_event_ms + self._idle_ms

    def _finalize(self, state: ConversationState, *, at_ms: int) -> list[SliOutcome]:
        end_ms = state.ended_ms if state.ended_ms is not None else at_ms
        when = from_ms(end_ms)
        outcomes: list[SliOutcome] = []
        for sli in self._conversation_slis:
            good = evaluate(sli, state)
            if good is None:
                continue
            value_ms = evaluate_time_to_escalation(sli, state)[1] if sli.kind == "time_to_escalation" else None
            outcomes.append(
                SliOutcome(
                    outcome_id=deterministic_id(state.conversation_id, sli.name),
                    sli=sli.name, good=good, conversation_id=state.conversation_id,
                    event_time=when, labels=state.labels, weight=weight_of(sli, state),
                    value_ms=value_ms,
                )
            )
        self.unmatched_decisions += sum(len(v) for v in state.pending_decisions.values())
        del self._states[state.conversation_id]
        self._tombstones[state.conversation_id] = frozenset(state.seen_ids)
        heapq.heappush(self._tombstone_heap, (end_ms, state.conversation_id))
        return outcomes

    def _latency(
        self, state: ConversationState, decision_id: str, latency_ms: int, source_ms: int,
        intent: str | None,
    ) -> list[SliOutcome]:
        labels = state.labels
        if labels.intent == OTHER and intent in self._catalogue:
            assert intent is not None
            labels = labels._replace(intent=intent, tier=self._catalogue.tier_of(intent))
        return [
            _latency_outcome(sli, state, decision_id, max(0, latency_ms), source_ms, labels)
            for sli in self._latency_slis
        ]


def _latency_outcome(
    sli: SliDefinition, state: ConversationState, decision_id: str, latency_ms: int,
    source_ms: int, labels: Labels,
) -> SliOutcome:
    return SliOutcome(
        outcome_id=deterministic_id(state.conversation_id, sli.name, decision_id),
        sli=sli.name, good=latency_ms <= sli.threshold_ms, conversation_id=state.conversation_id,
        event_time=from_ms(source_ms), labels=labels, weight=weight_of(sli, state), value_ms=latency_ms,
    )
