"""Shadow divergence: where the shadow version decides differently from the routed one.

Compared per source event, as the offline replay diff does (``jobs.replay.compare``): an event
diverges when the two actions differ or only one of them produced a decision. Labels (intent,
tier, both actions) are bounded: intents come from the catalogue, actions from the contract.

>>> from datetime import datetime, timezone
>>> from topics.outputs import Decision, IntentPrediction
>>> t = datetime(2026, 3, 1, tzinfo=timezone.utc)
>>> i = IntentPrediction(intent="refund_request", confidence=0.5, tier=2)
>>> a = Decision(decision_id="a", conversation_id="c", source_event_id="e1", time=t, policy_version="v1",
...              action="handoff", intent=i)
>>> s = Decision(decision_id="s", conversation_id="c", source_event_id="e1", time=t, policy_version="v2",
...              action="automate", intent=i, mode="shadow")
>>> [(d.intent, d.tier, d.routed, d.shadow) for d in diverging([a], [s])]
[('refund_request', '2', 'handoff', 'automate')]
>>> diverging([a], [a])
[]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from topics.outputs import Decision

NO_DECISION = "no_decision"


@dataclass(frozen=True, slots=True)
class Divergence:
    source_event_id: str
    intent: str
    tier: str
    routed: str  # the routed (active or canary) action, or "no_decision"
    shadow: str  # the shadow action, or "no_decision"


def diverging(routed: list[Decision], shadow: list[Decision]) -> list[Divergence]:
    """The source events of one step whose routed and shadow actions differ."""
    by_event = {d.source_event_id: d for d in routed}
    shadow_by_event = {d.source_event_id: d for d in shadow}
    out = []
    for event_id in sorted(set(by_event) | set(shadow_by_event)):
        r, s = by_event.get(event_id), shadow_by_event.get(event_id)
        r_action, s_action = (r.action if r else NO_DECISION), (s.action if s else NO_DECISION)
        if r_action == s_action:
            continue
        intent = (r.intent if r and r.intent else s.intent if s else None)
        out.append(Divergence(event_id, intent.intent if intent else "unknown",
                              str(intent.tier) if intent else "unknown", r_action, s_action))
    return out


@dataclass
class ShadowTally:
    """Running totals for a summary (the worker exports the same as Prometheus counters)."""

    compared: int = 0
    diverged: int = 0
    by_intent: Counter[str] = field(default_factory=Counter)
    by_tier: Counter[str] = field(default_factory=Counter)
    by_action: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, routed: list[Decision], shadow: list[Decision]) -> list[Divergence]:
        self.compared += len({d.source_event_id for d in routed} | {d.source_event_id for d in shadow})
        found = diverging(routed, shadow)
        for d in found:
            self.diverged += 1
            self.by_intent[d.intent] += 1
            self.by_tier[d.tier] += 1
            self.by_action[(d.routed, d.shadow)] += 1
        return found
