"""Person names from word lists, structure and context.

Seeds: a title ("Mr.", "Dr."), a cue ("my name is", "call me"), a known first or last name that is
not an ordinary word, a lowercase known first name, or an unknown capitalised word in mid sentence.
Adjacent seeds and following capitalised words merge into one span.

>>> text = "Hi, my name is Jessica Solomina and I spoke to Mr. Okafor yesterday"
>>> [text[s.start:s.end] for s in detect_names(text)]
['Jessica Solomina', 'Okafor']
>>> detect_names("Can I check my balance please?")
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from privacy.accel import load
from privacy.spans import Span, lower_same_length
from privacy.wordlists import (
    STOP_WORDS,
    common_words,
    first_names,
    last_names,
    ordinary_names,
    places,
    seen_words,
    street_words,
)

_C = load("privacy.detectors._names")  # None when not built or LOOPLINE_PRIVACY_PURE=1

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "madam",
        "mister",
        "mrs.",
        "dame",
        "lady",
        "lord",
    ]
)
_SUFFIXES = frozenset(["jr", "sr", "md", "phd", "ii", "iii", "iv", "dds", "esq"])
_CUES = (
    "name is ", "name's ", "names are ", "call me ", "called ", "named ", "name: ", "name:",
    "i am ", "i'm ", "this is ", "speaking with ", "speak to ", "speak with ", "surname ",
    "surname is ", "name? ", "name ", "signed ", "regards, ", "regards ", "dear ", "ask for ",
)  # fmt: skip
_STRONG_CUES = frozenset(
    ("name is ", "name's ", "names are ", "call me ", "named ", "name: ", "name:",
     "surname ", "surname is ", "name? ", "name ", "signed ", "regards, ", "regards ", "dear ")
)  # fmt: skip
_VERBS = frozenset(
    [
        "is",
        "was",
        "has",
        "had",
        "began",
        "begins",
        "said",
        "says",
        "spent",
        "lives",
        "lived",
        "will",
        "would",
        "can",
        "could",
        "did",
        "does",
        "shouted",
        "told",
        "asked",
        "wrote",
        "called",
        "joined",
        "works",
        "worked",
        "went",
        "grew",
        "says,",
        "and",
    ]
)
# what may join two name words: a space, a hyphen, an initial's dot, or a name particle
# ("Ludwig van Beethoven"), never an ordinary short word ("Doug and Buster", "Henry to Giselle")
_PARTICLES = "van|von|de|der|den|da|das|di|do|dos|du|del|della|la|le|bin|ibn|al|el|ten|ter|zu|y|e"
_JOIN = re.compile(rf"^(?: |-|\s?\.\s?| (?:{_PARTICLES}) )$")


# a cue written with a trailing space needs one: "this is sue" but not "this issue"
_CUE_RE = re.compile(
    "(?:"
    + "|".join(
        re.escape(c.strip()) + (r"\s+" if c.endswith(" ") else r"\s*")
        for c in sorted(_CUES, key=lambda c: len(c.strip()), reverse=True)
    )
    + ")"
)
_CUE_HINTS = (
    "name",
    "call",
    "i am",
    "i'm",
    "im ",
    "this is",
    "speak",
    "sign",
    "regards",
    "dear",
    "ask for",
)


def _cues(text: str, lowered: str) -> dict[int, str]:
    """Offset just after each cue phrase -> the cue (normalised like ``_CUES``)."""
    out: dict[int, str] = {}
    if not has_cue_hint(lowered):
        return out
    for m in _CUE_RE.finditer(lowered):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        cue = m.group().lower().rstrip()
        out[m.end()] = cue + (" " if not cue.endswith(":") else "")
    return out


def cue_seeds(text: str, lowered: str) -> list[tuple[int, int, float]]:
    """``(start, end, confidence)`` of each word a cue phrase names ("my name is X").

    >>> cue_seeds("Hi, my name is tracy", "hi, my name is tracy")
    [(15, 20, 0.8)]
    """
    if _C is not None and text.isascii():
        found = _C.cue_seeds(text, _tables(), lowered)
        if found is not None:  # None: ``lowered`` is not ``text.lower()``
            return found  # type: ignore[no-any-return]
    return _cue_seeds_py(text, lowered)


def _cue_seeds_py(text: str, lowered: str) -> list[tuple[int, int, float]]:
    """The reference of :func:`cue_seeds` (every text; the compiled twin matches it on ASCII)."""
    out: list[tuple[int, int, float]] = []
    cues = _cues(text, lowered)
    if not cues:
        return out
    common = common_words()
    firsts = first_names()
    for pos, cue in cues.items():
        w = _TOKEN.match(text, pos)
        if w is None:
            continue
        lw = _bare(w.group())
        if lw in common and not (cue in _STRONG_CUES and lw in firsts and w.group()[0].isupper()):
            continue
        if cue in _STRONG_CUES or w.group()[0].isupper() or lw in firsts:
            out.append((w.start(), w.end(), 0.8 if cue in _STRONG_CUES else 0.5))
    return out


def lower_name_seeds(text: str, lowered: str, hits: Iterable[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each lowercase occurrence of a known first name (``hits``: the ones
    in the text), except contractions: "don't" and "haven't" are not Don and Haven."""
    out: list[tuple[int, int]] = []
    for w in hits:
        for start in _whole_word_starts(lowered, w):
            end = start + len(w)
            if text[start].islower() and text[end : end + 2] not in _CONTRACTIONS:
                out.append((start, end))
    return out


