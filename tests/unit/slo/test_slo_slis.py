"""Every SLI's definition, on hand-built conversations: what counts, what is good, and why."""

from __future__ import annotations

from pipelines.slo.outcomes import Labels
from pipelines.slo.processor import SloProcessor

from .conftest import Conv


def outcomes(definitions, catalogue, events, decisions=()):
    """Feed events in order, each decision right after its source event, then close all."""
    core = SloProcessor(definitions, catalogue)
    found = []
    for event in events:
        found += core.on_event(event).outcomes
        for decision in decisions:
            if decision.source_event_id == event.id:
                found += core.on_decision(decision).outcomes
    step = core.flush()
    assert step.late == []
    return found + step.outcomes


def verdicts(definitions, catalogue, events, decisions=()):
    return {o.sli: o.good for o in outcomes(definitions, catalogue, events, decisions)
            if o.sli != "decision_latency"}


# --- containment quality ------------------------------------------------------------------------
def test_bot_resolution_rated_4_or_more_is_contained(definitions, catalogue):
    got = verdicts(definitions, catalogue, Conv("c1").bot_resolved(csat=4))
    assert got == {"containment_quality": True, "fcr_bot": True}


def test_bot_resolution_rated_3_is_resolved_but_not_quality_containment(definitions, catalogue):
    got = verdicts(definitions, catalogue, Conv("c1").bot_resolved(csat=3))
    assert got["containment_quality"] is False
    assert got["fcr_bot"] is True  # FCR does not look at CSAT


def test_bot_resolution_without_csat_counts_as_contained(definitions, catalogue):
    # missing_csat: good — unresolved conversations are bad whether rated or not, so an unrated
    # resolution must count too, or the error ratio is inflated by 1 / survey response rate
    assert verdicts(definitions, catalogue, Conv("c1").bot_resolved(csat=None))["containment_quality"] is True


def test_missing_csat_exclude_leaves_an_unrated_resolution_out(definitions, catalogue):
    import dataclasses

    slis = tuple(dataclasses.replace(s, missing_csat="exclude") if s.name == "containment_quality" else s
                 for s in definitions.slis)
    excluding = dataclasses.replace(definitions, slis=slis)
    assert "containment_quality" not in verdicts(excluding, catalogue, Conv("c1").bot_resolved(csat=None))


def test_escalated_conversations_are_not_automated_ones(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.requested(10), c.accepted(40), c.ended(300),
              c.outcome(301, resolved_by="agent", csat=5)]
    got = verdicts(definitions, catalogue, events)
    assert "containment_quality" not in got  # measured by time to safe escalation instead
    assert got["fcr_agent"] is True and "fcr_bot" not in got


def test_unresolved_automated_conversation_is_bad_whatever_the_csat(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.ended(60), c.outcome(61, resolved=False, csat=5)]
    assert verdicts(definitions, catalogue, events)["containment_quality"] is False


def test_policy_mandated_handoff_is_not_an_automation_failure(definitions, catalogue):
    c = Conv("c1", intent="fraud_report")
    events = [c.started(), c.detected(), c.accepted(20), c.ended(200), c.outcome(201, resolved_by="agent", csat=5)]
    handoff = c.decision(events[1], action="handoff", reasons=("policy_high_risk",))
    got = verdicts(definitions, catalogue, events, [handoff])
    assert "containment_quality" not in got  # excluded by exclude_reasons
    assert got["time_to_safe_escalation"] is True  # 20 s after the signal, target 300 s for tier 3


def test_abandoned_conversation_counts_as_unresolved(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.message(), c.ended(30, by="timeout")]  # no outcome
    assert verdicts(definitions, catalogue, events) == {"containment_quality": False, "fcr_bot": False}


def test_normal_end_without_outcome_yet_is_left_out_not_guessed(definitions, catalogue):
    # the outcome (with its CSAT) may come hours later: the batch job owns that number
    c = Conv("c1")
    events = [c.started(), c.detected(), c.message(), c.ended(30, by="customer")]
    assert verdicts(definitions, catalogue, events) == {}


