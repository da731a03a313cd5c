"""Recall and precision of a detector on labelled texts (used by the tests and ``make bench``).

Structured kinds (cards, IBANs, e-mails, SSNs, IPs, phones) are scored per entity: a gold entity
counts as found only when EVERY letter and digit of it lies inside predicted spans of that kind.
Names and addresses are scored per token (letters/digits runs): recall is the share of gold tokens
covered by a span of the kind; precision the share of predicted tokens inside gold spans of the kind
(for addresses, a city or country labelled LOCATION inside the address counts as correct).

>>> gold = [Labelled("call 212-555-0143", [(5, 17, "PHONE")])]
>>> score(gold, [[(5, 17, "PHONE")]])["PHONE"]["recall"]
1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Presidio-research labels -> our kinds (others are not scored).
PRESIDIO_KINDS = {
    "PERSON": "PERSON",
    "ADDRESS": "ADDRESS",
    "STREET_ADDRESS": "ADDRESS",
    "LOCATION": "LOCATION",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS",
}
ENTITY_KINDS = ("CREDIT_CARD", "IBAN", "EMAIL", "US_SSN", "IP_ADDRESS", "PHONE")
TOKEN_KINDS = ("PERSON", "ADDRESS")
SCORED = ENTITY_KINDS + TOKEN_KINDS
_TOK = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Labelled:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def load_presidio(records: Iterable[dict]) -> list[Labelled]:
    out = []
    for r in records:
        spans = [
            (s["start_position"], s["end_position"], PRESIDIO_KINDS[s["entity_type"]])
            for s in r["spans"]
            if s["entity_type"] in PRESIDIO_KINDS
        ]
        out.append(Labelled(r["full_text"], spans))
    return out


def _covered(text: str, spans: Sequence[tuple[int, int, str]], kinds: set[str]) -> list[bool]:
    mask = [False] * len(text)
    for s, e, k in spans:
        if k in kinds:
            for i in range(max(0, s), min(len(text), e)):
                mask[i] = True
    return mask


def score(
    gold: Sequence[Labelled], predicted: Sequence[Sequence[tuple[int, int, str]]]
) -> dict[str, dict[str, float]]:
    """Per kind: recall, precision, support (gold entities or tokens)."""
    stats = {k: {"found": 0, "gold": 0, "pred": 0, "pred_ok": 0} for k in SCORED}
    for item, pred in zip(gold, predicted, strict=True):
        text = item.text
        for kind in SCORED:
            pmask = _covered(text, pred, {kind})
            ok_kinds = {kind, "LOCATION"} if kind == "ADDRESS" else {kind}
            gmask = _covered(text, item.spans, ok_kinds)
            st = stats[kind]
            if kind in ENTITY_KINDS:
                for s, e, k in item.spans:
                    if k != kind:
                        continue
                    st["gold"] += 1
                    if all(pmask[i] for i in range(s, e) if text[i].isalnum()):
                        st["found"] += 1
                for s, e, k in pred:
                    if k != kind:
                        continue
                    st["pred"] += 1
                    if any(gmask[i] for i in range(s, e)):
                        st["pred_ok"] += 1
            else:
                own = _covered(text, item.spans, {kind})
                for m in _TOK.finditer(text):
                    a, b = m.start(), m.end()
                    if own[a]:
                        st["gold"] += 1
                        st["found"] += any(pmask[a:b])
                    if any(pmask[a:b]):
                        st["pred"] += 1
                        st["pred_ok"] += gmask[a]
    out: dict[str, dict[str, float]] = {}
    for kind, st in stats.items():
        out[kind] = {
            "recall": st["found"] / st["gold"] if st["gold"] else 1.0,
            "precision": st["pred_ok"] / st["pred"] if st["pred"] else 1.0,
            "support": float(st["gold"]),
        }
    return out