_CONTRACTIONS = frozenset(["'t", "’t"])


def unusual_caps(text: str) -> list[str]:
    """Capitalised words that are not known ordinary words: the ones the name pass must read."""
    safe = safe_caps()
    return [w for w in _cap_word(text).findall(text) if w not in safe and not w.isupper()]


_UPPER_CLASS = "".join(chr(c) for c in range(0x41, 0x2000) if chr(c).isupper() and chr(c).isalpha())
_CAP_WORD = re.compile(rf"(?<![\w'’\-])[{_UPPER_CLASS}][^\W\d_]*(?:['’\-][^\W\d_]+)*")
# the same on ASCII text, where the capital is A-Z; the leading class lets the engine skip ahead
_CAP_WORD_ASCII = re.compile(r"[A-Z](?<![\w'’\-][A-Z])[^\W\d_]*(?:['’\-][^\W\d_]+)*")


def _cap_word(text: str) -> re.Pattern[str]:
    return _CAP_WORD_ASCII if text.isascii() else _CAP_WORD


_WORDS = re.compile(r"[^\W\d_]+")
_NEXT_WORD = re.compile(r"[ ]([^\W\d_]+(?:['’\-][^\W\d_]+)*\.?)")
_NEXT_ANY = re.compile(r"\s*([^\W\d_]+)")
_TITLE_RE = re.compile(  # on lowercased text
    r"(?<![\w])(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mister|dame|lady|lord)\.?[ ]+(?=[^\W\d_])"
)


def _is_letter(c: str) -> bool:
    return c.isalpha() or (c.isalnum() and not c.isdecimal())  # the regex class [^\W\d_]


def _prev_word(text: str, start: int) -> tuple[int, int] | None:
    r"""``(start, end)`` of the word just before ``start`` when only spaces separate them
    (what ``re.search(r"([^\W\d_]+)[ ]+$", text[:start])`` finds, without scanning the prefix).

    >>> _prev_word("said  Ann", 6), _prev_word("said,Ann", 5)
    ((0, 4), None)
    """
    if start > 0 and text[start - 1] == "\n":
        start -= 1  # like the regex's ``$``, which also matches before a final newline
    i = start
    while i > 0 and text[i - 1] == " ":
        i -= 1
    if i == start:
        return None
    j = i
    while j > 0 and _is_letter(text[j - 1]):
        j -= 1
    return (j, i) if j < i else None


_PERSON_PREV = frozenset(
    [
        "said",
        "says",
        "told",
        "asked",
        "ask",
        "tell",
        "thank",
        "thanks",
        "dear",
        "hi",
        "hello",
        "hey",
        "with",
        "by",
        "met",
        "married",
        "son",
        "daughter",
        "wife",
        "husband",
        "mother",
        "father",
        "brother",
        "sister",
        "kid",
        "child",
        "friend",
        "colleague",
        "mr",
        "mrs",
        "ms",
        "dr",
    ]
)
_BREAKS = frozenset('.!?:\n"“(')
# verbs that only a person does: "Rose said", "Mark called" (not "is", "has", "will": "Branch is
# closed", "Will it …")
_PERSON_VERBS = frozenset(
    ["said", "says", "told", "asked", "wrote", "shouted", "called", "lives", "lived", "works",
     "worked", "joined", "married", "replied", "emailed", "phoned", "texted"]
)  # fmt: skip


