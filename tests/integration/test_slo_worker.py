"""`loopline run slo` on a real embedded broker, fed by the simulator.

Stream and batch agree: the windows the worker publishes on ``cx.slo.v1`` for a completed run hold
exactly the counts computed directly from the simulator's ground truth (plus, where the truth has no
field for it, the conversation's own events), per SLI, label set and minute. The batch side below is
written independently of ``pipelines/slo`` (it reads the SLO definitions only for objectives'
parameters), so the test checks the stream's meaning, not the core against itself.
"""

from __future__ import annotations

import signal
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import Producer

from pipelines.catalogue import load_catalogue
from pipelines.slo.definitions import load_definitions
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.codec import decode_as, decode_event, encode
from topics.events import (
    AgentAcceptedEvent,
    AgentAssistEvent,
    ConversationEndedEvent,
    ConversationStarted,
    ConversationStartedEvent,
    EscalationRequestedEvent,
    IntentDetectedEvent,
    OutcomeRecordedEvent,
)
from topics.exceptions import EventValidationError
from topics.outputs import LateEvent, SloWindow
from topics.reader import committed_total, read_topic
from topics.specs import DEADLETTER, INTERACTIONS, LATE, SLO

pytestmark = pytest.mark.integration

GROUP = "loopline-slo"
Key = tuple[str, str, str, str, int]  # sli, intent, channel, segment, tier


def close_every_shard(bootstrap: str, after: datetime) -> int:
    """A stream never ends: one later event per partition moves every shard's watermark past the
    last window's end + grace, which is what "a completed run" means in event time."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for partition in range(INTERACTIONS.partitions):
        event = ConversationStartedEvent.build(
            id=f"end-of-run-{partition}", conversation_id=f"end-of-run-{partition}", time=after,
            data=ConversationStarted(channel="chat", customer_id="end-of-run", segment="standard", region="UK",
                                     locale="en-GB", timezone="Europe/London"))
        producer.produce(INTERACTIONS.name, value=encode(event), key=event.subject.encode(), partition=partition)
    assert producer.flush(30) == 0
    return INTERACTIONS.partitions


@dataclass
class Facts:
    """What the batch side needs from one conversation's events (the truth has no field for it)."""

    ended: datetime | None = None
    requested: datetime | None = None
    accepted: datetime | None = None
    assist_accepted: bool = False
    recontact: bool = False
    deflected_from: str | None = None
    intent: str | None = None


def batch_counts(sim: Simulation, events: list) -> tuple[Counter[tuple[Key, int]], Counter[tuple[Key, int]]]:
    """(total, good) per (labels, minute of the conversation's end), straight from the truth."""
    defs, catalogue = load_definitions(), load_catalogue()
    facts: dict[str, Facts] = {}
    for event in events:
        f = facts.setdefault(event.subject, Facts())
        if isinstance(event, ConversationEndedEvent):
            f.ended = f.ended or event.time
        elif isinstance(event, EscalationRequestedEvent):
            f.requested = min(filter(None, (f.requested, event.time)))
        elif isinstance(event, AgentAcceptedEvent):
            f.accepted = min(filter(None, (f.accepted, event.time)))
        elif isinstance(event, AgentAssistEvent):
            f.assist_accepted |= event.data.action == "accepted"
        elif isinstance(event, OutcomeRecordedEvent):
            f.recontact, f.deflected_from = event.data.recontact_within_7d, event.data.deflected_from_channel
        elif isinstance(event, IntentDetectedEvent):
            f.intent = event.data.intent
    total: Counter[tuple[Key, int]] = Counter()
    good: Counter[tuple[Key, int]] = Counter()
    targets = defs.sli("time_to_safe_escalation").targets_ms_by_tier
    for truth in sim.truth:
        f = facts[truth.conversation_id]
        assert f.ended is not None  # the simulator ends every conversation
        minute = int(f.ended.timestamp()) // 60
        intent = f.intent if f.intent in catalogue else "other"
        tier = catalogue.tier_of(intent) if intent != "other" else 3
        labels = (intent, truth.channel, truth.segment, tier)
        verdicts: dict[str, bool] = {}
        if not truth.csat_late:  # otherwise the outcome itself is late: the batch job owns it
            human = f.accepted is not None
            if f.requested is None and not human:  # automated: no risk signal, no agent
                if not truth.resolved or truth.resolved_by != "bot":
                    verdicts["containment_quality"] = False
                else:  # missing_csat: good — an unrated bot resolution is contained
                    verdicts["containment_quality"] = truth.csat is None or truth.csat >= 4
            handled = truth.resolved_by if truth.resolved and truth.resolved_by else (
                "bot" if not human else "agent_with_assist" if f.assist_accepted else "agent")
            sli = {"bot": "fcr_bot", "agent": "fcr_agent", "agent_with_assist": "fcr_agent_assist"}[handled]
            verdicts[sli] = truth.resolved and not f.recontact
            if f.deflected_from == "voice" and truth.channel != "voice":
                ok = truth.resolved and (truth.csat >= 4 if truth.csat is not None else None)
                if ok is not None:
                    verdicts["deflection_satisfaction"] = ok
        if f.requested is not None:
            if f.accepted is None:
                verdicts["time_to_safe_escalation"] = False
            else:
                waited_ms = max(0, int((f.accepted - f.requested).total_seconds() * 1000))
                verdicts["time_to_safe_escalation"] = waited_ms <= targets[tier]
        for sli, ok in verdicts.items():
            total[((sli, *labels), minute)] += 1
            good[((sli, *labels), minute)] += ok
    return total, good


