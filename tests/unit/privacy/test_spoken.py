"""Voice transcripts: spoken numbers are detected and offsets map back to the spoken words."""

from __future__ import annotations

import pytest

from privacy import detect
from privacy.spoken import normalise


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("four five three two", "4532"),
        ("double five oh nine", "5509"),
        ("triple seven", "777"),
        ("forty-five thirty two", "4532"),
        ("nineteen eighty five", "1985"),
        ("4 5 three two", "4532"),
        ("five hundred", "500"),
    ],
)
def test_normalise_digits(text: str, digits: str) -> None:
    assert normalise(text).text == digits


def test_identity_without_number_words() -> None:
    n = normalise("nothing to see here")
    assert n.text == "nothing to see here" and n.starts is None


def test_spoken_card_maps_to_original_words() -> None:
    text = "yeah it's four one one one, one one one one, one one one one, one one one one okay"
    spans = detect(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [
        ("CREDIT_CARD", "four one one one, one one one one, one one one one, one one one one")
    ]


def test_spoken_phone_with_oh_and_double() -> None:
    text = "call me on two one two, five five five, oh one double four three"
    spans = detect(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [
        ("PHONE", "two one two, five five five, oh one double four three")
    ]


def test_spoken_ssn_with_context() -> None:
    text = "my social security number is five three one, two one, seven three five one"
    assert [(s.kind, text[s.start : s.end]) for s in detect(text)] == [
        ("US_SSN", "five three one, two one, seven three five one")
    ]


def test_short_spoken_numbers_stay_readable() -> None:
    assert detect("I need one of those for two people at six thirty") == []
