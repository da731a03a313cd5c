"""The escalation worker on the real embedded broker, fed by the simulator."""

from __future__ import annotations

import json
import signal
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from loopline.stages.escalation import score
from pipelines.escalation.state import ConversationState
from pipelines.escalation.worker import ROUTES_TABLE, TABLE
from pipelines.sources.publish import publish
from pipelines.sources.simulator import DEFAULT_START, Simulation, SimulationConfig
from topics.admin import provision
from topics.codec import decode_as
from topics.outputs import Decision, Escalation
from topics.reader import read_topic
from topics.specs import DECISIONS, ESCALATIONS, INTERACTIONS

pytestmark = pytest.mark.integration


def test_2000_conversations_escalate_with_high_precision_and_recall(own_broker: str, run_worker, kcat, wait_committed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    provision(own_broker)
    sim = Simulation(SimulationConfig(conversations=2000, seed=2026, bad_share=0.002))
    stats = publish(sim.records(), bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    truth = tmp_path / "truth.jsonl"
    sim.write_truth(truth)
    worker = run_worker("escalation", own_broker)
    wait_committed(own_broker, "loopline-escalation", stats.records, worker, timeout_s=420)

    escalations = [decode_as(m.value or b"", Escalation) for m in read_topic(own_broker, ESCALATIONS.name)]
    first = {e.escalation_id: e for e in escalations if e.sla_level == 0}
    result = score(first.values(), truth)
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.95, result

    # one escalation id per conversation; each (id, sla level) record exactly once
    ids_per_conversation = defaultdict(set)
    for e in escalations:
        ids_per_conversation[e.conversation_id].add(e.escalation_id)
    assert all(len(ids) == 1 for ids in ids_per_conversation.values())
    assert max(Counter((e.escalation_id, e.sla_level) for e in escalations).values()) == 1

    # the outside client sees the same: every escalation id once at sla level 0
    out = kcat("-b", own_broker, "-C", "-t", ESCALATIONS.name, "-o", "beginning", "-e", "-q", timeout_s=60)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    level0 = Counter(r["escalation_id"] for r in records if r.get("sla_level", 0) == 0)
    assert len(level0) == len(first) and set(level0.values()) == {1}

    # every handoff carries its context, with customer ids tokenised and policy version named
    sample = next(iter(first.values()))
    assert sample.triggers and sample.policy_version and sample.summary
    assert sample.customer.customer_token.startswith("tok:customer_id:")
    assert not any(r["customer"].get("customer_token", "").startswith("cust-") for r in records)

    decisions = [decode_as(m.value or b"", Decision) for m in read_topic(own_broker, DECISIONS.name)]
    assert len({d.decision_id for d in decisions}) == len(decisions)
    assert {d.action for d in decisions} >= {"automate", "clarify", "handoff"}

    # batches store a conversation's state once per batch, in its own partition's changelog: the
    # partition that owns the conversation's input, so a restarted worker recovers it there
    input_partition = {m.key: m.partition for m in read_topic(own_broker, INTERACTIONS.name) if m.key}
    for table in (TABLE, ROUTES_TABLE):
        changelog = list(read_topic(own_broker, f"loopline-escalation-{table}-changelog"))
        assert changelog, table
        misplaced = [m.key for m in changelog if m.partition != input_partition[m.key]]
        assert not misplaced, (table, misplaced[:5])
    state_writes = sum(1 for _ in read_topic(own_broker, f"loopline-escalation-{TABLE}-changelog"))
    assert state_writes < stats.records / 2, (state_writes, stats.records)


def _live_states(bootstrap: str) -> dict[bytes, ConversationState]:
    """The escalation table as a restarted worker would recover it: the last changelog record per key,
    tombstones dropped."""
    last: dict[bytes, bytes | None] = {}
    for message in read_topic(bootstrap, f"loopline-escalation-{TABLE}-changelog"):
        if message.key is not None:
            last[message.key] = message.value
    return {key: ConversationState.from_bytes(value) for key, value in last.items() if value is not None}


def test_state_expires_across_a_restart_and_late_events_leave_none_behind(own_broker: str, run_worker, wait_committed) -> None:  # type: ignore[no-untyped-def]
    """The table stays bounded when (1) the worker restarts while ended conversations are still
    in their grace, and (2) an outcome arrives after its conversation's state has gone."""
    provision(own_broker)
    records = list(Simulation(SimulationConfig(conversations=150, seed=31, late_share=0.0)).records())
    cutoff = max(r.time for r in records if json.loads(r.value)["type"] != "cx.outcome.recorded")
    early = [r for r in records if r.time <= cutoff]
    late = [r for r in records if r.time > cutoff]  # outcomes recorded after the last conversation ended
    assert len(late) > 20
    first = publish(early, bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    worker = run_worker("escalation", own_broker, "--lexical")
    wait_committed(own_broker, "loopline-escalation", first.records, worker, timeout_s=300)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    in_grace = {key for key, state in _live_states(own_broker).items() if state.ended_ms is not None}
    assert len(in_grace) > 50, "the first run stops with many ended conversations still in their grace"

    # restart; three days of event time later on every partition, then the first day's late outcomes
    later = SimulationConfig(conversations=150, seed=32, late_share=0.0, start=DEFAULT_START + timedelta(days=3))
    second = publish(Simulation(later).records(), bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    third = publish(late, bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    worker = run_worker("escalation", own_broker, "--lexical")
    wait_committed(own_broker, "loopline-escalation", first.records + second.records + third.records, worker,
                   timeout_s=300)

    first_day = {r.key.encode() for r in records}
    left = first_day & set(_live_states(own_broker))
    assert not left, f"{len(left)} conversations of the first day are still in the table"
    assert in_grace <= first_day
    routes: dict[bytes, bytes | None] = {}
    for message in read_topic(own_broker, f"loopline-escalation-{ROUTES_TABLE}-changelog"):
        routes[message.key or b""] = message.value
    assert not [key for key in first_day if routes.get(key) is not None], "routes expire with their states"
