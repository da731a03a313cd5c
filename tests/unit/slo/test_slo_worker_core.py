"""The SLO worker's record path without a broker: routing, dead letters, snapshots and latency
from Kafka append times. (The Faust app is built but never started.)"""

from __future__ import annotations

from pathlib import Path

from pipelines.app import AppConfig
from pipelines.slo.processor import SloProcessor
from pipelines.slo.worker import SloWorker, default_shard
from topics.codec import decode_as, encode
from topics.outputs import DeadLetter, SloWindow
from topics.specs import DEADLETTER, DECISIONS, INTERACTIONS, LATE, SLO

from .conftest import Conv


def make_worker(tmp_path: Path, definitions, catalogue) -> SloWorker:  # type: ignore[no-untyped-def]
    config = AppConfig("slo-unit", bootstrap_servers="127.0.0.1:1", state_dir=tmp_path)
    return SloWorker(config, definitions=definitions, catalogue=catalogue)


def feed(worker: SloWorker, events, *, partition: int = 2, append_ms: int | None = None) -> None:  # type: ignore[no-untyped-def]
    for offset, event in enumerate(events):
        ts = (append_ms + offset) / 1000 if append_ms is not None else None
        worker.handle(encode(event), topic=INTERACTIONS.name, partition=partition, offset=offset,
                      key=event.subject.encode(), append_ts=ts)


def test_a_malformed_decision_is_dead_lettered_with_its_location_and_the_worker_goes_on(tmp_path, definitions, catalogue):
    worker = make_worker(tmp_path, definitions, catalogue)
    assert worker.handle(b'{"decision_id": 3}', topic=DECISIONS.name, partition=4, offset=17, key=b"c1") is None
    [(topic, _, value)] = worker.outbox
    letter = decode_as(value, DeadLetter)
    assert topic == DEADLETTER.name
    assert (letter.source_topic, letter.partition, letter.offset, letter.worker) == (DECISIONS.name, 4, 17, "slo")
    feed(worker, Conv("c1").bot_resolved())  # the next record is processed normally
    assert worker.registry.get_sample_value(
        "loopline_dead_letters_total", {"worker": "slo", "topic": DECISIONS.name}) == 1.0


def test_a_decision_joins_the_shard_that_holds_its_conversation_not_its_own_partition(tmp_path, definitions, catalogue):
    worker = make_worker(tmp_path, definitions, catalogue)
    c = Conv("c1")
    events = [c.started(), c.detected()]
    feed(worker, events, partition=5)
    decision = c.decision(events[1], action="handoff", reasons=("human_request",))
    worker.handle(encode(decision), topic=DECISIONS.name, partition=0, offset=0, key=b"c1")
    assert set(worker.shards.processors) == {5}  # no shard was opened for the decision's partition
    assert worker.shards.processors[5].unmatched_decisions == 0


def test_an_unknown_conversation_goes_to_the_shard_librdkafka_would_pick(tmp_path, definitions, catalogue):
    worker = make_worker(tmp_path, definitions, catalogue)
    assert worker.shards.owner("conv-9", b"conv-9") == default_shard(b"conv-9") < INTERACTIONS.partitions


def test_decision_latency_comes_from_kafka_append_times_when_known(tmp_path, definitions, catalogue):
    # Decision.time is the event time (determinism): 100 ms here. The records were appended 900 ms
    # apart, which is how long the decision really took.
    worker = make_worker(tmp_path, definitions, catalogue)
    c = Conv("c1")
    events = [c.started(), c.detected()]
    feed(worker, events, append_ms=1_000_000)
    decision = c.decision(events[1], delay_ms=100)
    step = worker.handle(encode(decision), topic=DECISIONS.name, partition=0, offset=0, key=b"c1",
                         append_ts=(1_000_001 + 900) / 1000)
    assert step is not None
    [latency] = [o for o in step.outcomes if o.sli == "decision_latency"]
    assert latency.value_ms == 900 and latency.good is False  # threshold 500 ms
    replayed = SloProcessor(definitions, catalogue)  # without append times: Decision.time − event time
    for event in events:
        replayed.on_event(event)
    [again] = [o for o in replayed.on_decision(decision).outcomes if o.sli == "decision_latency"]
    assert again.value_ms == 100 and again.good is True


def test_closed_windows_go_to_cx_slo_and_stragglers_to_cx_late(tmp_path, definitions, catalogue):
    worker = make_worker(tmp_path, definitions, catalogue)
    c = Conv("c1")
    later = Conv("c2", start=c.at(2 * 3600))  # moves the watermark: c1 closes, its windows too
    feed(worker, [*c.bot_resolved(csat=None), later.started(), c.outcome(4 * 3600, resolved_by="bot", csat=5)])
    topics = [topic for topic, _, _ in worker.outbox]
    windows = [decode_as(v, SloWindow) for t, _, v in worker.outbox if t == SLO.name]
    assert topics.count(LATE.name) == 1  # the CSAT hours after the conversation closed
    # c1: fcr_bot and contained (unrated resolution counts as good); c2 never ends: abandoned 1 h
    # after its start
    assert {(w.sli, w.good, w.total) for w in windows if w.window_ms == 60_000} == {
        ("fcr_bot", 1.0, 1.0), ("fcr_bot", 0.0, 1.0), ("containment_quality", 1.0, 1.0),
        ("containment_quality", 0.0, 1.0)}
    assert worker.registry.get_sample_value(
        "loopline_late_events_total", {"worker": "slo", "topic": INTERACTIONS.name}) == 1.0


def test_a_restored_snapshot_continues_exactly_like_the_original(tmp_path, definitions, catalogue):
    conversations = [Conv(f"c{i}", start=Conv("x").at(i * 50)) for i in range(6)]
    events = sorted((e for i, c in enumerate(conversations) for e in c.bot_resolved(csat=4 + i % 2)),
                    key=lambda e: e.time)
    half = len(events) // 2
    original = SloProcessor(definitions, catalogue, shard="p0")
    for event in events[:half]:
        original.on_event(event)
    restored = SloProcessor(definitions, catalogue, shard="p0")
    restored.restore(original.snapshot())
    # a replay from before the snapshot changes nothing (already applied), then both go on alike
    assert all(not restored.on_event(e).outcomes for e in events[:half])
    rest = [(original.on_event(e), restored.on_event(e)) for e in events[half:]]
    assert [a.windows for a, _ in rest] == [b.windows for _, b in rest]
    assert original.flush().windows == restored.flush().windows


def test_snapshots_survive_a_new_worker_in_the_same_state_dir(tmp_path, definitions, catalogue):
    first = make_worker(tmp_path, definitions, catalogue)
    c = Conv("c1")
    feed(first, [c.started(), c.detected()], partition=3)
    assert first.shards.save() == 1
    second = make_worker(tmp_path, definitions, catalogue)
    core = second.shards.get(3)
    assert core.knows("c1") and core.watermark == c.at(1)
