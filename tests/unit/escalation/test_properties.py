"""Property tests: decisions are deterministic; duplicated or reordered input never duplicates an
escalation."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.escalation.core import step
from pipelines.escalation.state import ConversationState
from topics import events as ev
from topics.codec import encode

from .helpers import POLICY, SIGNALS, T0

TEXTS = ["hi", "where is my card", "real person pls", "this is ridiculous, still waiting", "thanks!",
         "reset my password", "I want to reset my password", "your agent was great last time"]
INTENTS = ["opening_hours", "change_address", "refund_request", "fraud_report", "billing_dispute"]

event_st = st.one_of(
    st.builds(lambda t: ("msg", t), st.sampled_from(TEXTS)),
    st.builds(lambda i, c: ("intent", i, c), st.sampled_from(INTENTS), st.floats(0.0, 1.0)),
    st.builds(lambda k: ("err", k), st.sampled_from(["asr_failure", "downstream_error", "timeout"])),
    st.builds(lambda ms: ("bot", ms), st.integers(100, 9000)),
    st.just(("accepted",)),
)


def _events(spec: list[tuple], cid: str = "c1") -> list[ev.Event]:  # type: ignore[type-arg]
    out: list[ev.Event] = [ev.ConversationStartedEvent.build(
        id="start", conversation_id=cid, time=T0, data=ev.ConversationStarted(
            channel="voice", customer_id="x", segment="standard", region="GB", locale="en", timezone="Europe/London"))]
    for n, item in enumerate(spec, start=1):
        t = T0 + timedelta(seconds=7 * n)
        eid = f"e{n}"
        if item[0] == "msg":
            out.append(ev.MessageReceivedEvent.build(id=eid, conversation_id=cid, time=t,
                       data=ev.MessageReceived(role="customer", text=item[1])))
        elif item[0] == "intent":
            out.append(ev.IntentDetectedEvent.build(id=eid, conversation_id=cid, time=t,
                       data=ev.IntentDetected(intent=item[1], confidence=item[2], model_version="m")))
        elif item[0] == "err":
            out.append(ev.TechnicalErrorEvent.build(id=eid, conversation_id=cid, time=t,
                       data=ev.TechnicalError(kind=item[1], component="c")))
        elif item[0] == "bot":
            out.append(ev.BotRespondedEvent.build(id=eid, conversation_id=cid, time=t,
                       data=ev.BotResponded(latency_ms=item[1], prompt_version="p")))
        else:
            out.append(ev.AgentAcceptedEvent.build(id=eid, conversation_id=cid, time=t,
                       data=ev.AgentAccepted(queue="q", wait_s=1.0)))
    return out


def _run(events: list[ev.Event]) -> tuple[list[bytes], list[bytes]]:
    state = ConversationState()
    decisions: list[bytes] = []
    escalations: list[bytes] = []
    for event in events:
        out = step(state, event, policy=POLICY, signals=SIGNALS)
        state = out.state
        decisions += [encode(d) for d in out.decisions]
        escalations += [encode(e) for e in out.escalations]
    return decisions, escalations


@settings(max_examples=60, deadline=None)
@given(st.lists(event_st, max_size=12))
def test_same_input_same_output(spec: list[tuple]) -> None:  # type: ignore[type-arg]
    assert _run(_events(spec)) == _run(_events(spec))


@settings(max_examples=60, deadline=None)
@given(st.lists(event_st, max_size=12), st.randoms(use_true_random=False))
def test_duplicates_and_reordering_never_duplicate_escalations(spec: list[tuple], rnd) -> None:  # type: ignore[no-untyped-def, type-arg]
    events = _events(spec)
    redelivered = events + [rnd.choice(events) for _ in range(len(events))]
    rnd.shuffle(redelivered)  # reordered within the conversation's grace, with duplicates
    decisions, escalations = _run(redelivered)
    import msgspec

    ids = {msgspec.json.decode(e)["escalation_id"] for e in escalations}
    levels = [msgspec.json.decode(e).get("sla_level", 0) for e in escalations]
    escalating = [d for d in decisions if b'"action":"handoff"' in d or b'"action":"apologise_and_follow_up"' in d]
    assert len(ids) <= 1 and len(escalating) <= 1
    assert levels == sorted(set(levels))  # each SLA level at most once
    assert _run(redelivered)[0] == decisions
    # the duplicates add nothing over the deduplicated stream in the same order
    seen: set[str] = set()
    unique = [e for e in redelivered if not (e.id in seen or seen.add(e.id))]  # type: ignore[func-returns-value]
    assert _run(unique) == (decisions, escalations)
