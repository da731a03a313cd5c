"""National identifiers as a registry of rules: add a country by appending one :class:`IdRule`.

>>> from privacy.detectors.national import RULES
>>> sorted({r.kind for r in RULES})
['UK_NINO', 'US_ITIN', 'US_SSN']
>>> [s.kind for s in detect_national_ids("SSN 531-21-7351, NI number AB 12 34 56 C")]
['US_SSN', 'UK_NINO']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.us import itin, ssn

from privacy.spans import Span


@dataclass(frozen=True, slots=True)
class IdRule:
    """One national identifier: a candidate pattern, a validator and optional context words.

    With ``context`` set, a candidate counts only when one of the words occurs within
    ``context_chars`` before it (for formats too plain to stand alone, e.g. 9 bare digits).
    """

    kind: str
    pattern: re.Pattern[str]
    validate: Callable[[str], bool]
    confidence: float = 0.9
    context: tuple[str, ...] = ()
    context_chars: int = 48


_NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def _valid_nino(value: str) -> bool:
    compact = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?", compact):
        return False
    return compact[:2] not in _NINO_BAD_PREFIX


def _ssn_formatted(value: str) -> bool:
    return ssn.is_valid(re.sub(r"[ -]", "", value))


RULES: list[IdRule] = [
    IdRule("US_SSN", re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])"), _ssn_formatted),
    IdRule(
        "US_SSN",
        re.compile(r"(?<![\w-])\d(?:[ -]?\d){8}(?![\w-]|[ -]\d)"),
        _ssn_formatted,
        confidence=0.7,
        context=("ssn", "social security", "social sec", "ss#", "ss #", "tax id", "taxpayer"),
    ),
    IdRule(
        "US_ITIN", re.compile(r"(?<![\w-])9\d{2}([- ]?)\d{2}\1\d{4}(?![\w-])"), itin.is_valid, 0.8
    ),
    IdRule(
        "UK_NINO",
        re.compile(r"(?<![\w])[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D](?![\w])"),
        _valid_nino,
    ),
]


def register(rule: IdRule) -> None:
    """Add a national identifier rule (e.g. from ``stdnum.<country>``) to every later detection."""
    RULES.append(rule)


def detect_national_ids(text: str) -> list[Span]:
    out: list[Span] = []
    lowered: str | None = None
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            if not rule.validate(m.group()):
                continue
            if rule.context:
                if lowered is None:
                    lowered = text.lower()
                window = lowered[max(0, m.start() - rule.context_chars) : m.start()]
                if not any(word in window for word in rule.context):
                    continue
            if any(o.start == m.start() and o.end == m.end() for o in out):
                continue  # a plainer rule for the same value
            out.append(Span(m.start(), m.end(), rule.kind, "national_id", rule.confidence))
    return out
