"""Window assignment, grace, late routing and the stream/batch identity of the SLO core."""

from __future__ import annotations

import base64
import random
from collections import Counter
from datetime import timedelta

import msgspec
import pytest

from pipelines.slo.definitions import WindowDefinition
from pipelines.slo.outcomes import Labels, SliOutcome
from pipelines.slo.processor import OUTCOME_EVENT_TYPE, SloProcessor
from pipelines.slo.windows import WindowStore, window_starts

from .conftest import T0, Conv

MINUTE = 60_000
HOUR = 3_600_000


def test_tumbling_minute_holds_its_start_and_not_its_end():
    w = WindowDefinition("t", MINUTE, MINUTE)
    assert window_starts(w, 0) == [0]
    assert window_starts(w, MINUTE - 1) == [0]
    assert window_starts(w, MINUTE) == [MINUTE]


def test_hopping_hour_by_five_minutes_puts_each_moment_in_twelve_windows():
    w = WindowDefinition("h", HOUR, 5 * MINUTE)
    starts = window_starts(w, 10 * HOUR + 7 * MINUTE)
    assert len(starts) == 12
    assert starts[0] == 9 * HOUR + 10 * MINUTE and starts[-1] == 10 * HOUR + 5 * MINUTE
    assert all(s <= 10 * HOUR + 7 * MINUTE < s + HOUR for s in starts)


def _outcome(sli: str, good: bool, moment_ms: int, weight: float | None = None) -> SliOutcome:
    from pipelines.slo.outcomes import from_ms
    return SliOutcome(outcome_id=f"{sli}{moment_ms}{good}", sli=sli, good=good, conversation_id="c",
                      event_time=from_ms(moment_ms), labels=Labels("top_up", "chat", "vip", 1), weight=weight)


def test_store_closes_only_windows_ending_at_or_before_the_closing_point():
    store = WindowStore((WindowDefinition("t", MINUTE, MINUTE),))
    store.add(_outcome("fcr_bot", True, 10_000))
    store.add(_outcome("fcr_bot", False, 20_000, weight=2.0))
    store.add(_outcome("fcr_bot", True, 70_000))
    assert store.close(MINUTE - 1) == []
    [first] = store.close(MINUTE)
    assert (first.good, first.total, first.weighted_good, first.weighted_total) == (1.0, 2.0, 0.0, 2.0)
    assert (first.window_start, first.window_end) == (T0.replace(year=1970, month=1, day=1, hour=0), T0.replace(year=1970, month=1, day=1, hour=0, minute=1))
    [second] = store.close(None)
    assert (second.good, second.total) == (1.0, 1.0)
    assert first.window_id != second.window_id


def test_window_ids_are_deterministic_across_runs(definitions, catalogue):
    def run():
        core = SloProcessor(definitions, catalogue)
        for i in range(3):
            for event in Conv(f"c{i}", start=T0 + timedelta(minutes=i)).bot_resolved():
                core.on_event(event)
        return [w.window_id for w in core.flush().windows]
    assert run() == run() and len(set(run())) == len(run())


def test_windows_close_once_the_watermark_passes_end_plus_grace(definitions, catalogue):
    core = SloProcessor(definitions, catalogue)
    conv = Conv("c1")
    for event in conv.bot_resolved(end_s=30):  # ends 10:00:30 → tumbling window [10:00, 10:01)
        core.on_event(event)
    grace = timedelta(milliseconds=definitions.stream.grace_ms)
    wait = timedelta(milliseconds=definitions.stream.outcome_wait_ms)
    # outcome known at end + wait (10:05:30): no window closes yet (10:01 + grace = 10:11)
    step = core.on_event(Conv("c2", start=conv.at(30) + wait).started())
    assert {o.sli for o in step.outcomes} == {"containment_quality", "fcr_bot"} and step.windows == []
    before = core.on_event(Conv("c3", start=T0 + timedelta(minutes=1) + grace - timedelta(seconds=1)).started())
    assert before.windows == []
    at = core.on_event(Conv("c4", start=T0 + timedelta(minutes=1) + grace).started())
    closed = [(w.sli, w.window_ms, w.window_start, w.good, w.total) for w in at.windows]
    assert closed == [("containment_quality", MINUTE, T0, 1.0, 1.0), ("fcr_bot", MINUTE, T0, 1.0, 1.0)]
    weighted = next(w for w in at.windows if w.sli == "containment_quality")
    assert weighted.weighted_total == 1.0  # weighting by customer value: value 0 → weight 1


def test_outcome_older_than_watermark_minus_grace_goes_to_late_and_counts_nowhere(definitions, catalogue):
    core = SloProcessor(definitions, catalogue)
    late_conv = Conv("late", start=T0)
    core.on_event(late_conv.started())
    # another conversation pushes the watermark 30 min ahead; the first then ends in the past
    core.on_event(Conv("now", start=T0 + timedelta(minutes=30)).started())
    step = core.on_event(late_conv.ended(60, by="timeout"))  # abandoned: outcomes known at close
    step2 = core.on_event(Conv("x", start=T0 + timedelta(minutes=31)).started())
    assert step.late == []
    late = step2.late
    assert {rec.event_type for rec in late} == {OUTCOME_EVENT_TYPE}
    assert {rec.conversation_id for rec in late} == {"late"}
    decoded = [msgspec.json.decode(base64.b64decode(rec.raw_b64)) for rec in late]
    assert {d["sli"] for d in decoded} == {"containment_quality", "fcr_bot"}
    assert all(rec.lateness_ms > definitions.stream.grace_ms for rec in late)
    rest = core.flush()
    assert not [w for w in rest.windows if w.window_start <= late_conv.at(60) < w.window_end and w.window_ms == MINUTE]