def test_population_all_counts_customer_triggered_escalations_but_not_policy_handoffs(definitions, catalogue):
    from dataclasses import replace

    from pipelines.slo.definitions import SloDefinitions
    sli = replace(definitions.sli("containment_quality"), population="all")
    only = SloDefinitions(version=1, stream=definitions.stream, slis=(sli,))
    c = Conv("c1")
    events = [c.started(), c.detected(), c.message(5), c.accepted(40), c.ended(300), c.outcome(301, resolved_by="agent", csat=5)]
    frustrated = c.decision(events[2], action="handoff", reasons=("human_request",))
    assert verdicts(only, catalogue, events, [frustrated]) == {"containment_quality": False}
    p = Conv("c2", intent="fraud_report")
    events = [p.started(), p.detected(), p.accepted(20), p.ended(200), p.outcome(201, resolved_by="agent", csat=5)]
    mandated = p.decision(events[1], action="handoff", reasons=("policy_high_risk",))
    assert verdicts(only, catalogue, events, [mandated]) == {}


def test_conversation_that_never_ends_is_closed_as_abandoned_at_its_idle_deadline(definitions, catalogue):
    c = Conv("c1")
    stuck = [c.started(), c.detected(), c.message(5)]
    later = Conv("c2", start=c.at(2 * 3600))  # moves the watermark 2 h on
    core = SloProcessor(definitions, catalogue)
    for event in stuck:
        assert core.on_event(event).outcomes == []
    step = core.on_event(later.started())
    got = {o.sli: (o.good, o.event_time) for o in step.outcomes}
    idle_deadline = c.at(5 + definitions.stream.idle_timeout_ms / 1000)
    assert got == {"containment_quality": (False, idle_deadline), "fcr_bot": (False, idle_deadline)}
    assert step.late == []  # stamped at the deadline, so it still lands in an open window


# --- deflection with satisfaction -----------------------------------------------------------------
def test_deflection_from_voice_with_csat_held_is_good(definitions, catalogue):
    c = Conv("c1", channel="chat")
    events = [c.started(), c.detected(), c.ended(60),
              c.outcome(61, resolved_by="bot", csat=5, deflected_from_channel="voice")]
    assert verdicts(definitions, catalogue, events)["deflection_satisfaction"] is True


def test_deflection_with_csat_dropping_is_bad_and_undeflected_contacts_are_not_counted(definitions, catalogue):
    c = Conv("c1", channel="messaging")
    unhappy = [c.started(), c.detected(), c.ended(60),
               c.outcome(61, resolved_by="bot", csat=2, deflected_from_channel="voice")]
    assert verdicts(definitions, catalogue, unhappy)["deflection_satisfaction"] is False
    plain = Conv("c2").bot_resolved(csat=5)
    assert "deflection_satisfaction" not in verdicts(definitions, catalogue, plain)


# --- first-contact resolution by handler ------------------------------------------------------------
def test_fcr_goes_to_the_handler_path_and_recontact_makes_it_bad(definitions, catalogue):
    c = Conv("c1")
    assisted = [c.started(), c.detected(), c.requested(5), c.accepted(30), c.assist(40), c.ended(200),
                c.outcome(201, csat=4, recontact_within_7d=True)]
    got = verdicts(definitions, catalogue, assisted)
    assert got["fcr_agent_assist"] is False  # resolved, but the customer came back
    assert "fcr_agent" not in got and "fcr_bot" not in got


def test_recorded_resolved_by_wins_over_the_observed_path(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.accepted(30), c.ended(100), c.outcome(101, resolved_by="agent_with_assist")]
    assert verdicts(definitions, catalogue, events)["fcr_agent_assist"] is True


# --- time to safe escalation ------------------------------------------------------------------------
def test_time_to_safe_escalation_is_measured_against_the_tier_target(definitions, catalogue):
    fast = Conv("c1", intent="balance_inquiry")  # tier 1: 420 s
    events = [fast.started(), fast.detected(), fast.requested(10), fast.accepted(410), fast.ended(500), fast.outcome(501)]
    got = [o for o in outcomes(definitions, catalogue, events) if o.sli == "time_to_safe_escalation"]
    assert [(o.good, o.value_ms) for o in got] == [(True, 400_000)]
    slow = Conv("c2", intent="billing_dispute")  # tier 2: 300 s
    events = [slow.started(), slow.detected(), slow.requested(10), slow.accepted(410), slow.ended(500), slow.outcome(501)]
    assert verdicts(definitions, catalogue, events)["time_to_safe_escalation"] is False


