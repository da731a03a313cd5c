"""The contract on a real broker: provisioning, round trip, dead letters, and an outside client."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from confluent_kafka import Producer

from pipelines.contract_check import check_stream
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import admin_client, describe_cleanup_policy, provision
from topics.codec import decode_as, decode_event
from topics.outputs import DeadLetter
from topics.reader import end_offsets, log_ends, read_topic
from topics.specs import ALL_TOPICS, DEADLETTER, INTERACTIONS, POLICIES, TopicSpec

pytestmark = pytest.mark.integration


def test_provisioning_is_idempotent_and_applies_the_specs(broker: str, topic_factory: Callable[..., TopicSpec]) -> None:
    specs = [topic_factory(spec, partitions=spec.partitions) for spec in (INTERACTIONS, POLICIES)]
    again = provision(broker, specs)
    assert [s.status for s in again] == ["exists", "exists"]
    assert [s.partitions for s in again] == [INTERACTIONS.partitions, POLICIES.partitions]
    admin = admin_client(broker)
    assert describe_cleanup_policy(admin, specs[1].name) == "compact"
    assert describe_cleanup_policy(admin, specs[0].name) == "delete"


def test_provisioning_all_topics_twice(broker: str) -> None:
    first = provision(broker)
    second = provision(broker)
    assert {s.name for s in first} == {s.name for s in ALL_TOPICS}
    assert all(s.status == "exists" for s in second)


def test_event_round_trips_with_same_id_and_key(broker: str, topic_factory: Callable[..., TopicSpec]) -> None:
    topic = topic_factory(INTERACTIONS)
    sim = Simulation(SimulationConfig(conversations=5, seed=21, late_share=0.0))
    records = list(sim.records())
    publish(records, bootstrap_servers=broker, topic=topic.name)
    got = {}
    for message in read_topic(broker, topic.name):
        event = decode_event(message.value or b"")
        got[event.id] = (message.key, message.value)
    assert len(got) == len(records)
    for record in records:
        key, value = got[decode_event(record.value).id]
        assert key == record.key.encode() and value == record.value
    # one conversation stays on one partition, in order
    partitions: dict[bytes, set[int]] = {}
    for message in read_topic(broker, topic.name):
        partitions.setdefault(message.key or b"", set()).add(message.partition)
    assert all(len(p) == 1 for p in partitions.values())


def test_malformed_record_lands_in_deadletter_with_reason_and_location(broker: str, topic_factory: Callable[..., TopicSpec]) -> None:
    topic = topic_factory(INTERACTIONS, partitions=1)
    provision(broker, [DEADLETTER])
    sim = Simulation(SimulationConfig(conversations=3, seed=2, late_share=0.0))
    good = list(sim.records())
    producer = Producer({"bootstrap.servers": broker})
    producer.produce(topic.name, key=b"conv-x", value=b'{"id":"evt-bad-7","type":"cx.message.received","source":"s",'
                     b'"time":"2026-01-01T00:00:00Z","subject":"conv-x","dataschema":"urn:loopline:schema:cx.message.received:v1",'
                     b'"data":{"role":"robot","text":"hi"}}')
    producer.produce(topic.name, key=b"conv-y", value=b"{not json")
    for record in good:
        producer.produce(topic.name, key=record.key.encode(), value=record.value)
    producer.flush(10)
    result = check_stream(broker, topic.name, worker="test-check")
    assert sum(result.events_by_type.values()) == len(good)
    assert result.dead_lettered == 2
    letters = [decode_as(m.value or b"", DeadLetter) for m in read_topic(broker, DEADLETTER.name)]
    mine = {letter.event_id: letter for letter in letters if letter.source_topic == topic.name}
    role = mine["evt-bad-7"]
    assert role.field == "data.role" and "'robot'" in role.reason
    assert (role.partition, role.offset, role.worker, role.key) == (0, 0, "test-check", "conv-x")
    assert json.loads(role.raw())["id"] == "evt-bad-7"  # raw bytes kept for repair and replay
    garbage = mine[None]
    assert garbage.field == "<record>" and "not valid JSON" in garbage.reason and garbage.raw() == b"{not json"


def test_kcat_lists_topics_and_reads_events(broker: str, kcat, topic_factory: Callable[..., TopicSpec]) -> None:  # type: ignore[no-untyped-def]
    topic = topic_factory(INTERACTIONS, partitions=2)
    records = list(Simulation(SimulationConfig(conversations=4, seed=6, late_share=0.0)).records())
    publish(records, bootstrap_servers=broker, topic=topic.name)
    listing = kcat("-b", broker, "-L")
    assert listing.returncode == 0, listing.stderr
    assert f'topic "{topic.name}" with 2 partitions' in listing.stdout
    consumed = kcat("-b", broker, "-C", "-t", topic.name, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n")
    assert consumed.returncode == 0, consumed.stderr
    lines = [line.split("\t", 1) for line in consumed.stdout.splitlines() if line]
    assert len(lines) == len(records)
    for key, value in lines:
        event = json.loads(value)
        assert event["specversion"] == "1.0" and event["subject"] == key
    assert {json.loads(v)["id"] for _, v in lines} == {json.loads(r.value)["id"] for r in records}


def test_log_ends_finds_the_records_past_a_batched_watermark(broker: str, topic_factory: Callable[..., TopicSpec]) -> None:
    """Faust's table recovery reads each changelog up to the watermark the app's consumer reports
    (pipelines/app.py); on the embedded broker the raw one stops at the last batch's first record."""
    spec = topic_factory(partitions=2)
    producer = Producer({"bootstrap.servers": broker, "linger.ms": 200})
    for partition, count in ((0, 25), (1, 1)):
        for i in range(count):
            producer.produce(spec.name, key=b"k", value=str(i).encode(), partition=partition)
    assert producer.flush(30) == 0
    reported = {(spec.name, p): end for p, end in end_offsets(broker, spec.name).items()}
    ends = log_ends(broker, reported)
    assert ends == {(spec.name, 0): 25, (spec.name, 1): 1}, reported
    assert log_ends(broker, ends) == ends, "a right watermark is kept as it is"
    assert log_ends(broker, {(spec.name, 0): 0}) == {(spec.name, 0): 0}, "an empty partition is not read"
