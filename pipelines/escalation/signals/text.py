"""Text normalisation shared by the signal scorers: lower-case, squeeze repeated letters, fix the
typos customers make in the few words the scorers key on.

>>> normalise("Can i speek to a HUMAMN pleeease??")
'can i speak to a human please ? ?'
>>> content_tokens("How do I reset my password?")
['reset', 'password']
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?.,;:]")
_REPEAT = re.compile(r"([a-z])\1{2,}")

#: Words the scorers key on; a token within one edit of one of these (length >= 5) is read as it.
KEY_WORDS: tuple[str, ...] = (
    "human", "humans", "person", "persons", "people", "agent", "agents", "operator", "representative",
    "someone", "somebody", "anyone", "anybody", "speak", "speaking", "transfer", "connect", "supervisor",
    "escalate", "customer", "service", "support", "please", "actual",
    "really", "terrible", "horrible", "useless", "ridiculous", "disappointed", "frustrated", "annoyed",
)
_FIXED: dict[str, str] = {
    "hooman": "human", "humna": "human", "huamn": "human", "hman": "human", "humam": "human",
    "humen": "human", "humane": "human", "persn": "person", "prson": "person", "perosn": "person",
    "peson": "person", "agnet": "agent", "agant": "agent", "agen": "agent", "agnt": "agent",
    "opperator": "operator", "operater": "operator", "oprator": "operator", "operaotr": "operator",
    "reprasentative": "representative", "represenative": "representative",
    "representive": "representative", "reprsentative": "representative", "represntative": "representative",
    "sombody": "somebody", "somone": "someone", "sumone": "someone", "some1": "someone", "sum1": "someone",
    "som1": "someone", "any1": "anyone", "ppl": "people", "pls": "please", "plz": "please", "plez": "please",
    "pleas": "please", "tlak": "talk", "takl": "talk", "tak": "talk", "spek": "speak", "speek": "speak",
    "spaek": "speak", "wanna": "want to", "gimme": "give me", "lemme": "let me", "gotta": "got to",
    "u": "you", "ur": "your", "r": "are", "im": "i'm", "dont": "don't", "cant": "can't", "wont": "won't",
    "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't", "havent": "haven't",
    "ive": "i've", "id": "i'd", "thx": "thanks", "ty": "thanks", "asap": "asap", "rn": "right now",
    "convo": "conversation", "hv": "have", "wat": "what", "wht": "what", "becuase": "because",
}
_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _w in KEY_WORDS:
    _BY_LENGTH.setdefault(len(_w), ())
    _BY_LENGTH[len(_w)] += (_w,)

STOPWORDS = frozenset(
    ["i", "me", "my", "we", "us", "our", "you", "your", "the", "a", "an", "to", "is", "it", "its", "of", "and", "or", "in", "on", "at", "for", "do", "does", "did", "can", "could", "would", "should", "will", "be", "been", "being", "have", "has", "had", "what", "how", "why", "when", "where", "which", "who", "this", "that", "these", "those", "with", "am", "are", "was", "were", "there", "not", "no", "please", "help", "any", "get", "got", "just", "so", "if", "as", "by", "from", "up", "about", "into", "than", "then", "also", "i'm", "i've", "i'd", "it's", "don't", "can't", "some", "need", "want", "like", "know", "tell", "thanks", "thank", "hi", "hello", "hey", "yes", "ok", "okay", "still", "already", "again"]
)


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, or one adjacent transposition."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@lru_cache(maxsize=65_536)
def fix_token(token: str) -> str:
    """The canonical spelling of one lower-case token."""
    fixed = _FIXED.get(token)
    if fixed is not None:
        return fixed
    if len(token) < 5 or not token.isalpha():
        return token
    for length in (len(token), len(token) - 1, len(token) + 1):
        for word in _BY_LENGTH.get(length, ()):
            if _within_one_edit(token, word):
                return word
    return token


def raw_tokens(text: str) -> list[str]:
    """Lower-case tokens with repeated letters squeezed and punctuation split off; no typo fixing.

    >>> raw_tokens("Talk t ohuman PLEEEASE!")
    ['talk', 't', 'ohuman', 'pleease', '!']
    """
    return _TOKEN.findall(_REPEAT.sub(r"\1\1", text.lower().replace("’", "'")))


def is_slang(token: str) -> bool:
    """True for the chat spellings the scorers read as words (``pls``, ``u``, ``dont``)."""
    return token in _FIXED


def slang(token: str) -> str:
    """The plain spelling of a chat spelling (``"pls"`` -> ``"please"``), else the token."""
    return _FIXED.get(token, token)


def normalise(text: str) -> str:
    """Lower-case, repeated letters squeezed, typos fixed, punctuation split off, one space apart."""
    # squeezing "pleeease" to "pleease" leaves one letter too many: fix_token catches it
    return " ".join(fix_token(t) for t in raw_tokens(text))


def content_tokens(text: str) -> list[str]:
    """Normalised tokens without stopwords and punctuation."""
    return [t for t in normalise(text).split() if t.isalnum() and t not in STOPWORDS]
