"""Decoding and validation of the event contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec
import pytest

from pipelines.sources.simulator import Simulation, SimulationConfig
from topics import events as ev
from topics.codec import decode_event, encode
from topics.exceptions import EventValidationError

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _intent_event(**data_changes: object) -> dict:
    event = ev.IntentDetectedEvent.build(
        id="evt-1", conversation_id="conv-1", time=T0,
        data=ev.IntentDetected(intent="billing_dispute", confidence=0.7, model_version="m1"),
    )
    doc = json.loads(encode(event))
    doc["data"].update(data_changes)
    return doc


def test_every_event_type_round_trips_with_same_id_subject_and_payload() -> None:
    sim = Simulation(SimulationConfig(conversations=200, seed=3))
    seen: set[str] = set()
    for record in sim.records():
        event = decode_event(record.value)
        assert encode(event) == record.value  # re-encoding is byte-identical: nothing lost or added
        assert event.subject == record.key
        seen.add(event.TYPE)
    assert seen == set(ev.EVENT_TYPES)


def test_error_names_event_id_field_and_bad_value() -> None:
    doc = _intent_event(confidence=1.7)
    with pytest.raises(EventValidationError) as caught:
        decode_event(json.dumps(doc))
    error = caught.value
    assert (error.event_id, error.field, error.value) == ("evt-1", "data.confidence", 1.7)
    assert "evt-1" in str(error) and "data.confidence" in str(error) and "1.7" in str(error)


def test_wrong_type_in_nested_list_names_index() -> None:
    doc = _intent_event(alternatives=[{"intent": "refund_request", "confidence": "high"}])
    with pytest.raises(EventValidationError) as caught:
        decode_event(json.dumps(doc))
    assert caught.value.field == "data.alternatives.0.confidence"
    assert caught.value.value == "high"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("time"), "time"),
        (lambda d: d.update(time="2026-01-05T09:30:00"), "time"),  # naive: timezone required
        (lambda d: d.update(type="cx.intent.guessed"), "type"),
        (lambda d: d.update(specversion="0.3"), "specversion"),
        (lambda d: d.update(subject=""), "subject"),
        (lambda d: d["data"].pop("intent"), "data.intent"),
        (lambda d: d.update(dataschema="urn:loopline:schema:cx.intent.detected:v9"), "dataschema"),
    ],
)
def test_contract_violations_are_rejected_with_the_field(mutate, field) -> None:  # type: ignore[no-untyped-def]
    doc = _intent_event()
    mutate(doc)
    with pytest.raises(EventValidationError) as caught:
        decode_event(json.dumps(doc).encode())
    assert caught.value.field == field


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"type": 5}'])
def test_garbage_is_a_validation_error_never_a_crash(raw: bytes) -> None:
    with pytest.raises(EventValidationError):
        decode_event(raw)


def test_unknown_extension_attributes_are_tolerated() -> None:
    """CloudEvents allows extension attributes; a consumer must not reject them."""
    doc = _intent_event()
    doc["traceparent"] = "00-abc-def-01"
    assert decode_event(json.dumps(doc)).id == "evt-1"


def test_event_time_is_timezone_aware_utc() -> None:
    event = decode_event(json.dumps(_intent_event()))
    assert event.time == T0 and event.time.tzinfo is not None


def test_encoded_envelope_carries_cloudevents_attributes() -> None:
    doc = msgspec.json.decode(encode(decode_event(json.dumps(_intent_event()))))
    assert {k: doc[k] for k in ("specversion", "type", "datacontenttype", "subject")} == {
        "specversion": "1.0", "type": "cx.intent.detected", "datacontenttype": "application/json",
        "subject": "conv-1",
    }
