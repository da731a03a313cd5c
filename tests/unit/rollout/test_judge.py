"""The canary judge on simulated traffic through the pure escalation core: a bad canary
(over-automation of a tier-2 intent) is condemned within the configured window, an equal one never."""

from __future__ import annotations

import zlib

import pytest

from pipelines.catalogue import load_catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import DEFAULT_POLICY, load_policy
from pipelines.escalation.state import ConversationState
from pipelines.rollout.governance import load_governance
from pipelines.rollout.judge import CanaryJudge, Verdict
from pipelines.rollout.routing import PolicyRouter
from pipelines.rollout.scenarios import BAD_CONFIDENCE, BAD_INTENT, over_automating
from pipelines.slo.definitions import load_definitions
from pipelines.sources.simulator import SCENARIOS, Simulation, SimulationConfig
from topics.codec import decode_event
from topics.outputs import PolicyRecord

BASE = DEFAULT_POLICY.read_text(encoding="utf-8")
SETTINGS = load_governance().canary
SIGNALS = Signals.lexical()


def run(canary_text: str, *, seed: int, conversations: int = 600, share: float = 0.5) -> tuple[Verdict | None, CanaryJudge, dict[str, set[str]]]:
    """Route each conversation (hash, pinned), decide with the core, feed the judge as the controller does
    (decisions arrive with their partition, 6 partitions)."""
    router = PolicyRouter(load_policy())
    router.offer(PolicyRecord(name="escalation", version="v1.1", slot="canary", document=canary_text,
                              canary_share=share))
    judge = CanaryJudge(load_definitions(), load_catalogue(), SETTINGS, version="v1.1", share=share,
                        decision_partitions=6)
    sim = Simulation(SimulationConfig(conversations=conversations, seed=seed, late_share=0.0, spacing_s=4.0,
                                      scenario_weights={**SCENARIOS, "normal": 3.0},
                                      overconfident={BAD_INTENT: BAD_CONFIDENCE}))
    states: dict[str, ConversationState] = {}
    pins: dict[str, str] = {}
    versions: dict[str, set[str]] = {}
    verdict = None
    for record in sim.records():
        event = decode_event(record.value)
        conversation = event.subject
        served = router.route(conversation, pinned=pins.get(conversation))
        pins[conversation] = served.version
        result = step(states.get(conversation) or ConversationState(), event, policy=served.policy,
                      signals=SIGNALS, mode=served.mode)
        states[conversation] = result.state
        verdict = judge.on_event(event) or verdict
        for decision in result.decisions:
            versions.setdefault(conversation, set()).add(decision.policy_version)
            verdict = judge.on_decision(decision, partition=zlib.crc32(conversation.encode()) % 6) or verdict
    verdict = judge.release_held() or verdict
    return verdict, judge, versions


@pytest.mark.parametrize("seed", [4, 6])
def test_bad_canary_is_condemned_within_the_window(seed: int) -> None:
    verdict, judge, versions = run(over_automating(BASE, version="v1.1"), seed=seed)
    assert verdict is not None
    c = verdict.comparison
    assert c.sli == "containment_quality"
    assert c.canary_burn >= c.control_burn + SETTINGS.margin and c.z >= SETTINGS.min_z
    assert min(c.canary_total, c.control_total) >= SETTINGS.min_conversations
    assert 0 < verdict.at_ms - verdict.canary_since_ms <= SETTINGS.window_ms
    assert "containment_quality: canary burn" in verdict.reason
    assert all(len(v) == 1 for v in versions.values())  # one version per conversation
    assert judge.stats.left_out <= 5  # conversations with no decision at all


def test_equal_canary_is_never_condemned() -> None:
    same = BASE.replace("version: v1.0", "version: v1.1")
    for seed in (1, 2):
        verdict, judge, _ = run(same, seed=seed)
        assert verdict is None, verdict.reason if verdict else ""
        assert judge.stats.outcomes["canary"] > 100 and judge.stats.outcomes["control"] > 100
