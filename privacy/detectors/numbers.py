"""Digit-based detectors: payment cards, phone numbers, IBANs, IPs, numbers named
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
from bisect import bisect_right
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

import phonenumbers
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban
from stdnum.es import ccc as es_ccc
from stdnum.us import rtn

from privacy.accel import load
from privacy.detectors import national
from privacy.detectors.national import clear_caches as clear_national_caches
from privacy.detectors.national import detect_national_ids, min_rule_digits
from privacy.spans import Span, lower_same_length

_DIGITS = re.compile(r"\d+")
# a date or a clock time: its digit groups never chain into a phone or long number
# (a leading digit before each lookbehind lets the regex engine skip straight to digits)
_DATE = re.compile(
    r"\d(?<!\d\d)(?:\d{3}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)|\d?[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?!\d)"
    r"|\d?:\d{2}(?::\d{2})?(?!\d))"
)
_GAP_OK = re.compile(r"^(?:[ \-.]|\) ?| ?\(|\)-| - |\.\s)$")
# digit groups joined by _GAP_OK gaps (whose "$" also allows one trailing newline)
_CHAIN = re.compile(r"\d+(?:(?:[ \-.]|\) ?| ?\(|\)-| - |\.\s)\n?\d+)*")
_EXT = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d{1,6})", re.IGNORECASE)
_IPV4 = re.compile(r"\d(?<![\d.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\d]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
IBAN_CANDIDATE = _IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,32}")
_CONTEXT_NUMBER = re.compile(
    r"\b(?P<cue>account|acct|a/c|member(?:ship)?|customer|client|order|invoice|booking|"
    r"confirmation|tracking|ticket|case|reference|ref|policy|claim|routing|aba|sort\s+code|"
    r"loyalty|card|pin|passport|licen[cs]e|id)\b"
    r"(?:\s+(?:number|no\.?|num|nr|#|id|code))?\s*(?:is|was|:|#|=|-)?\s*(?:number\s+)?"
    r"(?P<value>(?:[a-z]{1,4}[-/]?)?\d[\da-z]*(?:[ -/]\d[\da-z]*)*)"
)  # on lowercased text
_WORDS = re.compile(r"[^\W\d_]+")
# every cue of _CONTEXT_NUMBER is a whole word (or starts with one: "a/c")
_CONTEXT_CUE_WORDS = frozenset(
    [
        "account",
        "acct",
        "a",
        "member",
        "membership",
        "customer",
        "client",
        "order",
        "invoice",
        "booking",
        "confirmation",
        "tracking",
        "ticket",
        "case",
        "reference",
        "ref",
        "policy",
        "claim",
        "routing",
        "aba",
        "sort",
        "loyalty",
        "card",
        "pin",
        "passport",
        "license",
        "licence",
        "id",
    ]
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
    return 13 <= len(digits) <= 19 and _issuer_ok(digits) and luhn_ok(digits)


_DOUBLED = {str(d): (2 * d) % 9 if d != 9 else 9 for d in range(10)}  # digit -> digit sum of 2d


def luhn_ok(digits: str) -> bool:
    """The Luhn check (same answer as ``stdnum.luhn.is_valid`` on digit strings, ~10x faster).

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112"), luhn_ok("41११")
    (True, False, False)
    """
    if not digits.isascii() or not digits.isdigit():
        return False
    total = sum(map(int, digits[-1::-2])) + sum(map(_DOUBLED.__getitem__, digits[-2::-2]))
    return total % 10 == 0


def _blocked(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _DATE.finditer(text)]


def _sequences(text: str) -> list[list[re.Match[str]]]:
    """Digit groups chained by phone/card-style separators, never across dates or times."""
    blocked = _blocked(text) if ("/" in text or ":" in text or "-" in text or "." in text) else []
    if not blocked:
        # one regex finds each chain; the groups are then read inside it
        return [list(_DIGITS.finditer(text, c.start(), c.end())) for c in _CHAIN.finditer(text)]
    seqs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    # the blocked spans come from one finditer: sorted and disjoint, so the one that may hold a
    # group is the last starting at or before it (bisection; a scan of all of them per group
    # took seconds on a long text full of dates)
    block_starts = [s for s, _e in blocked]
    for m in _DIGITS.finditer(text):
        k = bisect_right(block_starts, m.start()) - 1
        if k >= 0 and m.start() < blocked[k][1]:
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
    if raw.startswith("+"):
        return 0.75  # international: a phone whatever the parser says
    return _phone_confidence(raw, region, digits.startswith("00"), 7 <= len(digits) <= 15)


@lru_cache(maxsize=4096)
def _phone_confidence(raw: str, region: str, international: bool, phone_length: bool) -> float:
    # cached per candidate: a conversation repeats the same number; parsing costs ~15 µs
    fast = _nanp_confidence(raw, region, international, phone_length)
    if fast is not None:
        return fast
    return _phone_confidence_py(raw, region, international, phone_length)


def _phone_confidence_py(raw: str, region: str, international: bool, phone_length: bool) -> float:
    """The reference of :func:`_phone_confidence`: parse, then ask phonenumbers."""
    formatted = any(c in raw for c in " -.()")
    try:
        number = _parse_phone(raw, region)
        # is_valid_number_for_region is much cheaper than is_valid_number (no region search)
        if phonenumbers.is_valid_number_for_region(number, region):
            return 0.9
        possible = phonenumbers.is_possible_number(number)
    except phonenumbers.NumberParseException:
        possible = False
    if possible or international:
        return 0.75
    if formatted and phone_length:
        return 0.6
    return 0.0


_NANP_REGIONS = frozenset(["US"])
_NANP_FIRST = frozenset("23456789")


def _parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber:
    """``phonenumbers.parse(raw, region)``, skipping the parser for the commonest shape: a US
    number written nationally, 7–15 ASCII digits starting with 2–9. Such a number has no
    international prefix (011) or national prefix (1) to strip, so the parser would return
    exactly this
    (``tests/unit/privacy/test_speed_paths.py`` compares both on generated candidates)."""
    if region in _NANP_REGIONS and raw[:1] != "+":
        digits = "".join(c for c in raw if c in "0123456789")
        if (
            7 <= len(digits) <= 15
            and digits[0] in _NANP_FIRST
            and all(c in _PHONE_PUNCTUATION or "0" <= c <= "9" for c in raw)
        ):
            return phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
    return phonenumbers.parse(raw, region)


_PHONE_PUNCTUATION = frozenset(" -.()")
_DROP_PHONE_PUNCTUATION = str.maketrans("", "", " -.()")


def _number_descs(
    region: str,
) -> tuple[
    tuple[frozenset[int], re.Pattern[str]] | None,
    tuple[tuple[frozenset[int], re.Pattern[str]], ...],
]:
    """``region``'s number descriptions as phonenumbers' ``_number_type_helper`` reads them: the
    general one, then every type that makes a number valid, each as (possible lengths, pattern)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return None, ()
    names = ["premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
             "uan", "voicemail", "fixed_line"]  # fmt: skip
    if not meta.same_mobile_and_fixed_line_pattern:  # only then does it look at mobile
        names.append("mobile")

    def desc(
        d: phonenumbers.PhoneNumberDesc | None,
    ) -> tuple[frozenset[int], re.Pattern[str]] | None:
        if d is None or not d.national_number_pattern:
            return None  # never matches (_match_national_number)
        return frozenset(d.possible_length), re.compile(d.national_number_pattern)

    types = tuple(x for x in (desc(getattr(meta, n)) for n in names) if x is not None)
    return desc(meta.general_desc), types


