"""National identifiers as a registry of rules: add a country by appending one :class:`IdRule`.

>>> from privacy.detectors.national import RULES
>>> sorted({r.kind for r in RULES})
['UK_NINO', 'US_ITIN', 'US_SSN']
>>> [s.kind for s in detect_national_ids("SSN 531-21-7351, NI number AB 12 34 56 C")]
['US_SSN', 'UK_NINO']
>>> text = "my national insurance number is JG 10 37 59"
>>> [text[s.start:s.end] for s in detect_national_ids(text)]
['JG 10 37 59']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
    #: the fewest digits a match can hold: texts with fewer skip the rule (1 = always run)
    min_digits: int = 1


_NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def _valid_nino(value: str) -> bool:
    compact = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?", compact):
        return False
    return compact[:2] not in _NINO_BAD_PREFIX


def _ssn_formatted(value: str) -> bool:
    return ssn.is_valid(value.replace(" ", "").replace("-", ""))


RULES: list[IdRule] = [
    IdRule(
        "US_SSN",
        re.compile(r"\d(?<![\w-]\d)\d{2}([- ])\d{2}\1\d{4}(?![\w-])"),
        _ssn_formatted,
        min_digits=9,
    ),
    IdRule(
        "US_SSN",
        re.compile(r"\d(?<![\w-]\d)(?:[ -]?\d){8}(?![\w-]|[ -]\d)"),
        _ssn_formatted,
        confidence=0.7,
        context=("ssn", "social security", "social sec", "ss#", "ss #", "tax id", "taxpayer"),
        min_digits=9,
    ),
    IdRule(
        "US_ITIN",
        re.compile(r"9(?<![\w-]9)\d{2}([- ]?)\d{2}\1\d{4}(?![\w-])"),
        itin.is_valid,
        0.8,
        min_digits=9,
    ),
    IdRule(
        "UK_NINO",
        re.compile(r"[A-Z](?<!\w[A-Z])[A-Z][ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D](?![\w])"),
        _valid_nino,
        min_digits=6,
    ),
    # without its suffix letter a NINO is just two letters and six digits: only after a cue
    IdRule(
        "UK_NINO",
        re.compile(
            r"[A-Z](?<!\w[A-Z])[A-Z][ -]?\d{2}[ -]?\d{2}[ -]?\d{2}(?![\w]|[ -]?\d|[ -][A-D](?!\w))"
        ),
        _valid_nino,
        confidence=0.75,
        context=("national insurance", "ni number", "ni no", "nino", "ni #", "insurance number"),
        min_digits=6,
    ),
]


#: the rules above, as shipped (the compiled twin scans these; other rule sets run in Python)
BUILTIN_RULES: tuple[IdRule, ...] = tuple(RULES)


def register(rule: IdRule) -> None:
    """Add a national identifier rule (e.g. from ``stdnum.<country>``) to every later detection."""
    RULES.append(rule)


_min_digits: list[int] = [-1, 1]  # (len(RULES) it was computed for, the minimum)


def min_rule_digits() -> int:
    """The fewest digits any registered rule needs (a text with fewer skips them all)."""
    if _min_digits[0] != len(RULES):  # recomputed after register()
        _min_digits[:] = [len(RULES), min((r.min_digits for r in RULES), default=1)]
    return _min_digits[1]


@lru_cache(maxsize=4096)
def _validated(validate: Callable[[str], bool], value: str) -> bool:
    """``validate(value)``, cached per (validator, candidate): python-stdnum's checks cost
    several µs and a conversation repeats the same identifier."""
    return bool(validate(value))


def clear_caches() -> None:
    """Forget cached verdicts (benchmarks measure a cold cache)."""
    _validated.cache_clear()


def detect_national_ids(text: str, *, n_digits: int | None = None) -> list[Span]:
    """Spans of every registered rule; ``n_digits`` (digits in the text) skips rules that need more."""
    out: list[Span] = []
    lowered: str | None = None
    for rule in RULES:
        if n_digits is not None and n_digits < rule.min_digits:
            continue
        if rule.context:
            if lowered is None:
                lowered = text.lower()
            if not any(word in lowered for word in rule.context):
                continue  # no context word anywhere, so none before any candidate
        for m in rule.pattern.finditer(text):
            start, end = m.span()
            # the cheap tests first: a span already found by a plainer rule, the context window
            if any(o.start == start and o.end == end for o in out):
                continue
            if rule.context:
                assert lowered is not None  # set by the gate above
                window = lowered[max(0, start - rule.context_chars) : start]
                if not any(word in window for word in rule.context):
                    continue
            if _validated(rule.validate, m.group()):
                out.append(Span(start, end, rule.kind, "national_id", rule.confidence))
    return out
