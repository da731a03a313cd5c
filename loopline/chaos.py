"""`loopline chaos`: fault injection with a record-counting verifier (in the spirit of Kafka's
``streams_eos_test.py`` and Jepsen).

Runs the simulator and the workers on an embedded broker of its own; while publishing, SIGKILLs a
random worker at random moments and restarts it, and stalls the broker (SIGSTOP … SIGCONT). Once
every worker has committed every record, reads every output topic and lake table and judges them
against the reference computed offline from the same input (:mod:`pipelines.verify`), printing
``ALL-RECORDS-DELIVERED`` or ``RECORDS-LOST-OR-DUPLICATED`` and the counts.

``python -m loopline.chaos broken-sink`` is the lake sink of a deliberately broken build (Kafka
offsets committed BEFORE the Delta write, with a pause between): the harness starts it instead of
`loopline run lake` when ``broken="commit-before-write"``, to prove the verifier catches loss.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loopline.exceptions import LooplineError
from loopline.rig import BROKEN_LAKE, WORKERS, Publisher, Rig
from pipelines.sources.simulator import Record, Simulation, SimulationConfig

BROKEN_MODES = ("commit-before-write",)
BROKEN_ENV = "LOOPLINE_CHAOS_BROKEN"
#: The broken sink touches this file right after its premature commit; the harness kills it then.
MARKER_ENV = "LOOPLINE_CHAOS_MARKER"


@dataclass(frozen=True)
class ChaosConfig:
    events: int = 100_000
    seed: int = 9
    rate_eps: float = 1_000.0  # publish rate: the faults land while records flow
    kills: int = 10
    stalls: int = 3
    stall_s: tuple[float, float] = (3.0, 6.0)
    down_s: tuple[float, float] = (0.2, 2.0)  # how long a killed worker stays down
    #: a worker is killed only after it ran this long, so kills hit a worker at work (it needs a
    #: rebalance, ~10 s on the embedded broker, before it consumes), not one still joining its group
    min_up_s: float = 12.0
    bad_share: float = 0.002
    workers: tuple[str, ...] = tuple(WORKERS)
    broken: str | None = None
    catch_up_timeout_s: float = 900.0


@dataclass(frozen=True)
class Fault:
    at_s: float
    kind: str  # "kill" | "stall"
    target: str
    duration_s: float


def plan_faults(config: ChaosConfig, *, span_s: float, rng: random.Random) -> list[Fault]:
    """Kills and stalls at random moments within ``span_s``; kills cycle through the workers (each
    is killed), in a shuffled order.

    >>> faults = plan_faults(ChaosConfig(kills=4, stalls=2, workers=("a", "b")), span_s=60, rng=random.Random(1))
    >>> sorted(f.kind for f in faults), sorted({f.target for f in faults if f.kind == "kill"})
    (['kill', 'kill', 'kill', 'kill', 'stall', 'stall'], ['a', 'b'])
    >>> all(0 < f.at_s < 60 for f in faults) and faults == sorted(faults, key=lambda f: f.at_s)
    True
    """
    targets = [config.workers[i % len(config.workers)] for i in range(config.kills)]
    rng.shuffle(targets)
    faults = [Fault(rng.uniform(0.05, 0.95) * span_s, "kill", t, rng.uniform(*config.down_s)) for t in targets]
    faults += [Fault(rng.uniform(0.05, 0.95) * span_s, "stall", "broker", rng.uniform(*config.stall_s))
               for _ in range(config.stalls)]
    return sorted(faults, key=lambda f: f.at_s)


def simulate(config: ChaosConfig) -> tuple[list[Record], Simulation]:
    """Exactly ``config.events`` records (bad ones included). No late deliveries: with event-time
    expiry in the worker a late event's fate depends on crash timing, not on delivery."""
    conversations = max(10, config.events // 20 + 10)
    sim = Simulation(SimulationConfig(conversations=conversations, seed=config.seed, bad_share=config.bad_share,
                                      late_share=0.0))
    records = list(sim.records())[: config.events]
    if len(records) < config.events:
        raise LooplineError(f"the simulator produced {len(records)} records, fewer than {config.events}")
    return records, sim


@dataclass
class ChaosResult:
    verdict: Any  # pipelines.verify.Verdict
    report: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def run_chaos(config: ChaosConfig, *, state_dir: Path, say: Callable[[str], None] = print) -> ChaosResult:
    if config.broken is not None and config.broken not in BROKEN_MODES:
        raise LooplineError(f"broken: expected one of {BROKEN_MODES}, got {config.broken!r}")
    records, sim = simulate(config)
    injected = sum(r.bad for r in records)
    rng = random.Random(config.seed)
    span_s = config.events / config.rate_eps if config.rate_eps > 0 else 30.0
    faults = plan_faults(config, span_s=span_s, rng=rng)
    specs = {"lake": BROKEN_LAKE} if config.broken else {}
    marker = state_dir / "broken-commit.marker"
    env = {BROKEN_ENV: config.broken, MARKER_ENV: str(marker)} if config.broken else {}
    say(f"chaos: {len(records):,} events ({injected} malformed) at {config.rate_eps:,.0f}/s, workers "
        f"{', '.join(config.workers)}, {config.kills} kills, {config.stalls} broker stalls"
        + (f", BROKEN BUILD: {config.broken}" if config.broken else "") + f"; state in {state_dir}")
    started = time.monotonic()
    with Rig(state_dir, config.workers, env=env, specs=specs) as rig:
        publisher = Publisher(records, bootstrap=rig.bootstrap, rate_eps=config.rate_eps)
        publisher.start()
        t0 = time.monotonic()
        for fault in faults:
            time.sleep(max(0.0, t0 + fault.at_s - time.monotonic()))
            if fault.kind == "stall":
                say(f"  {time.monotonic() - t0:6.1f}s stall broker {fault.duration_s:.1f}s")
                rig.stall_broker(fault.duration_s)
            else:
                rig.check_alive()
                up_s = time.monotonic() - rig.workers[fault.target].started_at
                time.sleep(max(0.0, config.min_up_s - up_s))
                if config.broken and fault.target == "lake":
                    _wait_for_touch(marker, timeout_s=60.0)  # inside the window the broken build opened
                say(f"  {time.monotonic() - t0:6.1f}s kill -9 {fault.target} (down {fault.duration_s:.1f}s)")
                rig.kill(fault.target)
                time.sleep(fault.duration_s)
                rig.start(fault.target)
        stats = publisher.result(timeout_s=max(600.0, span_s * 3))
        say(f"  published {stats.records:,} records in {stats.elapsed_s:.0f}s; waiting for the workers to catch up")
        waited = rig.wait_caught_up(stats.records, timeout_s=config.catch_up_timeout_s)
        say(f"  caught up {waited:.0f}s after the last record")
        from loopline.chaos_verify import verify_run  # heavy imports (cores, deltalake) only here

        verdict = verify_run(rig.bootstrap, rig.lake_root, sim=sim, published=stats.records, injected=injected,
                             workers=config.workers)
    kills = {name: w.kills for name, w in rig.workers.items()}
    verdict.facts = {"events": len(records), "bad_injected": injected, "kills": sum(kills.values()),
                     "stalls": config.stalls, **verdict.facts}
    lines = [c.line() for c in verdict.checks]
    lines += [f"  e.g. {c.examples()}" for c in verdict.checks if not c.ok]
    report = {**verdict.as_dict(), "config": {k: v for k, v in config.__dict__.items()},
              "kills_by_worker": kills, "elapsed_s": round(time.monotonic() - started, 1),
              "faults": [f.__dict__ for f in faults]}
    (state_dir / "chaos-report.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return ChaosResult(verdict, report, lines)


# --- the deliberately broken build ------------------------------------------------------------
def _wait_for_touch(path: Path, *, timeout_s: float) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_mtime_ns != before:
            return
        time.sleep(0.02)


def broken_sink_main() -> None:
    """The lake sink with offsets committed before the Delta write (``LOOPLINE_CHAOS_BROKEN``)."""
    import os

    from confluent_kafka import TopicPartition

    import loopline.commands.lake as lake_command
    import pipelines.sinks.lake as sink_module

    mode = os.environ.get(BROKEN_ENV, "")
    if mode != "commit-before-write":
        raise SystemExit(f"{BROKEN_ENV} must be commit-before-write for the broken sink, got {mode!r}")

    class CommitBeforeWrite(sink_module.LakeSink):
        pause_s = 2.0  # widens the window a kill -9 must hit to lose the batch

        def flush(self, only: list[tuple[str, int]] | None = None) -> list[Any]:
            parts = self.batcher._parts
            chosen = parts if only is None else {tp: parts[tp] for tp in only if tp in parts}
            offsets = [TopicPartition(t, p, recs[-1].offset + 1) for (t, p), recs in chosen.items() if recs]
            if offsets:
                self._consumer.commit(offsets=offsets, asynchronous=False)
                if os.environ.get(MARKER_ENV):
                    Path(os.environ[MARKER_ENV]).write_text(str(time.time()), encoding="utf-8")
                time.sleep(self.pause_s)
            return super().flush(only)

    sink_module.LakeSink = CommitBeforeWrite  # type: ignore[misc]
    lake_command.main(["run"])


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["broken-sink"]:
        broken_sink_main()
    else:
        raise SystemExit("usage: python -m loopline.chaos broken-sink")
