"""Street addresses from structure (house number + street word), street-name compounds
("Nassaustraat 123"), unit designators ("Apt. 4B"), postal codes and context ("lives at",
"address:"). An anchor is extended over the rest of the address — city, region, country, postal
code, over commas and line breaks — until an ordinary word ends it.

>>> text = "Please ship it to 221 Baker Street, London NW1 6XE by Friday"
>>> [text[s.start:s.end] for s in detect_addresses(text)]
['221 Baker Street, London NW1 6XE']
>>> detect_addresses("I paid 25 dollars for 3 cards on the road")
[]
"""

from __future__ import annotations

import re
from functools import cache

from privacy.accel import load
from privacy.spans import Span, lower_same_length
from privacy.wordlists import STOP_WORDS, common_words, places, street_words

#: the C twin (``_addresses.c``) for ASCII texts; None when not built or LOOPLINE_PRIVACY_PURE=1
_C = load("privacy.detectors._addresses")

_UNITS = "apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|bldg|building|po box|p\\.o\\. box|box"
_UNIT = re.compile(rf"\b(?:{_UNITS})\.?\s*#?\s*\d+[a-z]?\b")  # on lowercased text
_COMPOUND_SUFFIXES = (
    "straat", "strasse", "straße", "str.", "gasse", "weg", "laan", "gatan", "vägen", "vej", "vei",
    "veien", "katu", "kuja", "gade", "gata", "allee", "platz", "plein", "dreef", "kade", "gracht",
    "ring", "ulica", "utca", "útja", "gürtel", "stradă",
)  # fmt: skip
# "<word> <number>": kept when the word ends like a street ("Nassaustraat 123")
# necessary for an accepted _WORD_NUMBER match: a street suffix, then a number
_COMPOUND_HINT = re.compile(
    "(?:" + "|".join(re.escape(x.rstrip(".")) for x in _COMPOUND_SUFFIXES) + r")\.?[ ]+\d"
)
# the lookbehind only stops retries inside a word (a match always starts at a word's start)
_WORD_NUMBER = re.compile(r"(?<![^\W\d_])([^\W\d_]+\.?)[ ]+\d{1,5}[a-z]?\b")
_CUE = re.compile(  # on lowercased text
    r"\b(?:address(?:es)?|live[sd]?\s+(?:at|in|on)|living\s+(?:at|on)|located\s+at|moved?\s+to|"
    r"return(?:ed)?\s+to|ship(?:ped)?\s+(?:it\s+)?to|deliver(?:ed)?\s+(?:it\s+)?to|"
    r"send\s+(?:it\s+)?to|reside[sd]?\s+at|is\s+(?:at|on)|zip(?:\s*code)?|post(?:al)?\s*code)\b"
)
# the first word of every _CUE phrase ("is" only as "is at" / "is on")
_CUE_FIRST_WORDS = frozenset(
    [
        "address",
        "addresses",
        "live",
        "lives",
        "lived",
        "living",
        "located",
        "move",
        "moved",
        "return",
        "returned",
        "ship",
        "shipped",
        "deliver",
        "delivered",
        "send",
        "reside",
        "resides",
        "resided",
        "zip",
        "zipcode",
        "post",
        "postal",
        "postcode",
        "postalcode",
    ]
)
_IS_AT = re.compile(r"\bis\s+(?:at|on)\b")


def _has_cue(lowered: str, words: set[str] | frozenset[str]) -> bool:
    return not _CUE_FIRST_WORDS.isdisjoint(words) or (
        "is" in words and _IS_AT.search(lowered) is not None
    )


_NUMBER = re.compile(r"\d{1,6}[A-Za-z]?")
_TOKEN = re.compile(r"\d{1,6}[A-Za-z]?\b|[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?|\d+")
_SEP_OK = re.compile(r"^[\s,()#/\-–]*$")
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
_MAX_TOKENS = 18
_DIGIT_RUNS = re.compile(r"\d+")
_WORDS = re.compile(r"[^\W\d_]+")


@cache
def _street_number_pattern() -> re.Pattern[str]:
    words = "|".join(sorted((re.escape(w) for w in street_words()), key=len, reverse=True))
    # "<number> <up to 4 words> <street word>" ("12 Baker Street", "48 rue Descartes")
    return re.compile(  # on lowercased text
        rf"\d(?<!\w\d)\d{{0,4}}[a-z]?((?:[ ]+[^\W\d_][\w'’.\-]*){{0,4}}?)[ ]+(?:{words})\b\.?"
    )


