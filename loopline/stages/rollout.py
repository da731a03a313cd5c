"""The rollout stage of the demo (what runs where, rollbacks, audit) and the bad-canary demo:
`loopline demo-canary` publishes an over-automating canary, runs traffic whose intent model is
over-confident for that intent, and shows loopline rolling the canary back by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console

from loopline.exceptions import LooplineError
from loopline.settings import Settings
from loopline.stages import Stage
from topics.codec import decode_as
from topics.outputs import Decision
from topics.reader import committed_total, read_topic
from topics.specs import DECISIONS, INTERACTIONS

GROUP = "loopline-rollout"


def section(settings: Settings, context: dict[str, Any], console: Console) -> dict[str, Any]:
    from loopline.commands.rollout import show_status
    from pipelines.rollout.service import read_audit_topic, read_ledger

    bootstrap = settings.bootstrap()
    ledger, audit = read_ledger(bootstrap), read_audit_topic(bootstrap)
    if list(ledger.versions()) or audit:
        show_status(ledger, audit, console)
    else:  # nothing went through the lifecycle: say so rather than print empty tables
        console.print("no policy version published through the lifecycle: the workers serve the bundled policy "
                      "file (`loopline demo --canary-bad` shows shadow → canary → automatic rollback)")
    versions = _versions_per_conversation(bootstrap)
    mixed = sum(1 for v in versions.values() if len(v) > 1)
    by_version = Counter(next(iter(v)) for v in versions.values() if len(v) == 1)
    rollbacks = [a for a in audit if a.kind == "rollback"]
    for a in rollbacks:
        console.print(f"[red]rolled back[/] {a.version} at {a.time.isoformat(timespec='seconds')}: {a.reason}")
    console.print("conversations by deciding version: " + ", ".join(f"{k}: {v}" for k, v in by_version.most_common())
                  + f"; decided by two versions: {mixed}")
    return {"active": ledger.active.version if ledger.active else None,
            "canary": ledger.canary.version if ledger.canary else None,
            "rollbacks": [{"version": a.version, "reason": a.reason, "details": a.details} for a in rollbacks],
            "conversations_by_version": dict(by_version), "conversations_with_two_versions": mixed,
            "audit_events": dict(Counter(a.kind for a in audit))}


def _versions_per_conversation(bootstrap: str) -> dict[str, set[str]]:
    versions: dict[str, set[str]] = defaultdict(set)
    for message in read_topic(bootstrap, DECISIONS.name):
        decision = decode_as(message.value or b"", Decision)
        versions[decision.conversation_id].add(decision.policy_version)
    return versions


STAGE = Stage(name="rollout", worker="rollout", group=GROUP, section=section)


# --- the bad-canary demo ------------------------------------------------------------------------
def run_canary_demo(*, conversations: int, seed: int, share: float, console: Console,
                    wait_timeout_s: float = 600.0) -> dict[str, Any]:
    from loopline.demo import _wait_caught_up
    from loopline.processes import stop_process
    from pipelines.escalation.policy import DEFAULT_POLICY
    from pipelines.rollout.governance import load_governance
    from pipelines.rollout.prompts import load_prompts
    from pipelines.rollout.scenarios import BAD_CONFIDENCE, BAD_INTENT, over_automating
    from pipelines.rollout.service import promote, read_ledger
    from pipelines.sources.publish import publish
    from pipelines.sources.simulator import SCENARIOS, Simulation, SimulationConfig
    from topics.admin import provision

    settings = Settings()
    out_dir = settings.state_dir / "demo-canary"
    out_dir.mkdir(parents=True, exist_ok=True)
    started_broker, workers = False, []
    try:
        if not settings.bootstrap_servers and settings.broker.info() is None:
            info = settings.broker.start(port=settings.broker_port)
            started_broker = True
            console.print(f"[green]✓[/] embedded broker on {info.bootstrap_servers}")
        bootstrap = settings.bootstrap()
        provision(bootstrap)
        governance, prompts, lake = load_governance(), load_prompts(), settings.lake_root
        canary_version = "v1.1-canary"
        canary_file = out_dir / f"policy-{canary_version}.yaml"
        canary_file.write_text(over_automating(DEFAULT_POLICY.read_text(encoding="utf-8"), version=canary_version,
                                               intent=BAD_INTENT), encoding="utf-8")
        steps: list[tuple[str, str, Path | None, float | None]] = []
        ledger = read_ledger(bootstrap)
        if ledger.active is None:
            steps += [("v1.0", "approved", DEFAULT_POLICY, None), ("v1.0", "active", None, None)]
        steps += [(canary_version, "approved", canary_file, None), (canary_version, "canary", None, share)]
        for version, target, path, step_share in steps:
            if ledger.stage_of(version) in (target, "retired"):
                continue
            plan = promote(bootstrap, version=version, target=target, governance=governance, actor="demo",
                           document_path=path, share=step_share, prompts=prompts, lake_root=lake)
            if not plan.ok:
                raise LooplineError(f"demo-canary: promotion refused: {plan.reason}")
            console.print(f"[green]✓[/] {version} -> {target}")
        workers = [_start(settings, out_dir, "escalation", "--lexical"), _start(settings, out_dir, "rollout")]
        _wait_serving(settings, "canary", canary_version, workers)
        console.print(f"[green]✓[/] escalation worker routes {share:.0%} of new conversations to {canary_version}")
        weights = {**SCENARIOS, "normal": 3.0}
        sim = Simulation(SimulationConfig(conversations=conversations, seed=seed, late_share=0.0, spacing_s=4.0,
                                          scenario_weights=weights, overconfident={BAD_INTENT: BAD_CONFIDENCE}))
        stats = publish(sim.records(), bootstrap_servers=bootstrap, topic=INTERACTIONS.name)
        console.print(f"[green]✓[/] simulator published {stats.records:,} records ({conversations} conversations; "
                      f"intent model over-confident for {BAD_INTENT} below {BAD_CONFIDENCE})")
        for group in ("loopline-escalation", GROUP):
            _wait_caught_up(bootstrap, group, expected=stats.records, workers=workers, timeout_s=wait_timeout_s)
        wait_decisions(bootstrap, GROUP, timeout_s=wait_timeout_s)
        time.sleep(3.0)  # the controller releases its last held events after 2 s without decisions
        console.rule("rollout")
        summary = section(settings, {}, console)
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        return summary
    finally:
        for process in workers:
            stop_process(process)
        if started_broker:
            settings.broker.stop()


def wait_decisions(bootstrap: str, group: str, *, timeout_s: float) -> int:
    """Wait until ``group`` has committed every decision now on the topic (counted by reading it:
    the embedded broker's high watermark can be short of the real end)."""
    expected = sum(1 for _ in read_topic(bootstrap, DECISIONS.name))
    deadline = time.monotonic() + timeout_s
    while committed_total(bootstrap, group, DECISIONS.name) < expected:
        if time.monotonic() > deadline:
            raise LooplineError(f"consumer group {group} did not read the {expected} decisions in {timeout_s:.0f}s")
        time.sleep(0.5)
    return expected


def _start(settings: Settings, out_dir: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOOPLINE_STATE_DIR": str(settings.state_dir), "LOOPLINE_METRICS_PORT": "0"}
    if not (settings.token_key or settings.token_key_file):
        env["LOOPLINE_DEV_MODE"] = "1"
    log_file = open(out_dir / f"worker-{name}.log", "ab")  # noqa: SIM115 — lives as long as the worker
    return subprocess.Popen([sys.executable, "-m", "loopline", "run", name, *args], env=env,
                            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_serving(settings: Settings, slot: str, version: str, workers: list[subprocess.Popen[bytes]],
                  timeout_s: float = 180.0) -> None:
    """Wait until the escalation worker's metrics show ``version`` serving in ``slot``."""
    announce = settings.state_dir / "workers" / "escalation.metrics"
    wanted = f'loopline_policy_serving_info{{slot="{slot}",version="{version}"}} 1.0'
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(w.poll() is not None for w in workers):
            raise LooplineError("a worker exited before serving the canary; see its log")
        if announce.exists():
            try:
                body = urllib.request.urlopen(announce.read_text().strip(), timeout=5).read().decode()
                if wanted in body:
                    return
            except OSError:
                pass
        time.sleep(0.5)
    raise LooplineError(f"the escalation worker did not serve {version} as {slot} within {timeout_s:.0f}s")
