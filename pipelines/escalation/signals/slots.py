"""Slot answers and bare acknowledgements: customer turns that give data, not a request.

"my name is Amara Brown", "it's amara.brown94@example.com", "the card number is 4623 …", "I live at
70 Elm Street", "yes the first one" answer the bot's questions. They restate nothing, carry no
sentiment of their own, and — because they share names, digits and banking words — a sentence
encoder links them to each other and to the request they serve. The rephrase scorer gives them no
similarity and the sentiment scorer reads them as neutral.

>>> is_slot_answer("my name is Hiroshi Silva")
True
>>> is_slot_answer("it's hiroshi.silva50@example.com")
True
>>> is_slot_answer("the card number is four three oh seven, three six 3 three")
True
>>> is_slot_answer("yes the first one")
True
>>> is_slot_answer("my card number is not accepted by the app")
False
>>> is_slot_answer("I want to switch on the card that just arrived")
False
"""

from __future__ import annotations

import re

_FIELD = (r"(?:full |first |last |sur|user|maiden |middle |account |customer |reference |order |policy |"
          r"membership |booking |phone |mobile |email |e-mail |home |postal |card |sort |post |zip |tax |"
          r"national insurance |social security |date of )?"
          r"(?:name|number|no|phone|mobile|email|e-mail|address|card number|iban|bic|swift|account|code|postcode|"
          r"zip|birth|dob|birthday|reference|ref|id|username|handle|pin)")
_DECLARED = re.compile(rf"^(?:my|the|our|his|her|it's|its|it is)\s+{_FIELD}\s*(?:is|was|'s|:|=|-)?\s+(?P<value>.+)$")
_IT_IS = re.compile(r"^(?:it's|its|it is|that's|that is|this is|sure,?|yes,?|ok,?)\s+(?P<value>.+)$")
_LIVE = re.compile(r"^(?:i live at|i'm at|i am at|i live in|address is|i was born on)\s+(?P<value>.+)$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_SPELLED = frozenset({
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "double", "triple",
    "plus", "dash", "dot", "at", "and", "hundred", "thousand",
})
_ACK = frozenset({
    "yes", "yeah", "yep", "yup", "no", "nope", "ok", "okay", "sure", "thanks", "thank", "you", "cheers", "the",
    "first", "second", "third", "last", "one", "that", "this", "please", "correct", "right", "fine", "great",
    "perfect", "alright", "got", "it", "that's", "it's", "option", "a", "b", "c", "1", "2", "3", "hi", "hello",
})
_REQUEST_WORDS = re.compile(r"\b(?:not|n't|no longer|wrong|help|want|need|can|could|how|why|what|when|where|"
                            r"please|won't|doesn't|isn't|didn't|change|update|cancel|block|lost|stolen|problem)\b")
_WORDS = re.compile(r"[\w'@.+-]+")


def _data_like(value: str) -> bool:
    """A value that is an e-mail, digits, spelled digits or a short proper name/address."""
    if _REQUEST_WORDS.search(value.lower()):
        return False
    if _EMAIL.search(value):
        return True
    words = _WORDS.findall(value)
    if not words or len(words) > 16:
        return False
    data = sum(1 for w in words if any(ch.isdigit() for ch in w) or w.lower().strip(".,") in _SPELLED)
    if data * 2 >= len(words):
        return True
    # a name or an address: short, mostly capitalised or numeric words
    return len(words) <= 6 and sum(1 for w in words if w[:1].isupper() or w[:1].isdigit()) * 2 >= len(words)


def is_slot_answer(text: str, *, acknowledgements: bool = True) -> bool:
    """True for a turn that only gives data ("my number is …") or, with ``acknowledgements``, only
    acknowledges ("yes the first one")."""
    stripped = text.strip().rstrip(".!")
    lowered = stripped.lower().replace("’", "'")
    if not lowered:
        return True
    tokens = re.findall(r"[a-z0-9']+", lowered)
    if acknowledgements and tokens and len(tokens) <= 5 and all(t in _ACK for t in tokens):
        return True
    for pattern in (_DECLARED, _LIVE, _IT_IS):
        match = pattern.match(lowered)
        if match is not None:
            start = match.start("value")
            return _data_like(stripped[start:])
    if _EMAIL.fullmatch(lowered) is not None:
        return True
    return _data_like(stripped) and not any(c.isalpha() for c in lowered.replace("oh", ""))