def test_first_risk_signal_is_the_earliest_of_decision_and_request(definitions, catalogue):
    c = Conv("c1", intent="card_declined")  # tier 2: 300 s
    events = [c.started(), c.detected(), c.message(20), c.requested(100), c.accepted(330), c.ended(400), c.outcome(401)]
    # the decision on the message at 20 s already escalated: 310 s > 300 s
    decision = c.decision(events[2], action="handoff", reasons=("sentiment",))
    got = [o for o in outcomes(definitions, catalogue, events, [decision]) if o.sli == "time_to_safe_escalation"]
    assert [(o.good, o.value_ms) for o in got] == [(False, 310_000 - 100)]


def test_escalation_never_accepted_is_bad_but_out_of_hours_callback_is_left_out(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.requested(10), c.ended(600)]
    assert verdicts(definitions, catalogue, events)["time_to_safe_escalation"] is False
    cb = Conv("c2")
    events = [cb.started(), cb.detected(), cb.message(5), cb.ended(60)]
    callback = cb.decision(events[2], action="apologise_and_follow_up", reasons=("human_request",))
    assert "time_to_safe_escalation" not in verdicts(definitions, catalogue, events, [callback])


def test_shadow_decisions_are_not_risk_signals(definitions, catalogue):
    c = Conv("c1")
    events = [c.started(), c.detected(), c.message(5), c.ended(60), c.outcome(61, resolved_by="bot", csat=5)]
    shadow = c.decision(events[2], action="handoff", reasons=("sentiment",), mode="shadow")
    assert "time_to_safe_escalation" not in verdicts(definitions, catalogue, events, [shadow])


def test_vulnerability_weights_time_to_escalation(definitions, catalogue):
    c = Conv("c1", vulnerability="confirmed")
    events = [c.started(), c.detected(), c.requested(10), c.accepted(20), c.ended(100), c.outcome(101)]
    got = [o for o in outcomes(definitions, catalogue, events) if o.sli == "time_to_safe_escalation"]
    assert got[0].weight == 4.0


# --- decision latency -------------------------------------------------------------------------------
def test_decision_latency_is_good_within_threshold_and_bad_beyond(definitions, catalogue):
    c = Conv("c1")
    events = c.bot_resolved()
    quick, slow = c.decision(events[1], delay_ms=120), c.decision(events[2], delay_ms=900)
    got = [(o.good, o.value_ms, o.event_time) for o in outcomes(definitions, catalogue, events, [quick, slow])
           if o.sli == "decision_latency"]
    assert got == [(True, 120, events[1].time), (False, 900, events[2].time)]


def test_decision_arriving_before_its_source_event_waits_for_it(definitions, catalogue):
    c = Conv("c1")
    events = c.bot_resolved()
    core = SloProcessor(definitions, catalogue)
    early = c.decision(events[2], delay_ms=50)
    assert core.on_decision(early).outcomes == []  # source not seen yet
    found = []
    for event in events:
        found += core.on_event(event).outcomes
    assert [(o.sli, o.good, o.value_ms) for o in found if o.sli == "decision_latency"] == [("decision_latency", True, 50)]


# --- labels ----------------------------------------------------------------------------------------
def test_labels_are_bounded_and_carry_no_ids(definitions, catalogue):
    c = Conv("c1", channel="voice", segment="vip", intent="not_in_catalogue")
    got = outcomes(definitions, catalogue, c.bot_resolved())
    assert {o.labels for o in got} == {Labels("other", "voice", "vip", 3)}
    known = outcomes(definitions, catalogue, Conv("c2", intent="card_declined").bot_resolved())
    assert {o.labels for o in known} == {Labels("card_declined", "chat", "standard", 2)}
