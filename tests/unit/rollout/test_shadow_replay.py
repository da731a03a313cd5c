"""Shadow divergence on a replayed period equals the offline replay diff for the same policy pair.

The lake is built the way production fills it (``jobs.simlake``, core fed the lake's masked rows);
the offline replay (``jobs.replay.run_offline``) diffs the candidate against production per source
event. The shadow path evaluates the same candidate beside the active policy on the same events,
each with its own state, and counts divergences with the function the escalation worker calls."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from jobs.events import event_from_row
from jobs.lakeio import Period
from jobs.replay import period_events, run_offline
from jobs.simlake import build_lake
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import DEFAULT_POLICY, load_policy, parse_policy
from pipelines.escalation.state import ConversationState
from pipelines.rollout.scenarios import over_automating
from pipelines.rollout.shadow import NO_DECISION, ShadowTally
from pipelines.sources.simulator import SimulationConfig

CONFIG = SimulationConfig(conversations=250, seed=11, late_share=0.0, overconfident={"refund_request": 0.62})


def test_shadow_divergence_equals_offline_replay_diff(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    build_lake(root, CONFIG, decide_on="masked")
    text = over_automating(DEFAULT_POLICY.read_text(encoding="utf-8"), version="v1.1-shadow")
    candidate = parse_policy(yaml.safe_load(text))
    period = Period.parse(None, None)
    signals = Signals.lexical()
    offline = run_offline(root, period, policy=candidate, policy_text=text, signals=signals, write=False)

    active = load_policy()
    tally = ShadowTally()
    states: dict[str, tuple[ConversationState, ConversationState]] = {}
    for row in period_events(root, period).iter_rows(named=True):
        event = event_from_row(row)
        routed_state, shadow_state = states.get(event.subject) or (ConversationState(), ConversationState())
        routed = step(routed_state, event, policy=active, signals=signals)
        shadow = step(shadow_state, event, policy=candidate, signals=signals, mode="shadow")
        states[event.subject] = (routed.state, shadow.state)
        tally.add(routed.decisions, shadow.decisions)

    assert offline.diff.changed_events > 0  # the pair really differs: refund_request automated at low confidence
    assert tally.diverged == offline.diff.changed_events
    assert set(tally.by_intent) == {"refund_request"} == set(offline.diff.by_intent)
    changed = offline.decisions.filter(offline.decisions["changed"])
    replayed_pairs = Counter((p or NO_DECISION, a) for p, a in zip(changed["production_action"], changed["action"],
                                                                    strict=True))
    assert Counter({k: v for k, v in tally.by_action.items() if k[1] != NO_DECISION}) == replayed_pairs
    assert tally.by_action[("handoff", "automate")] > 0  # the over-automation itself
