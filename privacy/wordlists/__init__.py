"""Word lists shipped with the package (generated at build time by ``_build.py``; nothing is
downloaded at run time). Loaded once, lazily.

>>> "maria" in first_names() and "street" in street_words()
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent


def _load(name: str) -> frozenset[str]:
    text = (_HERE / f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@cache
def first_names() -> frozenset[str]:
    return _load("first_names")


@cache
def last_names() -> frozenset[str]:
    return _load("last_names")


@cache
def street_words() -> frozenset[str]:
    return _load("street_words")


@cache
def common_words() -> frozenset[str]:
    """Ordinary words: a name that is also one of these needs context to count as a name."""
    return _load("common_words") | STOP_WORDS


@cache
def seen_words() -> frozenset[str]:
    """Words frequent in lowercase customer-service text: a lowercase name needs more than a list."""
    return _load("seen_words")


@cache
def ordinary_names() -> frozenset[str]:
    """Names that are also ordinary English words ("branch", "rose", "mark"): lowercase, or
    capitalised only because a sentence starts with them, they are words unless context says
    they name a person."""
    return _load("ordinary_names")


@cache
def places() -> frozenset[str]:
    """Words of country and state names (address continuation)."""
    return _load("places") | frozenset(
        [
            "city",
            "town",
            "village",
            "county",
            "state",
            "province",
            "republic",
            "island",
            "islands",
            "kingdom",
            "united",
        ]
    )


STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "it",
        "its",
        "we",
        "us",
        "our",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "dear",
        "thanks",
        "thank",
        "please",
        "sorry",
        "sir",
        "madam",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "mister",
        "mx",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "which",
        "there",
        "here",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tomorrow",
        "yesterday",
        "morning",
        "evening",
        "night",
        "christmas",
        "easter",
        "bot",
        "agent",
        "customer",
        "support",
        "team",
        "manager",
        "supervisor",
        "service",
        "account",
        "card",
        "bank",
        "street",
        "road",
        "avenue",
        "lane",
        "drive",
        "suite",
        "apt",
        "apartment",
        "unit",
        "floor",
        "english",
        "spanish",
        "french",
        "german",
        "american",
        "british",
        "european",
        "nan",
    ]
)