def tumbling_counts(windows: list[SloWindow]) -> tuple[Counter[tuple[Key, int]], Counter[tuple[Key, int]]]:
    total: Counter[tuple[Key, int]] = Counter()
    good: Counter[tuple[Key, int]] = Counter()
    for w in windows:
        if w.window_ms == 60_000:
            key = ((w.sli, w.intent, w.channel, w.segment, w.tier), int(w.window_start.timestamp()) // 60)
            total[key] += int(w.total)
            good[key] += int(w.good)
    return total, good


def test_windows_of_a_completed_run_equal_the_ground_truth(own_broker: str, run_worker, wait_committed) -> None:  # type: ignore[no-untyped-def]
    provision(own_broker)
    # late_share=0: no disorder, so no outcome is late and every one must be in a window
    sim = Simulation(SimulationConfig(conversations=400, seed=11, late_share=0.0, bad_share=0.002))
    records = list(sim.records())
    stats = publish(records, bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    events = []
    for record in records:
        try:
            events.append(decode_event(record.value))
        except EventValidationError:
            continue
    last = max(e.time for e in events)
    expected_records = stats.records + close_every_shard(own_broker, last + timedelta(hours=3))
    worker = run_worker("slo", own_broker)
    wait_committed(own_broker, GROUP, expected_records, worker)

    windows = [decode_as(m.value or b"", SloWindow) for m in read_topic(own_broker, SLO.name)]
    assert len({w.window_id for w in windows}) == len(windows)  # no window published twice
    stream_total: Counter[tuple[Key, int]] = Counter()
    stream_good: Counter[tuple[Key, int]] = Counter()
    hopping: Counter[str] = Counter()
    for w in windows:
        key = (w.sli, w.intent, w.channel, w.segment, w.tier)
        if w.window_ms == 60_000:
            minute = int(w.window_start.timestamp()) // 60
            stream_total[(key, minute)] += int(w.total)
            stream_good[(key, minute)] += int(w.good)
        else:
            hopping[w.sli] += int(w.total)
    batch_total, batch_good = batch_counts(sim, events)
    assert stream_total == batch_total
    assert stream_good == batch_good
    # every outcome sits in the 12 hopping hours (5-minute hops) that contain its moment
    per_sli = Counter()
    for (key, _), n in batch_total.items():
        per_sli[key[0]] += n
    assert hopping == Counter({sli: 12 * n for sli, n in per_sli.items()})

    # late: only the CSAT outcomes that arrived hours after their conversation closed, as raw records
    late = [decode_as(m.value or b"", LateEvent) for m in read_topic(own_broker, LATE.name)]
    assert Counter(e.event_type for e in late) == Counter({"cx.outcome.recorded": sum(t.csat_late for t in sim.truth)})
    assert {e.conversation_id for e in late} == {t.conversation_id for t in sim.truth if t.csat_late}
    # the injected malformed records are dead-lettered by this worker, not lost
    dead = [m for m in read_topic(own_broker, DEADLETTER.name)]
    assert len(dead) == stats.bad > 0


def test_a_worker_killed_mid_run_resumes_from_its_snapshots_and_the_windows_still_equal_the_truth(
    own_broker: str, run_worker, wait_committed, tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    provision(own_broker)
    sim = Simulation(SimulationConfig(conversations=400, seed=12, late_share=0.0))
    records = list(sim.records())
    events = [decode_event(r.value) for r in records]
    state = {"LOOPLINE_STATE_DIR": str(tmp_path / "slo-state")}  # both runs share the snapshots
    first = run_worker("slo", own_broker, env=state)
    stats = publish(records, bootstrap_servers=own_broker, topic=INTERACTIONS.name, rate_eps=1500)
    wait_committed(own_broker, GROUP, stats.records // 3, first, timeout_s=120, poll_s=0.2)
    first.send_signal(signal.SIGKILL)  # no shutdown, no last commit, no last snapshot
    first.wait(timeout=10)
    resumed_at = committed_total(own_broker, GROUP, INTERACTIONS.name)
    assert 0 < resumed_at < stats.records
    expected = stats.records + close_every_shard(own_broker, max(e.time for e in events) + timedelta(hours=3))
    second = run_worker("slo", own_broker, env=state)
    wait_committed(own_broker, GROUP, expected, second)
    assert len(list((tmp_path / "slo-state" / "faust" / "slo" / "snapshots").glob("shard-*.snapshot"))) == 6

    windows = [decode_as(m.value or b"", SloWindow) for m in read_topic(own_broker, SLO.name)]
    by_id: dict[str, SloWindow] = {}
    for w in windows:  # a window published by both runs carries the same id and the same counts
        assert by_id.setdefault(w.window_id, w) == w
    total, good = tumbling_counts(list(by_id.values()))
    batch_total, batch_good = batch_counts(sim, events)
    assert total == batch_total
    assert good == batch_good
