"""Character-noise repair for the human-request lexicon: merged, split and mistyped key words.

Customers type fast: a space moves (``"you rmanager"``), disappears (``"anagent"``), appears
(``"hu man"``), or a letter is dropped or swapped (``"alk to"``, ``"a huan"``, ``"all me back"``).
:func:`repair` rewrites a normalised token sequence in three conservative steps; a valid English word
is never replaced without contextual evidence, so clean text comes back unchanged:

1. **re-segmentation** — a run of out-of-vocabulary tokens, joined with its neighbours without
   spaces, is split again into known words (least-cost word break, Zipf word costs) when that is
   cheaper than keeping the unknown tokens;
2. **fuzzy key words** — a token still unknown and within a bounded Damerau-Levenshtein distance of a
   key word (``talk``, ``human``, ``agent`` …) becomes that word (1 edit; 2 for tokens of 8+ letters);
3. **context** — a known word one edit from a key word whose bigrams with both neighbours never occur
   in English (``"person all me"``) is replaced when the key word makes a known bigram (``"call me"``).

The vocabulary (82,765 words) and bigram list (242,342) are the English frequency dictionaries that
ship with ``symspellpy`` (MIT); only the 30,000 most frequent words count as known.

>>> repair("let me speak to anagent".split())
['let', 'me', 'speak', 'to', 'an', 'agent']
>>> " ".join(repair("talk t ohuman".split()))
'talk to human'
>>> " ".join(repair("pu tme through to customer service".split()))
'put me through to customer service'
>>> " ".join(repair("can a person all me back".split()))
'can a person call me back'
>>> " ".join(repair("the walk to the branch was long".split()))
'the walk to the branch was long'
"""

from __future__ import annotations

import math
from functools import cache
from importlib.resources import files

from pipelines.escalation.signals.text import is_slang, slang

#: Words the human-request rules read: request verbs, human targets, the function words that join
#: them, and the negations and question words that turn a request down.
KEY_LEXICON: tuple[str, ...] = (
    "human", "humans", "being", "person", "people", "agent", "agents", "operator", "representative",
    "advisor", "adviser", "supervisor", "manager", "someone", "somebody", "anyone", "anybody", "colleague",
    "colleagues", "staff", "employee", "specialist", "consultant", "customer", "service", "support", "team",
    "member", "speak", "talk", "chat", "discuss", "deal", "transfer", "connect", "through", "pass", "forward",
    "patch", "switch", "route", "redirect", "hand", "send", "over", "back", "call", "callback", "ring",
    "phone", "contact", "reach", "escalate", "escalated", "please", "real", "live", "actual", "proper",
    "competent", "want", "need", "would", "like", "rather", "prefer", "demand", "request", "get", "give",
    "find", "bring", "have", "put", "let", "can", "could", "may", "will", "with", "your", "from", "one",
    "the", "this", "that", "who", "help", "take", "number", "over", "assistance", "someone", "now", "zero", "press", "bot", "bots",
    "robot", "machine", "automated", "without", "don't", "not", "never", "no", "need", "to", "me", "an", "a",
    "of", "it", "is", "am", "are", "there", "talking", "speaking", "chatting", "i", "you", "my",
)
_EXTRA_KNOWN = (
    "im", "dont", "cant", "wont", "didnt", "doesnt", "isnt", "pls", "plz", "thx", "ok", "lol", "app",
    "online", "login", "email", "paypal", "chatbot", "callback", "rep", "reps",
)
_KEYS = frozenset(KEY_LEXICON)
_KNOWN_TOP = 30_000
_OOV_COST = 25.0  # an unknown token costs about as much as two rare words
_NEAR_KEY_COST = 15.0  # an unknown token one edit from a key word is probably that word
_REWRITE_COST = 2.0  # re-segmenting a known neighbour too: the smaller rewrite wins a near tie
_MERGE_COST = 4.0  # swallowing a known neighbour into a longer word ("m e an" -> "mean") needs more evidence
_TYPO_ODDS = math.log(1_000)
_WORD_COST = 3.0  # per word: fewer, longer words win a tie
_MAX_WORD = 20
_ALPHABET = "abcdefghijklmnopqrstuvwxyz'"
_CONTRACTIONS = frozenset({
    "i'm", "i've", "i'd", "i'll", "you're", "you've", "you'd", "you'll", "it's", "that's", "there's",
    "what's", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't", "weren't",
    "haven't", "hasn't", "hadn't", "shouldn't", "wouldn't", "couldn't", "let's", "we're", "they're",
})


