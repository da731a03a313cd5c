"""The compiled address detector (``privacy/detectors/_addresses.c``) returns exactly the Python
reference's spans on every ASCII text: the development corpora, generated texts (the shared
tricky texts and address-shaped ones) and edge cases; with and without the caller's ``lowered``,
``words`` and ``digit_runs``; and it hands anything it does not cover back to the reference."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.detectors import addresses
from privacy.detectors.addresses import _detect_addresses_py, _tables, detect_addresses
from privacy.prefilter import ascii_words
from privacy.spans import Span
from privacy.wordlists import places, street_words

sys.path.insert(0, str(Path(__file__).parent))
from differential import ascii_corpus, tricky_ascii_text

_DIGIT_RUNS = re.compile(r"\d+")

EDGES = [
    "", "1", "a", "A", " ", "\n", ".", "12", "12 ", "12 B", "12 Baker Stre", "12 Baker St",
    "12 Baker St.", "12 baker street", "12 Baker Street", "221b Baker Street, London NW1 6XE",
    "123456 Main Street", "12345 Main Street", "1234567 Main Street", "12ab Main Street",
    "12 a b c d Street", "12 a b c d e Street", "12 St.John street", "12 Main st-john",
    "12 the street", "12 North street", "12 old street", "12 Old street",
    "87 Jakobi 69", "87 Jakobi Mets Tee 69b", "87 Jakobi Mets Tee Kuus 69", "87 the 69",
    "87 Jakobi 69_", "87 Jakobi 69ab", "87 Jakobi 123456", "Nassaustraat 123", "Nassaustraat. 5",
    "Hauptstr. 5", "Hauptstr 5", "mainstr 5 ring 7", "Apt. 4B", "apt4", "apt 4bc", "Suite #12",
    "unit\t#\t7", "P.O. Box 123", "po box 9", "flat 3a, floor 2", "lives at 12 Main", "lives at",
    "is at 10:30", "is at 10", "is on 5th", "zip code 90210", "zipcodes 9", "postal code 1234",
    "postcode: 1234", "ship it to 9 Elm Road", "shipped to the the the the 12",
    "send it to a b c 12", "moved to 1234567890", "address: 12", "addresses 12",
    "Whittaker Street", "Baker Street London", "The Street", "Mr Baker Street", "Old Kent Road.",
    "A B C D Street", "O'Neil Street", "Anne-Marie Way, Texas", "Main \n12 Baker Street",
    "Main, \n12 Baker Street", "Zork \n12 Baker Street", "at 7 \n12 Baker Street",
    "12\x00Baker Street", "12 Baker\x7fStreet", "12 Baker Street\r\nLondon\x0bTX\x0c", "Main,, 12 Baker Street", "12 Baker Street,\n\n\nLondon",
    "12 Baker Street - (London) #4 / TX", "12 Baker Street apt 4 unit 5 suite 6",
    "12 Baker Street " + "Texas " * 30, "x" * 50 + " 12 Baker Street", "1 2 3 4 5 6 7 8 9",
    "ends mid-token 12 Baker Str", "\x1c12\x1fBaker Street", "12 Baker Street\n",
    "12 Baker Street nan", "12 Baker Street JN rkp. e.g. N.", "10 Downing Street, LONDON, UK",
    "12 Baker Street " * 6_000, "Apt 4 " * 15_000, "lives at " * 10_000 + "12",
    "1" * 100_000, "a " * 50_000,
]  # fmt: skip


def _compiled() -> Any:
    assert addresses._C is not None, (
        "privacy.detectors._addresses is not built (tools/build_accel.sh)"
    )
    return addresses._C


def _args(text: str) -> tuple[str, set[str], int]:
    low = text.lower()
    return low, ascii_words(low), len(_DIGIT_RUNS.findall(text))


def _same(text: str) -> None:
    c = _compiled()
    want = _detect_addresses_py(text)
    got = c.detect_ascii(text, None, None, None, _tables())
    assert got == want, text
    assert all(type(s) is Span for s in got)
    low, words, runs = _args(text)
    want = _detect_addresses_py(text, low, words=words, digit_runs=runs)
    assert c.detect_ascii(text, low, words, runs, _tables()) == want, text
    assert detect_addresses(text, low, words=words, digit_runs=runs) == want, text


def test_the_extension_is_built() -> None:
    assert _compiled() is not None


def test_the_scanners_use_the_python_word_lists() -> None:
    c = _compiled()
    assert tuple(addresses._UNITS.replace("\\", "").split("|")) == c.UNITS
    ascii_suffixes = tuple(x for x in addresses._COMPOUND_SUFFIXES if x.isascii())
    assert ascii_suffixes == c.COMPOUND_SUFFIXES
    assert c.NAMED_STREET_SUFFIXES == addresses.NAMED_STREET_SUFFIXES
    # the street-word scanner takes the whole \w run after the spaces: words of letters only
    assert all(re.fullmatch("[a-z]+", w) for w in street_words() if w.isascii())


def test_corpus_matches_the_reference() -> None:
    c = _compiled()
    tables = _tables()
    mismatches = []
    found = 0
    for text in ascii_corpus():
        want = _detect_addresses_py(text)
        found += bool(want)
        if c.detect_ascii(text, None, None, None, tables) != want:
            mismatches.append(text)
        low, words, runs = _args(text)
        if c.detect_ascii(text, low, words, runs, tables) != want:
            mismatches.append(text)
    assert mismatches == []
    assert found >= 50  # the corpus does exercise the detector


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_edge_cases_match_the_reference(text: str) -> None:
    _same(text)


def test_known_answers() -> None:
    text = "Please ship it to 221 Baker Street, London NW1 6XE by Friday"
    assert [text[s.start : s.end] for s in detect_addresses(text)] == [
        "221 Baker Street, London NW1 6XE"
    ]
    spans = detect_addresses("Send it to Apt. 4B, 12 Elm Road")
    assert [(s.kind, s.detector) for s in spans] == [("ADDRESS", "address")]
    assert detect_addresses("I paid 25 dollars for 3 cards on the road") == []
    assert detect_addresses("") == []


@settings(
    max_examples=2500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(tricky_ascii_text())
def test_tricky_texts_match_the_reference(text: str) -> None:
    _same(text)


_PIECES = [
    "12", "3", "221", "12345", "123456", "4b", "12a", "7B", "NW1", "6XE", "90210", "10:30",
    "Apt", "apt.", "Suite", "#", "# 4", "Unit", "flat", "Floor", "fl", "room", "rm", "bldg",
    "building", "po box", "P.O. Box", "box", "lives at", "lived in", "living on", "located at",
    "moved to", "returned to", "ship it to", "shipped to", "deliver it to", "send it to",
    "resides at", "is at", "is on", "is", "zip", "zip code", "zipcode", "postal code", "postcode",
    "address", "addresses", "address:", "Nassaustraat", "Hauptstrasse", "Hauptstr.", "Ringweg",
    "Kungsgatan", "Main", "Baker", "Street", "St", "St.", "Road", "Rd.", "Avenue", "Ave", "Lane",
    "Close", "Way", "North", "NE", "old", "the", "and", "my", "London", "TX", "nan", "St-John",
    "O'Neil", "a.b.", "x_y", "_", ":", ",", ".", "-", "(", ")", "/", "\n", "\t", "  ", "\x1c",
    "e.g.", "Mr.", "JN", "rkp.", "at", "to", "it", "on", "in", "code", "plaza", "Texas",
]  # fmt: skip


def _address_text() -> st.SearchStrategy[str]:
    """Texts built from address pieces, street words, places and numbers, in random case."""
    word = st.one_of(
        st.sampled_from(_PIECES),
        st.sampled_from(sorted(w for w in street_words() if w.isascii())),
        st.sampled_from(sorted(w for w in places() if w.isascii())),
        st.integers(min_value=0, max_value=10**8).map(str),
        st.text(alphabet="aZ0 .,-'#\n_:9Xs", max_size=5),
    )
    piece = st.one_of(word, word, word.map(str.title), word.map(str.upper))
    joiner = st.sampled_from([" ", " ", " ", "", ", ", "\n", ". ", "  ", "\t", " - ", "\n\n\n"])
    return st.lists(st.tuples(piece, joiner), max_size=16).map(
        lambda ps: "".join(p + j for p, j in ps)
    )


@settings(
    max_examples=2500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_address_text())
def test_address_shaped_texts_match_the_reference(text: str) -> None:
    _same(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    _address_text(),
    st.sets(st.sampled_from(["street", "st", "is", "apt", "lives", "zip", "x"])),
    st.integers(0, 3),
)
def test_the_callers_gates_are_obeyed(text: str, words: set[str], runs: int) -> None:
    """``words`` and ``digit_runs`` only gate the passes: the C twin takes them as given."""
    low = text.lower()
    want = _detect_addresses_py(text, low, words=words, digit_runs=runs)
    assert _compiled().detect_ascii(text, low, words, runs, _tables()) == want


def test_what_the_twin_does_not_cover_goes_to_the_reference() -> None:
    c = _compiled()
    text = "Ship to 12 Baker Street"
    assert c.detect_ascii("Ship to 12 Bäker Street", None, None, None, _tables()) is None
    assert c.detect_ascii(text, "not the lowered text", None, None, _tables()) is None
    assert c.detect_ascii(text, text, None, None, _tables()) is None  # not lowercased
    assert c.detect_ascii(text, None, None, True, _tables()) is None  # a bool, not an int
    for args in [("Ship to 12 Bäker Street",), (text, "ship to 12 baker street xx"), (text, text)]:
        assert detect_addresses(*args) == _detect_addresses_py(*args)
    assert detect_addresses(text, digit_runs=True) == _detect_addresses_py(text, digit_runs=True)


def test_the_public_function_dispatches_to_the_twin_and_pure_python_switches_it_off() -> None:
    from privacy.accel import pure_python

    c = _compiled()
    assert addresses._C is c
    with pure_python():
        assert addresses._C is None
        assert detect_addresses("Ship to 12 Baker Street") != []
    assert addresses._C is c
    text = "Ship to 12 Baker Street"
    want = _detect_addresses_py(text)
    assert want != []
    assert detect_addresses(text) == want
    assert detect_addresses(text, None, words=None, digit_runs=None) == want
    assert detect_addresses(text=text) == want  # another call shape: the reference answers
    assert detect_addresses(text, lowered=text.lower()) == want
    for bad_call in [
        lambda: detect_addresses(),  # type: ignore[call-arg]
        lambda: detect_addresses(text, None, None),  # type: ignore[misc]
        lambda: detect_addresses(text, colour="red"),  # type: ignore[call-arg]
    ]:
        with pytest.raises(TypeError):
            bad_call()


def test_bad_tables_are_refused() -> None:
    c = _compiled()
    with pytest.raises(TypeError, match="tables"):
        c.detect_ascii("12 Baker Street", None, None, None, ())
    bad = (set(), *_tables()[1:])
    with pytest.raises(TypeError, match=r"tables\[0\]"):
        c.detect_ascii("12 Baker Street", None, None, None, bad)
