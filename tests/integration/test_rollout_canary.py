"""End to end on the embedded broker: a bad canary (over-automation of a tier-2 intent) is rolled
back by the rollout controller within the configured window; no event is lost and no conversation
is decided by two versions. The traffic is published in two halves so the rollback lands while
traffic still flows: conversations that start after it are decided by the active version only."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from lake.audit import read_audit
from pipelines.escalation.policy import DEFAULT_POLICY
from pipelines.rollout.governance import load_governance
from pipelines.rollout.scenarios import BAD_CONFIDENCE, BAD_INTENT, over_automating
from pipelines.rollout.service import promote, read_audit_topic, read_ledger
from pipelines.sources.publish import publish
from pipelines.sources.simulator import SCENARIOS, Simulation, SimulationConfig
from topics.admin import provision
from topics.codec import decode_as, decode_event
from topics.outputs import Decision
from topics.reader import committed_total, read_topic
from topics.specs import DECISIONS, INTERACTIONS

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
GOV = load_governance()


def _serving(worker, slot: str, version: str) -> bool:  # type: ignore[no-untyped-def]
    import urllib.request
    announce = Path(worker.log_path).parent / "workers" / "escalation.metrics"
    if not announce.exists():
        return False
    body = urllib.request.urlopen(announce.read_text().strip(), timeout=5).read().decode()
    return f'loopline_policy_serving_info{{slot="{slot}",version="{version}"}} 1.0' in body


def test_bad_canary_is_rolled_back_automatically(own_broker: str, run_worker, wait_until, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    provision(own_broker)
    base = DEFAULT_POLICY.read_text(encoding="utf-8")
    canary_file = tmp_path / "policy-v1.1-canary.yaml"
    canary_file.write_text(over_automating(base, version="v1.1-canary", intent=BAD_INTENT), encoding="utf-8")
    lake = str(tmp_path / "lake")

    steps = (("v1.0", "approved", DEFAULT_POLICY, None), ("v1.0", "active", None, None), ("cli", "", None, None),
             ("v1.1-canary", "approved", canary_file, None), ("v1.1-canary", "canary", None, 0.5))
    for version, target, path, share in steps:
        if version == "cli":
            # governance through the CLI: the refusal is explained and audited
            thin = tmp_path / "policy-v1.1-thin.yaml"
            thin.write_text(over_automating(base, version="v1.1-thin", approvals=(
                {"by": "ops-lead", "role": "operations", "date": "2026-03-01"},)), encoding="utf-8")
            env = {"LOOPLINE_BOOTSTRAP_SERVERS": own_broker, "LOOPLINE_LAKE_URI": lake, "PATH": "/usr/bin:/bin"}
            refused = subprocess.run([sys.executable, "-m", "loopline", "policy", "promote", "v1.1-thin", "--to", "approved",
                                      "--file", str(thin), "--by", "ops-lead"], env=env, cwd=ROOT, capture_output=True,
                                     text=True, timeout=120)
            assert refused.returncode == 1, refused.stderr
            assert "refused: governance: thresholds change (matrix.overrides.refund_request) needs 2 approvals" in refused.stderr
            continue
        plan = promote(own_broker, version=version, target=target, governance=GOV, actor="test",
                       document_path=Path(path) if path else None, share=share, lake_root=lake)
        assert plan.ok, plan.reason

    escalation = run_worker("escalation", own_broker, "--lexical")
    controller = run_worker("rollout", own_broker, env={"LOOPLINE_LAKE_URI": lake})
    workers = [escalation, controller]
    wait_until(lambda: _serving(escalation, "canary", "v1.1-canary"), what="the canary to serve", processes=workers)

    config = SimulationConfig(conversations=600, seed=6, late_share=0.0, bad_share=0.0, spacing_s=4.0,
                              scenario_weights={**SCENARIOS, "normal": 3.0}, overconfident={BAD_INTENT: BAD_CONFIDENCE})
    records = list(Simulation(config).records())
    split = config.start.astimezone(UTC) + timedelta(minutes=30)
    first = [r for r in records if r.time < split]
    second = [r for r in records if r.time >= split]
    publish(iter(first), bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    wait_until(lambda: read_ledger(own_broker).canary is None, what="the automatic rollback", processes=workers)
    wait_until(lambda: not _serving(escalation, "canary", "v1.1-canary"), what="the worker to stop routing",
               processes=workers, timeout_s=60)
    publish(iter(second), bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    wait_until(lambda: committed_total(own_broker, "loopline-escalation", INTERACTIONS.name) >= len(records),
               what="the escalation worker to process every event", processes=workers)

    # the rollback: canary retired, active unchanged, why recorded, within the window
    ledger = read_ledger(own_broker)
    assert ledger.active is not None and ledger.active.version == "v1.0"
    assert ledger.stage_of("v1.1-canary") == "retired"
    audit = read_audit_topic(own_broker)
    rollback = next(a for a in audit if a.kind == "rollback")
    assert any(a.kind == "alert" and a.version == "v1.1-canary" for a in audit)
    assert rollback.details["sli"] == "containment_quality"
    assert float(rollback.details["canary_burn"]) >= float(rollback.details["control_burn"]) + GOV.canary.margin  # type: ignore[arg-type]
    assert 0 < int(rollback.details["since_canary_ms"]) <= GOV.canary.window_ms  # type: ignore[arg-type]
    assert "canary burn" in ledger.version("v1.1-canary").reason  # type: ignore[union-attr]
    kinds = [row["kind"] for row in read_audit(lake)]
    assert kinds.count("rollback") == 1 and kinds.count("approval") == 5 and "refusal" in kinds

    # no event lost, no conversation decided by two versions, new conversations after the rollback active only
    decisions = {d.decision_id: d for d in (decode_as(m.value or b"", Decision) for m in read_topic(own_broker, DECISIONS.name))}
    intents = {e.id for e in map(lambda r: decode_event(r.value), records) if e.type == "cx.intent.detected"}
    assert intents <= {d.source_event_id for d in decisions.values()}
    versions: dict[str, set[str]] = defaultdict(set)
    for d in decisions.values():
        versions[d.conversation_id].add(d.policy_version)
    assert all(len(v) == 1 for v in versions.values())
    started_late = {decode_event(r.value).subject for r in second if b'"cx.conversation.started"' in r.value[:60]}
    assert started_late and all(versions[c] == {"v1.0"} for c in started_late if c in versions)
    assert any(v == {"v1.1-canary"} for v in versions.values())
