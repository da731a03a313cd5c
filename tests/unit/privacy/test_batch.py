"""The batch path gives, text for text, exactly what the per-text path gives.

- ``detect_many(texts)`` == ``[detect(t) for t in texts]`` on the labelled fixtures, the Presidio
  sample, every Banking77 and CLINC150 utterance (as written, title-cased and upper-cased) and on
  hypothesis-generated batches built from the words and characters the detectors react to;
- the batch quick reject clears a text only when the per-text one does (``cannot_hold_pii``);
- ``Masker.mask_many`` == ``[Masker.mask(t)]``, tokens and ``on_token`` calls included.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy import detect, detect_many
from privacy.batch import may_hold_pii_many
from privacy.keys import MaskingKey
from privacy.masking import Masker
from privacy.prefilter import cannot_hold_pii

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "dev"
BATCH = 500  # the lake sink's order of magnitude


def _corpus() -> list[str]:
    with (DATA / "banking77_train.csv").open(newline="", encoding="utf-8") as f:
        banking = [row["text"] for row in csv.DictReader(f)]
    clinc = json.loads((DATA / "clinc150_data_full.json").read_text())
    texts = banking + [t for split in clinc.values() for t, _intent in split]
    presidio = json.loads((DATA / "presidio_generated_small.json").read_text())
    return texts + [r["full_text"] for r in presidio]


def _batches(texts: list[str]) -> list[list[str]]:
    return [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]


def test_detect_many_equals_detect_on_fixtures_and_dev_corpora(labelled: list[dict]) -> None:
    texts = [r["text"] for r in labelled] + _corpus()
    texts += [t.title() for t in texts[::7]] + [t.upper() for t in texts[::11]]
    mismatched = []
    for batch in _batches(texts):
        for text, spans in zip(batch, detect_many(batch), strict=True):
            if spans != detect(text):
                mismatched.append(text)
    assert mismatched == [], mismatched[:5]


def test_batch_reject_clears_only_what_the_per_text_reject_clears(labelled: list[dict]) -> None:
    texts = [r["text"] for r in labelled] + _corpus()
    texts += [t.title() for t in texts[::5]]
    cleared = 0
    for batch in _batches(texts):
        for text, suspect in zip(batch, may_hold_pii_many(batch), strict=True):
            if not suspect:
                cleared += 1
                assert cannot_hold_pii(text), text
    # and it is no mere "suspect everything": most ordinary utterances are cleared at once
    assert cleared > 0.75 * len(texts)


# pieces the detectors react to: digits and their separators, spoken numbers, names in both
# cases, cue words, titles, street words, birth cues, e-mail and IP shapes, joiners, the batch
# separator's characters, non-ASCII letters
_PIECES = [
    "4111", "1111", "212", "555", "0143", "078-05-1120", "GB82WEST12345698765432", "10.0.0.1",
    "127.0.0.1", "fe80::1", "ann@example.org", "one", "five", "double", "oh", "twenty", "nine",
    "my name is", "call me", "this is", "I'm", "Mr.", "Dr", "Jessica", "jessica", "Solomina",
    "branch", "Branch", "Rose", "said", "Street", "Road", "12", "Apt", "born", "DOB", "d.o.b",
    "account", "order", "sort code", "ssn", "NI number", "AB 12 34 56 C", "dot com", "at",
    "O'Neil", "Anne-Marie", "don't", "haven't", "Visa", "ATM", "é", "İ", "\n", "\x00", " ",
    ", ", ".", "-", "'", "(", ")", "+1", "x", "Union", "the", "nearest", "is",
]  # fmt: skip
_WORDY = st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join)
_RAW = st.lists(st.sampled_from([*"aZ9 .-'@\n\x00é:/,", "Mr", "one", "Ann"]), max_size=30).map(
    "".join
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_WORDY, _RAW), max_size=25))
def test_detect_many_equals_detect_on_generated_batches(texts: list[str]) -> None:
    assert detect_many(texts) == [detect(t) for t in texts]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_WORDY, _RAW), max_size=25))
def test_batch_reject_is_sound_on_generated_batches(texts: list[str]) -> None:
    for text, suspect in zip(texts, may_hold_pii_many(texts), strict=True):
        assert suspect or cannot_hold_pii(text), text


def test_detect_many_handles_empty_and_degenerate_batches() -> None:
    assert detect_many([]) == []
    assert detect_many(["", "", "hi"]) == [[], [], []]
    # a text holding the separator's characters is still read on its own
    text = "call 212-555-0143\n\x00\nor 212-555-0199"
    assert detect_many([text, "ok"]) == [detect(text), []]


def test_mask_many_equals_mask_with_tokens_in_order(labelled: list[dict]) -> None:
    calls: list[tuple[str, str, str]] = []
    key = MaskingKey(b"\x05" * 32, source="test")
    masker = Masker.for_destination("lake", key=key, on_token=lambda *a: calls.append(a))
    texts = [*[r["text"] for r in labelled][:120], "how do I top up?", ""]
    one_by_one = [masker.mask(t) for t in texts]
    per_text_calls, calls[:] = list(calls), []
    assert masker.mask_many(texts) == one_by_one
    assert calls == per_text_calls  # the vault sees the same tokens in the same order


def test_lake_rows_are_the_same_with_the_batch_path(labelled: list[dict]) -> None:
    """The lake sink detects a batch's texts at once and then replaces spans row by row under
    each row's subject; its rows must equal masking text by text."""
    from datetime import UTC, datetime

    from lake.rows import Located, RowBuilder
    from topics.events import MessageReceived, MessageReceivedEvent

    masker = Masker.for_destination("lake", key=MaskingKey(b"\x06" * 32, source="test"))

    class PerText:  # the same masker without its batch path
        def mask(self, text: str):  # type: ignore[no-untyped-def]
            return masker.mask(text)

        def token(self, kind: str, value: str) -> str:
            return masker.token(kind, value)

    texts = [r["text"] for r in labelled] + ["how do I top up?", "where is the nearest branch"]
    events = [
        Located(
            MessageReceivedEvent.build(
                id=f"e{i}",
                conversation_id=f"c{i % 5}",
                time=datetime(2026, 3, 2, 13, tzinfo=UTC),
                data=MessageReceived(role="customer", text=t, turn=1),
            ),
            "cx.interactions.v1",
            0,
            i,
        )
        for i, t in enumerate(texts)
    ]
    batch_rows = RowBuilder(masker).interactions(events).to_pylist()
    assert batch_rows == RowBuilder(PerText()).interactions(events).to_pylist()
    assert sum(1 for r in batch_rows if r["pii_kinds"]) > 200
