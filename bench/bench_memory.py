"""Memory per 10,000 ACTIVE conversations (each stopped halfway: none ended, nothing expired).

loopline's per-conversation state is measured beside two baselines built from the same events:
the raw event bytes (what a worker would hold if it kept the input), and a plain dict of the
decoded events per conversation (the naive in-memory state).

* escalation state as the Faust table stores it (``ConversationState.to_bytes``) vs the raw bytes;
* escalation state in memory (tracemalloc of the live ``ConversationState`` objects) vs the dict
  of decoded events (tracemalloc);
* SLO tracker state (``SloProcessor.snapshot``, what the worker writes) vs the raw bytes.
"""

from __future__ import annotations

import gc
import statistics
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pipelines.catalogue import load_catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import load_policy
from pipelines.escalation.state import ConversationState
from pipelines.slo.definitions import load_definitions
from pipelines.slo.processor import SloProcessor
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.codec import decode_event
from topics.exceptions import EventValidationError

CONVERSATIONS = 10_000
MB = 1024 * 1024


def active_stream(conversations: int = CONVERSATIONS, *, seed: int = 3) -> list[bytes]:
    """The first half of every conversation's records, in publication order."""
    by_conversation: dict[str, list[int]] = defaultdict(list)
    # all start within ~30 s of event time, so halfway every one is open at once (no idle expiry)
    config = SimulationConfig(conversations=conversations, seed=seed, late_share=0.0, spacing_s=0.003)
    records = list(Simulation(config).records())
    for index, record in enumerate(records):
        by_conversation[record.key].append(index)
    keep = sorted(i for indexes in by_conversation.values() for i in indexes[: max(1, len(indexes) // 2)])
    return [records[i].value for i in keep]


def _decoded(stream: list[bytes]) -> list[Any]:
    events = []
    for raw in stream:
        try:
            events.append(decode_event(raw))
        except EventValidationError:
            continue
    return events


def _traced(build: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes still allocated by ``build()``'s result (tracemalloc), and the result."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    value = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, value


def _escalation_states(events: list[Any], policy: Any, signals: Signals) -> dict[str, ConversationState]:
    states: dict[str, ConversationState] = {}
    for event in events:
        state = states.get(event.subject) or ConversationState()
        states[event.subject] = step(state, event, policy=policy, signals=signals).state
    return states


def _plain(stream: list[bytes]) -> dict[str, list[Any]]:
    per_conversation: dict[str, list[Any]] = defaultdict(list)
    for event in _decoded(stream):
        per_conversation[event.subject].append(event)
    return per_conversation


def run(*, repeats: int = 5) -> list[dict]:
    stream = active_stream()
    events = _decoded(stream)
    conversations = len({e.subject for e in events})
    scale = CONVERSATIONS / conversations
    raw_mb = sum(len(v) for v in stream) / MB * scale
    policy, signals = load_policy(), Signals.lexical()
    definitions, catalogue = load_definitions(), load_catalogue()
    serialized, in_memory, plain, slo = [], [], [], []
    for _ in range(repeats):
        states = _escalation_states(events, policy, signals)
        serialized.append(sum(len(s.to_bytes()) for s in states.values()) / MB * scale)
        del states
        used, states = _traced(lambda: _escalation_states(events, policy, signals))
        in_memory.append(used / MB * scale)
        del states
        used, held = _traced(lambda: _plain(stream))
        plain.append(used / MB * scale)
        del held
        core = SloProcessor(definitions, catalogue)
        for event in events:
            core.on_event(event)
        slo.append(len(core.snapshot()) / MB * scale)
    note = f"{conversations:,} conversations cut halfway ({len(events):,} events), scaled to 10,000"
    common = {"unit": "MB", "higher_is_better": False, "notes": note}
    return [
        {"name": "escalation state per 10k active conversations (serialized, Faust table)",
         "loopline": statistics.median(serialized), "baseline": raw_mb, "baseline_name": "raw event bytes", **common},
        {"name": "escalation state per 10k active conversations (in memory)",
         "loopline": statistics.median(in_memory), "baseline": statistics.median(plain),
         "baseline_name": "dict of decoded events", **common},
        {"name": "SLO tracker state per 10k active conversations (snapshot)",
         "loopline": statistics.median(slo), "baseline": raw_mb, "baseline_name": "raw event bytes", **common},
    ]


if __name__ == "__main__":
    for row in run(repeats=1):
        print(f"{row['name']}: {row['loopline']:.2f} MB vs {row['baseline']:.2f} MB ({row['baseline_name']})")
