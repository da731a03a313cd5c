"""Escalation benchmarks: decisions/s of the pure core vs decoding alone, and rephrase detection
batched + cached vs encoding every message one by one (same decisions)."""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import load_policy
from pipelines.escalation.signals.rephrase import MiniLMEncoder, RephraseScorer
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


def _pairs() -> list[tuple[str, str]]:
    rows = [json.loads(x) for x in (FIXTURES / "rephrase_pairs.jsonl").read_text().splitlines() if x]
    # conversation-shaped: each message is compared with several earlier ones, so texts repeat
    return [(r["a"], r["b"]) for r in rows[:200]] * 2


def run(*, repeats: int = 5) -> list[dict]:  # type: ignore[type-arg]
    raw = _events()
    core = [_core_rate(raw, decide=True) for _ in range(repeats)]
    base = [_core_rate(raw, decide=False) for _ in range(repeats)]
    pairs = _pairs()
    encoder = MiniLMEncoder()
    encoder.model  # noqa: B018 - load once, outside the timings
    batched_s, single_s = [], []
    same = True
    for _ in range(max(1, min(repeats, 2))):
        fast = RephraseScorer(encoder=MiniLMEncoder(model=encoder.model))
        t = time.perf_counter()
        a = fast.score_pairs(pairs)
        batched_s.append(time.perf_counter() - t)
        slow = RephraseScorer(encoder=MiniLMEncoder(model=encoder.model, cache_size=1), lexical_same=1.01)
        t = time.perf_counter()
        b = [slow.score(x, y) for x, y in pairs]
        single_s.append(time.perf_counter() - t)
        same = same and [s >= 0.38 for s in a] == [s >= 0.38 for s in b]
    return [
        {"name": "escalation core decisions/s", "unit": "events/s", "loopline": statistics.median(core),
         "baseline": statistics.median(base), "baseline_name": "decode only (msgspec), no decisions",
         "higher_is_better": True, "notes": f"{len(raw)} events, 400 conversations, lexical signals, one core"},
        {"name": "rephrase pairs/s", "unit": "pairs/s", "loopline": len(pairs) / statistics.median(batched_s),
         "baseline": len(pairs) / statistics.median(single_s), "baseline_name": "encode every message one by one",
         "higher_is_better": True, "notes": f"{len(pairs)} Banking77 pairs; same decisions at 0.38: {same}"},
    ]


if __name__ == "__main__":
    for row in run(repeats=3):
        print(json.dumps(row))
