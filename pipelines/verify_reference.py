"""The reference the verifier judges delivery against: the pure cores run offline over the input
records exactly as the workers received them (per partition, in offset order).

Deterministic cores + the same input order give the outputs a run without faults must produce:
the valid event ids (→ lake), the bad records' locations (→ dead letters), the escalation id of each
escalating conversation (→ ``cx.escalations.v1``), and the closed SLO windows and late outcomes of
the SLIs that depend on interaction events alone (→ ``cx.slo.v1``, ``cx.late.v1``).

SLIs fed by decisions or escalations (containment, time to escalation, decision latency) depend on
how the three input topics interleave at run time, so they have no exact reference: the harness
reports their counts without judging them.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from pipelines.catalogue import Catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import Policy
from pipelines.escalation.state import ConversationState
from pipelines.slo.definitions import SloDefinitions
from pipelines.slo.outcomes import SliOutcome
from pipelines.slo.processor import OUTCOME_EVENT_TYPE, SloProcessor
from pipelines.verify import WindowCounts, location
from topics.codec import decode_event
from topics.exceptions import EventValidationError
from topics.outputs import LateEvent
from topics.reader import Message

#: SLI kinds computed from interaction events alone: exact references exist for them.
EVENT_ONLY_KINDS = frozenset({"first_contact_resolution", "deflection"})


@dataclass
class Reference:
    events: int = 0
    event_ids: set[str] = field(default_factory=set)
    bad_locations: set[str] = field(default_factory=set)
    escalations: dict[str, str] = field(default_factory=dict)  # escalation id -> conversation id
    decisions: set[str] = field(default_factory=set)
    conversations: set[str] = field(default_factory=set)
    windows: dict[str, WindowCounts] = field(default_factory=dict)
    late_outcomes: Counter[str] = field(default_factory=Counter)  # sli -> outcomes routed late
    outcomes: Counter[str] = field(default_factory=Counter)  # sli -> every outcome (windowed or late)
    exact_slis: set[str] = field(default_factory=set)


def late_outcome_counts(late: Iterable[LateEvent], *, worker: str = "slo") -> Counter[str]:
    """Late SLI outcomes per SLI, deduplicated by outcome id (stragglers are not outcomes)."""
    seen: dict[str, str] = {}
    for record in late:
        if record.worker != worker or record.event_type != OUTCOME_EVENT_TYPE:
            continue
        if record.event_id not in seen:
            seen[record.event_id] = msgspec.json.decode(base64.b64decode(record.raw_b64), type=SliOutcome).sli
    return Counter(seen.values())


def build_reference(
    messages: Iterable[Message], *, policy: Policy, signals: Signals,
    slo: tuple[SloDefinitions, Catalogue] | None = None, counted_window_ms: int = 60_000,
) -> Reference:
    """Run the escalation core (and the SLO core, when ``slo`` is given) over ``messages``.

    Only windows of ``counted_window_ms`` (the tumbling minute: each outcome in exactly one) are
    kept, so window totals + late outcomes = every outcome.
    """
    ref = Reference()
    states: dict[str, ConversationState] = {}
    processors: dict[int, SloProcessor] = {}
    if slo is not None:
        ref.exact_slis = {s.name for s in slo[0].slis if s.kind in EVENT_ONLY_KINDS}
    for message in sorted(messages, key=lambda m: (m.partition, m.offset)):
        ref.events += 1
        try:
            if message.value is None:
                raise EventValidationError("tombstone", event_id=None, field="<record>", value=None)
            event = decode_event(message.value)
        except EventValidationError:
            ref.bad_locations.add(location(message.topic, message.partition, message.offset))
            continue
        ref.event_ids.add(event.id)
        ref.conversations.add(event.subject)
        state = states.get(event.subject) or ConversationState()
        result = step(state, event, policy=policy, signals=signals)
        states[event.subject] = result.state
        ref.decisions.update(d.decision_id for d in result.decisions)
        for escalation in result.escalations:
            if escalation.sla_level == 0:
                ref.escalations.setdefault(escalation.escalation_id, escalation.conversation_id)
        if slo is None:
            continue
        core = processors.get(message.partition)
        if core is None:
            core = processors[message.partition] = SloProcessor(
                slo[0], slo[1], worker="slo", shard=f"{message.topic}/{message.partition}")
        out = core.on_event(event, append_ms=message.timestamp_ms)
        ref.outcomes.update(o.sli for o in out.outcomes)
        for window in out.windows:
            if window.window_ms == counted_window_ms:
                ref.windows[window.window_id] = WindowCounts(window.sli, window.good, window.total)
        ref.late_outcomes.update(late_outcome_counts(out.late))
    return ref
