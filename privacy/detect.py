"""``detect(text)``: every PII span of a text, on the original offsets.

Speed comes from not running what cannot fire. :func:`privacy.prefilter.cannot_hold_pii` first
proves most ordinary messages clean in one byte-level pass; otherwise each detector runs only
when its cheap gate holds (no digit → no number detector, no ``@`` → no e-mail parser, no spoken
number word → no normalisation, no birth cue → no date of birth, no street word → no street
anchor …). The gates are necessary conditions, so they never change a result: the unit tests
compare ``detect`` with :func:`detect_all` and each rewritten pattern with its plain form.

>>> [(s.kind, s.start, s.end) for s in detect("mail ann.lee@example.org or call 212-555-0143")]
[('EMAIL', 5, 24), ('PHONE', 33, 45)]
>>> text = "my card is four one one one, one one one one, one one one one, one one one one"
>>> [(s.kind, text[s.start:s.end][:8]) for s in detect(text)]
[('CREDIT_CARD', 'four one')]
"""

from __future__ import annotations

import re
from functools import cache

from privacy import prefilter
from privacy.accel import load
from privacy.detectors.addresses import detect_addresses
from privacy.detectors.dates import (
    DOB_CUE_WORDS,
    detect_dates_of_birth,
    may_hold_date_of_birth,
)
from privacy.detectors.names import detect_names
from privacy.detectors.numbers import clear_caches as _clear_number_caches
from privacy.detectors.numbers import detect_numbers
from privacy.prefilter import ascii_words, cannot_hold_pii, normalised_is_clean
from privacy.spans import Span, lower_same_length, resolve
from privacy.spoken import SPOKEN_WORDS, Normalised, has_spoken_number, normalise

_DIGIT_RUNS = re.compile(r"\d+")
_WORDS = re.compile(r"[^\W\d_]+")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
)
# ASR form: "john dot smith at gmail dot com"
_SPOKEN_EMAIL = re.compile(
    r"\b[a-z0-9]+(?:\s+(?:dot|underscore|dash|hyphen)\s+[a-z0-9]+)*\s+at\s+[a-z0-9]+"
    r"(?:\s+dot\s+[a-z0-9]+)*\s+dot\s+(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz|us|ca)\b",
    re.IGNORECASE,
)
_SPOKEN_EMAIL_HINT = re.compile(
    r"\bdot\s+(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz|us|ca)\b", re.I
)
_STRIP = " \t\n\r,;:.-"


def _email_spans(t: str) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL", "email", 0.99) for m in _EMAIL.finditer(t)]


def _spoken_email_spans(t: str) -> list[Span]:
    """ "john dot smith at gmail dot com" (only where a "dot com"-like ending is)."""
    if _SPOKEN_EMAIL_HINT.search(t) is None:
        return []
    return [
        Span(m.start(), m.end(), "EMAIL", "spoken_email", 0.9) for m in _SPOKEN_EMAIL.finditer(t)
    ]


_C = load("privacy._detect")  # the compiled orchestration (ASCII texts); None: Python only


@cache
def _compiled():  # type: ignore[no-untyped-def]
    """The compiled ``detect_all``, given the gates' word sets and the detectors once."""
    assert _C is not None
    _C.configure(
        spoken_words=SPOKEN_WORDS,
        dob_cue_words=DOB_CUE_WORDS,
        normalise=normalise,
        normalised_is_clean=normalised_is_clean,
        emails=_email_spans,
        spoken_emails=_spoken_email_spans,
        detect_numbers=detect_numbers,
        detect_dates_of_birth=detect_dates_of_birth,
        detect_addresses=detect_addresses,
        detect_names=detect_names,
        resolve=resolve,
        span=Span,
    )
    return _C


def clear_caches() -> None:
    """Forget per-candidate caches (phone, IBAN and national-id verdicts); benchmarks call it
    to measure cold runs."""
    _clear_number_caches()


def detect(text: str, *, region: str = "US") -> list[Span]:
    """All PII spans of ``text``, non-overlapping, sorted by start; offsets on ``text`` itself."""
    if not text:
        return []
    if _C is not None and prefilter._C is not None and text.isascii():
        # compiled: the quick reject, then detect_all (both read the text's lowercase themselves)
        if prefilter.compiled().cannot_hold_pii(text):
            return []
        return _compiled().detect_all(text, region, True)  # type: ignore[no-any-return]
    lowered = lower_same_length(text)
    if cannot_hold_pii(text, lowered):
        return []  # the common case: an ordinary message, proven clean by one byte-level pass
    return detect_all(text, region=region, lowered=lowered, second_look=True)


def detect_all(
    text: str, *, region: str = "US", lowered: str | None = None, second_look: bool = False
) -> list[Span]:
    """:func:`detect` without the quick reject: every gated detector runs (the reference the
    prefilter is tested against). ``lowered``: ``lower_same_length(text)``, if already made.
    ``second_look``: once spoken numbers are digits, stop when the quick reject clears the
    normalised text ("charged one pound": see ``prefilter.clean_once_normalised``)."""
    if not text:
        return []
    if _C is not None and text.isascii():
        return _compiled().detect_all(text, region, second_look)  # type: ignore[no-any-return]
    # one lowercasing and one word split, shared by the gates and the detectors
    if lowered is None:
        lowered = lower_same_length(text)
    words: set[str] | None = None
    if text.isascii():
        words = ascii_words(lowered)
        spoken = not SPOKEN_WORDS.isdisjoint(words)
    else:
        spoken = has_spoken_number(text)
    norm = normalise(text, checked=True, lowered=lowered) if spoken else Normalised(text)
    t = norm.text
    if norm.seg_starts is not None:
        lowered = lower_same_length(t)
        words = None
    if words is None:
        words = ascii_words(lowered) if lowered.isascii() else set(_WORDS.findall(lowered))
        if second_look and t.isascii() and normalised_is_clean(t, lowered, words):
            return []  # the digits the words stand for are harmless ("one pound", "two days")
    found: list[Span] = []
    if "@" in t:
        found.extend(_email_spans(t))
    if " dot " in t:
        found.extend(_spoken_email_spans(t))
    digit_runs = _DIGIT_RUNS.findall(t)
    if digit_runs:
        found.extend(
            detect_numbers(
                t,
                region=region,
                lowered=lowered,
                n_digits=sum(map(len, digit_runs)),
                words=words,
            )
        )
    if may_hold_date_of_birth(lowered, words):
        found.extend(detect_dates_of_birth(t, lowered))
    found.extend(detect_addresses(t, lowered, words=words, digit_runs=len(digit_runs)))
    found.extend(detect_names(t, lowered, words))
    if not found:
        return []
    if norm.seg_starts is not None:
        to_original = norm.to_original
        found = [Span(*to_original(s[0], s[1]), s[2], s[3], s[4]) for s in found]
    out: list[Span] = []
    for s in resolve(found) if len(found) > 1 else found:
        start, end = s[0], s[1]
        piece = text[start:end]
        stripped = piece.strip(_STRIP)
        if not stripped:
            continue
        if len(stripped) == len(piece):
            out.append(s)
            continue
        lead = len(piece) - len(piece.lstrip(_STRIP))
        out.append(Span(start + lead, start + lead + len(stripped), s[2], s[3], s[4]))
    return out
