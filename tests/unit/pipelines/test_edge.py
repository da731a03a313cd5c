"""The edge guard: every consumed record becomes an event or exactly one dead letter, never an
exception in the worker."""

from __future__ import annotations

from pipelines.edge import EdgeGuard
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.codec import decode_as
from topics.outputs import DeadLetter
from topics.specs import DEADLETTER


def _guard() -> tuple[EdgeGuard, list[tuple[str, bytes, bytes]]]:
    sent: list[tuple[str, bytes, bytes]] = []
    return EdgeGuard("test-worker", lambda topic, key, value: sent.append((topic, key, value))), sent


def test_valid_record_is_an_event_and_sends_nothing() -> None:
    guard, sent = _guard()
    record = next(iter(Simulation(SimulationConfig(conversations=1, seed=1)).records()))
    event = guard.decode(record.value, topic="cx.interactions.v1", partition=2, offset=7, key=b"k")
    assert event is not None and event.subject == record.key
    assert sent == []


def test_malformed_record_becomes_one_dead_letter_naming_field_and_location() -> None:
    guard, sent = _guard()
    assert guard.decode(b'{"id": "e1", "type": "cx.nope"}', topic="cx.interactions.v1", partition=2,
                        offset=7, key=b"conv-1") is None
    (topic, key, value), = sent
    letter = decode_as(value, DeadLetter)
    assert topic == DEADLETTER.name and key == letter.dead_letter_id.encode()
    assert (letter.field, letter.event_id, letter.partition, letter.offset, letter.key) == ("type", "e1", 2, 7, "conv-1")
    assert guard.dead_lettered == {"type": 1}


def test_a_record_whose_processing_raised_is_dead_lettered_with_the_error() -> None:
    guard, sent = _guard()
    letter = guard.processing_failed(b'{"id":"e2"}', KeyError("state"), topic="cx.interactions.v1", partition=0,
                                     offset=3, key=None)
    assert letter.field == "<processing>" and "KeyError" in letter.reason and "state" in letter.reason
    assert letter.raw() == b'{"id":"e2"}' and len(sent) == 1
    # the same record failing again (a redelivery) gets the same deterministic id: deduplicated downstream
    again = guard.processing_failed(b'{"id":"e2"}', KeyError("state"), topic="cx.interactions.v1", partition=0,
                                    offset=3, key=None)
    assert again.dead_letter_id == letter.dead_letter_id
