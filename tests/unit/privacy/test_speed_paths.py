"""The fast paths change speed, never results: each is checked against the plain form it replaces.

- the quick reject (``cannot_hold_pii``) against running every detector (``detect_all``);
- each regex rewritten for speed against the original pattern, on random strings;
- hand-written scanners (previous word, ASCII word split, Luhn) against the regex / library;
- the US phone fast path against ``phonenumbers.parse``;
- the IBAN length shortcut against python-stdnum's registry.
"""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn

from privacy.detect import detect, detect_all
from privacy.detectors.addresses import _NUM_WORDS_NUM, _street_number_pattern
from privacy.detectors.names import _CAP_WORD, _CAP_WORD_ASCII, _prev_word
from privacy.detectors.national import RULES
from privacy.detectors.numbers import _DATE, _IPV4, _parse_phone, iban_length, luhn_ok
from privacy.prefilter import ascii_words, cannot_hold_pii, clean_once_normalised
from privacy.spoken import normalise
from privacy.wordlists import street_words

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "dev"


def _plain_texts() -> list[str]:
    with (DATA / "banking77_train.csv").open(newline="", encoding="utf-8") as f:
        banking = [row["text"] for row in csv.DictReader(f)]
    clinc = [t for t, _ in json.loads((DATA / "clinc150_data_full.json").read_text())["val"]]
    return banking[::4] + clinc


def test_quick_reject_only_passes_texts_where_no_detector_fires(labelled: list[dict]) -> None:
    plain = _plain_texts()
    # title case and shouting exercise the capitalised-word checks
    texts = plain + [t.title() for t in plain[::5]] + [t.upper() for t in plain[::7]]
    texts += [r["text"] for r in labelled]
    rejected = [t for t in texts if cannot_hold_pii(t)]
    # most ordinary messages take the fast path …
    assert len(rejected) > 0.8 * len(plain)
    # … and for every one of them the full detector set agrees that there is nothing
    assert [t for t in rejected if detect_all(t)] == []


@pytest.mark.parametrize(
    "text",
    [
        "my name is ann",  # cue + lowercase name
        "this is tracy speaking",  # lowercase first name
        "I live at 12 Elm Road",  # digits + street word
        "ship to Abbey Road please",  # named street
        "born on the twelfth of March",  # birth cue, no digit at all
        "call me on five five five",  # spoken digits
        "Is Jessica there?",  # capitalised name
        "IBAN GB82WEST12345698765432",  # an IBAN
        "iban KW81CBKUABCDEFGHIJKLMNOPQR",  # IBAN-shaped with only two digits
        "my ssn is 078-05-1120",
    ],
)
def test_quick_reject_lets_possible_pii_through(text: str) -> None:
    assert not cannot_hold_pii(text), text


def _random_strings(alphabet: str, n: int, *, max_len: int = 24, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_len))) for _ in range(n)]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


# the plain forms (lookbehind first) that the shipped patterns rewrite as "digit, then lookbehind"
PLAIN_FORMS = {
    "date": (
        _DATE,
        r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))(?!\d)"
        r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)",
    ),
    "ipv4": (_IPV4, r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)"),
    "num_words_num": (
        _NUM_WORDS_NUM,
        r"\b\d{1,5}((?:[ ]+[^\W\d_][\w'’\-]*\.?){1,3})[ ]+\d{1,5}[A-Za-z]?\b",
    ),
    "ssn": (RULES[0].pattern, r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])"),
    "ssn_bare": (RULES[1].pattern, r"(?<![\w-])\d(?:[ -]?\d){8}(?![\w-]|[ -]\d)"),
    "itin": (RULES[2].pattern, r"(?<![\w-])9\d{2}([- ]?)\d{2}\1\d{4}(?![\w-])"),
    "nino": (
        RULES[3].pattern,
        r"(?<![\w])[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D](?![\w])",
    ),
}


@pytest.mark.parametrize("name", sorted(PLAIN_FORMS))
def test_rewritten_patterns_match_their_plain_form(name: str) -> None:
    fast, plain = PLAIN_FORMS[name]
    reference = re.compile(plain)
    for s in _random_strings("0123456789999 -./:_aZABCDé²\n", 20000):
        assert _spans(fast, s) == _spans(reference, s), (name, s)


def test_street_number_pattern_matches_its_plain_form() -> None:
    words = "|".join(sorted((re.escape(w) for w in street_words()), key=len, reverse=True))
    reference = re.compile(
        rf"\b\d{{1,5}}[a-z]?((?:[ ]+[^\W\d_][\w'’.\-]*){{0,4}}?)[ ]+(?:{words})\b\.?"
    )
    rng = random.Random(3)
    pieces = [*sorted(street_words())[:60], "main", "old", "n.", "12", "123456", "5b", "é", "x2"]
    for _ in range(5000):
        s = "".join(rng.choice(pieces) + rng.choice([" ", "  ", "", ",", "."]) for _ in range(6))
        assert _spans(_street_number_pattern(), s) == _spans(reference, s), s


def test_ascii_capitalised_word_pattern_matches_the_unicode_one() -> None:
    for s in _random_strings("aAbZ _5'-\n.,", 20000, max_len=16):
        assert _spans(_CAP_WORD_ASCII, s) == _spans(_CAP_WORD, s), s


def test_previous_word_scanner_matches_the_regex() -> None:
    reference = re.compile(r"([^\W\d_]+)[ ]+$")
    rng = random.Random(5)
    for s in _random_strings("ab Z_5²½é\u0301 .,'-\n", 20000, max_len=12):
        k = rng.randint(0, len(s))
        m = reference.search(s, 0, k)
        assert _prev_word(s, k) == (m.span(1) if m else None), (s, k)


