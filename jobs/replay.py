"""Offline replay: the escalation core over the lake's events for a period, without a broker.

What replay feeds the core: the lake's rows rebuilt into contract events (:mod:`jobs.events`),
i.e. **masked** texts and tokenised ids, in each conversation's source order (partition offset,
the order the production worker consumed them). The core is deterministic (event time only), so
with the policy production used and the same signals it reproduces production's decisions exactly
— *provided masking does not change a signal's outcome* on a text. ``compare`` measures exactly
that (``docs/jobs.md`` gives the figure). Decisions are compared per source event: the action, the
reason codes and the decision id (which hashes conversation, event, policy version and mode).

>>> from datetime import datetime, timezone
>>> summarise_conversation(["automate", "none"]), summarise_conversation(["clarify", "handoff"])
('automated', 'escalated')
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa
from deltalake import write_deltalake

from jobs.events import COLUMNS, event_from_row
from jobs.exceptions import EmptyPeriodError
from jobs.lakeio import Period, exists, scan
from jobs.tables import REPLAY_DECISIONS, REPLAY_DECISIONS_SCHEMA
from lake.tables import table_uri
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import ESCALATING, Policy
from pipelines.escalation.state import ConversationState
from topics.outputs import Decision

Progress = Callable[[int], None]
STARTED = "cx.conversation.started"


def summarise_conversation(actions: list[str]) -> str:
    """A conversation's fate from its decisions: escalated, automated, or assisted (clarify/draft)."""
    if any(a in ESCALATING for a in actions):
        return "escalated"
    if actions and all(a in ("automate", "none") for a in actions):
        return "automated"
    return "assisted" if actions else "no_decision"


def period_events(root: str, period: Period) -> pl.DataFrame:
    """Every event of the conversations that started in ``period``, in replay order."""
    lf = scan(root, "interactions")
    names = set(lf.collect_schema().names())
    cols = [c for c in COLUMNS if c in names]
    started = (lf.filter((pl.col("event_type") == STARTED)
                         & (pl.col("event_time") >= period.since) & (pl.col("event_time") < period.until))
                 .select("conversation_id").unique())
    frame = (lf.join(started, on="conversation_id", how="semi").select(cols)
               .sort(["conversation_id", "source_partition", "source_offset"]).collect())
    if frame.is_empty():
        raise EmptyPeriodError(f"no conversation started in {period.describe()} in {table_uri(root, 'interactions')}")
    return frame


def _conversations(frame: pl.DataFrame) -> Iterator[list[dict[str, Any]]]:
    current: list[dict[str, Any]] = []
    for row in frame.iter_rows(named=True):
        if current and row["conversation_id"] != current[0]["conversation_id"]:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def replay(
    frame: pl.DataFrame, *, policy: Policy, signals: Signals, mode: str = "active",
    progress: Progress | None = None,
) -> list[Decision]:
    """Run the core over the events of ``frame`` (one conversation at a time: states are independent)."""
    decisions: list[Decision] = []
    for rows in _conversations(frame):
        state = ConversationState()
        for row in rows:
            result = step(state, event_from_row(row), policy=policy, signals=signals, mode=mode)
            state = result.state
            decisions.extend(result.decisions)
        if progress is not None:
            progress(len(rows))
    return decisions


