"""Every cell of the risk x confidence matrix, at the edges of each band, plus the conditions."""

from __future__ import annotations

import pytest

from .helpers import POLICY, Conv

# (tier, an intent of that tier)
TIER_INTENT = {0: "opening_hours", 1: "change_address", 2: "refund_request", 3: "fraud_report"}
CELLS = [(tier, band) for tier in range(4) for band in POLICY.tiers[tier]]


def test_each_tier_intent_has_that_tier() -> None:
    assert {t: POLICY.catalogue.tier_of(i) for t, i in TIER_INTENT.items()} == {0: 0, 1: 1, 2: 2, 3: 3}


@pytest.mark.parametrize(("tier", "band"), CELLS, ids=[f"tier{t}-{b.action}" for t, b in CELLS])
def test_band_edges(tier: int, band) -> None:  # type: ignore[no-untyped-def]
    """Inclusive lower edge, just below the upper edge, and the band below starts just under `from`."""
    intent = TIER_INTENT[tier]
    assert POLICY.band_action(tier=tier, intent=intent, confidence=band.lo) == band.action
    top = 1.0 if band.hi == 1.0 else band.hi - 1e-6
    assert POLICY.band_action(tier=tier, intent=intent, confidence=top) == band.action
    if band.lo > 0:
        assert POLICY.band_action(tier=tier, intent=intent, confidence=band.lo - 1e-6) != band.action


@pytest.mark.parametrize(("tier", "band"), CELLS, ids=[f"tier{t}-{b.action}" for t, b in CELLS])
def test_core_applies_each_cell(tier: int, band) -> None:  # type: ignore[no-untyped-def]
    """A standard customer in business hours gets exactly the cell's action from the core."""
    conf = round((band.lo + band.hi) / 2, 4)
    c = Conv()
    c.intent(TIER_INTENT[tier], conf)
    assert c.decisions[-1].action == band.action
    assert c.decisions[-1].policy_version == "v1.0"
    assert len(c.escalations) == (1 if band.action in ("handoff", "apologise_and_follow_up") else 0)


def test_simulator_contract_ranges() -> None:
    """Tier 3 in [0.80,0.97] hands over; tier 2 low [0.15,0.55] hands over, normal [0.90,0.995]
    automates; tier 0/1 normal [0.75,0.995] automate and unsure [0.35,0.60] clarify."""
    for conf in (0.80, 0.97):
        assert POLICY.band_action(tier=3, intent="identity_theft", confidence=conf - 0.04) == "handoff"
    for conf in (0.15, 0.55):
        assert POLICY.band_action(tier=2, intent="billing_dispute", confidence=conf) == "handoff"
    for conf in (0.90, 0.995):
        assert POLICY.band_action(tier=2, intent="billing_dispute", confidence=conf - 0.04) == "automate"
    for tier in (0, 1):
        for conf in (0.75, 0.995):
            assert POLICY.band_action(tier=tier, intent=TIER_INTENT[tier], confidence=conf - 0.04) == "automate"
        for conf in (0.35, 0.60):
            assert POLICY.band_action(tier=tier, intent=TIER_INTENT[tier], confidence=conf - 0.04) == "clarify"


def test_per_intent_override_wins() -> None:
    assert POLICY.band_action(tier=2, intent="card_declined", confidence=0.83) == "clarify"
    assert POLICY.band_action(tier=2, intent="refund_request", confidence=0.83) == "automate"


def test_vulnerable_confirmed_escalates_tier1_not_tier0() -> None:
    c = Conv(vulnerability="confirmed")
    c.intent("opening_hours", 0.9)
    assert c.decisions[-1].action == "automate"
    c.intent("change_address", 0.95)
    assert c.escalation_actions == ["handoff"] and c.codes == ["vulnerable_customer"]


def test_potential_vulnerability_is_stricter_but_does_not_escalate_normal_tier1() -> None:
    c = Conv(vulnerability="potential")
    c.intent("change_address", 0.75)
    assert c.decisions[-1].action == "automate" and not c.escalations
    c2 = Conv(vulnerability="potential")
    c2.intent("change_address", 0.70)  # 0.70 - 0.04 margin < 0.68: clarify instead of automate
    assert c2.decisions[-1].action == "clarify"


def test_out_of_hours_escalation_is_apologise_and_follow_up() -> None:
    from datetime import UTC, datetime

    sunday = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    c = Conv(t0=sunday)
    c.intent("fraud_report", 0.9)
    assert c.escalation_actions == ["apologise_and_follow_up"]
    assert "call you back" in c.decisions[-1].message
    assert c.escalations[0].triggers[0].code == "policy_high_risk"


def test_local_time_zone_decides_business_hours() -> None:
    from datetime import UTC, datetime

    # 10:00 UTC Monday is 23:00 in Auckland: out of hours there
    c = Conv(t0=datetime(2026, 1, 5, 10, 0, tzinfo=UTC), timezone="Pacific/Auckland")
    c.intent("fraud_report", 0.9)
    assert c.escalation_actions == ["apologise_and_follow_up"]


def test_tier3_very_unsure_is_apologise_and_follow_up_in_hours() -> None:
    c = Conv()
    c.intent("identity_theft", 0.2)
    assert c.escalation_actions == ["apologise_and_follow_up"]