def _named_by_neighbours(text: str, end: int) -> bool:
    """After a sentence-initial word that may be a name: a verb only a person does ("Rose
    said"), a capitalised known name ("Rose Miller"), or a comma of address ("Mark, can you")."""
    if text[end : end + 1] == ",":
        return True
    nxt = _NEXT_ANY.match(text, end)
    if nxt is None:
        return False
    word = nxt.group(1)
    lw = word.lower()
    if lw in _PERSON_VERBS:
        return True
    return word[0].isupper() and (lw in first_names() or lw in last_names())


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _BREAKS


def _bare(word: str) -> str:
    lw = word.lower()
    return lw[:-2] if lw.endswith(("'s", "’s")) else lw


@cache
def lower_name_words() -> frozenset[str]:
    """Known first names that are neither ordinary English words ("branch", "rose") nor
    frequent service words (len >= 3): a lowercase word seeds a name only when it is one."""
    ordinary = common_words() | seen_words() | ordinary_names()
    return frozenset(w for w in first_names() - ordinary if len(w) >= 3)


def _cap_word_skipped(word: str) -> bool:
    """True when the capitalised-word pass below certainly makes no seed of ``word``."""
    if word.isupper():
        return True
    lw = _bare(word)
    if len(lw) < 2 or lw in TITLES or lw in common_words():
        return True
    known = lw in first_names() or lw in last_names()
    return lw in street_words() and not known


@cache
def safe_caps() -> frozenset[str]:
    """Capitalised forms of ordinary words ("What", "Card"): a text whose capitalised words are
    all in here cannot get a seed from the capitalised-word pass, so the pass is skipped."""
    words = common_words() | street_words() | TITLES | seen_words()
    forms = {w[:1].upper() + w[1:] for w in words} | {w.capitalize() for w in words}
    return frozenset(f for f in forms if f and _cap_word_skipped(f))


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what the regex ``\w`` matches


def _whole_word_starts(text: str, word: str) -> list[int]:
    """Offsets of ``word`` in ``text`` with no word character on either side."""
    out: list[int] = []
    n = len(word)
    i = text.find(word)
    while i >= 0:
        if (i == 0 or not _is_word_char(text[i - 1])) and (
            i + n >= len(text) or not _is_word_char(text[i + n])
        ):
            out.append(i)
        i = text.find(word, i + 1)
    return out


_CUE_HINT_RE = re.compile("|".join(re.escape(h) for h in _CUE_HINTS))


def has_cue_hint(lowered: str) -> bool:
    """Cheap gate of :func:`_cues`: one of the cue phrases' first words is in the text."""
    return _CUE_HINT_RE.search(lowered) is not None


def detect_names(
    text: str, lowered: str | None = None, words: frozenset[str] | set[str] | None = None
) -> list[Span]:
    """Person-name spans; ``words`` (the set of letter runs of ``lowered``) may be shared.

    An ASCII text goes to the compiled twin (``privacy.detectors._names``), which lowercases on
    the fly and reads ``words`` from the text itself (they are a cache of its letter runs; a
    ``lowered`` that is not ``text.lower()`` sends the call to the reference); any other text,
    or no extension, goes to the Python reference.

    >>> detect_names("I'm Tracy, said Mr. Okafor")
    [Span(start=4, end=9, kind='PERSON', detector='name', confidence=0.5), Span(start=20, end=26, kind='PERSON', detector='name', confidence=0.9)]
    """
    if _C is not None and text.isascii():
        found = _C.detect_names(text, _tables(), lowered)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return _detect_names_py(text, lowered, words)


@cache
def _tables() -> tuple[object, ...]:
    """What the compiled twin reads: the word lists (in the order of its flags), the cue
    alternatives in ``_CUE_RE``'s order, the name particles of ``_JOIN`` and the Span type."""
    cues = []
    for c in sorted(_CUES, key=lambda c: len(c.strip()), reverse=True):
        lit = c.strip()
        normalised = lit + ("" if lit.endswith(":") else " ")
        cues.append((lit, c.endswith(" "), normalised in _STRONG_CUES))
    return (
        common_words(),
        first_names(),
        last_names(),
        street_words(),
        seen_words(),
        places(),
        ordinary_names(),
        safe_caps(),
        lower_name_words(),
        TITLES,
        _SUFFIXES,
        _VERBS,
        _PERSON_PREV,
        _PERSON_VERBS,
        STOP_WORDS,
        tuple(cues),
        tuple(_PARTICLES.split("|")),
        Span,
    )


