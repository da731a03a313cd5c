"""Sentiment on customer-service messages: frustration reaches the policy level, mild stays mild."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from pipelines.escalation.signals.sentiment import score_sentiment

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "escalation"
LEVEL = -0.6  # policy v1 triggers.sentiment.level


def _rows() -> list[dict]:  # type: ignore[type-arg]
    path = FIXTURES / "sentiment_cs.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("text", [
    "why is this so hard, I'm losing my patience", "this is ridiculous, nothing you say helps",
    "This is the third time I've explained this. THIRD TIME.", "What a waste of time this chat has been",
    "Oh great, another error message. Fantastic.", "I'm fed up with this bank",
])
def test_frustrated_messages_reach_the_policy_level(text: str) -> None:
    assert score_sentiment(text) <= LEVEL, (text, score_sentiment(text))


@pytest.mark.parametrize("text", [
    "hmm that's a bit annoying", "not ideal but I understand", "slightly disappointing but fine",
    "meh, not the best answer", "the delay is a bit annoying",
])
def test_mild_messages_stay_above_minus_045(text: str) -> None:
    assert score_sentiment(text) > -0.45, (text, score_sentiment(text))


@pytest.mark.parametrize("text", ["THANK YOU!!!", "thanks again!", "my name is Joy Hope", "I live at 187 High Street"])
def test_thanks_shouting_and_slot_answers_are_not_negative(text: str) -> None:
    # shouting counts only next to a complaint; data values carry no sentiment
    assert score_sentiment(text) >= 0.0, (text, score_sentiment(text))


def test_cs_fixture_auc_and_separation() -> None:
    rows = _rows()
    labelled = [r for r in rows if r["label"] in {"strong", "mild", "positive"}]
    auc = roc_auc_score([r["label"] == "positive" for r in labelled], [score_sentiment(r["text"]) for r in labelled])
    assert auc >= 0.90, auc
    strong = [score_sentiment(r["text"]) for r in rows if r["label"] == "strong"]
    mild = [score_sentiment(r["text"]) for r in rows if r["label"] == "mild"]
    assert sum(s <= LEVEL for s in strong) / len(strong) >= 0.85
    assert sum(s > -0.45 for s in mild) / len(mild) >= 0.95


@pytest.mark.parametrize("text", [
    "I want to close my account", "why does my card keep getting rejected", "you charged me twice for the same month",
    "why is this transaction still pending", "my card 4111 1111 1111 1111 was charged twice",
])
def test_plain_problem_statements_stay_above_the_level(text: str) -> None:
    # a problem is the reason for the contact, not yet frustration with the service
    assert score_sentiment(text) > LEVEL, (text, score_sentiment(text))
