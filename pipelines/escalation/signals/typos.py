"""Seeded character-noise generator: how fast typists and phone keyboards damage a message.

Used to measure the detectors on noisy copies of the labelled fixtures. Each edit is one of:
adjacent transposition (``"speak"`` -> ``"spaek"``, also across a space: ``"you rmanager"``),
deletion (a letter or a space: ``"anagent"``), insertion (a neighbouring key or a doubled letter),
substitution by a neighbouring key, a space inserted inside a word (``"hu man"``).
Positions are drawn over the whole text (letters and spaces); the first character is kept, as
autocorrect on phones usually fixes it.

>>> import random
>>> add_typos("I want to talk to a person", random.Random(3), edits=2)
'I wan t to talk to aperson'
>>> add_typos("hi", random.Random(3))
'hi'
"""

from __future__ import annotations

import random

from pipelines.escalation.exceptions import SignalError

KINDS: tuple[str, ...] = ("transpose", "delete", "insert", "substitute", "split")

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _c, _ch in enumerate(_row):
        near = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_ROWS):
                near += [_ROWS[_other][j] for j in (_c - 1, _c, _c + 1) if 0 <= j < len(_ROWS[_other])]
        _NEIGHBOURS[_ch] = "".join(near)


def add_typos(text: str, rng: random.Random, *, edits: int = 1, kinds: tuple[str, ...] = KINDS) -> str:
    """``text`` with ``edits`` random character edits of the given ``kinds`` (texts < 6 chars unchanged)."""
    if edits < 0:
        raise SignalError(f"edits: must be >= 0 (value: {edits})")
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise SignalError(f"kinds: expected some of {', '.join(KINDS)} (value: {sorted(unknown) or kinds})")
    out = text
    for _ in range(edits):
        if len(out) < 6:
            return out
        out = _edit(out, rng, rng.choice(kinds))
    return out


def _edit(text: str, rng: random.Random, kind: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    ch = text[i]
    if kind == "transpose":
        return text[:i] + text[i + 1] + ch + text[i + 2:]
    if kind == "delete":
        return text[:i] + text[i + 1:]
    if kind == "insert":
        extra = rng.choice(_NEIGHBOURS.get(ch.lower(), "") or ch) if rng.random() < 0.7 else ch
        return text[:i] + extra + text[i:]
    if kind == "substitute":
        near = _NEIGHBOURS.get(ch.lower())
        return text[:i] + rng.choice(near) + text[i + 1:] if near else text
    # split: a space inside a word
    return text[:i] + " " + text[i:] if ch.isalpha() and text[i - 1].isalpha() else text