def _detect_names_py(
    text: str, lowered: str | None = None, words: frozenset[str] | set[str] | None = None
) -> list[Span]:
    """The reference of :func:`detect_names` (every text; the compiled twin matches it on ASCII)."""
    low = lowered if lowered is not None else lower_same_length(text)
    if words is None:
        words = set(_WORDS.findall(low))
    # cheap gates: each seed pass runs only when its trigger is in the text at all
    safe = safe_caps()
    caps = [w for w in _cap_word(text).findall(text) if w not in safe]
    lower_hits = lower_name_words().intersection(words)
    has_title = not TITLES.isdisjoint(words)
    has_cue = has_cue_hint(low)
    if not (caps or lower_hits or has_title or has_cue):
        return []
    common = common_words()
    firsts = first_names()
    lasts = last_names()
    streets = street_words()
    seen = seen_words()
    seeds: dict[int, tuple[int, float]] = {}  # start -> (end, confidence)

    if has_title:
        for m in _TITLE_RE.finditer(low):
            w = _TOKEN.match(text, m.end())
            if w is not None and (w.group()[0].isupper() or _bare(w.group()) not in common):
                seeds[w.start()] = (w.end(), 0.9)
    if has_cue:
        for start, end, conf in _cue_seeds_py(text, low):
            if start not in seeds:
                seeds[start] = (end, conf)
    for m in _cap_word(text).finditer(text) if caps else ():
        start = m.start()
        if start in seeds:
            continue
        word = m.group()
        if word in safe or word.isupper():
            continue  # acronyms and shouting ("NI", "ASAP", "CHISHOLM")
        lw = _bare(word)
        if len(lw) < 2 or lw in TITLES:
            continue
        is_common = lw in common
        # a surname that is also a country or state ("Texas", "Poland") needs a person context
        known = lw in firsts or (lw in lasts and lw not in places())
        if known and not is_common:
            if lw in ordinary_names() and _sentence_start(text, start):
                # "Branch is closed", "Rose prices …": a word that is also a name, capitalised
                # only because it starts a sentence, is a name only when its neighbours say so
                if _named_by_neighbours(text, m.end()):
                    seeds[start] = (m.end(), 0.5)
                continue
            seeds[start] = (m.end(), 0.8)
            continue
        if is_common or lw in streets:
            continue
        # an unknown capitalised word is a name when its neighbours say so: "Jonak is",
        # "said Eklund", "Marisca, can I …"
        nxt = _NEXT_ANY.match(text, m.end())
        if (nxt is not None and nxt.group(1).lower() in _VERBS) or (
            text[m.end() : m.end() + 1] == "," and _sentence_start(text, start)
        ):
            seeds[start] = (m.end(), 0.4)
            continue
        prev = _prev_word(low, start)
        if prev is not None and low[prev[0] : prev[1]] in _PERSON_PREV:
            seeds[start] = (m.end(), 0.4)
    for start, end in lower_name_seeds(text, low, lower_hits):
        if start not in seeds:
            seeds[start] = (end, 0.45)
    if not seeds:
        return []
    ordered = sorted(seeds.items())
    merged: list[list[float]] = []
    for start, (end, conf) in ordered:
        if merged and start >= merged[-1][1] and _JOIN.match(text[int(merged[-1][1]) : start]):
            merged[-1][1] = end
            merged[-1][2] = max(merged[-1][2], conf)
            continue
        if merged and start < merged[-1][1]:
            continue
        merged.append([start, end, conf])
    out: list[Span] = []
    for start_f, end_f, conf in merged:
        start, end = int(start_f), int(end_f)
        lower_seed = text[start].islower()
        # a capitalised first name that is also an ordinary word ("Guy", "Robin") joins the
        # surname after it
        prev = _prev_word(text, start)
        if prev is not None:
            prev_word = text[prev[0] : prev[1]]
            if (
                prev_word[0].isupper()
                and prev_word.lower() in firsts
                and prev_word.lower() not in STOP_WORDS
            ):
                start = prev[0]
        while not text[start:end].endswith(("'s", "’s")):
            nxt = _NEXT_WORD.match(text, end)
            if nxt is None:
                break
            word = nxt.group(1)
            lw = word.lower()
            if lw.rstrip(".") in _SUFFIXES or (
                (lw in lasts or word[0].isupper() or (lower_seed and lw not in seen))
                and lw not in common
                and lw not in streets
            ):
                end = (
                    nxt.end()
                    if not word.endswith(".") or lw.rstrip(".") in _SUFFIXES
                    else nxt.end() - 1
                )
            else:
                break
        if text[end - 2 : end] in ("'s", "’s"):
            end -= 2
        out.append(Span(start, end, "PERSON", "name", conf))
    return out
