"""Two precision fixes: addresses that identify no machine stay readable in logs, and ordinary
English words that happen to be names ("branch") are not PERSON without context."""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path

import pytest

from privacy import detect_many
from privacy.keys import MaskingKey
from privacy.logfilter import PiiLogFilter
from privacy.masking import Masker
from privacy.wordlists import first_names, last_names, ordinary_names

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "dev"


def _log_line(message: str) -> str:
    record = logging.LogRecord("worker", logging.INFO, __file__, 1, message, None, None)
    PiiLogFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "line",
    [
        "metrics on http://127.0.0.1:39233/metrics",  # loopback
        "listening on 0.0.0.0:8080",  # unspecified
        "peer at 169.254.10.20 went away",  # link-local
        "bound to fe80::1ff:fe23:4567:890a",  # IPv6 link-local
        "example host 192.0.2.44 in the runbook",  # documentation range (RFC 5737)
        "broker on localhost:9092 and ::1",  # names and short forms: never detected
    ],
)
def test_log_filter_keeps_addresses_that_identify_no_machine(line: str) -> None:
    assert _log_line(line) == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("request from 10.1.2.3", "request from <IP_ADDRESS>"),  # private range: a customer LAN
        ("request from 192.168.0.17", "request from <IP_ADDRESS>"),
        ("client 8.8.4.4 timed out", "client <IP_ADDRESS> timed out"),  # public
        ("customer mail ann@example.org on 127.0.0.1", "customer mail <EMAIL> on 127.0.0.1"),
    ],
)
def test_log_filter_still_masks_private_and_public_addresses(line: str, expected: str) -> None:
    assert _log_line(line) == expected


def test_customer_text_destinations_mask_every_address() -> None:
    key = MaskingKey(b"\x03" * 32, source="test")
    text = "my router says 127.0.0.1"
    for destination in ("lake", "escalation", "vector"):
        masked = Masker.for_destination(destination, key=key).mask(text).text
        assert "127.0.0.1" not in masked, destination


@pytest.mark.parametrize(
    "text",
    [
        "where is the nearest branch",
        "Where is the nearest branch?",
        "Branch is closed today",  # capitalised only because the sentence starts with it
        "I want to mark this as spam",
        "Will it arrive tomorrow?",
        "Rose prices went up",
    ],
)
def test_ordinary_words_are_not_person(text: str) -> None:
    assert [s for s in detect_many([text])[0] if s.kind == "PERSON"] == [], text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Rose said the card never arrived", "Rose"),  # a verb only a person does
        ("Rose Miller called yesterday", "Rose Miller"),  # a known surname follows
        ("Mark, can you check my balance", "Mark"),  # a comma of address
        ("I spoke to Mark yesterday", "Mark"),  # capitalised in mid sentence
        ("call me mark", "mark"),  # a name cue
        ("my name is rose", "rose"),
        ("text samantha that I'm late", "samantha"),  # a first name that is no English word
        ("text maria that I'm late", "maria"),  # a word too, but one of the commonest names
    ],
)
def test_names_that_are_words_still_count_with_context(text: str, name: str) -> None:
    spans = [s for s in detect_many([text])[0] if s.kind == "PERSON"]
    assert [text[s.start : s.end] for s in spans] == [name]


def test_ordinary_names_list_holds_words_not_only_names() -> None:
    words = ordinary_names()
    assert {"branch", "rose", "sue", "grace"} <= words
    # names that are no English word, and the most popular first names that are one too
    assert not {"samantha", "jessica", "mark", "maria", "peter"} & words
    assert words <= first_names() | last_names()  # only names need the list
    assert all(w.islower() and w.isalpha() for w in words)


def test_share_of_ordinary_utterances_with_a_person_span() -> None:
    """Banking77 + CLINC150 utterances are ordinary requests; the PERSON spans left are mostly
    real first names in CLINC ("call me bailey", "text samantha"). Measured on all 33,703:
    2.10 % (707) before the fix, 1.70 % (574) after; Banking77 alone 0.32 % -> 0.21 %."""
    with (DATA / "banking77_train.csv").open(newline="", encoding="utf-8") as f:
        banking = [row["text"] for row in csv.DictReader(f)]
    clinc = json.loads((DATA / "clinc150_data_full.json").read_text())
    texts = banking + [t for split in clinc.values() for t, _intent in split]
    found = detect_many(texts)
    has_person = [any(s.kind == "PERSON" for s in spans) for spans in found]
    assert sum(has_person) / len(texts) <= 0.0175, sum(has_person)
    assert sum(has_person[: len(banking)]) / len(banking) <= 0.0025, sum(has_person[: len(banking)])
    lowered = [
        t
        for t, spans in zip(texts, found, strict=True)
        for s in spans
        if s.kind == "PERSON" and t[s.start : s.end] in ordinary_names()
    ]
    # a lowercase ordinary word is a name only after a cue or title ("text sue", "dr lee")
    assert all(_CUE.search(t) for t in lowered), [t for t in lowered if not _CUE.search(t)]


_CUE = re.compile(
    r"\b(?:name|call|called|text|message|tell|ask|email|speak|this is|i am|i'm|named|dr|mr|mrs|ms)\b",
    re.I,
)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Zork \n12 Baker Street", "12 Baker Street"),  # a word on the line above stays out …
        ("at 7 \n12 Baker Street", "12 Baker Street"),  # … whole, not from its second character
        ("Ship to Flat 4, 221 Baker Street", "Flat 4, 221 Baker Street"),
        ("it is 7 Baker Street", "7 Baker Street"),
    ],
)
def test_an_address_is_never_extended_into_part_of_a_word(text: str, address: str) -> None:
    from privacy.detect import detect

    found = [text[s.start : s.end] for s in detect(text) if s.kind == "ADDRESS"]
    assert found == [address]
