"""SLO core per event vs a bare windowed counter; SLO metrics per outcome vs a plain counter.

The worker-level figure (SLO worker throughput vs a plain consumer on the same broker) comes with
the Faust worker; these measure the pure core it will wrap, on the same decoded simulator events.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict

from prometheus_client import Counter as PromCounter

from pipelines.catalogue import load_catalogue
from pipelines.slo.definitions import load_definitions
from pipelines.slo.metrics import SloMetrics, new_registry
from pipelines.slo.processor import SloProcessor
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.codec import decode_event
from topics.events import Event
from topics.exceptions import EventValidationError


def _events(conversations: int) -> list[Event]:
    events = []
    for record in Simulation(SimulationConfig(conversations=conversations, seed=1)).records():
        try:
            events.append(decode_event(record.value))
        except EventValidationError:
            continue
    return events


def _core_us(events: list[Event]) -> tuple[float, list]:
    core = SloProcessor(load_definitions(), load_catalogue())
    outcomes = []
    started = time.perf_counter()
    for event in events:
        outcomes += core.on_event(event).outcomes
    outcomes += core.flush().outcomes
    return (time.perf_counter() - started) / len(events) * 1e6, outcomes


def _bare_us(events: list[Event]) -> float:
    """Baseline: per-conversation event count + a tumbling 1-min count, no SLI logic, no grace."""
    per_conversation: dict[str, int] = defaultdict(int)
    per_minute: Counter[int] = Counter()
    started = time.perf_counter()
    for event in events:
        per_conversation[event.subject] += 1
        per_minute[int(event.time.timestamp()) // 60] += 1
    return (time.perf_counter() - started) / len(events) * 1e6


def _metrics_us(outcomes: list) -> tuple[float, float]:
    metrics = SloMetrics(new_registry(), load_definitions(), load_catalogue())
    plain = PromCounter("plain_events_total", "baseline", ["sli", "intent", "channel", "segment", "tier"],
                        registry=new_registry())

    def baseline() -> None:
        for o in outcomes:
            plain.labels(o.sli, o.labels.intent, o.labels.channel, o.labels.segment, str(o.labels.tier)).inc()

    metrics.record(outcomes)  # warm: a long-running worker has seen its label sets already
    baseline()
    started = time.perf_counter()
    metrics.record(outcomes)
    ours = (time.perf_counter() - started) / len(outcomes) * 1e6
    started = time.perf_counter()
    baseline()
    return ours, (time.perf_counter() - started) / len(outcomes) * 1e6


def run(*, repeats: int = 5) -> list[dict]:
    events = _events(1000)
    core, bare, m_ours, m_base = [], [], [], []
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        us, outcomes = _core_us(events)
        core.append(us)
        bare.append(_bare_us(events))
        ours, base = _metrics_us(outcomes)
        m_ours.append(ours)
        m_base.append(base)
    return [
        {
            "name": f"SLO core per event ({len(events):,} simulator events)",
            "unit": "µs/event",
            "loopline": statistics.median(core),
            "baseline": statistics.median(bare),
            "baseline_name": "dict count per conversation + tumbling 1-min counter",
            "higher_is_better": False,
            "notes": "tracker + 2 window families + watermark/grace/late routing, 7 SLIs",
        },
        {
            "name": "SLO metrics per outcome",
            "unit": "µs/outcome",
            "loopline": statistics.median(m_ours),
            "baseline": statistics.median(m_base),
            "baseline_name": "plain prometheus Counter.labels().inc()",
            "higher_is_better": False,
            "notes": "steady state: good+total counters, label guard (fold + cap), histograms",
        },
    ]


if __name__ == "__main__":
    for row in run(repeats=3):
        print(row)
