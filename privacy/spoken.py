"""Spoken-number normalisation for voice transcripts, with a map back to the original offsets.

ASR output spells numbers out ("four five three two, one one …", "oh" for zero, "double five",
"twenty three", digits mixed with words, digits split by spaces). :func:`normalise` rewrites each
run of number words into digits so the digit-based detectors see them, and keeps, for every
character of the new text, the original character range it came from.

>>> n = normalise("card is four five three two double one oh nine thanks")
>>> n.text
'card is 45321109 thanks'
>>> start, end = n.to_original(8, 16)
>>> "card is four five three two double one oh nine thanks"[start:end]
'four five three two double one oh nine'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from privacy.accel import load

UNITS = {
    "zero": 0, "oh": 0, "o": 0, "nought": 0, "nil": 0,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "niner": 9,
}  # fmt: skip
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 2, "thirty": 3, "forty": 4, "fourty": 4, "fifty": 5,
    "sixty": 6, "seventy": 7, "eighty": 8, "ninety": 9,
}  # fmt: skip
REPEAT = {"double": 2, "triple": 3, "treble": 3}
SCALE = {"hundred": 2, "thousand": 3}
_WEAK = {"oh", "o", "nil", "nought"}  # count as digits only next to other number words

_ALL_WORDS = set(UNITS) | set(TEENS) | set(TENS) | set(REPEAT) | set(SCALE)
_STRONG_WORDS = frozenset(w for w in _ALL_WORDS if w not in _WEAK)
#: words that make :func:`has_spoken_number` true (for callers that already split the text)
SPOKEN_WORDS = _STRONG_WORDS
_LETTERS = re.compile(r"[a-z]+")


def has_spoken_number(text: str) -> bool:
    """Cheap prefilter: does the text contain any spoken number word at all?

    >>> has_spoken_number("call me at five"), has_spoken_number("someone at 5")
    (True, False)
    """
    return not _STRONG_WORDS.isdisjoint(_LETTERS.findall(text.lower()))


_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?|\d+")
_LETTER_HYPHEN = re.compile(r"[A-Za-z]-[A-Za-z]")
_NUMBER_TOKEN = re.compile(  # on lowercased ASCII text
    r"(?<![a-z])(?:" + "|".join(sorted(_ALL_WORDS, key=len, reverse=True)) + r")(?![a-z])|\d+"
)
# what may sit between two number tokens of one run: spaces, commas, dashes, dots, "and"
_GAP = re.compile(r"^(?:[\s,.\-–/]*|\s+and\s+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Normalised:
    """Text with spoken numbers as digits, and the map of each character to the original.

    The map is a list of segments, each starting at ``seg_starts[i]`` on the new text: either
    copied text (``(original_start, -1)``: offsets shift by a constant) or a rewritten word
    (``(original_start, original_end)``: every digit maps to the whole word). ``None``: identity.
    """

    text: str
    seg_starts: list[int] | None = None
    seg_map: list[tuple[int, int]] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` on the normalised text to the original text."""
        if self.seg_starts is None or self.seg_map is None:
            return start, end
        if _C is not None:
            return _C.to_original(self.seg_starts, self.seg_map, start, end)
        return _to_original_py(self.seg_starts, self.seg_map, start, end)

    @property
    def starts(self) -> list[int] | None:
        """Original start offset of every character (None: identity)."""
        if self.seg_starts is None:
            return None
        return [self.to_original(k, k + 1)[0] for k in range(len(self.text))]

    @property
    def ends(self) -> list[int] | None:
        """Original end offset of every character (None: identity)."""
        if self.seg_starts is None:
            return None
        return [self.to_original(k, k + 1)[1] for k in range(len(self.text))]


def _to_original_py(
    seg_starts: list[int], seg_map: list[tuple[int, int]], start: int, end: int
) -> tuple[int, int]:
    """The reference of :meth:`Normalised.to_original` (the compiled twin is used when built)."""
    i = bisect_right(seg_starts, start) - 1
    orig, orig_end = seg_map[i]
    first = orig + (start - seg_starts[i]) if orig_end < 0 else orig
    j = bisect_right(seg_starts, end - 1) - 1
    orig, orig_end = seg_map[j]
    last = orig + (end - seg_starts[j]) if orig_end < 0 else orig_end
    return first, last


_UNIT_STR = {w: str(d) for w, d in UNITS.items()}


def _digits_of(words: list[str]) -> list[str]:
    """Turn one run of number words into digit groups, one group per word (so offsets map back)."""
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        unit = _UNIT_STR.get(w)
        if unit is not None and (i + 1 >= n or words[i + 1] not in SCALE):
            out.append(unit)  # the common case, a plain digit word
        elif w.isdigit():
            out.append(w)
        elif w in REPEAT and i + 1 < n and words[i + 1] in UNITS:
            # each word maps to digits of its own, so a span covers both words
            digit = str(UNITS[words[i + 1]])
            out.append(digit)
            out.append(digit * (REPEAT[w] - 1))
            i += 1
        elif w in REPEAT:
            out.append("")
        elif w in UNITS:
            if i + 1 < n and words[i + 1] in SCALE:
                # "five hundred", "two thousand": the scale word supplies the zeros unless a
                # smaller number follows ("five hundred twenty" -> 520)
                zeros = SCALE[words[i + 1]]
                tail = words[i + 2] if i + 2 < n else ""
                if tail in TENS or tail in TEENS:
                    out.append(str(UNITS[w]) + "0" * (zeros - 2))
                elif tail in UNITS and zeros == 2:
                    out.append(str(UNITS[w]) + "0")
                elif tail in UNITS:
                    out.append(str(UNITS[w]) + "0" * (zeros - 1))
                else:
                    out.append(str(UNITS[w]) + "0" * (zeros - 1))
                    out.append("0")
                    i += 1
                    i += 1
                    continue
                out.append("")
                i += 1
            else:
                out.append(str(UNITS[w]))
        elif w in TEENS:
            out.append(str(TEENS[w]))
        elif w in TENS:
            if i + 1 < n and words[i + 1] in UNITS and words[i + 1] not in _WEAK:
                out.append(str(TENS[w]))
                out.append(str(UNITS[words[i + 1]]))
                i += 1
            else:
                out.append(f"{TENS[w]}0")
        elif w in SCALE:
            out.append("1" + "0" * SCALE[w])
        else:
            out.append("")
        i += 1
    return out


