"""`loopline signals human-request|sentiment|rephrase`: JSONL on stdin -> JSONL scores on stdout.

Input lines are ``{"text": ...}`` (``{"a": ..., "b": ...}`` for rephrase; an optional upstream
``"sentiment"`` is honoured); each output line adds ``score`` and ``flag`` (the decision at the
threshold of the policy named by LOOPLINE_POLICY, default policies/policy-v1.yaml), in input order.
Rephrase streams: it reads 1,024 lines, scores them (the model runs once per chunk, in length-bucketed
batches, on ONNX Runtime; each distinct text is encoded once per process), writes and flushes them,
then reads on — 10,000 lines take about 5-15 s on 2 cores (docs/escalation.md).
Environment (read here only): LOOPLINE_POLICY, LOOPLINE_ENCODER_CACHE (where the ONNX export of the
model is kept; default ~/.cache/loopline/models).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import typer

from loopline.settings import Settings
from pipelines.escalation.policy import DEFAULT_POLICY, load_policy
from pipelines.escalation.signals.human_request import score_human_request
from pipelines.escalation.signals.rephrase import MiniLMEncoder, RephraseScorer
from pipelines.escalation.signals.sentiment import score_sentiment

_CHUNK = 1024  # lines per model call: large enough to batch well, small enough to stream


def _records() -> Iterator[dict[str, Any]]:
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record = {"error": f"line {number}: not JSON: {exc.msg}"}
        yield record if isinstance(record, dict) else {"error": f"line {number}: expected an object"}


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _policy_triggers():  # type: ignore[no-untyped-def]
    return load_policy(os.environ.get("LOOPLINE_POLICY", str(DEFAULT_POLICY))).triggers


def human_request() -> None:
    """Score explicit requests for a human (0-1)."""
    threshold = _policy_triggers().human_request_threshold
    for record in _records():
        if "error" not in record:
            score = score_human_request(str(record.get("text", "")))
            record.update(score=round(score, 4), flag=score >= threshold)
        _emit(record)


def sentiment() -> None:
    """Score sentiment (-1..1); flag marks messages at or below the policy's level."""
    level = _policy_triggers().sentiment_level
    for record in _records():
        if "error" not in record:
            upstream = record.get("sentiment")
            score = score_sentiment(str(record.get("text", "")),
                                    upstream=float(upstream) if isinstance(upstream, int | float) else None)
            record.update(score=round(score, 4), flag=score <= level)
        _emit(record)


def rephrase(
    int8: bool = typer.Option(False, "--int8", help="Run the int8-quantised model: about 2x faster, scores move by "
                              "up to ~0.07 and ~1% of flags flip (see docs/escalation.md)."),
) -> None:
    """Score whether a and b restate the same request (0-1), batched through the model."""
    triggers = _policy_triggers()
    encoder = MiniLMEncoder(quantize=int8, cache_dir=Settings().encoder_cache)
    scorer = RephraseScorer(encoder=encoder, lexical_same=triggers.rephrase_lexical_same)
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        ok = [r for r in chunk if "error" not in r]
        scores = scorer.score_pairs([(str(r.get("a", "")), str(r.get("b", ""))) for r in ok])
        for record, score in zip(ok, scores, strict=True):
            record.update(score=round(score, 4), flag=score >= triggers.rephrase_similarity)
        for record in chunk:
            _emit(record)
        sys.stdout.flush()  # stream: a reader sees each chunk as soon as it is scored
        chunk.clear()

    for record in _records():
        chunk.append(record)
        if len(chunk) >= _CHUNK:
            flush()
    flush()


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["signals"].command("human-request")(human_request)
    groups["signals"].command("sentiment")(sentiment)
    groups["signals"].command("rephrase")(rephrase)
