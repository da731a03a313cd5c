"""Signal scorers on the hot path (every customer message): µs per message, uncached.

Human request (noise repair + clause rules) is paired with the same clause rules on plain normalised
text (no repair); sentiment (VADER + frustration cues) with VADER alone. The texts are the labelled
fixtures plus one-typo copies (seed 1), so both sides see clean and noisy messages."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.escalation.signals import human_request, sentiment
from pipelines.escalation.signals.text import normalise
from pipelines.escalation.signals.typos import add_typos

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "escalation"


def _texts() -> list[str]:
    texts: list[str] = []
    for name in ("human_request.jsonl", "sentiment_cs.jsonl", "sentiment.jsonl"):
        path = FIXTURES / name
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    rng = random.Random(1)
    return texts + [add_typos(t, rng) for t in texts]


def _us_per_message(fn: Callable[[str], object], texts: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        runs.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(runs)


def run(*, repeats: int = 5) -> list[dict]:  # type: ignore[type-arg]
    texts = _texts()
    human_request.score_human_request("warm up: load the vocabulary and bigrams")
    full_hr = human_request.explain_human_request.__wrapped__  # uncached: every call does the work
    plain_hr = lambda text: human_request._score_normalised(normalise(text[:2000]))  # noqa: E731
    full_sentiment = sentiment._score_text.__wrapped__
    vader = lambda text: sentiment._analyzer.polarity_scores(text)["compound"]  # noqa: E731
    return [
        {"name": "human request µs/message (noise repair)", "unit": "µs", "higher_is_better": False,
         "loopline": _us_per_message(full_hr, texts, repeats), "baseline": _us_per_message(plain_hr, texts, repeats),
         "baseline_name": "same rules without repair", "notes": f"{len(texts)} fixture messages, half with one typo"},
        {"name": "sentiment µs/message (VADER + cues)", "unit": "µs", "higher_is_better": False,
         "loopline": _us_per_message(full_sentiment, texts, repeats),
         "baseline": _us_per_message(vader, texts, repeats),
         "baseline_name": "VADER alone", "notes": f"{len(texts)} fixture messages, half with one typo"},
    ]


if __name__ == "__main__":
    for row in run(repeats=3):
        print(row)
