"""Per-detector positives and hard negatives; offsets are checked on the original text."""

from __future__ import annotations

import itertools

import pytest

from privacy import detect


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "write to ann.lee+cx@mail.example.co.uk today",
            [("EMAIL", "ann.lee+cx@mail.example.co.uk")],
        ),
        ("it's john dot smith at gmail dot com", [("EMAIL", "john dot smith at gmail dot com")]),
        ("card 4111 1111 1111 1111 please", [("CREDIT_CARD", "4111 1111 1111 1111")]),
        ("amex 3782-822463-10005", [("CREDIT_CARD", "3782-822463-10005")]),
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", [("IBAN", "DE89 3704 0044 0532 0130 00")]),
        ("GB82WEST12345698765432", [("IBAN", "GB82WEST12345698765432")]),
        ("His social security number is 531-21-7351", [("US_SSN", "531-21-7351")]),
        ("my NI number is AB 12 34 56 C", [("UK_NINO", "AB 12 34 56 C")]),
        (
            "blocked from 58.74.121.78 and 2001:db8::8a2e:370:7334",
            [("IP_ADDRESS", "58.74.121.78"), ("IP_ADDRESS", "2001:db8::8a2e:370:7334")],
        ),
        ("call me on (07) 5331 0577?", [("PHONE", "(07) 5331 0577")]),
        ("Desk: 986.291.2294x751", [("PHONE", "986.291.2294x751")]),
        ("+44 20 7946 0958 is my mobile", [("PHONE", "+44 20 7946 0958")]),
        ("I was born on 12 March 1985", [("DATE_OF_BIRTH", "12 March 1985")]),
        ("my order number is AB-778812", [("ORDER_NUMBER", "AB-778812")]),
        ("policy no. 55512345", [("POLICY_NUMBER", "55512345")]),
        ("routing number 021000021", [("BANK_ACCOUNT", "021000021")]),
    ],
)
def test_structured_positives(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I waited 45 minutes and paid $25.99", "short numbers and prices stay readable"),
        ("the meeting is at 10:30 on 12/05", "times and short dates stay readable"),
        ("It's like that since 12/1/1977", "a date without birth context is not a DOB"),
        ("I want two tickets for five thirty", "spoken quantities and times stay readable"),
        ("How do I check my balance on my credit card?", "no entity at all"),
        ("version 1.2.3 of the app", "not an IP address"),
        ("send 3 cards on the road", "number + ordinary words is not an address"),
    ],
)
def test_hard_negatives(text: str, reason: str) -> None:
    assert detect(text) == [], reason


def test_luhn_invalid_card_is_not_a_card_but_still_masked() -> None:
    text = "card 4111 1111 1111 1112"
    spans = detect(text)
    assert [s.kind for s in spans] != ["CREDIT_CARD"]
    # over-masking a number beats leaking it
    assert spans and text[spans[0].start : spans[0].end].replace(" ", "").isdigit()


def test_invalid_iban_checksum_is_not_an_iban() -> None:
    assert "IBAN" not in [s.kind for s in detect("IBAN DE88 3704 0044 0532 0130 00")]


def test_invalid_ssn_area_is_not_an_ssn() -> None:
    assert "US_SSN" not in [s.kind for s in detect("SSN 666-12-3456")]
    assert "US_SSN" not in [s.kind for s in detect("SSN 000-12-3456")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My name is Patricia Jeknić but everyone calls me Lauren", "Patricia Jeknić"),
        ("Please ask Mr. Okonkwo to call me", "Okonkwo"),
        ("this is tracy sukhorukova speaking", "tracy sukhorukova"),
        ("Follow up with Colleen Wiley in 2 months.", "Colleen Wiley"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert ("PERSON", name) in kinds(text)


def test_capitalised_ordinary_words_are_not_names() -> None:
    assert kinds("Can I SPEAK to a Manager about my Visa card?") == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Please ship it to 221 Baker Street, London NW1 6XE by Friday",
            "221 Baker Street, London NW1 6XE",
        ),
        ("The bus station is on Ziegelgasse 26", "Ziegelgasse 26"),
        ("Shelby lives at 87 Jakobi 69, Laane", "87 Jakobi 69, Laane"),
        ("ZIP: 11164", "11164"),
    ],
)
def test_addresses(text: str, address: str) -> None:
    assert ("ADDRESS", address) in kinds(text)


def test_spans_are_sorted_and_disjoint() -> None:
    text = "Ann Lee, ann@example.org, 212-555-0143, 4111111111111111, 10 Main Street"
    spans = detect(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
