"""Texts for comparing a compiled detector with its Python reference (``privacy.accel``): the
labelled fixtures, the Presidio sample and every Banking77 and CLINC150 utterance, each also
title-cased and upper-cased, ASCII only (the compiled paths handle ASCII texts); and a hypothesis
strategy that builds texts from the words and characters the detectors react to."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data" / "dev"
FIXTURES = ROOT / "tests" / "fixtures" / "privacy" / "labelled.jsonl"


@cache
def ascii_corpus() -> tuple[str, ...]:
    with (DATA / "banking77_train.csv").open(newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    clinc = json.loads((DATA / "clinc150_data_full.json").read_text())
    texts += [t for split in clinc.values() for t, _intent in split]
    texts += [
        r["full_text"] for r in json.loads((DATA / "presidio_generated_small.json").read_text())
    ]
    texts += [json.loads(line)["text"] for line in FIXTURES.read_text().splitlines()]
    out = [t for t in texts if t.isascii()]
    out += [t.title() for t in out[::7]] + [t.upper() for t in out[::11]]
    return tuple(dict.fromkeys(out))


_PIECES = [
    # number words, digits and their separators
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero", "oh", "o",
    "double", "triple", "twenty", "forty-five", "hundred", "thousand", "and", "4111", "1111",
    "212", "555", "0143", "+44", "(212)", "07700", "900123", "12", "3", "2024", "1/2/1990",
    "10:30", "192.168.0.1", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
    "ES84 9046 6800 5082 8806 0651", "078-05-1120", "QQ123456C", "x123", "ext.", "#",
    # names, cues, titles, streets, places
    "my name is", "call me", "I'm", "this is", "Mr.", "Dr", "mrs", "John", "Smith", "O'Neil",
    "Anne-Marie", "van", "de", "Jr.", "said", "Rose", "Branch", "Will", "jessica", "tracy",
    "Okafor", "Eklund", "Texas", "Street", "St.", "Road", "Ave", "Apt.", "Suite", "4B",
    "Nassaustraat", "Baker", "lives at", "address:", "ship to", "NW1 6XE", "90210", "London",
    "born", "dob", "d.o.b.", "birthday", "account number", "order #", "policy", "sort code",
    "routing", "card", "pin", "ssn", "email", "ann.lee@example.org", "john dot smith at gmail dot com",
    # plain words and punctuation
    "the", "I", "my", "is", "please", "card", "charge", "pending", "ATM", "don't", "haven't",
    "Hello", "What", "Can", ",", ".", "!", "?", ":", "-", "'", "\n", "  ", "\t", "(", ")",
]  # fmt: skip


def tricky_ascii_text() -> st.SearchStrategy[str]:
    """ASCII texts made of the pieces above joined by spaces or nothing, with random casing."""
    piece = st.one_of(
        st.sampled_from(_PIECES),
        st.sampled_from(_PIECES).map(str.upper),
        st.sampled_from(_PIECES).map(str.title),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
    )
    joiner = st.sampled_from([" ", " ", " ", "", ", ", "\n", ". "])
    return st.lists(st.tuples(piece, joiner), max_size=14).map(
        lambda parts: "".join(p + j for p, j in parts)
    )
