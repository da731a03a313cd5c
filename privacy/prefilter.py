"""The quick reject: most messages of a stream ("how do I top up my card?") carry no PII, and for
an ASCII text one byte-level pass proves that no detector can fire, so none runs.

The proof is conservative: each check is a necessary condition of some detector, the same gate
the detector itself applies (≥ 7 digits → a phone or card may be there; a few digits → only with
an IBAN shape, an account/address word nearby …; no ``@`` → no e-mail; no spoken number word,
title, birth cue, lowercase first name, name cue, street suffix or unusual capitalised word → no
normalisation, date of birth, address or name). A text failing any check goes through every
detector (``tests/unit/privacy/test_speed_paths.py`` checks that ``detect_all`` finds nothing in
the texts passed here).

>>> cannot_hold_pii("How do I top up my card?"), cannot_hold_pii("top up 25 euros")
(True, True)
>>> cannot_hold_pii("Is Jessica there?"), cannot_hold_pii("call 212 555 0143")
(False, False)
>>> cannot_hold_pii("my name is ann"), cannot_hold_pii("I live at 12 Elm Road")
(False, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from privacy.accel import load
from privacy.detectors.addresses import NAMED_STREET_SUFFIXES, numbered_anchor_possible
from privacy.detectors.dates import DOB_CUE_WORDS
from privacy.detectors.names import (
    TITLES,
    cue_seeds,
    lower_name_seeds,
    lower_name_words,
    safe_caps,
    unusual_caps,
)
from privacy.detectors.national import min_rule_digits
from privacy.detectors.numbers import could_find_numbers
from privacy.spoken import SPOKEN_WORDS, normalise
from privacy.wordlists import street_words

_C = load("privacy._prefilter")  # the compiled reject (ASCII texts); None: Python only

_LETTERS = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))
_LOWER_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
_DIGITS = b"0123456789"


_DIGIT_RUNS = re.compile(r"\d+")
# the first word of every name cue ("my name is", "i'm", "call me") at the start of a word, on
# the lowercase letters with every other byte a space (a superset of what the name pass reads)
_CUE_START = re.compile(
    rb" (?:name|call|speak|surname|signed|regards|dear|i am|i m|this is|ask for)"
)
_NAMED_STREET_SUFFIXES = frozenset(w.encode() for w in NAMED_STREET_SUFFIXES)


@cache
def trigger_words() -> frozenset[bytes]:
    """Lowercase words whose mere presence lets a detector fire."""
    words = SPOKEN_WORDS | TITLES | (DOB_CUE_WORDS - {"d"})
    return frozenset(w.encode() for w in words if w.isascii())


@cache
def lower_name_bytes() -> frozenset[bytes]:
    """First names that seed a name even in lowercase ("this is tracy")."""
    return frozenset(w.encode() for w in lower_name_words() if w.isascii())


@cache
def _safe_caps() -> frozenset[bytes]:
    return frozenset(w.encode() for w in safe_caps() if w.isascii())


def ascii_words(lowered: str) -> set[str]:
    """The letter runs of a lowercase ASCII text: ``set(re.findall(r"[^\\W\\d_]+", lowered))``,
    about twice as fast.

    >>> sorted(ascii_words("don't pay 25x, ok?"))
    ['don', 'ok', 'pay', 't', 'x']
    """
    return set(lowered.encode("ascii").translate(_LOWER_LETTERS).decode("ascii").split())


def cannot_hold_pii(text: str, lowered: str | None = None) -> bool:
    """True when no detector can find anything in ``text`` (False means "run them")."""
    if _C is not None and text.isascii():
        return bool(compiled().cannot_hold_pii(text))
    return _cannot_hold_pii_py(text, lowered)


@cache
def compiled():  # type: ignore[no-untyped-def]
    """The compiled reject (``privacy/_prefilter.c``), given the word sets and callbacks once;
    call only when it is built (``_C`` is not None)."""
    assert _C is not None
    # the gates of few_digits_are_harmless: the detectors' own word sets, as bytes
    from privacy.detectors import addresses, numbers

    def ascii_bytes(words: Iterable[str]) -> frozenset[bytes]:
        return frozenset(w.encode() for w in words if w.isascii())

    _C.configure(
        triggers=trigger_words(),
        lower_names=lower_name_bytes(),
        safe_caps=_safe_caps(),
        street_suffixes=_NAMED_STREET_SUFFIXES,
        context_cues=ascii_bytes(numbers._CONTEXT_CUE_WORDS),
        street_words=ascii_bytes(street_words()),
        unit_gate=ascii_bytes(addresses._UNIT_GATE),
        address_cues=ascii_bytes(addresses._CUE_FIRST_WORDS),
        compound_suffixes=[
            s.rstrip(".").encode() for s in addresses._COMPOUND_SUFFIXES if s.isascii()
        ],
        min_rule_digits=min_rule_digits,
        lower_name_seeds=lower_name_seeds,
        cue_seeds=cue_seeds,
    )
    return _C


def _cannot_hold_pii_py(text: str, lowered: str | None = None) -> bool:
    """The reference of :func:`cannot_hold_pii` (any text; the compiled one takes ASCII)."""
    if not text.isascii() or "@" in text or " dot " in text:
        return False
    raw = text.encode("ascii")
    n_digits = len(raw) - len(raw.translate(None, _DIGITS))
    if n_digits >= 7:
        return False  # a phone, card or long number: let the detectors at it at once
    letters = raw.translate(_LETTERS)  # every non-letter byte becomes a space
    lower_letters = letters.lower()
    words = set(lower_letters.split())
    if not trigger_words().isdisjoint(words):
        return False
    low = lowered if lowered is not None else text.lower()
    if "d.o.b" in low:
        return False  # a birth cue ("born", "dob" … are trigger words)
    if n_digits and not few_digits_are_harmless(text, low, n_digits):
        return False
    lower_names = lower_name_bytes()
    if not lower_names.isdisjoint(words) and lower_name_seeds(
        text, low, [n.decode() for n in lower_names.intersection(words)]
    ):
        return False
    if _CUE_START.search(b" " + lower_letters) is not None and cue_seeds(text, low):
        return False
    if text == low:
        return True  # no capitalised word at all
    cased = set(letters.split())
    if not _NAMED_STREET_SUFFIXES.isdisjoint(cased):
        return False  # "Abbey Road"
    if "-" in text or "'" in text:
        # "Anne-Marie", "O'Neil's": words joined by these are read whole, as the name pass does
        return not unusual_caps(text)
    safe = _safe_caps()
    for word in cased.difference(words):
        # words with a capital letter: one not known to be ordinary may be a name
        if 65 <= word[0] <= 90 and not word.isupper() and word not in safe:
            return False
    return True


def clean_once_normalised(text: str) -> bool:
    """True when ``text`` speaks numbers ("charged one pound", "between two and three pm") and
    the text the detectors would read instead, with digits for the number words, passes the quick
    reject. ``detect_all`` runs every detector on exactly that normalised text (its lowercase form
    and word set), and a text the reject clears is one on which no detector can fire; so
    ``detect_all(text)`` finds nothing either. False means "run the detectors" (also for any
    text without a spoken number, or not ASCII).

    >>> clean_once_normalised("I was charged one pound twice"), clean_once_normalised("hi")
    (True, False)
    >>> clean_once_normalised("call me on five five five, one two three four")
    False
    """
    if not text.isascii():
        return False
    lowered = text.lower()
    if SPOKEN_WORDS.isdisjoint(ascii_words(lowered)):
        return False
    normalised = normalise(text, checked=True, lowered=lowered).text
    if normalised == text:
        return False
    return normalised_is_clean(normalised, normalised.lower())


def normalised_is_clean(
    normalised: str, lowered: str, words: set[str] | frozenset[str] | None = None
) -> bool:
    """The second look of :func:`clean_once_normalised` on an already normalised ASCII text
    (``lowered``: its lowercase form, ``words``: its word set, if made): it passes the quick
    reject and holds no spoken number word left for another normalisation."""
    if not cannot_hold_pii(normalised, lowered):
        return False  # the common outcome (a spoken phone number): decided first, in C
    return SPOKEN_WORDS.isdisjoint(ascii_words(lowered) if words is None else words)


def few_digits_are_harmless(text: str, lowered: str, n_digits: int) -> bool:
    """A few digits ("in 2 days", "$150") feed no number detector (phones need 7, dates of birth
    and account numbers a cue word, IPs dots …) and no address anchor unless an address word is
    near; the detectors' own gates decide."""
    if n_digits >= 7:
        return False
    words = ascii_words(lowered)
    if could_find_numbers(text, n_digits=n_digits, words=words):
        return False
    return not numbered_anchor_possible(lowered, words, len(_DIGIT_RUNS.findall(text)))
