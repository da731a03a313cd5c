"""The detection result type and overlap resolution."""

from __future__ import annotations

from typing import NamedTuple

#: Entity kinds, from most to least specific. Resolution keeps the higher-priority kind on overlap.
KIND_PRIORITY: dict[str, int] = {
    "EMAIL": 100,
    "CREDIT_CARD": 95,
    "IBAN": 96,
    "US_SSN": 92,
    "UK_NINO": 92,
    "NATIONAL_ID": 90,
    "IP_ADDRESS": 90,
    "DATE_OF_BIRTH": 85,
    "BANK_ACCOUNT": 84,
    "ACCOUNT_NUMBER": 80,
    "ORDER_NUMBER": 80,
    "POLICY_NUMBER": 80,
    "PHONE": 75,
    "ADDRESS": 60,
    "PERSON": 55,
    "NUMBER": 10,
}


class Span(NamedTuple):
    """A detected entity: ``text[start:end]`` on the ORIGINAL text.

    >>> s = Span(9, 24, "EMAIL", "email", 0.99)
    >>> "write to ann@example.org now"[s.start:s.end]
    'ann@example.org'
    >>> s.kind
    'EMAIL'
    """

    start: int
    end: int
    kind: str
    detector: str
    confidence: float


def lower_same_length(text: str) -> str:
    """``text.lower()`` with every character kept at its offset (a few Unicode letters, like "İ",
    lower to two characters; those stay as they are).

    >>> lower_same_length("Ünïcode İS")
    'ünïcode İs'
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _start(span: Span) -> int:
    return span[0]


def resolve(spans: list[Span]) -> list[Span]:
    """Drop spans overlapping a stronger one (priority, then confidence, then length); sort by start.

    Over-masking beats leaking, so an overlapped weaker span that sticks out on either side is not
    lost: the part outside the stronger span is kept as its own span.

    >>> resolve([Span(0, 10, "NUMBER", "n", 0.3), Span(2, 8, "PHONE", "p", 0.9)])
    [Span(start=0, end=2, kind='NUMBER', detector='n', confidence=0.3), Span(start=2, end=8, kind='PHONE', detector='p', confidence=0.9), Span(start=8, end=10, kind='NUMBER', detector='n', confidence=0.3)]
    """
    if len(spans) <= 1:
        return list(spans)
    by_start = sorted(spans, key=_start)
    end = 0
    for span in by_start:
        if span[0] < end or span[1] <= span[0]:
            break
        end = span[1]
    else:
        return by_start  # the common case: nothing overlaps, nothing is empty — nothing to cut
    return _resolve_ranked(spans)


def _resolve_ranked(spans: list[Span]) -> list[Span]:
    """:func:`resolve` in full: each span, strongest first, cut by the ones kept before it."""
    ranked = sorted(
        spans,
        key=lambda s: (-KIND_PRIORITY.get(s.kind, 0), -s.confidence, -(s.end - s.start), s.start),
    )
    kept: list[Span] = []
    for span in ranked:
        pieces = [span]
        for other in kept:
            nxt: list[Span] = []
            for piece in pieces:
                if piece.end <= other.start or piece.start >= other.end:
                    nxt.append(piece)
                    continue
                if piece.start < other.start:
                    nxt.append(Span(piece[0], other[0], *piece[2:]))
                if piece.end > other.end:
                    nxt.append(Span(other[1], piece[1], *piece[2:]))
            pieces = nxt
        kept.extend(p for p in pieces if p.end > p.start)
    kept.sort(key=lambda s: s.start)
    return kept