_US_GENERAL, _US_TYPES = _number_descs("US")
#: the lengths of a national significant number that ``is_possible_number`` accepts for +1 (it
#: only looks at the length)
_US_POSSIBLE_LENGTHS = frozenset(
    n
    for n in range(1, 18)
    if phonenumbers.is_possible_number(
        phonenumbers.PhoneNumber(country_code=1, national_number=int("2" * n))
    )
)


def _us_valid(nsn: str) -> bool:
    """``phonenumbers.is_valid_number_for_region(number, "US")`` for a +1 number whose national
    significant number is ``nsn`` (the same checks, on precompiled patterns)."""
    if _US_GENERAL is None or not _matches(nsn, _US_GENERAL):
        return False
    return any(_matches(nsn, d) for d in _US_TYPES)


def _matches(nsn: str, desc: tuple[frozenset[int], re.Pattern[str]]) -> bool:
    lengths, pattern = desc
    return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


_US_META = phonenumbers.PhoneMetadata.metadata_for_region("US")
_US_DESC = _US_META.general_desc if _US_META is not None else None
_US_LENGTHS: tuple[int, ...] = tuple(_US_DESC.possible_length) if _US_DESC is not None else ()
_US_LOCAL_LENGTHS: tuple[int, ...] = (
    tuple(_US_DESC.possible_length_local_only) if _US_DESC is not None else ()
)
#: the shortcut for numbers starting with 1 follows the parser's steps for these prefixes only
_LEADING_ONE_OK = (
    _US_META is not None
    and _US_GENERAL is not None
    and _US_META.country_code == 1
    and _US_META.international_prefix == "011"
    and _US_META.national_prefix_for_parsing == "1"
    and not _US_META.national_prefix_transform_rule
    and bool(_US_LENGTHS)
)


