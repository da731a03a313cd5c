"""Fuzz targets shared by the hypothesis properties (``test_*.py`` here, bounded, part of `make
test`) and the coverage-guided atheris harness (``atheris_fuzz.py``, `make fuzz`).

Each ``check_*`` feeds one input to one entry point and asserts its contract: the input becomes a
value or the package's own clear error (never another exception), and whatever comes out is sane.
A crash is any other exception, or a failed assertion.
"""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

import yaml

from pipelines.catalogue import load_catalogue, parse_catalogue
from pipelines.edge import EdgeGuard
from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.policy import parse_policy
from pipelines.exceptions import CatalogueError
from pipelines.slo.definitions import parse_definitions
from pipelines.slo.exceptions import SloDefinitionError
from privacy.accel import pure_python
from privacy.detect import detect
from privacy.keys import MaskingKey
from privacy.masking import Masker
from topics.codec import decode_as, decode_event, encode
from topics.exceptions import EventValidationError
from topics.outputs import DeadLetter

POLICIES = Path(__file__).resolve().parents[2] / "policies"
POLICY_DOC: Any = yaml.safe_load((POLICIES / "policy-v1.yaml").read_text(encoding="utf-8"))
CATALOGUE_DOC: Any = yaml.safe_load((POLICIES / "intents.yaml").read_text(encoding="utf-8"))
SLO_DOC: Any = yaml.safe_load((POLICIES / "slos.yaml").read_text(encoding="utf-8"))
CATALOGUE = load_catalogue()
MASKER = Masker.for_destination("lake", key=MaskingKey.from_env({}, dev_mode=True))

#: A valid event to mutate (bytes-level fuzzing starts from the contract, not from noise).
SEED_EVENT = (
    b'{"type":"cx.message.received","id":"e1","source":"urn:loopline:simulator","subject":"c1",'
    b'"time":"2026-01-01T00:00:00Z","dataschema":"urn:loopline:schema:cx.message.received:v1",'
    b'"specversion":"1.0","datacontenttype":"application/json",'
    b'"data":{"role":"customer","text":"I want to talk to a person, my card 4111 1111 1111 1111"}}'
)


# --- event decoding and the edge -----------------------------------------------------------------
def check_decode_event(raw: bytes) -> None:
    try:
        event = decode_event(raw)
    except EventValidationError as exc:
        assert str(exc) and exc.field, f"unclear error for {raw[:80]!r}: {exc!r}"
        return
    again = decode_event(encode(event))  # what we accept, we can write and read back
    assert again == event


def check_edge_guard(raw: bytes) -> None:
    """Any bytes: an event, or exactly one dead letter that carries the bytes and names a field."""
    sent: list[tuple[str, bytes, bytes]] = []
    guard = EdgeGuard("fuzz", lambda topic, key, value: sent.append((topic, key, value)))
    event = guard.decode(raw, topic="cx.interactions.v1", partition=0, offset=7, key=b"k")
    if event is not None:
        assert not sent
        return
    assert len(sent) == 1, f"{len(sent)} dead letters for one bad record"
    letter = decode_as(sent[0][2], DeadLetter)
    assert base64.b64decode(letter.raw_b64) == raw and letter.field and letter.reason
    assert (letter.source_topic, letter.partition, letter.offset) == ("cx.interactions.v1", 0, 7)


# --- policies as data ----------------------------------------------------------------------------
def check_policy(doc: Any) -> None:
    try:
        parse_policy(doc, source="fuzz", catalogue=CATALOGUE)
    except PolicyError as exc:
        assert str(exc).strip(), "empty policy error"


def check_catalogue(doc: Any) -> None:
    try:
        catalogue = parse_catalogue(doc, source="fuzz")
    except CatalogueError as exc:
        assert str(exc).strip(), "empty catalogue error"
        return
    for name in catalogue.names_in_tier(0) + catalogue.names_in_tier(3):
        assert 0 <= catalogue[name].tier <= 3


def check_definitions(doc: Any) -> None:
    try:
        parse_definitions(doc, source="fuzz")
    except SloDefinitionError as exc:
        assert str(exc).strip(), "empty SLO definitions error"


# --- PII detection and masking -------------------------------------------------------------------
def check_masking(text: str) -> None:
    """Never raises on any str; spans in bounds, ordered, non-overlapping; masking removes them."""
    spans = detect(text)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text), (
            f"span {span} out of bounds (len {len(text)})"
        )
        assert span.start >= previous_end, f"spans overlap or are unordered: {spans}"
        previous_end = span.end
    result = MASKER.mask(text)
    assert result.spans == spans
    assert isinstance(result.text, str)
    if text.isascii():  # the compiled twins handle ASCII texts: they must agree with Python
        with pure_python():
            reference = detect(text)
        assert spans == reference, f"compiled {spans} != python {reference}"


# --- structure mutation (driven by bytes, so atheris can steer it) -------------------------------
def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"k": [value]}
    return value


JUNK: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(2**70),
    0.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x" * 100_000,
    "\u0000\ud800",
    "v1.0",
    "automate",
    [],
    {},
    [None],
    {"": None},
    {"extra": 1},
    [[[[]]]],
    _deep(60),
    b"bytes",
    ["a", 1, None],
    {"min": 2.0, "max": -1.0},
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a YAML-like document (the root is ``()``)."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += paths(value, (*prefix, index))
    return found


def mutate(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    """A copy of ``doc`` with the node at ``path`` replaced, deleted, or given an extra field."""
    doc = copy.deepcopy(doc)
    if not path:
        return value if op == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "extra" and isinstance(parent[last], dict):
        parent[last]["unexpected_field"] = value
    else:
        parent[last] = value
    return doc


def mutate_from_bytes(doc: Any, data: bytes) -> Any:
    """Up to four mutations chosen by the bytes (each byte pair: path, op and junk value)."""
    for i in range(0, min(len(data), 12), 3):
        chunk = data[i : i + 3].ljust(3, b"\0")
        candidates = paths(doc)
        path = candidates[int.from_bytes(chunk[:2], "big") % len(candidates)]
        op = ("replace", "delete", "extra")[chunk[2] % 3]
        doc = mutate(doc, path, op, JUNK[chunk[2] % len(JUNK)])
    return doc
