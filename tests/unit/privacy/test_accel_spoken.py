"""The compiled spoken-number normalisation (``privacy/_spoken.c``) returns the Python
reference's ``Normalised`` (same text, same segment map) on every ASCII text: the development
corpora, generated texts and edge cases; its ``to_original`` maps back like the reference's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy import spoken
from privacy.spoken import Normalised, _normalise_py, _to_original_py, normalise

sys.path.insert(0, str(Path(__file__).parent))
from differential import ascii_corpus, tricky_ascii_text

_WORDS = sorted(spoken._ALL_WORDS)
EDGES = [
    "", "a", "o", "oh", "5", "-", "one", "One", "ONE", "five-", "-five", "forty-", "forty-five",
    "forty-oh", "forty-ten", "one-two", "x-one two", "five5five", "5five", "fivex", "double",
    "double oh seven", "triple", "five hundred", "five hundred twenty", "five hundred and two",
    "two thousand", "two thousand twenty four", "two thousand and five", "o hundred", "hundred",
    "thousand thousand", "nineteen eighty four", "twenty oh", "twenty o one", "one,two.three/four",
    "one - two", "one\x1ctwo", "one \x1f and\x1c two", "one and two", "one AND two",
    "one andtwo", "one and  ", "one and5", "one\tand\t5", "5 and5", "and one", "oh oh", "o o seven", "nil nil", "12 34", "12 three",
    "one two three four five six seven eight nine zero", "niner niner", "fourty four",
    "ends mid-token fiv", "ends with a number word five", "double double five",
    "a-b-c one-two-three forty-five-six", "Ninety-Nine Red Balloons", "x" * 100_000,
    "four one one one, " * 6_000, ("call me on two one two, five five five " * 3_000),
    "one" * 10, "one " * 10 + "x",
]  # fmt: skip


def _compiled() -> Any:
    assert spoken._C is not None, "privacy._spoken is not built (tools/build_accel.sh)"
    return spoken._C


def _reference(text: str, checked: bool) -> Normalised:
    return _normalise_py(text, checked=checked)


def _compiled_result(text: str, checked: bool) -> Normalised:
    got = _compiled().normalise(text, checked)
    assert type(got) is Normalised
    return got


def _assert_same(text: str) -> None:
    for checked in (False, True):
        got, want = _compiled_result(text, checked), _reference(text, checked)
        assert got == want, (text, checked)
        assert type(got.text) is type(want.text)
    # the public function dispatches to the compiled path and agrees as well
    assert normalise(text) == _reference(text, False)


def _assert_same_map(n: Normalised) -> None:
    assert n.seg_starts is not None and n.seg_map is not None
    c = _compiled()
    size = len(n.text)
    pairs = {(k, k + 1) for k in range(size)} | {(0, k + 1) for k in range(size)}
    pairs |= {(k, size) for k in range(size)}
    for start, end in pairs:
        assert c.to_original(n.seg_starts, n.seg_map, start, end) == _to_original_py(
            n.seg_starts, n.seg_map, start, end
        ), (n, start, end)


def test_same_result_on_the_corpora() -> None:
    changed = 0
    for text in ascii_corpus():
        _assert_same(text)
        n = _reference(text, True)
        if n.seg_starts is not None:
            changed += 1
            if len(n.text) <= 400:
                _assert_same_map(n)
    assert changed > 1000  # the corpora do hold spoken numbers ("one", "two", "five hundred" …)


def test_same_result_on_edge_cases() -> None:
    for text in EDGES:
        _assert_same(text)
    n = normalise("card is four five three two double one oh nine thanks")
    assert n.text == "card is 45321109 thanks"
    assert n.to_original(8, 16) == (8, 46)  # "four … nine"
    long = normalise("four one one one, " * 6_000)
    assert long.text.startswith("4111 4111 ") and long == _reference(
        "four one one one, " * 6_000, False
    )


def test_identity_when_nothing_changes() -> None:
    # no number word; only weak words; only digits: the same text object, no maps
    for text in ["nothing here", "oh no", "call 555 0143", "o", ""]:
        for checked in (False, True):
            n = normalise(text, checked=checked)
            assert n.text is text and n.seg_starts is None and n.seg_map is None


@st.composite
def _spoken_text(draw: st.DrawFn) -> str:
    """Runs of number words (any case, hyphen-joined too), digits and the gaps between them."""
    word = st.one_of(
        st.sampled_from(_WORDS),
        st.sampled_from(_WORDS).map(str.upper),
        st.sampled_from(_WORDS).map(str.title),
        st.from_regex(r"[0-9]{1,5}", fullmatch=True),
        st.sampled_from(["and", "AND", "x", "card", "five5", "fivex", "a"]),
    )
    gap = st.sampled_from(
        [" ", " ", " ", "", "-", " - ", ", ", ".", "/", " and ", " And ", "\n", "\t", "\x1c",
         "  ", " and", "and ", "; ", " x ", "--"]
    )  # fmt: skip
    parts = draw(st.lists(st.tuples(word, gap), max_size=12))
    return "".join(w + g for w, g in parts)


@settings(max_examples=2500, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_ascii_text())
def test_same_result_on_generated_texts(text: str) -> None:
    _assert_same(text)


@settings(max_examples=3000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_spoken_text())
def test_same_result_and_map_on_generated_spoken_numbers(text: str) -> None:
    _assert_same(text)
    n = _reference(text, True)
    if n.seg_starts is not None:
        _assert_same_map(n)


def test_to_original_out_of_range_like_the_reference() -> None:
    # indexes before the start wrap to the last segment, like Python's list[-1]
    n = _reference("x five", True)
    assert n.seg_starts is not None and n.seg_map is not None
    c = _compiled()
    for start, end in [(0, 0), (-1, 1), (-5, -2), (0, 99), (99, 100)]:
        assert c.to_original(n.seg_starts, n.seg_map, start, end) == _to_original_py(
            n.seg_starts, n.seg_map, start, end
        )
    with pytest.raises(IndexError):
        c.to_original([], [], 0, 1)
    with pytest.raises(IndexError):
        _to_original_py([], [], 0, 1)


def test_rejects_non_ascii_and_non_str() -> None:
    c = _compiled()
    with pytest.raises(ValueError, match="ASCII"):
        c.normalise("fünf one two", False)
    with pytest.raises(TypeError, match="must be a str"):
        c.normalise(b"one two", False)
    with pytest.raises(TypeError, match="must be lists"):
        c.to_original((0,), [(0, -1)], 0, 1)
    # non-ASCII texts take the Python reference through the public function
    assert normalise("fünf one two").text == "fünf 12"
