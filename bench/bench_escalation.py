"""Escalation benchmarks: decisions/s of the pure core vs decoding alone, and rephrase detection as the
worker runs it (lexical path first, ONNX Runtime, each message encoded once through the LRU cache) vs a
naive scorer that encodes both messages of every pair one by one with the plain sentence-transformers
model (same decisions checked)."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.rephrase_workload import conversations, window_pairs
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import load_policy
from pipelines.escalation.signals.minilm import model_dir
from pipelines.escalation.signals.rephrase import CENTROID_FILE, MiniLMEncoder, RephraseScorer
from pipelines.escalation.state import ConversationState
from topics import events as ev
from topics.codec import decode_event, encode

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "escalation"
TEXTS = ["hi", "where is my card", "it still has not arrived", "thanks", "can I change my address",
         "this is taking ages", "ok", "what is the exchange rate today"]


def _events(conversations: int = 400) -> list[bytes]:
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    out: list[bytes] = []
    for c in range(conversations):
        cid, t = f"c{c}", t0
        out.append(encode(ev.ConversationStartedEvent.build(id=f"{cid}-s", conversation_id=cid, time=t,
                   data=ev.ConversationStarted(channel="chat", customer_id="x", segment="standard", region="GB",
                                               locale="en", timezone="Europe/London"))))
        for n in range(12):
            t += timedelta(seconds=20)
            eid = f"{cid}-{n}"
            if n % 3 == 0:
                data: object = ev.MessageReceived(role="customer", text=TEXTS[(c + n) % len(TEXTS)])
                cls: type[ev.Event] = ev.MessageReceivedEvent
            elif n % 3 == 1:
                cls, data = ev.IntentDetectedEvent, ev.IntentDetected(intent="delivery_status", confidence=0.9, model_version="m")
            else:
                cls, data = ev.BotRespondedEvent, ev.BotResponded(latency_ms=700, prompt_version="p")
            out.append(encode(cls.build(id=eid, conversation_id=cid, time=t, data=data)))
    return out


def _core_rate(raw: list[bytes], *, decide: bool) -> float:
    policy, signals = load_policy(), Signals.lexical()
    states: dict[str, ConversationState] = {}
    start = time.perf_counter()
    for record in raw:
        event = decode_event(record)
        if decide:
            state = states.get(event.subject) or ConversationState()
            states[event.subject] = step(state, event, policy=policy, signals=signals).state
    return len(raw) / (time.perf_counter() - start)


def _rephrase_steps(conversation_count: int = 60) -> list[list[tuple[str, str]]]:
    """Conversations of 6 customer messages from the Banking77 texts of the rephrase fixture (77 intents);
    each arriving message is paired with its previous 4 (the messages inside the rephrase window)."""
    rows = [json.loads(x) for x in (FIXTURES / "rephrase_pairs.jsonl").read_text().splitlines() if x]
    by_intent: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_intent[r["intents"][0]].add(r["a"])
        by_intent[r["intents"][1]].add(r["b"])
    intents = {name: sorted(texts) for name, texts in by_intent.items()}
    return window_pairs(conversations(conversation_count, seed=77, turns=6, intents=intents), k=4)


class _OneByOne:
    """The naive encoder: one ``model.encode([text])`` call per message of every pair, no cache."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.centroid = np.asarray(json.loads(CENTROID_FILE.read_text(encoding="utf-8"))["vector"], dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self.model.encode([t], normalize_embeddings=True, show_progress_bar=False)[0]  # type: ignore[attr-defined]
                for t in texts]
        centred = np.asarray(rows, dtype=np.float32) - self.centroid
        return centred / np.linalg.norm(centred, axis=1, keepdims=True)


def _rephrase_row(repeats: int) -> dict:  # type: ignore[type-arg]
    from sentence_transformers import SentenceTransformer

    policy = load_policy().triggers
    steps = _rephrase_steps()
    pairs = [p for step in steps for p in step]
    runtime = MiniLMEncoder().runtime  # loaded (exported to ONNX at first use) outside the timings
    plain = SentenceTransformer(str(model_dir()), device="cpu")  # as shipped: max_seq_length 256, torch
    plain.encode(["warm up"])
    fast_s, naive_s, encoded = [], [], 0
    fast: list[float] = []
    naive: list[float] = []
    for _ in range(max(1, min(repeats, 3))):
        encoder = MiniLMEncoder(runtime=runtime)  # a cold LRU cache every repeat, the loaded model kept
        scorer = RephraseScorer(encoder=encoder, lexical_same=policy.rephrase_lexical_same)
        t = time.perf_counter()
        fast = [score for step in steps for score in scorer.score_pairs(step)]  # one call per arriving message
        fast_s.append(time.perf_counter() - t)
        encoded = encoder.encoded
        # the naive scorer has no lexical shortcut (lexical_same > 1): it encodes both texts of every pair
        baseline = RephraseScorer(encoder=_OneByOne(plain), lexical_same=1.01)
        t = time.perf_counter()
        naive = [baseline.score(a, b) for a, b in pairs]
        naive_s.append(time.perf_counter() - t)
    threshold = policy.rephrase_similarity
    agree = sum((a >= threshold) == (b >= threshold) for a, b in zip(fast, naive, strict=True)) / len(pairs)
    return {"name": "rephrase pairs/s", "unit": "pairs/s", "loopline": len(pairs) / statistics.median(fast_s),
            "baseline": len(pairs) / statistics.median(naive_s),
            "baseline_name": "naive: plain sentence-transformers, both texts of every pair encoded one by one",
            "higher_is_better": True,
            "notes": (f"worker-shaped: 60 conversations x 6 customer messages (Banking77 fixture texts, 77 intents), "
                      f"each new message scored against its previous 4 in one score_pairs call = {len(pairs)} pairs; "
                      f"loopline ran the model on {encoded} messages ({runtime.name}), the baseline on {2 * len(pairs)}; "
                      f"decisions at {threshold}: {agree:.1%} identical")}


def run(*, repeats: int = 5) -> list[dict]:  # type: ignore[type-arg]
    raw = _events()
    core = [_core_rate(raw, decide=True) for _ in range(repeats)]
    base = [_core_rate(raw, decide=False) for _ in range(repeats)]
    return [
        {"name": "escalation core decisions/s", "unit": "events/s", "loopline": statistics.median(core),
         "baseline": statistics.median(base), "baseline_name": "decode only (msgspec), no decisions",
         "higher_is_better": True, "notes": f"{len(raw)} events, 400 conversations, lexical signals, one core"},
        _rephrase_row(repeats),
    ]


if __name__ == "__main__":
    for row in run(repeats=3):
        print(json.dumps(row))
