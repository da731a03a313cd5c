"""Canary assignment by hash, and routing that keeps one version per conversation."""

from __future__ import annotations

from pipelines.escalation.policy import DEFAULT_POLICY, load_policy
from pipelines.rollout.assignment import bucket, cohort_of, in_canary
from pipelines.rollout.routing import PolicyRouter
from pipelines.rollout.scenarios import over_automating
from topics.outputs import PolicyRecord

CANARY = over_automating(DEFAULT_POLICY.read_text(encoding="utf-8"), version="v1.1-canary")


def test_assignment_is_deterministic_uniform_and_nested() -> None:
    ids = [f"conv-{i}" for i in range(20_000)]
    assert [bucket(i) for i in ids[:50]] == [bucket(i) for i in ids[:50]]
    share = sum(in_canary(i, share=0.25) for i in ids) / len(ids)
    assert 0.24 < share < 0.26
    # growing the share only adds conversations: nobody in a 10 % canary leaves it at 25 %
    assert all(in_canary(i, share=0.25) for i in ids if in_canary(i, share=0.10))
    assert cohort_of("conv-1", share=0.0) == "control"


def test_a_conversation_keeps_its_version_through_canary_start_and_rollback() -> None:
    router = PolicyRouter(load_policy(), prompt_version="cx-prompt-v7")
    canary_ids = [c for c in (f"conv-{i}" for i in range(200)) if in_canary(c, share=0.5)]
    before = canary_ids[0]
    pinned = {before: router.route(before, pinned=None).version}  # first seen before the canary exists
    router.offer(PolicyRecord(name="escalation", version="v1.1-canary", slot="canary", document=CANARY,
                              canary_share=0.5, prompt_version="cx-prompt-v8"))
    during = canary_ids[1]
    served = router.route(during, pinned=None)
    pinned[during] = served.version
    assert (served.version, served.mode, served.prompt_version) == ("v1.1-canary", "canary", "cx-prompt-v8")
    assert router.route(before, pinned=pinned[before]).version == "v1.0"  # started before: stays active
    router.offer(PolicyRecord(name="escalation", version="v1.1-canary", slot="retired", document=CANARY))
    assert router.canary is None
    assert router.route(during, pinned=pinned[during]).version == "v1.1-canary"  # pinned: never two versions
    assert router.route(canary_ids[2], pinned=None).version == "v1.0"  # new conversations: control only


def test_shadow_records_never_route_and_active_promotion_switches_new_conversations() -> None:
    router = PolicyRouter(load_policy())
    router.offer(PolicyRecord(name="escalation", version="v1.1-canary", slot="shadow", document=CANARY))
    assert router.shadow is not None and router.route("conv-1", pinned=None).version == "v1.0"
    router.offer(PolicyRecord(name="escalation", version="v1.1-canary", slot="candidate", document=CANARY))
    assert router.active.version == "v1.0"
    router.offer(PolicyRecord(name="escalation", version="v1.1-canary", slot="active", document=CANARY))
    assert router.route("conv-2", pinned=None).version == "v1.1-canary"
    assert router.route("conv-1", pinned="v1.0").version == "v1.0"