# "<number> <words> <number>": building, street, house number ("87 Jakobi 69", "11 Školní 939")
_NUM_WORDS_NUM = re.compile(
    r"\d(?<!\w\d)\d{0,4}((?:[ ]+[^\W\d_][\w'’\-]*\.?){1,3})[ ]+\d{1,5}[A-Za-z]?\b"
)


def _num_words_num_anchors(text: str, common: frozenset[str]) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    for m in _NUM_WORDS_NUM.finditer(text):
        words = [w.lower().rstrip(".") for w in m.group(1).split()]
        if all(w not in common for w in words):
            out.append((m.start(), m.end(), 0.6))
    return out


# a named street without a number: "Whittaker Street" (case matters here)
NAMED_STREET_SUFFIXES = (
    "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Ln", "Drive", "Boulevard", "Blvd",
    "Court", "Place", "Way", "Terrace", "Square", "Highway", "Parkway", "Crescent", "Close",
)  # fmt: skip
_NAMED_STREET = re.compile(
    r"\b(?:[A-Z][\w'’\-]*[ ]+){1,3}(?:" + "|".join(NAMED_STREET_SUFFIXES) + r")\b\.?"
)
_DIRECTIONS = frozenset(
    [
        "n",
        "s",
        "e",
        "w",
        "ne",
        "nw",
        "se",
        "sw",
        "north",
        "south",
        "east",
        "west",
        "old",
        "new",
        "upper",
        "lower",
    ]
)


def _street_anchors(
    text: str, lowered: str, common: frozenset[str]
) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    for m in _street_number_pattern().finditer(lowered):
        middle = text[m.start(1) : m.end(1)].split()
        if all(
            w[0].isupper()
            or w.lower().rstrip(".") not in common
            or w.lower().rstrip(".") in _DIRECTIONS
            for w in middle
        ):
            out.append((m.start(), m.end(), 0.85))
    return out


def _named_street_anchors(text: str, common: frozenset[str]) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    for m in _NAMED_STREET.finditer(text):
        words = m.group().split()[:-1]
        if words and all(w.lower() not in common for w in words):
            out.append((m.start(), m.end(), 0.6))
    return out