def test_ascii_word_split_matches_the_regex() -> None:
    reference = re.compile(r"[^\W\d_]+")
    for s in _random_strings("abz_59 .,'-\n\t", 20000, max_len=16):
        assert ascii_words(s) == set(reference.findall(s)), s


def test_luhn_matches_stdnum() -> None:
    rng = random.Random(1)
    for _ in range(20000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 19)))
        assert luhn_ok(digits) == luhn.is_valid(digits), digits


def test_us_phone_fast_path_matches_phonenumbers_parse() -> None:
    rng = random.Random(9)
    seps = [" ", "-", ".", ") ", " (", ")-", " - ", ". ", ""]
    for _ in range(5000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 15)))
        cuts = sorted(rng.sample(range(1, len(digits)), rng.randint(0, 3)))
        parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
        raw = ("(" if rng.random() < 0.2 else "") + parts[0]
        raw += "".join(rng.choice(seps) + p for p in parts[1:])
        try:
            expected = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException as exc:
            with pytest.raises(phonenumbers.NumberParseException) as got:
                _parse_phone(raw, "US")
            assert got.value.error_type == exc.error_type
            continue
        assert _parse_phone(raw, "US") == expected, raw


def test_iban_length_agrees_with_stdnum(labelled: list[dict]) -> None:
    ibans = [r["text"][s:e] for r in labelled for s, e, k in r["spans"] if k == "IBAN"]
    assert ibans
    for value in ibans:
        compact = stdnum_iban.compact(value)
        assert stdnum_iban.is_valid(compact) and len(compact) == iban_length(compact[:2])
    assert iban_length("XX") == 0


def test_normalised_map_per_character() -> None:
    text = "card is four five, six"
    n = normalise(text)
    assert n.text == "card is 45 6"
    assert n.starts == [0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 17, 19]
    assert n.ends == [1, 2, 3, 4, 5, 6, 7, 8, 12, 17, 19, 22]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my national insurance number is JG 10 37 59", [("UK_NINO", "JG 10 37 59")]),
        ("NI no: JG103759 thanks", [("UK_NINO", "JG103759")]),
        ("my NI number is AB 12 34 56 C", [("UK_NINO", "AB 12 34 56 C")]),
        (
            "I was born on the twelfth of March nineteen eighty five",
            [("DATE_OF_BIRTH", "twelfth of March nineteen eighty five")],
        ),
        ("my birthday is the twenty first of June", [("DATE_OF_BIRTH", "twenty first of June")]),
        ("born March the third", [("DATE_OF_BIRTH", "March the third")]),
    ],
)
def test_closed_gaps(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.kind, text[s.start : s.end]) for s in detect(text)] == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("flight BA 12 34 56 leaves at noon", "two letters + six digits without a NI cue"),
        ("the first of May is a holiday", "an ordinal date without a birth cue"),
        ("I don't have my card and I haven't got it", "contractions are not Don and Haven"),
        ("I am on vacation in Spain, can I change my PIN?", "a country is not a surname"),
    ],
)
def test_closed_false_alarms(text: str, reason: str) -> None:
    assert detect(text) == [], reason


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("I spoke with Ludwig van Beethoven yesterday", ["Ludwig van Beethoven"]),
        ("ask Maria de la Cruz to call", ["Maria de la Cruz"]),
        ("share my location with darren and stacey", ["darren", "stacey"]),
    ],
)
def test_name_particles_join_but_ordinary_words_do_not(text: str, names: list[str]) -> None:
    # "and", "to", "at" between two names are not part of either (token precision)
    assert [text[s.start : s.end] for s in detect(text) if s.kind == "PERSON"] == names


def test_detect_with_its_rejects_is_detect_all_on_every_corpus_text() -> None:
    """The quick reject and the second look after normalising spoken numbers never hide a span:
    ``detect`` (both rejects, compiled where built) == ``detect_all`` (no reject)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from differential import ascii_corpus

    texts = list(ascii_corpus())
    texts += ["I was charged one pound", "between two and three pm", "call five five five one two"]
    cleared = [t for t in texts if clean_once_normalised(t)]
    assert len(cleared) > 200  # "one", "two days" … the second look does clear texts
    assert [t for t in texts if detect(t) != detect_all(t)] == []


@settings(max_examples=2000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["one", "two", "double", "oh", "five", "twenty", "hundred", "pound", "days", "at",
             "my", "pin", "is", "account", "Road", "12", "3", ",", "and", "Ann", "call", "me"]
        ),
        max_size=12,
    ).map(" ".join)
)  # fmt: skip
def test_second_look_never_hides_a_span(text: str) -> None:
    if clean_once_normalised(text):
        assert detect_all(text) == []


@settings(max_examples=3000, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.integers(0, 12),
            st.sampled_from(["EMAIL", "PHONE", "PERSON", "ADDRESS", "NUMBER"]),
            st.sampled_from([0.4, 0.8, 0.9]),
        ),
        max_size=6,
    )
)
def test_resolve_fast_path_is_the_full_resolution(raw: list[tuple[int, int, str, float]]) -> None:
    """Spans that neither overlap nor are empty come back sorted, as the full ranking gives."""
    from privacy.spans import Span, _resolve_ranked, resolve

    spans = [Span(s, s + n, kind, "d", conf) for s, n, kind, conf in raw]
    assert resolve(spans) == (_resolve_ranked(spans) if len(spans) > 1 else spans)
