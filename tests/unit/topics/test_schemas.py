"""`loopline topics schemas`: JSON Schemas that accept the simulator's events and reject mutated
ones, and an AsyncAPI 3.0 document describing every topic."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from loopline.cli import _build
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.events import EVENT_CLASSES
from topics.schemas import ASYNCAPI_FILE, schema_file_name
from topics.specs import ALL_TOPICS


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(_build(), ["topics", "schemas", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _validator(schema_dir: Path, cls: type) -> jsonschema.protocols.Validator:
    schema = json.loads((schema_dir / schema_file_name(cls)).read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    return validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)


def test_each_schema_accepts_the_simulators_events_of_its_type(schema_dir: Path) -> None:
    validators = {cls.TYPE: _validator(schema_dir, cls) for cls in EVENT_CLASSES}
    checked = {t: 0 for t in validators}
    for record in Simulation(SimulationConfig(conversations=150, seed=11)).records():
        doc = json.loads(record.value)
        validators[doc["type"]].validate(doc)
        checked[doc["type"]] += 1
    assert all(checked.values()), checked


MUTATIONS = [
    ("missing id", lambda d: d.pop("id")),
    ("unknown type", lambda d: d.update(type="cx.nope")),
    ("wrong specversion", lambda d: d.update(specversion="0.3")),
    ("subject not a string", lambda d: d.update(subject=42)),
    ("time not a date-time", lambda d: d.update(time="yesterday")),
    ("data not an object", lambda d: d.update(data="x")),
]


@pytest.mark.parametrize(("name", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_schema_rejects_a_mutated_event(schema_dir: Path, name: str, mutate) -> None:  # type: ignore[no-untyped-def]
    validators = {cls.TYPE: _validator(schema_dir, cls) for cls in EVENT_CLASSES}
    seen: set[str] = set()
    for record in Simulation(SimulationConfig(conversations=150, seed=11)).records():
        doc = json.loads(record.value)
        if doc["type"] in seen:
            continue
        seen.add(doc["type"])
        validator = validators[doc["type"]]
        mutate(doc)
        assert not validator.is_valid(doc), f"{name} accepted for {record.value[:60]!r}"
    assert len(seen) == len(EVENT_CLASSES)


def test_payload_constraints_are_in_the_schema(schema_dir: Path) -> None:
    from topics.events import IntentDetectedEvent

    validator = _validator(schema_dir, IntentDetectedEvent)
    doc = {"type": "cx.intent.detected", "id": "e", "source": "s", "time": "2026-01-01T00:00:00Z",
           "subject": "c", "dataschema": "urn:loopline:schema:cx.intent.detected:v1",
           "data": {"intent": "refund_request", "confidence": 0.5, "model_version": "m"}}
    validator.validate(doc)
    doc["data"]["confidence"] = 1.5
    assert not validator.is_valid(doc)


def test_asyncapi_describes_every_topic_with_key_config_and_messages(schema_dir: Path) -> None:
    doc = json.loads((schema_dir / ASYNCAPI_FILE).read_text())
    assert doc["asyncapi"] == "3.0.0"
    channels = {c["address"]: c for c in doc["channels"].values()}
    assert set(channels) == {spec.name for spec in ALL_TOPICS}
    for spec in ALL_TOPICS:
        channel = channels[spec.name]
        binding = channel["bindings"]["kafka"]
        assert binding["partitions"] == spec.partitions
        assert binding["topicConfiguration"]["cleanup.policy"] == [spec.cleanup_policy]
        assert len(channel["messages"]) == len(spec.messages)
        for ref in channel["messages"].values():
            message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            assert message["bindings"]["kafka"]["key"]["description"] == spec.key
            schema_name = message["payload"]["$ref"].rsplit("/", 1)[1]
            assert schema_name in doc["components"]["schemas"]
    assert channels["cx.policies.v1"]["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["compact"]
    # every $ref resolves inside the document
    text = json.dumps(doc)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/')[1:]}:
        node = doc
        for key in ref.split("/"):
            node = node[key]