def _accept(tok: str, common: frozenset[str], streets: frozenset[str]) -> bool:
    if tok[0].isdigit():
        return len(tok.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")) <= 6
    lw = tok.lower().rstrip(".")
    if lw in streets or lw == "nan" or _UK_POSTCODE.match(tok) or lw in places():
        return True
    if (tok.isupper() and len(lw) <= 3) or (tok.endswith(".") and len(lw) <= 3):
        return True  # state codes, initials and abbreviations ("JN", "N.", "rkp.")
    if lw in _DIRECTIONS:
        return True
    if tok[0].isupper():
        return lw not in STOP_WORDS  # "Port Janiceville", "Vatican City"
    return lw not in common


def _extend_right(text: str, pos: int, *, common: frozenset[str], streets: frozenset[str]) -> int:
    end = pos
    count = 0
    for m in _TOKEN.finditer(text, pos):
        sep = text[end : m.start()]
        if not _SEP_OK.match(sep.replace(".", "")) or sep.count("\n") > 2 or len(sep) > 8:
            break
        tok = m.group()
        lw = tok.lower().rstrip(".")
        if lw in _UNIT_WORDS:
            end = m.end()
            count += 1
            continue
        if not _accept(tok, common, streets):
            break
        end = m.end()
        count += 1
        if count >= _MAX_TOKENS:
            break
    return end


_UNIT_WORDS = frozenset(
    [
        "apt",
        "apartment",
        "suite",
        "ste",
        "unit",
        "flat",
        "floor",
        "fl",
        "room",
        "rm",
        "bldg",
        "building",
        "box",
    ]
)


# \Z, not $: "$" also matches before a final newline, and the word on the line above would then
# be taken in one character short ("Zork \n12 Baker St" masked from "ork")
_LEFT_WORD = re.compile(r"([^\W_]+[.]?)([ \t]+|[ \t]*,[ \t]*)\Z")


def _extend_left(text: str, pos: int, *, common: frozenset[str], streets: frozenset[str]) -> int:
    """Take in a house number, or capitalised street-name words, just before an anchor."""
    start = pos
    for _ in range(4):
        seg = text[max(0, start - 40) : start]
        m = _LEFT_WORD.search(seg)
        if m is None:
            break
        tok = m.group(1)
        if tok[0].isdigit() or (tok[0].isupper() and tok.lower().rstrip(".") not in common):
            start = start - len(m.group(0))
        else:
            break
    return start


NAMED_STREET_WORDS = frozenset(w.lower() for w in NAMED_STREET_SUFFIXES)
_UNIT_GATE = frozenset(["apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room"])
_UNIT_GATE = _UNIT_GATE | {"rm", "bldg", "building", "po", "p", "o", "box"}


def numbered_anchor_possible(
    lowered: str, words: set[str] | frozenset[str], digit_runs: int
) -> bool:
    """Whether any anchor that needs a number ("12 Baker Street", "Apt 4", "87 Jakobi 69",
    "Nassaustraat 5", "lives at 12") can occur in a text with ``digit_runs`` runs of digits:
    the same gates as :func:`detect_addresses` applies before each pass."""
    return digit_runs > 0 and (
        not street_words().isdisjoint(words)
        or digit_runs >= 2
        or _COMPOUND_HINT.search(lowered) is not None
        or not _UNIT_GATE.isdisjoint(words)
        or _has_cue(lowered, words)
    )


@cache
def _tables() -> tuple[object, ...]:
    """What the C twin looks words up in (its ``tables``), built on its first call."""
    return (
        common_words(),
        street_words(),
        places(),
        STOP_WORDS,
        _DIRECTIONS,
        _UNIT_WORDS,
        NAMED_STREET_WORDS,
        _UNIT_GATE,
        _CUE_FIRST_WORDS,
        Span,
    )


def detect_addresses(
    text: str,
    lowered: str | None = None,
    *,
    words: set[str] | frozenset[str] | None = None,
    digit_runs: int | None = None,
) -> list[Span]:
    """Address spans. ``words`` (letter runs of ``lowered``) and ``digit_runs`` (how many runs of
    digits the text has) may be shared by the caller; they only gate the anchor passes.

    With the C twin built, ``_C.detect_addresses`` answers (same signature, same results):
    ASCII texts in C, every other text by :func:`_detect_addresses_py`."""
    if _C is not None:
        return _C.detect_addresses(text, lowered, words=words, digit_runs=digit_runs)  # type: ignore[no-any-return]
    return _detect_addresses_py(text, lowered, words=words, digit_runs=digit_runs)


def _detect_addresses_py(
    text: str,
    lowered: str | None = None,
    *,
    words: set[str] | frozenset[str] | None = None,
    digit_runs: int | None = None,
) -> list[Span]:
    """The reference :func:`detect_addresses` (any text; the C twin matches it on ASCII)."""
    low = lowered if lowered is not None else lower_same_length(text)
    if words is None:
        words = set(_WORDS.findall(low))
    if digit_runs is None:
        digit_runs = len(_DIGIT_RUNS.findall(text))
    named = not NAMED_STREET_WORDS.isdisjoint(words)
    if not digit_runs and not named:
        return []  # every anchor needs a digit or a street suffix word
    common = common_words()
    streets = street_words()
    out: list[Span] = []
    anchors: list[tuple[int, int, float]] = []
    if digit_runs:
        if not streets.isdisjoint(words):
            anchors.extend(_street_anchors(text, low, common))
        if digit_runs >= 2:
            anchors.extend(_num_words_num_anchors(text, common))
        if _COMPOUND_HINT.search(low) is not None:
            anchors.extend(
                (m.start(), m.end(), 0.85)
                for m in _WORD_NUMBER.finditer(low)
                if m.group(1).endswith(_COMPOUND_SUFFIXES)
            )
        if not _UNIT_GATE.isdisjoint(words):
            anchors.extend((m.start(), m.end(), 0.8) for m in _UNIT.finditer(low))
        for cue in _CUE.finditer(low) if _has_cue(low, words) else ():
            # the address proper starts at the first number within a short distance of the cue
            num = _NUMBER.search(text, cue.end(), min(len(text), cue.end() + 40))
            if num is None or text[num.end() : num.end() + 1] == ":":
                continue  # none, or a clock time ("is at 10:30")
            lead = text[cue.end() : num.start()]
            toks = _TOKEN.findall(lead)
            if sum(1 for w in toks if w.lower() in common) > 3:
                continue
            anchors.append((num.start(), num.end(), 0.7))
    if named:
        anchors.extend(_named_street_anchors(text, common))
    if not anchors:
        return out
    anchors.sort()
    last_end = -1
    for start, end, conf in anchors:
        if start < last_end:
            continue
        start = _extend_left(text, start, common=common, streets=streets)
        end = max(end, _extend_right(text, end, common=common, streets=streets))
        span_text = text[start:end].rstrip(" ,.\n-")
        end = start + len(span_text)
        if end <= start:
            continue
        out.append(Span(start, end, "ADDRESS", "address", conf))
        last_end = end
    return out


if _C is not None:
    # the twin dispatches itself (ASCII texts in C, the rest to _detect_addresses_py); the
    # function above stays the entry point so that accel.pure_python() can switch it off
    _C.configure(_tables, _detect_addresses_py)
