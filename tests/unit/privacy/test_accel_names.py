"""The compiled person-name detector (``privacy/detectors/_names.c``) returns exactly the Python
reference's spans (same list, order, fields and types) on every ASCII text: the development
corpora, generated texts and edge cases; ``detect_names`` dispatches ASCII texts to it. The same
for its cue pass, ``cue_seeds`` (which the prefilters call on their own)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.detectors import names
from privacy.detectors.names import (
    _cue_seeds_py,
    _detect_names_py,
    _tables,
    cue_seeds,
    detect_names,
)
from privacy.spans import Span

sys.path.insert(0, str(Path(__file__).parent))
from differential import ascii_corpus, tricky_ascii_text

EDGES = [
    "", "a", "A", "I", "Mr", "mr.", "Mr. ", "Mr. J", "name is", "name is ", "name is j",
    "my name is", "my name:", "name:Ann", "name:  ann", "Name? Bob", "rename is John",
    "I'm tracy", "i am sam", "this issue", "this is sue", "call me  Ishmael", "called\x1cZed",
    "dear john,", "Regards, Ann Lee", "regards,\nAnn", "signed: Bo", "ask for Okafor's desk",
    "Jessica", "jessica", "jessica's", "jessica'", "jessica't", "don't", "haven't",
    "Okafor", "OKAFOR", "O'Neil", "Anne-Marie", "Anne-", "-Anne", "'Anne", "_Anne", "1Anne",
    "Eklund is", "Eklund\tis", "said Eklund", "said  Eklund", "said\nEklund", "said \nEklund",
    "Marisca, can I", "Rose said", "Rose prices", "Branch is closed", "Rose Miller", "Mark, hi",
    "Ludwig van Beethoven", "Ludwig Van Beethoven", "Jan de Vries", "Ann.Lee", "Ann . Lee",
    "Ann -Lee", "Ann - Lee", "Ann\n", "Ann Lee\n", "Dr. Ann Lee Jr.", "Dr. Ann Lee Jr. went",
    "Mr. Smith.", "Mr. Smith's car", "Mr. Smith'S car", "Mr. Smith'", "Guy Fawkes", "robin hood",
    "Mrs. O'Neil-Smith's", "Ms.  Tracy", "Mx Lee", "mrs.ann", "Texas", "Poland Smith",
    "said Texas", "John Smith Street", "John Smith St.", "Anna Lee III", "Anna Lee iii.",
    "tracy smith", "tracy jones md", "Tracy,", "Tracy, Ann", "\"Tracy said", "(Tracy said",
    "What Tracy", "WHAT TRACY", "What", "ANN", "x" * 100_000, "Ann " * 25_000,
    "my name is Jessica Solomina. " * 3_500, "Mr. Okafor said. " * 6_000, "a" * 255 + " Ann",
    "Ann" + " " * 300 + "Lee", "tracy " * 70, "Jo Jo Jo Jo Jo", "Ann-'s", "Ann's's", "A's",
    "Ann Lee's", "ann lee's", "name is A", "name is A.", "I am A. B. Cee",
]  # fmt: skip

# the words the name pass reacts to, for generated texts
_NAME_PIECES = [
    "Mr", "Mr.", "mrs", "Ms.", "Dr", "dr.", "Prof", "Sir", "Lady", "Lord", "madam", "my name is",
    "name:", "Name?", "name's", "names are", "call me", "called", "named", "I am", "i'm", "I'm",
    "this is", "speaking with", "speak to", "surname", "surname is", "signed", "regards,",
    "Regards", "dear", "ask for", "John", "john", "Jessica", "jessica", "tracy", "Tracy", "Smith",
    "smith", "Okafor", "Eklund", "Marisca", "Rose", "rose", "Mark", "Branch", "Will", "Guy",
    "Robin", "Texas", "Poland", "O'Neil", "Anne-Marie", "van", "von", "de", "della", "bin", "y",
    "Jr.", "Sr", "jr", "PhD", "III", "md", "said", "says", "told", "asked", "is", "was", "and",
    "lives", "works", "replied", "with", "by", "thanks", "hi", "Hello", "son", "wife", "friend",
    "Street", "St.", "Road", "Avenue", "Main", "the", "card", "What", "Can", "It", "ATM", "'s",
    "'t", "'", "-", ".", ",", ":", "?", "!", '"', "(", "\n", "\t", "\x1c", "  ", "_", "7",
]  # fmt: skip


def _name_text() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(_NAME_PIECES),
        st.sampled_from(_NAME_PIECES).map(str.upper),
        st.sampled_from(_NAME_PIECES).map(str.title),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=4),
    )
    joiner = st.sampled_from([" ", " ", " ", "", ", ", "\n", ". ", "-", "'", "  "])
    return st.lists(st.tuples(piece, joiner), max_size=16).map(
        lambda parts: "".join(p + j for p, j in parts)
    )


def _compiled() -> Any:
    assert names._C is not None, "privacy.detectors._names is not built (tools/build_accel.sh)"
    return names._C


def _assert_same(text: str) -> None:
    got = _compiled().detect_names(text, _tables())
    want = _detect_names_py(text)
    assert got == want, text[:200]
    assert [type(s) for s in got] == [Span] * len(want)
    assert [type(s.confidence) for s in got] == [float] * len(want)
    assert _compiled().detect_names(text, _tables(), text.lower()) == want
    low = text.lower()
    seeds = _compiled().cue_seeds(text, _tables(), low)
    assert seeds == _cue_seeds_py(text, low), text[:200]
    assert [tuple(map(type, s)) for s in seeds] == [(int, int, float)] * len(seeds)


def test_extension_is_built() -> None:
    assert _compiled() is not None


def test_same_spans_on_the_development_corpora() -> None:
    corpus = ascii_corpus()
    assert len(corpus) > 40_000
    tables = _tables()
    c_detect = _compiled().detect_names
    differing = [t for t in corpus if c_detect(t, tables) != _detect_names_py(t)]
    assert differing == []
    c_cues = _compiled().cue_seeds
    lows = [t.lower() for t in corpus]
    assert [
        t
        for t, low in zip(corpus, lows, strict=True)
        if c_cues(t, tables, low) != _cue_seeds_py(t, low)
    ] == []
    # the corpora do exercise the detector: names are found in hundreds of texts
    assert sum(1 for t in corpus if c_detect(t, tables)) > 500


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_same_spans_on_edge_cases(text: str) -> None:
    _assert_same(text)


@settings(
    max_examples=2_000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(tricky_ascii_text())
def test_same_spans_on_generated_texts(text: str) -> None:
    _assert_same(text)


@settings(
    max_examples=3_000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_name_text())
def test_same_spans_on_generated_name_texts(text: str) -> None:
    _assert_same(text)


def test_known_spans() -> None:
    text = "Hi, my name is Jessica Solomina and I spoke to Mr. Okafor yesterday"
    assert [text[s.start : s.end] for s in detect_names(text)] == ["Jessica Solomina", "Okafor"]
    assert _compiled().detect_names("Dr. Ann Lee Jr. went", _tables()) == [
        Span(4, 15, "PERSON", "name", 0.9)  # the suffix keeps its dot
    ]


def test_public_function_dispatches_and_ignores_caches_on_ascii() -> None:
    text = "this is tracy smith"
    want = _detect_names_py(text)
    assert want != []
    assert detect_names(text) == want
    # ``lowered`` and ``words`` are caches of the text's own lowercase form: same answer
    assert detect_names(text, text.lower(), {"this", "is", "tracy", "smith"}) == want


def test_a_lowered_text_that_is_not_the_texts_goes_to_the_reference() -> None:
    text, odd = "this is Tracy", "xxxx is tracy"  # no caller does this; the answer still holds
    assert _compiled().detect_names(text, _tables(), odd) is None
    assert _compiled().cue_seeds(text, _tables(), odd) is None
    assert _compiled().cue_seeds(text, _tables(), "this is tracy!") is None
    assert detect_names(text, odd) == _detect_names_py(text, odd)
    assert cue_seeds(text, odd) == _cue_seeds_py(text, odd) == []
    assert cue_seeds(text, text.lower()) == _cue_seeds_py(text, text.lower()) == [(8, 13, 0.5)]


def test_non_ascii_text_goes_to_the_reference() -> None:
    text = "my name is Zoë Okafor"
    assert detect_names(text) == _detect_names_py(text) != []
    with pytest.raises(ValueError, match="ASCII"):
        _compiled().detect_names(text, _tables())


def test_bad_arguments_raise_instead_of_crashing() -> None:
    c = _compiled()
    with pytest.raises(TypeError, match="str"):
        c.detect_names(b"Mr. Smith", _tables())
    with pytest.raises(TypeError, match="tuple"):
        c.detect_names("Mr. Smith", ())
    with pytest.raises(TypeError):
        c.detect_names("Mr. Smith")
    # a new tables tuple is read again; the cached one keeps working afterwards
    assert c.detect_names("Mr. Smith", tuple(list(_tables()))) == _detect_names_py("Mr. Smith")
    assert c.detect_names("Mr. Smith", _tables()) == _detect_names_py("Mr. Smith")


def test_python_invariants_the_twin_relies_on() -> None:
    # the twin reads cues without the ``has_cue_hint`` gate: every cue must hold a hint
    assert all(any(h in c for h in names._CUE_HINTS) for c in names._CUES)
    # it finds titles as whole letter runs flagged in TITLES: the same words as ``_TITLE_RE``
    alternation = re.search(r"\(\?:([a-z|]+)\)", names._TITLE_RE.pattern)
    assert alternation is not None
    title_words = set(alternation.group(1).split("|"))
    assert title_words == {t for t in names.TITLES if t.isalpha()}