def _split_hyphen(tok: str) -> list[str]:
    return tok.lower().split("-") if "-" in tok else [tok.lower()]


def _number_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercase word) of every number word and digit run, hyphenated "forty-five"
    split in two."""
    toks: list[tuple[int, int, str]] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        parts = _split_hyphen(tok)
        if tok.isdigit() or all(p in _ALL_WORDS for p in parts):
            if len(parts) == 2 and parts[0] in TENS and parts[1] in UNITS:
                # "forty-five": split into two sub-tokens with their own offsets
                cut = m.start() + len(parts[0])
                toks.append((m.start(), cut, parts[0]))
                toks.append((cut + 1, m.end(), parts[1]))
            elif len(parts) == 1:
                toks.append((m.start(), m.end(), parts[0]))
    return toks


def normalise(text: str, *, checked: bool = False, lowered: str | None = None) -> Normalised:
    """Rewrite spoken number runs as digits; identity (no copy of maps) when there are none.

    ``checked=True``: the caller already knows that :func:`has_spoken_number` is true;
    ``lowered``: ``text.lower()``, if the caller has it (the compiled path for ASCII texts
    lowercases as it scans and does not need it).
    """
    if _C is not None and text.isascii():
        return _C.normalise(text, checked)
    return _normalise_py(text, checked=checked, lowered=lowered)


def _normalise_py(text: str, *, checked: bool = False, lowered: str | None = None) -> Normalised:
    """The reference of :func:`normalise` (every text; the compiled twin handles ASCII ones)."""
    if not checked and not has_spoken_number(text):
        return Normalised(text)
    # tokens: (start, end, lowercase word) for number words and digit strings
    if text.isascii() and _LETTER_HYPHEN.search(text) is None:
        # fast path: only number words and digit runs are matched at all (same tokens as the
        # general loop below whenever no hyphen joins two words)
        if lowered is None or len(lowered) != len(text):
            lowered = text.lower()
        toks = [(m.start(), m.end(), m.group()) for m in _NUMBER_TOKEN.finditer(lowered)]
    else:
        toks = _number_tokens(text)
    # group into runs separated only by gaps
    runs: list[list[tuple[int, int, str]]] = []
    for item in toks:
        if runs and ((gap := text[runs[-1][-1][1] : item[0]]) == " " or _GAP.match(gap)):
            runs[-1].append(item)
        else:
            runs.append([item])
    pieces: list[str] = []
    seg_starts: list[int] = []
    seg_map: list[tuple[int, int]] = []
    pos = 0  # on the original text
    npos = 0  # on the new text
    changed = False
    for run in runs:
        words = [w for _, _, w in run]
        if all(w.isdigit() for w in words):
            continue
        if all(w in _WEAK for w in words):
            continue  # "oh", "o" alone are letters, not zeros
        groups = _digits_of(words)
        # keep the gap characters of the original (so "45 32, 11" keeps its grouping) but drop
        # the words; each digit maps back to its source word
        run_start = run[0][0]
        if run_start > pos:
            pieces.append(text[pos:run_start])
            seg_starts.append(npos)
            seg_map.append((pos, -1))
            npos += run_start - pos
        prev_end = -1
        for (s, e, _), digits in zip(run, groups, strict=True):
            if prev_end >= 0 and text[prev_end:s].strip(" -"):
                # spaces between spoken digits vanish; commas and "and" become one space
                pieces.append(" ")
                seg_starts.append(npos)
                seg_map.append((prev_end, s))
                npos += 1
            prev_end = e
            if digits:
                pieces.append(digits)
                seg_starts.append(npos)
                seg_map.append((s, e))
                npos += len(digits)
        pos = run[-1][1]
        changed = True
    if not changed:
        return Normalised(text)
    if pos < len(text):
        pieces.append(text[pos:])
        seg_starts.append(npos)
        seg_map.append((pos, -1))
    return Normalised("".join(pieces), seg_starts, seg_map)


def _word_table() -> tuple[tuple[str, int, int, int, int, int, bool], ...]:
    """Every number word with its value in each table (-1 / 0: not in it), for the C twin."""
    return tuple(
        (w, UNITS.get(w, -1), TEENS.get(w, -1), TENS.get(w, -1), REPEAT.get(w, 0),
         SCALE.get(w, 0), w in _WEAK)
        for w in sorted(_ALL_WORDS)
    )  # fmt: skip


#: the compiled twin (privacy/_spoken.c), None when not built or LOOPLINE_PRIVACY_PURE=1
_C = load("privacy._spoken")
if _C is not None:
    _C.configure(_word_table(), Normalised)
