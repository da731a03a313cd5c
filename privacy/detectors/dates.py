"""Dates of birth: a date within 60 characters after a birth cue ("born", "DOB", "birthday").

Dates are written with digits ("12/03/1985", "12 March 1985", "March 12th, 85") or, in voice
transcripts, with ordinal words ("the twelfth of March", "March the twenty first"; the year, if
spoken, was already turned into digits by :mod:`privacy.spoken`). A date written with a digit
day needs its year; one with an ordinal word does not, since nobody says "the twelfth of March"
for a quantity.

>>> text = "I was born on the twelfth of March 1985"
>>> [text[s.start:s.end] for s in detect_dates_of_birth(text)]
['twelfth of March 1985']
>>> detect_dates_of_birth("It's like that since 12/1/1977")
[]
"""

from __future__ import annotations

import re

from privacy.spans import Span, lower_same_length

#: the whole words that start every birth cue ("d.o.b" starts with "d")
DOB_CUE_WORDS = frozenset(["born", "birth", "dob", "d", "birthday", "birthdate"])
_DOB_CONTEXT = re.compile(r"\b(?:born|birth|dob|d\.o\.b\.?|birthday|birthdate)\b")  # lowercased
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_UNIT_ORDINALS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
_ORDINAL = (
    rf"(?<![\w-])(?:(?:twenty|thirty|20|30)[- ]?(?:{_UNIT_ORDINALS})|{_UNIT_ORDINALS}|tenth|"
    r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|thirtieth)(?![\w-])"
)
_DOB_VALUE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{2,4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}|{_MONTHS}\s+\d{{5,8}}"
    rf"|{_ORDINAL}\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{2,4}})?"
    rf"|{_MONTHS}\s+(?:the\s+)?{_ORDINAL}(?:,?\s+\d{{2,4}})?)(?!\d)",
    re.IGNORECASE,
)


def may_hold_date_of_birth(lowered: str, words: set[str] | frozenset[str]) -> bool:
    """The cheap gate: a birth cue word is in the text."""
    return not DOB_CUE_WORDS.isdisjoint(words) and (
        "d" not in words or _DOB_CONTEXT.search(lowered) is not None
    )


def detect_dates_of_birth(text: str, lowered: str | None = None) -> list[Span]:
    """Dates after a birth cue (each date within 60 characters of the cue before it)."""
    low = lowered if lowered is not None else lower_same_length(text)
    cue = _DOB_CONTEXT.search(low)
    if cue is None:
        return []
    out: list[Span] = []
    for m in _DOB_VALUE.finditer(text, cue.start()):
        if m.start() - cue.end() > 60:
            nxt = _DOB_CONTEXT.search(low, cue.end())
            if nxt is None or nxt.start() > m.start():
                break
            cue = nxt
            if m.start() - cue.end() > 60:
                continue
        out.append(Span(m.start(), m.end(), "DATE_OF_BIRTH", "dob", 0.85))
    return out
