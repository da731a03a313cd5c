"""Property-based fuzzing (hypothesis) of every input loopline parses: event decoding and the edge
guard, policy / intent catalogue / SLO definition loading, PII detection and masking.

The budget is bounded so `make test` stays fast (``LOOPLINE_FUZZ_EXAMPLES``, default 150 per
property); `make fuzz` raises it and adds the coverage-guided atheris harness.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from fuzz_targets import (
    CATALOGUE_DOC,
    JUNK,
    POLICY_DOC,
    SEED_EVENT,
    SLO_DOC,
    check_catalogue,
    check_decode_event,
    check_definitions,
    check_edge_guard,
    check_masking,
    check_policy,
    mutate,
    paths,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("LOOPLINE_FUZZ_EXAMPLES", "150"))
budget = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("LOOPLINE_FUZZ_RANDOM") != "1",
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
awkward_strings = st.sampled_from([
    "cx.unknown.event", "cx.message.received", "urn:loopline:schema:cx.message.received:v2",
    "urn:loopline:schema:cx.message.received:v99", "2026-01-01T00:00:00", "2026-13-45T99:99:99Z", "robot",
    "x" * 70_000, "\u202e\u0000", "NaN",
])
values = json_values | awkward_strings
SEED_DOC: Any = json.loads(SEED_EVENT)


def _mutated(doc: Any, data: st.DataObject, pool: st.SearchStrategy[Any]) -> Any:
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(paths(doc)), label="path")
        op = data.draw(st.sampled_from(["replace", "delete", "extra"]), label="op")
        doc = mutate(doc, path, op, data.draw(pool, label="value"))
    return doc


# --- bytes on the wire -------------------------------------------------------------------------
@budget
@given(st.binary(max_size=2_000))
def test_any_bytes_decode_to_an_event_or_a_clear_error(raw: bytes) -> None:
    check_decode_event(raw)
    check_edge_guard(raw)


@budget
@given(st.data())
def test_mutated_events_decode_or_dead_letter(data: st.DataObject) -> None:
    """Wrong types, missing and extra fields, unknown types and versions, huge and nested values."""
    raw = json.dumps(_mutated(SEED_DOC, data, values)).encode()
    check_decode_event(raw)
    check_edge_guard(raw)


@budget
@given(st.integers(0, len(SEED_EVENT)), st.binary(max_size=8).map(lambda b: bytes(c & 0x7F for c in b)),
       st.integers(0, len(SEED_EVENT)))
def test_truncated_and_corrupted_bytes(cut: int, garbage: bytes, at: int) -> None:
    """Truncated JSON, and stray bytes spliced anywhere into a valid event (ASCII: invalid UTF-8
    inside a string is the known finding below)."""
    check_edge_guard(SEED_EVENT[:cut])
    check_edge_guard(SEED_EVENT[:at] + garbage + SEED_EVENT[at:])


@budget
@given(st.binary(min_size=1, max_size=8).map(lambda b: bytes(0x80 | c for c in b)),
       st.integers(0, len(SEED_EVENT)))
def test_invalid_utf8_between_tokens_is_dead_lettered(garbage: bytes, at: int) -> None:
    """Bytes that are never valid UTF-8 (0x80-0xFF lead/continuation bytes) spliced into a valid
    event: a dead letter, except inside a JSON string (next test)."""
    raw = SEED_EVENT[:at] + garbage + SEED_EVENT[at:]
    if SEED_EVENT[:at].count(b'"') % 2 == 0:  # outside a string
        check_edge_guard(raw)


#: Crashes the fuzzers found in topics/codec.py, now fixed: msgspec raised UnicodeDecodeError
#: (invalid UTF-8 inside a JSON string) and RecursionError (nesting deeper than its limit) past the
#: DecodeError handler, so EdgeGuard.decode raised instead of dead-lettering. Regression cases.
CODEC_FINDINGS = {
    "invalid-utf8-in-string": SEED_EVENT.replace(b'"text":"', b'"text":"\x80', 1),
    "deep-nesting": b'{"data":' * 5_000 + b"1" + b"}" * 5_000,
}


@pytest.mark.parametrize("name", sorted(CODEC_FINDINGS))
def test_codec_findings_become_dead_letters(name: str) -> None:
    check_edge_guard(CODEC_FINDINGS[name])


def test_the_seed_event_is_valid_and_known_bad_records_are_dead_lettered() -> None:
    """The fuzzers start from a valid event; classic poison pills each become one dead letter."""
    check_decode_event(SEED_EVENT)
    for poison in (b"", b"\xff\xfe", b"null", b"[]", b"{", b'{"type":"cx.message.received"}',
                   b'{"data":' * 50 + b"1" + b"}" * 50, SEED_EVENT.replace(b'"role":"customer"', b'"role":7')):
        check_edge_guard(poison)


# --- policies as data ----------------------------------------------------------------------------
@budget
@given(st.data())
def test_mutated_policy_is_accepted_or_refused_with_a_clear_error(data: st.DataObject) -> None:
    check_policy(_mutated(POLICY_DOC, data, st.sampled_from(JUNK) | values))


@budget
@given(st.data())
def test_mutated_catalogue_is_accepted_or_refused_with_a_clear_error(data: st.DataObject) -> None:
    check_catalogue(_mutated(CATALOGUE_DOC, data, st.sampled_from(JUNK) | values))


@budget
@given(st.data())
def test_mutated_slo_definitions_are_accepted_or_refused_with_a_clear_error(data: st.DataObject) -> None:
    check_definitions(_mutated(SLO_DOC, data, st.sampled_from(JUNK) | values))


@budget
@given(st.sampled_from(JUNK) | json_values)
def test_any_document_root_is_refused_cleanly(doc: Any) -> None:
    check_policy(doc)
    check_catalogue(doc)
    check_definitions(doc)


# --- PII detection and masking -------------------------------------------------------------------
pii_alphabet = st.sampled_from(list("0123456789 -+().@_/:#abcdefxyzDEVAZ\u00e9\u0131\u0130\u00df\u202e\n"))


@budget
@given(st.text(max_size=300) | st.text(pii_alphabet, max_size=300))
def test_masking_never_raises_and_spans_are_in_bounds(text: str) -> None:
    check_masking(text)


@budget
@given(st.lists(st.sampled_from([
    "my card is 4111 1111 1111 1111", "call me on +44 20 7946 0958", "ann.lee@example.org", "DE89370400440532013000",
    "four one one one", "SSN 078-05-1120", "I live at 221B Baker Street", "my name is Ann Lee", "\u0130\u0131", " ",
]), max_size=6), st.text(max_size=20))
def test_masking_of_pii_mixtures(parts: list[str], glue: str) -> None:
    check_masking(glue.join(parts))
