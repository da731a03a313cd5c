"""Detector quality on the labelled fixtures (provenance in tests/fixtures/escalation/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import roc_auc_score

from pipelines.escalation.signals.human_request import score_human_request
from pipelines.escalation.signals.rephrase import MiniLMEncoder, RephraseScorer
from pipelines.escalation.signals.sentiment import score_sentiment

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "escalation"


def _load(name: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line]


def test_human_request_precision_and_recall_at_least_095() -> None:
    rows = _load("human_request.jsonl")
    flags = [score_human_request(r["text"]) >= 0.5 for r in rows]
    tp = sum(f and r["label"] == 1 for f, r in zip(flags, rows, strict=True))
    precision = tp / max(1, sum(flags))
    recall = tp / sum(r["label"] for r in rows)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_sentiment_roc_auc_at_least_090() -> None:
    rows = _load("sentiment.jsonl")
    auc = roc_auc_score([r["label"] == "positive" for r in rows], [score_sentiment(r["text"]) for r in rows])
    assert auc >= 0.90, auc


def test_rephrase_roc_auc_at_least_094_on_banking77_pairs() -> None:
    rows = _load("rephrase_pairs.jsonl")
    scorer = RephraseScorer(encoder=MiniLMEncoder())
    scores = scorer.score_pairs([(r["a"], r["b"]) for r in rows])
    auc = roc_auc_score([r["same"] for r in rows], scores)
    assert auc >= 0.94, auc


def test_rephrase_batched_equals_one_by_one() -> None:
    rows = _load("rephrase_pairs.jsonl")[:20]
    batched = RephraseScorer(encoder=MiniLMEncoder()).score_pairs([(r["a"], r["b"]) for r in rows])
    single = RephraseScorer(encoder=MiniLMEncoder(cache_size=1))
    one_by_one = [single.score(r["a"], r["b"]) for r in rows]
    assert [round(a, 3) for a in batched] == [round(b, 3) for b in one_by_one]