@cache
def _unigrams() -> dict[str, int]:
    text = (files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if word.isalpha() and (len(word) > 1 or word in {"a", "i"}):
            counts[word] = int(count)
    return counts


@cache
def _ranks() -> dict[str, int]:
    ordered = sorted(_unigrams().items(), key=lambda item: -item[1])
    ranks = {word: rank for rank, (word, _) in enumerate(ordered[:_KNOWN_TOP], start=1)}
    for word in (*KEY_LEXICON, *_EXTRA_KNOWN):
        ranks.setdefault(word, 5_000)
    return ranks


@cache
def _bigrams() -> dict[str, int]:
    text = (files("symspellpy") / "frequency_bigramdictionary_en_243_342.txt").read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        pair, _, count = line.rpartition(" ")
        out[pair] = int(count)
    return out


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
        | {a + c + b for a, b in splits for c in _ALPHABET}
    )


@cache
def _near_keys() -> dict[str, tuple[str, ...]]:
    """Every string one edit from a key word of 2+ letters -> the key words it is one edit from."""
    near: dict[str, tuple[str, ...]] = {}
    for key in dict.fromkeys(KEY_LEXICON):
        if len(key) >= 2:
            for variant in _edits1(key):
                if variant and variant != key:
                    near[variant] = (*near.get(variant, ()), key)
    return near


def _deletes(word: str, depth: int) -> set[str]:
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


@cache
def _far_keys() -> dict[str, tuple[str, ...]]:
    """Symmetric-delete index (SymSpell): up to two deletions of each key word of 5+ letters."""
    index: dict[str, tuple[str, ...]] = {}
    for key in dict.fromkeys(KEY_LEXICON):
        if len(key) >= 5:
            for variant in _deletes(key, 2):
                index[variant] = (*index.get(variant, ()), key)
    return index


def _within_two(token: str) -> tuple[str, ...]:
    """Key words of 5+ letters within two edits of ``token`` (closest first)."""
    index = _far_keys()
    found = {key for variant in _deletes(token, 2) for key in index.get(variant, ())}
    scored = sorted((_osa(token, key), key) for key in found)
    return tuple(key for distance, key in scored if distance <= 2 and distance == scored[0][0])


def _osa(a: str, b: str) -> int:
    """Optimal-string-alignment distance (Levenshtein + adjacent transposition)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _is_word(token: str) -> bool:
    return token.replace("'", "").isalpha()


def is_known(token: str) -> bool:
    """True for vocabulary words, contractions, chat spellings (``pls``), stretched words (``pleease``)
    and tokens that are not plain words (numbers, ``?``)."""
    if not _is_word(token):
        return True
    if "'" in token:
        return token in _CONTRACTIONS or token.replace("'", "") in _ranks() or is_slang(token)
    return token in _ranks() or is_slang(token)


def _cost(word: str) -> float:
    rank = _ranks().get(word)
    if rank is not None:
        return _WORD_COST + math.log(rank + 1)
    if is_known(word):
        return _WORD_COST + math.log(5_000)
    return _NEAR_KEY_COST if word in _near_keys() else _OOV_COST


def _segment(joined: str) -> tuple[float, list[str]]:
    """Least-cost split of ``joined`` into known words (inf when impossible)."""
    ranks = _ranks()
    n = len(joined)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(math.inf, 0)] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - _MAX_WORD), end):
            if best[start][0] == math.inf:
                continue
            piece = joined[start:end]
            if piece in ranks:
                total = best[start][0] + _WORD_COST + math.log(ranks[piece] + 1)
                if total < best[end][0]:
                    best[end] = (total, start)
    if best[n][0] == math.inf:
        return math.inf, []
    words, end = [], n
    while end > 0:
        start = best[end][1]
        words.append(joined[start:end])
        end = start
    return best[n][0], words[::-1]


def _resegment(tokens: list[str]) -> list[str]:
    out = list(tokens)
    i = 0
    while i < len(out):
        if is_known(out[i]):
            i += 1
            continue
        end = i
        while end + 1 < len(out) and not is_known(out[end + 1]):
            end += 1
        left = i - 1 if i > 0 and _is_word(out[i - 1]) else i
        right = end + 1 if end + 1 < len(out) and _is_word(out[end + 1]) else end
        span_cost = sum(_cost(t) for t in out[left:right + 1])
        best_cost, best = span_cost, None
        for a in sorted({left, i}):
            for b in sorted({end, right}):
                cost, words = _segment("".join(out[a:b + 1]))
                merged = len(words) < b + 1 - a  # "rep lacement" -> "replacement"
                if not merged and not any(len(w) > 1 for w in _KEYS.intersection(words).difference(out[a:b + 1])):
                    continue  # only a split that restores a key word is worth the risk ("iban" stays)
                cost += sum(_cost(t) for t in out[left:a]) + sum(_cost(t) for t in out[b + 1:right + 1])
                absorbed = (a < i) + (b > end)
                cost += _REWRITE_COST * absorbed + (_MERGE_COST if merged and absorbed else 0.0)
                if cost < best_cost - 1e-9:
                    best_cost, best = cost, (a, b, words)
        if best is None:
            i = end + 1
            continue
        a, b, words = best
        out[a:b + 1] = words
        i = a + len(words)
    return out


def _fit(word: str, left: str | None, right: str | None) -> int:
    """How many of the word's two bigrams (with its neighbours) occur in English."""
    bigrams = _bigrams()
    return (left is not None and f"{left} {word}" in bigrams) + (right is not None and f"{word} {right}" in bigrams)