def test_csat_arriving_hours_after_close_goes_to_late_as_a_raw_event(definitions, catalogue):
    core = SloProcessor(definitions, catalogue)
    c = Conv("c1")
    for event in [c.started(), c.detected(), c.ended(60), c.outcome(61, resolved_by="bot")]:
        core.on_event(event)
    core.on_event(Conv("c2", start=c.at(3600)).started())  # closes c1 without CSAT
    csat = c.outcome(4 * 3600, resolved_by="bot", csat=5)
    step = core.on_event(csat)
    assert [(r.event_id, r.event_type) for r in step.late] == [(csat.id, "cx.outcome.recorded")]
    assert [o for o in step.outcomes if o.conversation_id == "c1"] == []


def test_redelivered_events_change_nothing(definitions, catalogue):
    def run(events):
        core = SloProcessor(definitions, catalogue)
        out = []
        for event in events:
            step = core.on_event(event)
            out += [(o.outcome_id, o.good) for o in step.outcomes] + [r.event_id for r in step.late]
        flushed = core.flush()
        return out + [(o.outcome_id, o.good) for o in flushed.outcomes], [(w.window_id, w.good, w.total) for w in flushed.windows]
    events = Conv("c1").bot_resolved() + Conv("c2", start=T0 + timedelta(hours=2)).bot_resolved()
    doubled = [e for event in events for e in (event, event)]
    assert run(doubled) == run(events)


@pytest.mark.parametrize("jitter_min", [4, 20])
def test_windowed_counts_plus_late_equal_every_outcome_on_a_shuffled_stream(definitions, catalogue, jitter_min):
    """Stream vs batch: tumbling-window counts + late outcomes are exactly the outcomes seen; with
    disorder inside the outcome wait and grace nothing is late and the windows equal a batch pass
    over each complete conversation."""
    rng = random.Random(7)
    convs = []
    for i in range(200):
        c = Conv(f"c{i}", start=T0 + timedelta(seconds=rng.randrange(0, 6 * 3600)),
                 intent=rng.choice(["top_up", "card_declined", "fraud_report", "mystery"]),
                 channel=rng.choice(["voice", "chat"]))
        events = [c.started(), c.detected(), c.message(5)]
        if rng.random() < 0.3:
            events += [c.requested(20), c.accepted(20 + rng.randrange(10, 400))]
        events.append(c.ended(600))
        events.append(c.outcome(601, resolved=rng.random() < 0.7, csat=rng.choice([None, 2, 5])))
        convs.append(events)
    # ~10 % of events arrive up to `jitter_min` minutes after their event time
    delay = {e.id: timedelta(minutes=jitter_min * rng.random()) if rng.random() < 0.1 else timedelta(0)
             for events in convs for e in events}
    stream = sorted((e for events in convs for e in events), key=lambda e: e.time + delay[e.id])

    core = SloProcessor(definitions, catalogue)
    windows, late, seen = [], [], []
    for step in [core.on_event(e) for e in stream] + [core.flush()]:
        windows += step.windows
        late += step.late
        seen += step.outcomes

    def tally(minute_windows):
        counts = Counter()
        for w in minute_windows:
            counts[(w.sli, True)] += w.good
            counts[(w.sli, False)] += w.total - w.good
        return counts

    streamed = tally(w for w in windows if w.window_ms == MINUTE)
    late_outcomes = [msgspec.json.decode(base64.b64decode(r.raw_b64)) for r in late if r.event_type == OUTCOME_EVENT_TYPE]
    in_windows = Counter((o.sli, o.good) for o in seen) - Counter((o["sli"], o["good"]) for o in late_outcomes)
    assert +streamed == +in_windows  # every outcome is in its windows or late, never both
    for sli in definitions.names:  # each counted outcome sits in 12 hourly windows
        hourly = sum(w.total for w in windows if w.window_ms == HOUR and w.sli == sli)
        assert hourly == 12 * (streamed[(sli, True)] + streamed[(sli, False)])

    if jitter_min < definitions.stream.outcome_wait_ms / MINUTE:
        batch = Counter()
        for events in convs:
            solo = SloProcessor(definitions, catalogue)
            for event in events:
                solo.on_event(event)
            batch.update((o.sli, o.good) for o in solo.flush().outcomes)
        assert late == []
        assert +streamed == +batch
    else:
        assert late, "20 min of disorder exceeds the 10 min grace: some records must be late"


def test_shards_emit_distinct_window_ids_for_the_same_window(definitions, catalogue):
    ids = []
    for shard in ("cx.interactions.v1/0", "cx.interactions.v1/1"):
        core = SloProcessor(definitions, catalogue, shard=shard)
        for event in Conv("c1").bot_resolved():
            core.on_event(event)
        ids.append({(w.sli, w.window_start, w.window_ms): w.window_id for w in core.flush().windows})
    assert ids[0].keys() == ids[1].keys()
    assert not set(ids[0].values()) & set(ids[1].values())
