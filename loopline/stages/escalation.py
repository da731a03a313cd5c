"""The escalation stage of the demo: escalations by trigger, tier and channel, and their
precision and recall against the simulator's ground truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from loopline.settings import Settings
from loopline.stages import Stage
from topics.codec import decode_as
from topics.outputs import Decision, Escalation
from topics.reader import read_topic
from topics.specs import DECISIONS, ESCALATIONS


def section(settings: Settings, context: dict[str, Any], console: Console) -> dict[str, Any]:
    bootstrap = settings.bootstrap()
    first: dict[str, Escalation] = {}
    deliveries = 0
    for message in read_topic(bootstrap, ESCALATIONS.name):
        escalation = decode_as(message.value or b"", Escalation)
        deliveries += 1
        if escalation.sla_level == 0:
            first.setdefault(escalation.escalation_id, escalation)
    actions = Counter(decode_as(m.value or b"", Decision).action for m in read_topic(bootstrap, DECISIONS.name))
    by_trigger = Counter(t.code for e in first.values() for t in e.triggers)
    by_tier = Counter(str(e.intent.tier) if e.intent else "n/a" for e in first.values())
    by_channel = Counter(e.customer.channel for e in first.values())
    table = Table("trigger", "escalations", title=f"{len(first)} escalations ({deliveries} records incl. SLA re-emits)")
    for code, count in by_trigger.most_common():
        table.add_row(code, str(count))
    console.print(table)
    console.print("by tier: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_tier.items()))
                  + "   by channel: " + ", ".join(f"{k}: {v}" for k, v in by_channel.most_common()))
    console.print("decisions by action: " + ", ".join(f"{k}: {v}" for k, v in actions.most_common()))
    scores = score(first.values(), Path(context["truth_path"]))
    console.print(f"against ground truth: precision {scores['precision']:.3f}, recall {scores['recall']:.3f} "
                  f"({scores['true_positives']} tp, {scores['false_positives']} fp, {scores['false_negatives']} fn)")
    return {"escalations": len(first), "records": deliveries, "by_trigger": dict(by_trigger),
            "by_tier": dict(by_tier), "by_channel": dict(by_channel), "decisions": dict(actions), **scores}


def score(escalations: Any, truth_path: Path) -> dict[str, Any]:
    """Precision and recall of escalated conversations against the simulator's truth."""
    should = set()
    conversations = set()
    for line in truth_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") == "conversation":
            conversations.add(row["conversation_id"])
            if row["should_escalate"]:
                should.add(row["conversation_id"])
    got = {e.conversation_id for e in escalations} & conversations
    tp, fp, fn = len(got & should), len(got - should), len(should - got)
    return {
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
    }


STAGE = Stage(name="escalation", worker="escalation", group="loopline-escalation", section=section)
