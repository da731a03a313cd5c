"""Recall targets on the Presidio sample and our labelled fixtures (precision is reported by bench)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privacy import detect
from privacy.evaluation import Labelled, load_presidio, score

PRESIDIO = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "dev"
    / "presidio_generated_small.json"
)

TARGETS = {
    "CREDIT_CARD": 1.0, "IBAN": 1.0, "EMAIL": 1.0, "US_SSN": 1.0, "IP_ADDRESS": 1.0,
    "PHONE": 0.98, "PERSON": 0.90, "ADDRESS": 0.90,
}  # fmt: skip


def _check(items: list[Labelled]) -> dict[str, dict[str, float]]:
    pred = [[(s.start, s.end, s.kind) for s in detect(x.text)] for x in items]
    return score(items, pred)


def test_recall_on_presidio_sample() -> None:
    result = _check(load_presidio(json.loads(PRESIDIO.read_text())))
    for kind, target in TARGETS.items():
        assert result[kind]["recall"] >= target, (kind, result[kind])


def test_recall_on_labelled_fixtures(labelled: list[dict]) -> None:
    items = [Labelled(r["text"], [tuple(s) for s in r["spans"]]) for r in labelled]
    result = _check(items)
    for kind, target in TARGETS.items():
        assert result[kind]["recall"] >= target, (kind, result[kind])


@pytest.mark.parametrize("group", ["negatives"])
def test_fixture_negatives_stay_clean(labelled: list[dict], group: str) -> None:
    for row in labelled:
        if row["group"] == group:
            assert detect(row["text"]) == [], row["text"]
