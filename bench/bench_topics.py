"""Decode + validate per interaction event vs plain ``json.loads`` of the same bytes."""

from __future__ import annotations

import json
import statistics
import time

from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.codec import decode_event


def _per_event_us(fn, payloads: list[bytes]) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for raw in payloads:
        fn(raw)
    return (time.perf_counter() - started) / len(payloads) * 1e6


def run(*, repeats: int = 5) -> list[dict]:
    payloads = [r.value for r in Simulation(SimulationConfig(conversations=2000, seed=1)).records()]
    ours, base = [], []
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        ours.append(_per_event_us(decode_event, payloads))
        base.append(_per_event_us(json.loads, payloads))
    return [{
        "name": f"decode+validate per event ({len(payloads):,} simulator events)",
        "unit": "µs/event",
        "loopline": statistics.median(ours),
        "baseline": statistics.median(base),
        "baseline_name": "json.loads only, no validation",
        "higher_is_better": False,
        "goal": "≥ 1× (validation for free)",
        "notes": "msgspec typed tagged-union decode of envelope + payload in one pass",
    }]
