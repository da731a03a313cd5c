"""Every trigger fires on its clear case and stays silent on its noise case; handoff context."""

from __future__ import annotations

from datetime import timedelta

from pipelines.escalation.core import tick
from pipelines.escalation.state import ConversationState
from topics import events as ev

from .helpers import POLICY, Conv


def test_human_request_escalates_hard_negative_does_not() -> None:
    noise = Conv()
    noise.say("your agent was great last time")
    noise.say("how do I become an agent")
    assert not noise.escalations
    c = Conv()
    c.say("real person pls")
    assert c.codes == ["human_request"] and c.escalation_actions == ["handoff"]


def test_rephrase_three_restatements_within_window() -> None:
    c = Conv()
    c.say("I want to reset my password")
    c.say("reset my password please")
    assert not c.escalations  # two paraphrases only: noise
    c.say("please reset password for me", after_s=30)
    assert c.codes == ["rephrase"]


def test_rephrase_outside_window_or_different_requests_is_silent() -> None:
    c = Conv()
    c.say("I want to reset my password")
    c.say("reset my password please", after_s=100)
    c.say("please reset password for me", after_s=100)  # first one is now > 120 s old
    d = Conv()
    for text in ("where is my card", "what is the exchange rate", "change my address"):
        d.say(text)
    assert not c.escalations and not d.escalations


def test_sentiment_level_upstream_and_text() -> None:
    up = Conv()
    up.say("fine", sentiment=-0.7)
    assert up.codes == ["sentiment"] and up.state.triggers[0].evidence["source"] == "upstream"
    text = Conv()
    text.say("This is absolutely disgraceful, I am furious and fed up")
    assert text.codes == ["sentiment"] and text.state.triggers[0].evidence["source"] == "text"


def test_sentiment_drop_and_mild_noise() -> None:
    c = Conv()
    c.say("ok", sentiment=0.5)
    c.say("hmm", sentiment=0.0)
    c.say("no", sentiment=-0.45)
    assert c.codes == ["sentiment"] and c.state.triggers[0].evidence["kind"] == "drop"
    noise = Conv()
    noise.say("hello", sentiment=0.0)
    noise.say("that's a bit annoying", sentiment=-0.25)
    noise.say("ok thanks", sentiment=0.0)
    assert not noise.escalations


def test_asr_failures_and_low_confidence_streak() -> None:
    c = Conv(channel="voice")
    c.error("asr_failure")
    assert not c.escalations  # one failure: noise
    c.error("asr_failure")
    assert c.codes == ["asr_failure"]
    low = Conv(channel="voice")
    low.say("uh", asr_confidence=0.4)
    low.say("what", asr_confidence=0.8)
    low.say("eh", asr_confidence=0.3)
    assert not low.escalations
    low.say("hm", asr_confidence=0.45)
    assert low.codes == ["asr_failure"]


def test_latency_spikes_against_channel_baseline() -> None:
    c = Conv()
    for ms in (600, 900, 4200, 700):
        c.bot(ms)
    assert not c.escalations  # one slow reply: noise
    c.bot(4500)
    assert c.codes == ["latency_spike"] and c.state.triggers[0].evidence["spikes"] == 2


def test_downstream_error_burst_within_60s() -> None:
    c = Conv()
    c.error("downstream_error", after_s=1)
    c.error("timeout", after_s=70)
    c.error("downstream_error", after_s=70)
    assert not c.escalations  # never 3 within 60 s
    c.error("timeout", after_s=10)
    c.error("downstream_error", after_s=10)
    assert c.codes == ["downstream_error"]


def test_one_escalation_later_triggers_are_evidence() -> None:
    c = Conv()
    c.say("get me a human")
    c.say("This is absolutely disgraceful, I am furious", sentiment=-0.9)
    c.intent("fraud_report", 0.9)
    assert len(c.escalations) == 1 and c.codes == ["human_request", "sentiment"]
    assert c.decisions[-1].action == "none"


def test_sla_reemit_same_id_higher_level_until_accepted() -> None:
    c = Conv()
    c.say("operator!")
    first = c.escalations[0]
    assert first.priority == "high" and first.sla_level == 0  # human_request boost
    c.say("hello?", after_s=POLICY.sla_accept_within_s["high"] + 1)
    assert len(c.escalations) == 2
    again = c.escalations[1]
    assert again.escalation_id == first.escalation_id and again.sla_level == 1 and again.priority == "urgent"
    c.send(ev.AgentAcceptedEvent, ev.AgentAccepted(queue="q", wait_s=30.0))
    out = tick(c.state, c.t + timedelta(hours=1), policy=POLICY)
    assert out.escalations == []


def test_tick_drives_sla_without_events() -> None:
    c = Conv()
    c.intent("fraud_report", 0.9)
    out = tick(c.state, c.t + timedelta(seconds=10_000), policy=POLICY)
    assert [e.sla_level for e in out.escalations] == [1]


def test_handoff_context_masked_with_summary_and_slots() -> None:
    c = Conv(segment="vip", customer_value=1200.0)
    c.say("my card 4111 1111 1111 1111 was charged twice")
    c.send(ev.SlotCollectedEvent, ev.SlotCollected(name="card", kind="card_number", value="4111111111111111"))
    c.intent("billing_dispute", 0.3, alternatives=[ev.IntentAlternative(intent="refund_request", confidence=0.25)])

    state = ConversationState.from_bytes(c.state.to_bytes())
    assert state == c.state
    e = c.escalations[0]
    assert e.intent is not None and e.intent.alternatives == [("refund_request", 0.25)]
    assert e.customer.segment == "vip" and e.time_to_handoff_ms == 10_000 and e.policy_version == "v1.0"
    assert "billing_dispute (0.30)" in e.summary and "policy_low_confidence" in e.summary
    from pipelines.escalation.core import step as step2

    st = ConversationState()
    ev0 = ev.MessageReceivedEvent.build(id="m1", conversation_id="c9", time=c.t,
                                        data=ev.MessageReceived(role="customer", text="card 4111 1111 get me a human"))
    from .helpers import SIGNALS
    out = step2(st, ev0, policy=POLICY, signals=SIGNALS, mask=lambda s: "".join("#" if ch.isdigit() else ch for ch in s))
    assert out.escalations[0].transcript[0].text == "card #### #### get me a human"


def test_clarify_names_competing_intents_and_kb_articles_are_approved() -> None:
    c = Conv()
    c.say("how do I activate my new card")
    c.intent("card_activation", 0.5, alternatives=[ev.IntentAlternative(intent="card_declined", confidence=0.3)])
    d = c.decisions[-1]
    assert d.action == "clarify" and d.fallback == "clarify_question"
    assert "activate a new card" in d.message and "card payment was declined" in d.message
    assert [a.article_id for a in d.kb_articles][:1] == ["kb-0001"]
    assert all(a.article_id != "kb-0012" for a in d.kb_articles)


def test_async_channel_draft_offers_callback() -> None:
    c = Conv(channel="email")
    c.intent("refund_request", 0.65)
    assert c.decisions[-1].action == "draft_only" and c.decisions[-1].fallback == "callback_offer"
