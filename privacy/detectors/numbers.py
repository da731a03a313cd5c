"""Digit-based detectors: payment cards, phone numbers, IBANs, IPs, dates of birth, numbers named
by context (account, order, policy, routing, sort code) and a catch-all for long numbers.

One pass chains digit groups into candidate sequences (the cheap prefilter); only those candidates
reach the checksum and phone-number parsers.

>>> [(s.kind, s.detector) for s in detect_numbers("pay 4111 1111 1111 1111 or call 212-555-0143")]
[('CREDIT_CARD', 'card'), ('PHONE', 'phone')]
>>> detect_numbers("I paid 25 dollars at 10:30 for 3 items")
[]
"""

from __future__ import annotations

import ipaddress
import re

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.us import rtn

from privacy.detectors.national import detect_national_ids
from privacy.spans import Span, lower_same_length

_DIGITS = re.compile(r"\d+")
# a date or a clock time: its digit groups never chain into a phone or long number
_DATE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))(?!\d)"
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
)
_GAP_OK = re.compile(r"^(?:[ \-.]|\) ?| ?\(|\)-| - |\.\s)$")
_EXT = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d{1,6})", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,32}")
_CONTEXT_NUMBER = re.compile(
    r"\b(?P<cue>account|acct|a/c|member(?:ship)?|customer|client|order|invoice|booking|"
    r"confirmation|tracking|ticket|case|reference|ref|policy|claim|routing|aba|sort\s+code|"
    r"loyalty|card|pin|passport|licen[cs]e|id)\b"
    r"(?:\s+(?:number|no\.?|num|nr|#|id|code))?\s*(?:is|was|:|#|=|-)?\s*(?:number\s+)?"
    r"(?P<value>(?:[a-z]{1,4}[-/]?)?\d[\da-z]*(?:[ -/]\d[\da-z]*)*)"
)  # on lowercased text
_DOB_CONTEXT = re.compile(r"\b(?:born|birth|dob|d\.o\.b\.?|birthday|birthdate)\b")  # lowercased
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DOB_VALUE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{2,4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}|{_MONTHS}\s+\d{{5,8}})(?!\d)",
    re.IGNORECASE,
)

_CARD_PREFIXES = (
    ("4",),
    tuple(str(p) for p in range(51, 56)) + tuple(str(p) for p in range(2221, 2721)),
    ("34", "37"),
    (
        "6011",
        "65",
        *tuple(str(p) for p in range(644, 650)),
        *tuple(str(p) for p in range(622126, 622926)),
    ),
    tuple(str(p) for p in range(3528, 3590)),
    ("36", "38", "39", *tuple(str(p) for p in range(300, 306))),
    ("62", "81"),
    ("50", "56", "57", "58", "6", "60", "63", "67", "68", "69"),
)
_CARD_PREFIX_SET = frozenset(p for group in _CARD_PREFIXES for p in group)


def _issuer_ok(digits: str) -> bool:
    return any(digits[:k] in _CARD_PREFIX_SET for k in (1, 2, 3, 4, 6))


def is_card(digits: str) -> bool:
    """13–19 digits, Luhn-valid and in a known issuer range.

    >>> is_card("4111111111111111"), is_card("4111111111111112"), is_card("1111111111111117")
    (True, False, False)
    """
    return 13 <= len(digits) <= 19 and _issuer_ok(digits) and luhn.is_valid(digits)


def _blocked(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _DATE.finditer(text)]


def _sequences(text: str) -> list[list[re.Match[str]]]:
    """Digit groups chained by phone/card-style separators, never across dates or times."""
    blocked = _blocked(text) if ("/" in text or ":" in text or "-" in text or "." in text) else []
    seqs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for m in _DIGITS.finditer(text):
        if blocked and any(s <= m.start() < e for s, e in blocked):
            if current:
                seqs.append(current)
                current = []
            continue
        if current and _GAP_OK.match(text[current[-1].end() : m.start()]):
            current.append(m)
        else:
            if current:
                seqs.append(current)
            current = [m]
    if current:
        seqs.append(current)
    return seqs


def _phone(text: str, start: int, end: int, *, region: str, digits: str) -> float:
    """Confidence that ``text[start:end]`` is a phone number (0 when it is not)."""
    raw = text[start:end]
    international = raw.startswith("+") or digits.startswith("00")
    formatted = any(c in raw for c in " -.()")
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
        # is_valid_number_for_region is much cheaper than is_valid_number (no region search)
        if not raw.startswith("+") and phonenumbers.is_valid_number_for_region(number, region):
            return 0.9
        possible = phonenumbers.is_possible_number(number)
    except phonenumbers.NumberParseException:
        possible = False
    if possible or international:
        return 0.75
    if formatted and 7 <= len(digits) <= 15:
        return 0.6
    return 0.0


