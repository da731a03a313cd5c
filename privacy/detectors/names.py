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

from privacy.spans import Span, lower_same_length
from privacy.wordlists import (
    STOP_WORDS,
    common_words,
    first_names,
    last_names,
    seen_words,
    street_words,
)

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_TITLES = frozenset(
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
_JOIN = re.compile(r"^(?: |-|\s?\.\s?| [a-z]{1,3} )$")  # "van", "de", "von" particles allowed


_CUE_RE = re.compile(
    "(?:" + "|".join(re.escape(c.strip()) for c in sorted(_CUES, key=len, reverse=True)) + r")\s*"
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
    if not any(h in lowered for h in _CUE_HINTS):
        return out
    for m in _CUE_RE.finditer(lowered):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        cue = m.group().lower().rstrip()
        out[m.end()] = cue + (" " if not cue.endswith(":") else "")
    return out


_UPPER_CLASS = "".join(chr(c) for c in range(0x41, 0x2000) if chr(c).isupper() and chr(c).isalpha())
_CAP_WORD = re.compile(rf"(?<![\w'’\-])[{_UPPER_CLASS}][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_WORDS = re.compile(r"[^\W\d_]+")
_NEXT_WORD = re.compile(r"[ ]([^\W\d_]+(?:['’\-][^\W\d_]+)*\.?)")
_NEXT_ANY = re.compile(r"\s*([^\W\d_]+)")
_TITLE_RE = re.compile(  # on lowercased text
    r"(?<![\w])(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mister|dame|lady|lord)\.?[ ]+(?=[^\W\d_])"
)
_PREV_WORD = re.compile(r"([^\W\d_]+)[ ]+$")
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


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _BREAKS


def _bare(word: str) -> str:
    lw = word.lower()
    return lw[:-2] if lw.endswith(("'s", "’s")) else lw


def detect_names(text: str, lowered: str | None = None) -> list[Span]:
    common = common_words()
    firsts = first_names()
    lasts = last_names()
    streets = street_words()
    seen = seen_words()
    low = lowered if lowered is not None else lower_same_length(text)
    seeds: dict[int, tuple[int, float]] = {}  # start -> (end, confidence)

    for m in _TITLE_RE.finditer(low):
        w = _TOKEN.match(text, m.end())
        if w is not None and (w.group()[0].isupper() or _bare(w.group()) not in common):
            seeds[w.start()] = (w.end(), 0.9)
    for pos, cue in _cues(text, low).items():
        w = _TOKEN.match(text, pos)
        if w is None or w.start() in seeds:
            continue
        lw = _bare(w.group())
        if lw in common and not (cue in _STRONG_CUES and lw in firsts and w.group()[0].isupper()):
            continue
        if cue in _STRONG_CUES or w.group()[0].isupper() or lw in firsts:
            seeds[w.start()] = (w.end(), 0.8 if cue in _STRONG_CUES else 0.5)
    for m in _CAP_WORD.finditer(text):
        start = m.start()
        if start in seeds:
            continue
        word = m.group()
        if word.isupper():
            continue  # acronyms and shouting ("NI", "ASAP", "CHISHOLM")
        lw = _bare(word)
        if len(lw) < 2 or lw in _TITLES:
            continue
        is_common = lw in common
        known = lw in firsts or lw in lasts
        if known and not is_common:
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
        prev = _PREV_WORD.search(low, 0, start)
        if prev is not None and prev.group(1) in _PERSON_PREV:
            seeds[start] = (m.end(), 0.4)
    candidates = {w for w in _WORDS.findall(low) if len(w) >= 3} & firsts
    for w in candidates - common - seen:
        for m in re.finditer(rf"(?<![\w]){re.escape(w)}(?![\w])", low):
            if text[m.start()].islower() and m.start() not in seeds:
                seeds[m.start()] = (m.end(), 0.45)
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
        prev = _PREV_WORD.search(text, 0, start)
        if (
            prev is not None
            and prev.group(1)[0].isupper()
            and prev.group(1).lower() in firsts
            and prev.group(1).lower() not in STOP_WORDS
        ):
            start = prev.start(1)
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
