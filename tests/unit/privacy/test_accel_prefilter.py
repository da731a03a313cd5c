"""The compiled quick reject (``privacy/_prefilter.c``) gives the Python reference's verdict on
every ASCII text: the development corpora, generated texts and edge cases."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from privacy import prefilter
from privacy.batch import may_hold_pii_many

sys.path.insert(0, str(Path(__file__).parent))
from differential import ascii_corpus, tricky_ascii_text

EDGES = [
    "", "a", "@", " dot ", "D.O.B", "d.o.b.", "1", "1234567", "A", "I", "Mr", "Abbey Road",
    "O'Neil", "Anne-Marie", "x" * 100_000, ("Call Me " * 20_000), "my name is", "i am", "I  am",
    "ask for", "ask formal", "names", "tracy", "don't", "haven't", "12 Elm Road", "top up 25 euros",
    "a dots b", "x dot y", " dot", "dot ", "a Dot b", "a  dot  b", "xd.o.b", "D.O.B.", "d.o.bx",
    "d.o", "ad.O.b", "the d. o. b", "dot", "d.o.b",
]  # fmt: skip


def _compiled():  # type: ignore[no-untyped-def]
    assert prefilter._C is not None, "privacy._prefilter is not built (pip install -e .)"
    return prefilter.compiled()


def test_same_verdict_on_the_corpora_and_edges() -> None:
    c = _compiled()
    texts = list(ascii_corpus()) + EDGES
    differ = [t for t in texts if c.cannot_hold_pii(t) != prefilter._cannot_hold_pii_py(t)]
    assert differ == []
    assert sum(map(c.cannot_hold_pii, texts)) > len(texts) // 2  # most ordinary texts are cleared


def test_batch_form_is_the_per_text_verdict_and_suspects_non_ascii() -> None:
    texts = [*ascii_corpus()[:3000], "Ünïcode name Jürgen", "", "call 212 555 0143"]
    expected = [not prefilter._cannot_hold_pii_py(t) if t else False for t in texts]
    assert may_hold_pii_many(texts) == expected


@settings(max_examples=3000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_ascii_text())
def test_same_verdict_on_generated_texts(text: str) -> None:
    assert _compiled().cannot_hold_pii(text) == prefilter._cannot_hold_pii_py(text)


def test_rejects_what_is_not_a_list_of_str() -> None:
    import pytest

    with pytest.raises(TypeError, match="item 1 is a int"):
        _compiled().may_hold_pii_many(["ok", 3])
    with pytest.raises(TypeError, match="ASCII str"):
        _compiled().cannot_hold_pii("Jürgen")


FEW_DIGIT_EDGES = [
    "is at 5", "This is\ton 3", "is  at5", "his at 5", "1is at 5", "is atx 5", "Nassaustraat 5",
    "Nassaustraat. 5", "str 5", "norweg  12", "weg.  1", "GB82 WEST 1234 5698", "AB12CDEFGHIJKL",
    "ab12 cdef ghij kl", "ab12-cdef-ghij-k", "call 1:30", "v1.2", "1.2.3.4", "room 5", "apt 4b",
    "account 1234", "pin 123", "12 elm", "lives 4", "5 and 6", "123456", "zip 90210",
]  # fmt: skip


def _n_digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def test_few_digits_check_is_the_reference_one() -> None:
    c = _compiled()
    texts = [t for t in (*ascii_corpus(), *FEW_DIGIT_EDGES) if 0 < _n_digits(t) < 7]
    assert len(texts) > 1000
    differ = [
        t
        for t in texts
        if c.few_digits_are_harmless(t, _n_digits(t))
        != prefilter.few_digits_are_harmless(t, t.lower(), _n_digits(t))
    ]
    assert differ == []


@settings(max_examples=3000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_ascii_text())
def test_few_digits_check_on_generated_texts(text: str) -> None:
    n = _n_digits(text)
    if 0 < n < 7:
        expected = prefilter.few_digits_are_harmless(text, text.lower(), n)
        assert _compiled().few_digits_are_harmless(text, n) == expected