def _card_in(seq: list[re.Match[str]]) -> tuple[int, int] | None:
    """The longest run of whole groups inside ``seq`` that is a valid card number."""
    n = len(seq)
    for i in range(n):
        digits = ""
        for j in range(i, n):
            digits += seq[j].group()
            if len(digits) > 19:
                break
            if len(digits) >= 13 and is_card(digits):
                # prefer extending to a longer valid card (19-digit cards)
                best = (i, j)
                k_digits = digits
                for k in range(j + 1, n):
                    k_digits += seq[k].group()
                    if len(k_digits) > 19:
                        break
                    if is_card(k_digits):
                        best = (i, k)
                return best
    return None


def detect_numbers(text: str, *, region: str = "US", lowered: str | None = None) -> list[Span]:
    """All digit-based entities of ``text``; assumes the caller checked that it has a digit."""
    out: list[Span] = []
    for seq in _sequences(text):
        start, end = seq[0].start(), seq[-1].end()
        digits = "".join(m.group() for m in seq)
        if len(digits) < 7:
            continue
        card = _card_in(seq) if len(digits) >= 13 else None
        if card is not None:
            i, j = card
            out.append(Span(seq[i].start(), seq[j].end(), "CREDIT_CARD", "card", 0.95))
            if i == 0 and j == len(seq) - 1:
                continue
        if (start > 0 and text[start - 1] == "+") or (start > 0 and text[start - 1] == "("):
            start -= 1
        ext = _EXT.match(text, end)
        end_with_ext = ext.end() if ext is not None and len(digits) >= 7 else end
        if 7 <= len(digits) <= 15:
            conf = _phone(text, start, end, region=region, digits=digits)
            if conf > 0:
                out.append(Span(start, end_with_ext, "PHONE", "phone", conf))
                continue
        # over-masking a long number beats leaking it
        out.append(Span(start, end, "NUMBER", "long_number", 0.4))
    out.extend(detect_national_ids(text))
    out.extend(_ibans(text))
    if "." in text:
        out.extend(_ipv4(text))
    if ":" in text:
        out.extend(_ipv6(text))
    low = lowered if lowered is not None else lower_same_length(text)
    out.extend(_context_numbers(low))
    out.extend(_dates_of_birth(text, low))
    return out


def _ibans(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _IBAN.finditer(text):
        raw = m.group()
        # the pattern is greedy: shrink from the right until a prefix validates per country
        for end in range(len(raw), 14, -1):
            if raw[end - 1] in " -":
                continue
            candidate = raw[:end]
            if stdnum_iban.is_valid(candidate.upper()):
                out.append(Span(m.start(), m.start() + end, "IBAN", "iban", 0.99))
                break
    return out


def _ipv4(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        out.append(Span(m.start(), m.end(), "IP_ADDRESS", "ip", 0.95))
    return out


def _ipv6(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _IPV6.finditer(text):
        value = m.group()
        if value.count(":") < 2 or len(value) < 6:
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        out.append(Span(m.start(), m.end(), "IP_ADDRESS", "ip", 0.95))
    return out


_CUE_KIND = {
    "order": "ORDER_NUMBER", "invoice": "ORDER_NUMBER", "booking": "ORDER_NUMBER",
    "confirmation": "ORDER_NUMBER", "tracking": "ORDER_NUMBER", "ticket": "ORDER_NUMBER",
    "case": "ORDER_NUMBER", "reference": "ORDER_NUMBER", "ref": "ORDER_NUMBER",
    "policy": "POLICY_NUMBER", "claim": "POLICY_NUMBER",
    "routing": "BANK_ACCOUNT", "aba": "BANK_ACCOUNT",
    "passport": "NATIONAL_ID", "license": "NATIONAL_ID", "licence": "NATIONAL_ID",
}  # fmt: skip


def _context_numbers(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _CONTEXT_NUMBER.finditer(text):
        value = m.group("value").rstrip(" -/")
        n_digits = sum(c.isdigit() for c in value)
        cue = m.group("cue").lower()
        if cue.startswith("sort"):
            if re.fullmatch(r"\d{2}[- ]?\d{2}[- ]?\d{2}", value):
                out.append(
                    Span(
                        m.start("value"),
                        m.start("value") + len(value),
                        "BANK_ACCOUNT",
                        "context",
                        0.85,
                    )
                )
            continue
        if n_digits < 4:
            continue
        kind = _CUE_KIND.get(cue, "ACCOUNT_NUMBER")
        conf = 0.8
        if kind == "BANK_ACCOUNT":
            conf = 0.95 if rtn.is_valid(re.sub(r"\D", "", value)) else 0.7
        out.append(Span(m.start("value"), m.start("value") + len(value), kind, "context", conf))
    return out


def _dates_of_birth(text: str, lowered: str) -> list[Span]:
    cue = _DOB_CONTEXT.search(lowered)
    if cue is None:
        return []
    out: list[Span] = []
    for m in _DOB_VALUE.finditer(text, cue.start()):
        if m.start() - cue.end() > 60:
            nxt = _DOB_CONTEXT.search(lowered, cue.end())
            if nxt is None or nxt.start() > m.start():
                break
            cue = nxt
            if m.start() - cue.end() > 60:
                continue
        out.append(Span(m.start(), m.end(), "DATE_OF_BIRTH", "dob", 0.85))
    return out