def _us_general(number: str) -> bool:
    """``_match_national_number(number, general_desc, False)``: the pattern alone."""
    return _US_GENERAL is not None and _US_GENERAL[1].fullmatch(number) is not None


def _us_strip_prefix(number: str) -> str:
    """``_maybe_strip_national_prefix_carrier_code(number, US)``'s number (prefix "1", no
    transform rule): kept when it is viable as is and would not be once stripped."""
    if not number.startswith("1"):
        return number
    if _us_general(number) and not _us_general(number[1:]):
        return number
    return number[1:]


def _us_length(number: str) -> str:
    """``_test_number_length(number, US)`` (the general description's lengths)."""
    lengths = _US_LENGTHS
    n = len(number)
    if lengths[0] == -1:
        return "invalid"
    if n in _US_LOCAL_LENGTHS:
        return "local"
    if lengths[0] == n:
        return "possible"
    if lengths[0] > n:
        return "too_short"
    if lengths[-1] < n:
        return "too_long"
    return "possible" if n in lengths[1:] else "invalid"


def _us_nsn_after_one(digits: str) -> str | None:
    """The national significant number ``phonenumbers.parse(raw, "US")`` gives for national
    digits starting with 1 (None: it raises): the country code 1 is taken off when the rest is
    viable and the whole is not (or the whole is too long), then the national prefix 1 when
    what is left keeps a possible length."""
    rest = _us_strip_prefix(digits[1:])
    if (not _us_general(digits) and _us_general(rest)) or _us_length(digits) == "too_long":
        number = rest
    else:
        number = digits
    if len(number) < 2:
        return None
    stripped = _us_strip_prefix(number)
    if _us_length(stripped) not in ("too_short", "local", "invalid"):
        number = stripped
    if not 2 <= len(number) <= 17:
        return None
    return number


def _nanp_confidence(
    raw: str, region: str, international: bool, phone_length: bool
) -> float | None:
    """:func:`_phone_confidence_py` without the parser for a US candidate written nationally
    (7–15 ASCII digits and `` -.()``, not starting with the international prefix 011):
    ``phonenumbers.parse`` keeps such a number's digits whole (with its leading zeros) as the
    national significant number, or, when they start with 1, takes off a country code or
    national prefix as :func:`_us_nsn_after_one` says; None for every other candidate
    (``tests/unit/privacy/test_accel_numbers.py`` compares both on generated candidates)."""
    if region not in _NANP_REGIONS:
        return None
    digits = raw.translate(_DROP_PHONE_PUNCTUATION)
    if not (7 <= len(digits) <= 15 and digits.isascii() and digits.isdigit()):
        return None
    if digits.startswith("011"):
        return None
    nsn: str | None = digits
    if digits[0] == "1":
        if not _LEADING_ONE_OK:
            return None
        nsn = _us_nsn_after_one(digits)
    if nsn is not None and _us_valid(nsn):
        return 0.9
    if (nsn is not None and len(nsn) in _US_POSSIBLE_LENGTHS) or international:
        return 0.75
    if len(digits) != len(raw) and phone_length:  # formatted
        return 0.6
    return 0.0


def clear_caches() -> None:
    """Forget cached validation verdicts (phones, IBANs, national ids): benchmarks measure a
    cold cache."""
    _phone_confidence.cache_clear()
    _iban_valid.cache_clear()
    clear_national_caches()


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


