"""The batch path: ``detect_many(texts)`` gives, for every text, exactly what ``detect`` gives.

A stream processor masks a batch of records at once (the lake sink, before each Delta append).
Most records are ordinary messages, and per text the quick reject
(:func:`privacy.prefilter.cannot_hold_pii`) still costs a few µs of Python calls. Here the same
proof runs over the whole batch at once, as C-level scans over one joined buffer:

- the ASCII texts are joined with ``"\\n\\x00\\n"`` into one byte buffer; ``bytes.translate``
  turns every non-letter into a space and the NUL into the word ``0``, so no word runs from one
  text into the next (a text holding a NUL, or any non-ASCII text, is simply suspect);
- the batch's vocabulary is ONE ``split`` + ``set``; the handful of words that let a detector
  fire (spoken numbers, titles, birth cues, lowercase first names, unusual capitalised words,
  street suffixes) are intersected with it, and only their occurrences are looked up (``find``);
- digits, ``@``, name cues and hyphen/apostrophe-joined capitalised words are each one scan;
- every hit is mapped back to its text by bisection over the texts' start offsets;
- three checks the per-text reject makes with a closer look (a cue followed by a possible name,
  a lowercase first name that is not a contraction, a few digits near an account or address
  word) are made exactly as there, for the few texts that need them.

A text none of these passes touches passes every check of ``cannot_hold_pii`` (each pass is a
superset of one check: it may suspect a text the per-text reject would clear, never the
reverse), so its result is ``[]`` without a call. Every suspected text goes through
:func:`privacy.detect.detect_all`, which finds nothing wherever the per-text reject would have
cleared the text, so its spans are the per-text spans by construction.
``tests/unit/privacy/test_batch.py`` checks both claims on the fixtures, the dev corpora and
generated batches.

>>> texts = ["how do I top up?", "mail ann@example.org", "", "call 212-555-0143 please"]
>>> [[(s.kind, t[s.start:s.end]) for s in spans] for t, spans in zip(texts, detect_many(texts))]
[[], [('EMAIL', 'ann@example.org')], [], [('PHONE', '212-555-0143')]]
>>> may_hold_pii_many(texts)
[False, True, False, True]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import accumulate, compress
from operator import add

from privacy import prefilter
from privacy.detect import detect_all
from privacy.detectors.addresses import NAMED_STREET_SUFFIXES
from privacy.detectors.names import cue_seeds, lower_name_seeds, safe_caps
from privacy.prefilter import (
    few_digits_are_harmless,
    lower_name_bytes,
    trigger_words,
)
from privacy.spans import Span

# letters kept (or lowercased), every other byte a space, except the text separator NUL, which
# becomes the word "0" (no other word holds a digit): word k of the split belongs to the text
# that the "0" words before it say
_LETTERS = bytes(48 if c == 0 else c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))
_SEPARATOR = "\n\x00\n"
_BOUNDARY = b"0"
_FIND_AT_MOST = 16  # hit words found one by one; more: one pass over all words
_DIGIT = re.compile(rb"\d")
# every name cue ("my name is", "call me", "I'm", "regards,") as whole words of the lowercase
# letters buffer (every other byte a space): wherever ``names.cue_seeds`` finds a cue, this
# matches, and only those texts are looked at closer
_CUE_WORDS = re.compile(
    rb" (?:name|names|named|call|called|speak|speaking|surname|signed|regards|dear|i am|i m"
    rb"|this is|ask for) "
)
# capitalised words joined by a hyphen or apostrophe ("Anne-Marie", "O'Neil's"): the per-text
# reject reads these whole (``names.unusual_caps``). Without the lookbehind of
# ``names._CAP_WORD_ASCII`` this finds every token that pattern finds (a token starts after a
# byte no match can run through), and maybe more: a superset, which is all a reject may need.
_JOINED_CAP_WORD = re.compile(rb"[A-Z][A-Za-z]*(?:['\-][A-Za-z]+)+")
_DIGITS = b"0123456789"
_MARKERS = (b"@", b" dot ", b"d.o.b")  # e-mail, spoken e-mail, a birth cue (on the lowered text)


@cache
def _named_street_suffixes() -> frozenset[bytes]:
    return frozenset(w.encode() for w in NAMED_STREET_SUFFIXES)


@cache
def _safe_cap_bytes() -> frozenset[bytes]:
    return frozenset(w.encode() for w in safe_caps() if w.isascii())


def _occurrences(buffer: bytes, needle: bytes) -> list[int]:
    """Offsets of every occurrence of ``needle`` in ``buffer`` (overlaps included)."""
    out: list[int] = []
    i = buffer.find(needle)
    while i >= 0:
        out.append(i)
        i = buffer.find(needle, i + 1)
    return out


def may_hold_pii_many(texts: Sequence[str]) -> list[bool]:
    """For each text, False when no detector can find anything in it (the batch form of
    ``not cannot_hold_pii(text)``; True means "run the detectors", and may be conservative)."""
    if prefilter._C is not None:
        return prefilter.compiled().may_hold_pii_many(texts)  # type: ignore[no-any-return]
    return _may_hold_pii_many_py(texts)


def _may_hold_pii_many_py(texts: Sequence[str]) -> list[bool]:
    """The pure-Python batch reject: C-level scans over the joined batch (see the module doc)."""
    n = len(texts)
    # the per-text reject is for ASCII texts only; a NUL would look like a text separator here
    suspect = [not t.isascii() or "\x00" in t for t in texts]
    ascii_idx = [i for i in range(n) if not suspect[i]] if any(suspect) else list(range(n))
    if not ascii_idx:
        return suspect
    parts = [texts[i] for i in ascii_idx] if len(ascii_idx) < n else list(texts)
    # text k starts at starts[k]; the separator holds no letter, digit or marker byte
    raw = (_SEPARATOR + _SEPARATOR.join(parts) + _SEPARATOR).encode("ascii")
    gap = len(_SEPARATOR)
    starts = list(
        map(add, accumulate(map(len, parts), initial=0), range(gap, gap * (len(parts) + 1), gap))
    )
    flagged = [False] * len(parts)  # k -> some check failed (or may have failed)
    lowered = raw.lower()
    for needle in _MARKERS:
        for offset in _occurrences(lowered, needle):
            flagged[bisect_right(starts, offset) - 1] = True
    # the word checks, decided once per distinct word of the batch, then found by C-level finds
    words = raw.translate(_LETTERS).split()
    distinct = list(set(words))
    folded = b" ".join(distinct).lower().split()  # aligned with ``distinct``
    hits = set(compress(distinct, map(trigger_words().__contains__, folded)))
    is_name = list(map(lower_name_bytes().__contains__, folded))
    names = set(compress(distinct, is_name))  # as written, to be found in ``letters`` …
    name_list = sorted({w.decode() for w in compress(folded, is_name)})  # … and lowercased
    if raw != lowered:  # some capital letter: words not known as ordinary may be names
        hits.update(
            w
            for w in set(distinct) - set(folded) - _safe_cap_bytes()
            if 65 <= w[0] <= 90 and not w.isupper()
        )
        hits.update(_named_street_suffixes().intersection(distinct))
    hits.discard(_BOUNDARY)
    letters = raw.translate(_LETTERS) if hits or names else b""
    for k in _texts_holding(letters, hits, starts, words):
        flagged[k] = True
    # three checks the per-text reject makes with a closer look; made here for the few texts
    # that need it, on exactly the same terms
    recheck_cue = [m.start() + 1 for m in _CUE_WORDS.finditer(lowered.translate(_LETTERS))]
    name_texts = _texts_holding(letters, names, starts, words)
    digit_texts = _texts_with_digits(raw, starts)
    if name_texts or recheck_cue or digit_texts:
        cue_texts = {bisect_right(starts, offset) - 1 for offset in recheck_cue}
        for k in sorted(name_texts | cue_texts | set(digit_texts)):
            if flagged[k]:
                continue
            text = parts[k]
            low = text.lower()
            flagged[k] = (
                (k in name_texts and bool(lower_name_seeds(text, low, name_list)))
                or (k in cue_texts and bool(cue_seeds(text, low)))
                or (k in digit_texts and not few_digits_are_harmless(text, low, digit_texts[k]))
            )
    if raw != lowered and (b"'" in raw or b"-" in raw):
        for word in set(_JOINED_CAP_WORD.findall(raw)) - _safe_cap_bytes():
            if not word.isupper():
                for offset in _occurrences(raw, word):
                    flagged[bisect_right(starts, offset) - 1] = True
    if len(ascii_idx) == n:
        return flagged
    for k, f in enumerate(flagged):
        if f:
            suspect[ascii_idx[k]] = True
    return suspect


def _texts_with_digits(raw: bytes, starts: list[int]) -> dict[int, int]:
    """Text index -> how many digits it holds, for the texts holding any."""
    out: dict[int, int] = {}
    digit = _DIGIT.search(raw)
    while digit is not None:
        k = bisect_right(starts, digit.start()) - 1
        end = starts[k + 1] if k + 1 < len(starts) else len(raw)
        piece = raw[starts[k] : end]
        out[k] = len(piece) - len(piece.translate(None, _DIGITS))
        digit = _DIGIT.search(raw, end)
    return out


def _texts_holding(
    letters: bytes, found: set[bytes], starts: list[int], words: list[bytes]
) -> set[int]:
    """Indices of the texts holding any of the words ``found`` (``letters``: the letters buffer
    whose ``split()`` is ``words``)."""
    out: set[int] = set()
    if not found:
        return out
    if len(found) <= _FIND_AT_MOST:
        # a few words (the common case): find each, skipping the rest of a text once it holds one
        for word in found:
            needle = b" " + word + b" "
            i = letters.find(needle)
            while i >= 0:
                k = bisect_right(starts, i + 1) - 1
                out.add(k)
                i = letters.find(needle, starts[k + 1] - 1) if k + 1 < len(starts) else -1
        return out
    # many (a batch full of names): one map over the words, then the text of each hit
    boundaries = list(compress(range(len(words)), map(_BOUNDARY.__eq__, words)))
    for j in compress(range(len(words)), map(found.__contains__, words)):
        out.add(bisect_right(boundaries, j) - 1)
    return out


def detect_many(texts: Sequence[str], *, region: str = "US") -> list[list[Span]]:
    """``[detect(t, region=region) for t in texts]``, with the quick reject run over the batch."""
    suspect = may_hold_pii_many(texts)
    # a suspect text runs every gated detector unless its spoken numbers, as digits, are
    # harmless: ``detect_all`` finds nothing wherever the per-text rejects would have cleared
    # the text, so this is ``detect`` without the quick reject
    return [
        detect_all(t, region=region, second_look=True) if s else []
        for t, s in zip(texts, suspect, strict=True)
    ]
