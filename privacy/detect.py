"""``detect(text)``: every PII span of a text, on the original offsets.

Cheap prefilters decide which detectors run at all: no digit means no number detector, no ``@``
or spoken "at … dot" means no e-mail parser, no spoken number word means no normalisation.

>>> [(s.kind, s.start, s.end) for s in detect("mail ann.lee@example.org or call 212-555-0143")]
[('EMAIL', 5, 24), ('PHONE', 33, 45)]
>>> text = "my card is four one one one, one one one one, one one one one, one one one one"
>>> [(s.kind, text[s.start:s.end][:8]) for s in detect(text)]
[('CREDIT_CARD', 'four one')]
"""

from __future__ import annotations

import re

from privacy.detectors.addresses import detect_addresses
from privacy.detectors.names import detect_names
from privacy.detectors.numbers import detect_numbers
from privacy.spans import Span, lower_same_length, resolve
from privacy.spoken import normalise

_HAS_DIGIT = re.compile(r"\d")
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


def detect(text: str, *, region: str = "US") -> list[Span]:
    """All PII spans of ``text``, non-overlapping, sorted by start; offsets on ``text`` itself."""
    if not text:
        return []
    norm = normalise(text)
    t = norm.text
    found: list[Span] = []
    if "@" in t:
        found.extend(Span(m.start(), m.end(), "EMAIL", "email", 0.99) for m in _EMAIL.finditer(t))
    if " dot " in t and _SPOKEN_EMAIL_HINT.search(t):
        found.extend(
            Span(m.start(), m.end(), "EMAIL", "spoken_email", 0.9)
            for m in _SPOKEN_EMAIL.finditer(t)
        )
    lowered = lower_same_length(t)
    if _HAS_DIGIT.search(t):
        found.extend(detect_numbers(t, region=region, lowered=lowered))
    found.extend(detect_addresses(t, lowered))
    found.extend(detect_names(t, lowered))
    if not found:
        return []
    if norm.starts is not None:
        mapped = []
        for s in found:
            start, end = norm.to_original(s.start, s.end)
            mapped.append(s._replace(start=start, end=end))
        found = mapped
    out: list[Span] = []
    for s in resolve(found):
        piece = text[s.start : s.end]
        stripped = piece.strip(_STRIP)
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip(_STRIP))
        out.append(s._replace(start=s.start + lead, end=s.start + lead + len(stripped)))
    return out