def detect_numbers(
    text: str,
    *,
    region: str = "US",
    lowered: str | None = None,
    n_digits: int | None = None,
    words: set[str] | frozenset[str] | None = None,
) -> list[Span]:
    """All digit-based entities of ``text``; assumes the caller checked that it has a digit.

    ``n_digits`` (how many digits the text holds) gates the detectors: each needs a minimum
    (phones and long numbers 7, national ids per rule, IPv4 and context numbers 4);
    ``words`` (the letter runs of ``lowered``) gates the ones that need a cue word.
    With the compiled twin built, ``_numbers.detect_numbers`` answers: it scans the text in C
    and passes every call it cannot take to :func:`_detect_numbers_py`, the reference (same
    arguments, same result).
    """
    if _C is not None:
        return _C.detect_numbers(  # type: ignore[no-any-return]
            text, region=region, lowered=lowered, n_digits=n_digits, words=words
        )
    return _detect_numbers_py(text, region=region, lowered=lowered, n_digits=n_digits, words=words)


def _detect_numbers_py(
    text: str,
    *,
    region: str = "US",
    lowered: str | None = None,
    n_digits: int | None = None,
    words: set[str] | frozenset[str] | None = None,
) -> list[Span]:
    """The reference of :func:`detect_numbers` (every text; the only path without the twin)."""
    if n_digits is None:
        n_digits = sum(c.isdigit() for c in text)
    out: list[Span] = []
    if n_digits >= 7:
        out.extend(_sequence_spans(text, region=region))
    if n_digits >= min_rule_digits():
        out.extend(detect_national_ids(text, n_digits=n_digits))
    out.extend(_ibans(text))
    if n_digits >= 4 and "." in text:
        out.extend(_ipv4(text))
    if ":" in text:
        out.extend(_ipv6(text))
    if n_digits >= 4:
        low = lowered if lowered is not None else lower_same_length(text)
        if words is None:
            words = set(_WORDS.findall(low))
        if n_digits >= 4 and not _CONTEXT_CUE_WORDS.isdisjoint(words):
            out.extend(_context_numbers(low))
    return out


def could_find_numbers(text: str, *, n_digits: int, words: set[str] | frozenset[str]) -> bool:
    """False when :func:`detect_numbers` certainly finds nothing: the same gates, checked alone
    (``words``: the letter runs of the lowercased text)."""
    if n_digits == 0:
        return False
    return (
        n_digits >= 7
        or n_digits >= min_rule_digits()
        or IBAN_CANDIDATE.search(text) is not None
        or (n_digits >= 4 and "." in text)
        or ":" in text
        or (n_digits >= 4 and not _CONTEXT_CUE_WORDS.isdisjoint(words))
    )


def _sequence_spans(text: str, *, region: str) -> list[Span]:
    """Cards, phones and long numbers from chained digit groups."""
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
    return out