def production_decisions(root: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The active decisions production made for the conversations of ``frame``."""
    if not exists(root, "decisions"):
        return pl.DataFrame(schema={"decision_id": pl.String, "conversation_id": pl.String,
                                    "source_event_id": pl.String, "action": pl.String,
                                    "reason_codes": pl.List(pl.String), "intent": pl.String, "tier": pl.Int32})
    conversations = frame.select("conversation_id").unique().lazy()
    return (scan(root, "decisions").filter(pl.col("mode") == "active")
            .join(conversations, on="conversation_id", how="semi")
            .select("decision_id", "conversation_id", "source_event_id", "action", "reason_codes", "intent", "tier")
            .unique("decision_id").collect())


def replay_frame(decisions: list[Decision], *, replay_id: str) -> pl.DataFrame:
    rows = [{
        "replay_id": replay_id, "decision_id": d.decision_id, "conversation_id": d.conversation_id,
        "source_event_id": d.source_event_id, "event_time": d.time, "event_date": d.time.date(),
        "policy_version": d.policy_version, "action": d.action, "mode": d.mode,
        "reason_codes": [r.code for r in d.reasons], "intent": d.intent.intent if d.intent else None,
        "confidence": d.intent.confidence if d.intent else None, "tier": d.intent.tier if d.intent else None,
    } for d in decisions]
    schema = pa.schema([f for f in REPLAY_DECISIONS_SCHEMA if f.name not in ("production_action", "changed")])
    return pl.from_arrow(pa.Table.from_pylist(rows, schema=schema))  # type: ignore[return-value]


@dataclass
class ReplayDiff:
    """How the replay differs from production on the same events."""

    events_compared: int = 0
    decisions_replayed: int = 0
    decisions_production: int = 0
    changed_events: int = 0  # source events whose action (or presence of a decision) changed
    changed_reasons: int = 0  # same action, other reason codes
    changed_ids: int = 0  # same event and action, other decision id (policy version or mode)
    conversations: int = 0
    changed_conversations: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (production, replay) fate
    by_intent: Counter[str] = field(default_factory=Counter)
    by_tier: Counter[str] = field(default_factory=Counter)
    containment_production: float = 0.0
    containment_replay: float = 0.0
    escalations_production: int = 0
    escalations_replay: int = 0

    @property
    def zero(self) -> bool:
        return self.changed_events == 0 and self.changed_reasons == 0 and self.changed_ids == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "events_compared": self.events_compared, "decisions_replayed": self.decisions_replayed,
            "decisions_production": self.decisions_production, "changed_events": self.changed_events,
            "changed_reasons": self.changed_reasons, "changed_ids": self.changed_ids,
            "conversations": self.conversations, "changed_conversations": self.changed_conversations,
            "transitions": {f"{a} -> {b}": n for (a, b), n in sorted(self.transitions.items())},
            "changed_by_intent": dict(self.by_intent.most_common()),
            "changed_by_tier": dict(sorted(self.by_tier.items())),
            "containment_production": round(self.containment_production, 4),
            "containment_replay": round(self.containment_replay, 4),
            "escalations_production": self.escalations_production,
            "escalations_replay": self.escalations_replay,
        }


def compare(replayed: pl.DataFrame, production: pl.DataFrame, *, events: int) -> tuple[pl.DataFrame, ReplayDiff]:
    """Annotate the replay's decisions with production's action on the same event, and summarise."""
    prod = production.select(
        "conversation_id", "source_event_id", pl.col("decision_id").alias("p_id"),
        pl.col("action").alias("production_action"), pl.col("reason_codes").alias("p_reasons"),
        pl.col("intent").alias("p_intent"), pl.col("tier").alias("p_tier"))
    joined = replayed.join(prod, on=["conversation_id", "source_event_id"], how="full", coalesce=True)
    diff = ReplayDiff(events_compared=events, decisions_replayed=replayed.height,
                      decisions_production=production.height)
    action_changed = pl.col("action").ne_missing(pl.col("production_action"))
    diff.changed_events = joined.filter(action_changed).height
    same = joined.filter(~action_changed)
    diff.changed_reasons = same.filter(
        pl.col("reason_codes").list.sort().ne_missing(pl.col("p_reasons").list.sort())).height
    diff.changed_ids = same.filter(pl.col("decision_id").ne_missing(pl.col("p_id"))).height
    fates_r = _fates(replayed)
    fates_p = _fates(production)
    fates = fates_p.join(fates_r, on="conversation_id", how="full", coalesce=True, suffix="_r")
    labels = (pl.concat([replayed.select("conversation_id", "intent", "tier"),
                         production.select("conversation_id", "intent", "tier")])
              .drop_nulls("intent").unique("conversation_id", keep="first"))
    fates = fates.join(labels, on="conversation_id", how="left").with_columns(
        pl.col("fate").fill_null("no_decision"), pl.col("fate_r").fill_null("no_decision"))
    diff.conversations = fates.height
    for row in fates.iter_rows(named=True):
        diff.transitions[(row["fate"], row["fate_r"])] += 1
    changed_ids = set(joined.filter(action_changed)["conversation_id"].to_list())
    changed = fates.filter(pl.col("conversation_id").is_in(list(changed_ids)))
    diff.changed_conversations = changed.height
    for row in changed.iter_rows(named=True):
        diff.by_intent[row["intent"] or "unknown"] += 1
        diff.by_tier[str(row["tier"]) if row["tier"] is not None else "unknown"] += 1
    n = max(1, fates.height)
    diff.containment_production = fates.filter(pl.col("fate") == "automated").height / n
    diff.containment_replay = fates.filter(pl.col("fate_r") == "automated").height / n
    diff.escalations_production = fates.filter(pl.col("fate") == "escalated").height
    diff.escalations_replay = fates.filter(pl.col("fate_r") == "escalated").height
    annotated = (joined.filter(pl.col("decision_id").is_not_null())
                 .with_columns(action_changed.alias("changed"))
                 .select([f.name for f in REPLAY_DECISIONS_SCHEMA]))
    return annotated, diff


def _fates(decisions: pl.DataFrame) -> pl.DataFrame:
    if decisions.is_empty():
        return pl.DataFrame(schema={"conversation_id": pl.String, "fate": pl.String})
    grouped = decisions.group_by("conversation_id").agg(pl.col("action"))
    return grouped.select("conversation_id", pl.col("action").map_elements(
        lambda a: summarise_conversation(list(a)), return_dtype=pl.String).alias("fate"))


def replay_id_of(policy: Policy, period: Period, *, policy_text: str) -> str:
    """Deterministic: the same policy document over the same period is the same replay."""
    digest = hashlib.sha256(f"{policy.version}\n{period.describe()}\n{policy_text}".encode()).hexdigest()
    return f"replay-{policy.version}-{digest[:12]}"


def write_replay(root: str, annotated: pl.DataFrame, *, replay_id: str) -> str:
    """Replace the rows of ``replay_id`` in the replay table (idempotent per replay)."""
    uri = table_uri(root, REPLAY_DECISIONS)
    data = annotated.to_arrow().cast(REPLAY_DECISIONS_SCHEMA)
    if exists(root, REPLAY_DECISIONS):
        write_deltalake(uri, data, mode="overwrite", predicate=f"replay_id = '{replay_id}'")
    else:
        write_deltalake(uri, data, mode="append", partition_by=["replay_id"])
    return uri


@dataclass
class OfflineResult:
    replay_id: str
    table_uri: str
    diff: ReplayDiff
    decisions: pl.DataFrame


def run_offline(
    root: str, period: Period, *, policy: Policy, policy_text: str, signals: Signals,
    progress: Progress | None = None, write: bool = True,
) -> OfflineResult:
    """Replay ``period`` with ``policy``; write the replay table; diff against production."""
    frame = period_events(root, period)
    decisions = replay(frame, policy=policy, signals=signals, progress=progress)
    replay_id = replay_id_of(policy, period, policy_text=policy_text)
    replayed = replay_frame(decisions, replay_id=replay_id)
    annotated, diff = compare(replayed, production_decisions(root, frame), events=frame.height)
    uri = write_replay(root, annotated, replay_id=replay_id) if write and annotated.height else ""
    return OfflineResult(replay_id, uri, diff, annotated)