def _log_fit(word: str, left: str | None, right: str | None) -> float:
    """log P(word | left) + log P(right | word) from the bigram counts (add-half smoothing)."""
    bigrams, unigrams = _bigrams(), _unigrams()
    total = 0.0
    if left is not None:
        total += math.log((bigrams.get(f"{left} {word}", 0) + 0.5) / (unigrams.get(left, 0) + 1.0))
    if right is not None:
        total += math.log((bigrams.get(f"{word} {right}", 0) + 0.5) / (unigrams.get(word, 0) + 1.0))
    return total


def _best_key(candidates: tuple[str, ...], token: str, left: str | None, right: str | None) -> tuple[float, str]:
    """The candidate the bigram model likes best; a transposition (same letters) wins a near tie."""
    scored = [(_log_fit(k, left, right) + (0.5 if sorted(k) == sorted(token) else 0.0), k) for k in candidates]
    return max(scored)


def _neighbours(tokens: list[str], i: int) -> tuple[str | None, str | None]:
    left = tokens[i - 1] if i > 0 and _is_word(tokens[i - 1]) else None
    right = tokens[i + 1] if i + 1 < len(tokens) and _is_word(tokens[i + 1]) else None
    return left, right


def _fuzzy_keys(tokens: list[str]) -> list[str]:
    """Unknown tokens one edit from key words (two for 8+ letters) become the best-fitting key word."""
    out = list(tokens)
    for i, token in enumerate(out):
        if is_known(token) or token in {"a", "i"}:
            continue
        candidates = _near_keys().get(token, ())
        if len(token) >= 3 and len(candidates) > 0:
            out[i] = _best_key(candidates, token, *_neighbours(out, i))[1] if len(candidates) > 1 else candidates[0]
        elif candidates or len(token) == 1:  # "ot", "o", "z": only when the key word fits a neighbour
            candidates = (*candidates, "a", "i") if len(token) == 1 else candidates
            key = _best_key(candidates, token, *_neighbours(out, i))[1]
            if _fit(key, *_neighbours(out, i)):
                out[i] = key
        elif len(token) >= 5 and (close := _within_two(token)):  # "pfersn", "agajt"
            out[i] = _best_key(close, token, *_neighbours(out, i))[1] if len(close) > 1 else close[0]
    return out


def _in_context(tokens: list[str]) -> list[str]:
    """A known word that fits neither neighbour, one edit from a key word that does ("person all me")."""
    near = _near_keys()
    out = list(tokens)
    for i, token in enumerate(out):
        candidates = near.get(token)
        if candidates is None or len(token) < 3 or not _is_word(token):
            continue
        left, right = _neighbours(out, i)
        if left is None and right is None:
            continue
        score, key = _best_key(candidates, token, left, right)
        # a noisy channel: the key word must beat the typed word by more than a typo's odds (~1/1000)
        if score - _log_fit(token, left, right) > _TYPO_ODDS and _fit(key, left, right):
            out[i] = key
    return out


def repair(tokens: list[str]) -> list[str]:
    """The token sequence with merged/split/mistyped key words restored (a new list)."""
    near = _near_keys()
    if all(is_known(t) and (len(t) < 3 or t not in near) for t in tokens):
        return list(tokens)  # the common case: clean text, nothing to look at
    fixed = _fuzzy_keys(_resegment(tokens))
    return _in_context([word for token in fixed for word in slang(token).split()])