_BASE36 = {ord(c): str(10 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def _mod97_ok(candidate: str) -> bool:
    """The ISO 7064 mod 97-10 check of an IBAN candidate: a cheap necessary condition of
    ``stdnum.iban.is_valid`` (which also checks the country's length and format), so that the
    shrinking loop below calls stdnum only for the candidate that can pass."""
    compact = candidate.upper().replace(" ", "").replace("-", "")
    try:
        return int((compact[4:] + compact[:4]).translate(_BASE36)) % 97 == 1
    except ValueError:
        return False


@cache
def iban_length(country: str) -> int | None:
    """The length of ``country``'s IBANs from python-stdnum's registry (0: no such country;
    None: the registry could not be read, so every length is tried).

    >>> iban_length("DE"), iban_length("GB"), iban_length("XX")
    (22, 22, 0)
    """
    try:
        info = stdnum_iban._ibandb.info(country + "00")  # type: ignore[attr-defined]
        if not info or not info[0][1] or info[0][0] != country:
            return 0
        parts = stdnum_iban._struct_re.findall(info[0][1].get("bban", ""))  # type: ignore[attr-defined]
        return 4 + sum(int(count) for count, _kind in parts)
    except Exception:  # a private registry: if its shape changes, fall back to trying all
        return None


def _ibans(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _IBAN.finditer(text):
        raw = m.group()
        length = iban_length(raw[:2].upper())
        if length == 0:
            continue
        if length is not None:
            # only the prefix holding exactly ``length`` letters and digits can validate
            end = _end_after_alnums(raw, length)
            ends: range | tuple[int, ...] = (end,) if end >= 15 else ()
        else:
            ends = range(len(raw), 14, -1)
        # the pattern is greedy: shrink from the right until a prefix validates per country
        for end in ends:
            if raw[end - 1] in " -":
                continue
            candidate = raw[:end]
            if _mod97_ok(candidate) and _iban_valid(candidate.upper()):
                out.append(Span(m.start(), m.start() + end, "IBAN", "iban", 0.99))
                break
    return out


@lru_cache(maxsize=4096)
def _iban_valid(candidate: str) -> bool:
    # cached per candidate: python-stdnum's check (registry lookup, per-country structure and
    # national check digits) costs up to ~90 µs, and a customer repeats the same IBAN
    fast = _iban_valid_fast(candidate)
    if fast is not None:
        return fast
    return bool(stdnum_iban.is_valid(candidate))


_IBAN_FAST_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -")


def _iban_valid_fast(candidate: str) -> bool | None:
    """``stdnum.iban.is_valid(candidate)`` for an upper-case candidate of letters, digits, spaces
    and hyphens (None for any other): the same steps (mod 97-10, the country's registry entry,
    its BBAN structure, the country's own module), with the per-country parts looked up once."""
    if not _IBAN_FAST_CHARS.issuperset(candidate):
        return None
    number = candidate.replace(" ", "").replace("-", "")  # stdnum's compact() on these
    if len(number) < 4:
        return None
    if int((number[4:] + number[:4]).translate(_BASE36)) % 97 != 1:
        return False
    country = _iban_country(number[:2])
    if country is None:
        return None
    structure, module = country
    if structure is None:  # no such country
        return False
    if not structure.match(number[4:]):
        return False
    if module is not None:
        tail = _IBAN_COUNTRY_TAILS.get(number[:2])
        try:
            if tail is not None:
                tail(number)
            else:
                module.validate(number)
        except stdnum_exceptions.ValidationError:
            return False
    return True


#: what a country's ``validate`` checks after ``iban.validate(number, check_country=False)``
#: (already done above), for the countries whose own check is cheap but whose re-validation is
#: not: ``stdnum.es.iban.validate`` is ``ccc.validate(to_ccc(number))`` after it
_IBAN_COUNTRY_TAILS = {"ES": lambda number: es_ccc.validate(number[4:])}


@cache
def _iban_country(country: str) -> tuple[re.Pattern[str] | None, Any] | None:
    """What ``stdnum.iban.validate`` looks up for ``country``: the BBAN structure (None: no such
    country) and the country's module; None when the private registry has another shape."""
    try:
        info = stdnum_iban._ibandb.info(country)  # type: ignore[attr-defined]
        if not info or info[0][0] != country:
            return None
        if not info[0][1]:
            return None, None
        structure = stdnum_iban._struct_to_re(info[0][1].get("bban", ""))  # type: ignore[attr-defined]
        module = stdnum_iban._get_cc_module(country)  # type: ignore[attr-defined]
        return structure, module
    except Exception:  # a private registry: if its shape changes, use stdnum itself
        return None


def _end_after_alnums(raw: str, count: int) -> int:
    """The offset just after the ``count``-th character of ``raw`` that is not a separator
    (0 when there are fewer)."""
    seen = 0
    for i, c in enumerate(raw):
        if c not in " -":
            seen += 1
            if seen == count:
                return i + 1
    return 0


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


def _load_twin() -> ModuleType | None:
    """The compiled twin, set up with this module's verifiers; None when it is not built, pure
    Python is asked for, or it was written for other patterns than the ones above."""
    twin = load("privacy.detectors._numbers")
    if twin is None:
        return None
    patterns = {
        "_DATE": _DATE, "_GAP_OK": _GAP_OK, "_CHAIN": _CHAIN, "_EXT": _EXT, "_IPV4": _IPV4,
        "_IPV6": _IPV6, "_IBAN": _IBAN, "_CONTEXT_NUMBER": _CONTEXT_NUMBER,
    }  # fmt: skip
    if {k: p.pattern for k, p in patterns.items()} != twin.PATTERNS or _EXT.flags != (
        re.IGNORECASE | re.UNICODE
    ):
        return None
    if tuple(r.pattern.pattern for r in national.BUILTIN_RULES) != twin.RULE_PATTERNS:
        return None
    twin.setup(
        Span,
        _phone_confidence,
        _iban_valid,
        iban_length,
        ipaddress.IPv4Address,
        ipaddress.IPv6Address,
        rtn.is_valid,
        national._validated,
        detect_national_ids,
        min_rule_digits,
        national.BUILTIN_RULES,
        _CONTEXT_CUE_WORDS,
        _detect_numbers_py,
        national,
    )
    return twin


# the twin dispatches itself (what it can scan in C, the rest to _detect_numbers_py); the
# function above stays the entry point so that accel.pure_python() can switch it off
_C = _load_twin()
