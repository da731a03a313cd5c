"""`loopline demo`: the main job on the embedded default.

Starts the broker (unless a cluster is configured), provisions topics, starts every worker that
exists, runs the simulator, waits until the workers have caught up, prints a summary, and stops what
it started. Artefacts (truth, summary, lake, reports) stay under the state directory.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from loopline.exceptions import LooplineError
from loopline.processes import stop_process
from loopline.settings import Settings
from loopline.stages import stages
from pipelines.contract_check import check_stream
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.codec import decode_as
from topics.outputs import DeadLetter
from topics.reader import committed_total, read_topic
from topics.specs import DEADLETTER, INTERACTIONS


@dataclass
class DemoResult:
    conversations: int
    published: int
    malformed_injected: int
    publish_s: float
    events_by_type: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    validate_s: float = 0.0
    sections: dict[str, Any] = field(default_factory=dict)
    out_dir: str = ""


def run_demo(
    *, conversations: int, seed: int, bad_share: float, console: Console, wait_timeout_s: float = 300.0
) -> DemoResult:
    settings = Settings()
    # the summary counts dead letters; one warning per malformed record would bury it (workers log to files)
    logging.getLogger("pipelines.edge").setLevel(logging.ERROR)
    out_dir = settings.state_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    started_broker = False
    workers: list[subprocess.Popen[bytes]] = []
    try:
        if not settings.bootstrap_servers and settings.broker.info() is None:
            _clear_previous_run(settings)
            out_dir.mkdir(parents=True, exist_ok=True)
            info = settings.broker.start(port=settings.broker_port)
            started_broker = True
            console.print(f"[green]✓[/] embedded broker on {info.bootstrap_servers} ({info.version})")
        bootstrap = settings.bootstrap()
        states = provision(bootstrap)
        console.print(f"[green]✓[/] {len(states)} topics provisioned "
                      f"({sum(s.status == 'created' for s in states)} created)")
        active = stages()
        workers = [_start_worker(stage.worker, settings, out_dir) for stage in active if stage.worker]
        if workers:
            console.print(f"[green]✓[/] workers started: {', '.join(s.worker for s in active if s.worker)} "
                          f"(logs in {out_dir})")

        sim = Simulation(SimulationConfig(conversations=conversations, seed=seed, bad_share=bad_share))
        stats = publish(sim.records(), bootstrap_servers=bootstrap, topic=INTERACTIONS.name)
        sim.write_truth(out_dir / "truth.jsonl")
        console.print(f"[green]✓[/] simulator published {stats.records:,} records for {conversations} conversations "
                      f"in {stats.elapsed_s:.1f}s ({stats.rate_eps:,.0f} events/s)")
        result = DemoResult(conversations=conversations, published=stats.records, malformed_injected=stats.bad,
                            publish_s=stats.elapsed_s, out_dir=str(out_dir))
        _validate_stream(bootstrap, result)
        for stage in active:
            if stage.group:
                waited = _wait_caught_up(bootstrap, stage.group, expected=stats.records, workers=workers,
                                         timeout_s=wait_timeout_s)
                console.print(f"[green]✓[/] {stage.name} caught up ({waited:.0f}s)")
        _print_summary(result, console)
        context = {"truth_path": str(out_dir / "truth.jsonl"), "out_dir": str(out_dir), "result": result}
        for stage in active:
            console.rule(stage.name)
            result.sections[stage.name] = stage.section(settings, context, console)
        (out_dir / "summary.json").write_text(json.dumps(_summary_dict(result), indent=2), encoding="utf-8")
        return result
    finally:
        for process in workers:
            stop_process(process)
        if started_broker:
            settings.broker.stop()
            console.print("[green]✓[/] embedded broker stopped")


def _validate_stream(bootstrap: str, result: DemoResult) -> None:
    check = check_stream(bootstrap, INTERACTIONS.name, worker="demo-contract-check")
    result.events_by_type = check.events_by_type
    result.validate_s = check.elapsed_s
    for message in read_topic(bootstrap, DEADLETTER.name):
        letter = decode_as(message.value or b"", DeadLetter)
        if letter.worker == "demo-contract-check":  # workers dead-letter the same records independently
            result.dead_letters[letter.field] += 1


def _print_summary(result: DemoResult, console: Console) -> None:
    console.rule("interaction events")
    table = Table("event type", "count", title=f"{sum(result.events_by_type.values()):,} valid events")
    for type_, count in sorted(result.events_by_type.items()):
        table.add_row(type_, f"{count:,}")
    console.print(table)
    rate = result.published / result.validate_s if result.validate_s else 0.0
    console.print(f"throughput: published {result.published / max(result.publish_s, 1e-9):,.0f} events/s; "
                  f"read + validated {rate:,.0f} events/s")
    dead = sum(result.dead_letters.values())
    console.print(f"dead letters on {DEADLETTER.name}: {dead} (injected malformed: {result.malformed_injected})"
                  + (f" — by field: {dict(result.dead_letters)}" if dead else ""))
    console.print(f"artefacts: {result.out_dir}")


def _summary_dict(result: DemoResult) -> dict[str, Any]:
    return {
        "conversations": result.conversations,
        "published": result.published,
        "malformed_injected": result.malformed_injected,
        "events_by_type": dict(result.events_by_type),
        "dead_letters": dict(result.dead_letters),
        "sections": result.sections,
    }


#: What a demo run leaves under the state directory. A new embedded broker starts empty (offsets
#: from 0), so the previous run's lake transaction versions and worker snapshots would make the
#: workers skip the new records: a demo on a fresh broker starts from a clean slate.
RUN_ARTEFACTS = ("demo", "lake", "faust", "workers", "vault", "vault-keys")


def _clear_previous_run(settings: Settings) -> None:
    """Only what lives under the state directory; a lake at LOOPLINE_LAKE_URI is never deleted."""
    for name in RUN_ARTEFACTS:
        shutil.rmtree(settings.state_dir / name, ignore_errors=True)


def _wait_caught_up(
    bootstrap: str, group: str, *, expected: int, workers: list[subprocess.Popen[bytes]], timeout_s: float
) -> float:
    """Wait until ``group`` has committed offsets covering every published record."""
    started = time.monotonic()
    while True:
        done = committed_total(bootstrap, group, INTERACTIONS.name)
        if done >= expected:
            return time.monotonic() - started
        dead = [w for w in workers if w.poll() is not None]
        if dead:
            raise LooplineError(f"a worker exited with code {dead[0].returncode} before catching up; see its log")
        if time.monotonic() - started > timeout_s:
            raise LooplineError(f"consumer group {group} processed {done} of {expected} records in {timeout_s:.0f}s")
        time.sleep(0.5)


def _start_worker(name: str, settings: Settings, out_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOOPLINE_STATE_DIR": str(settings.state_dir), "LOOPLINE_METRICS_PORT": "0"}
    if not (settings.token_key or settings.token_key_file):
        env["LOOPLINE_DEV_MODE"] = "1"  # the demo is a development run: development keys are fine
    log_file = open(out_dir / f"worker-{name}.log", "ab")  # noqa: SIM115 — lives as long as the worker
    return subprocess.Popen([sys.executable, "-m", "loopline", "run", name], env=env,
                            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)


