"""A lake filled from a simulator run without a broker, the way production fills it.

The records go, in publication order, through what the workers do: the escalation core (customer
ids tokenised at the edge, transcripts masked, ``mode="active"``) produces the decisions and
escalations, the SLO core produces ``slo_windows``, and the lake's row builder masks everything
before it is written with the idempotent writer. Golden tests, the threshold and replay tests and
the demo-sized benchmarks use it; the truth file of the simulator comes back beside the lake.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
import pyarrow as pa

from jobs.events import event_from_row
from lake.rows import Located, RowBuilder
from lake.tables import TABLES, TableDef
from lake.writer import LakeWriter, Slice, app_id
from pipelines.catalogue import load_catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step
from pipelines.escalation.policy import Policy, load_policy
from pipelines.escalation.state import ConversationState
from pipelines.slo.definitions import load_definitions
from pipelines.slo.processor import SloProcessor, StepOutput
from pipelines.sources.simulator import Simulation, SimulationConfig
from privacy import Masker, MaskingKey
from privacy.masking import CUSTOMER_ID_KIND
from topics.codec import decode_event
from topics.events import ConversationStartedEvent, Event
from topics.outputs import Decision
from topics.specs import DECISIONS, ESCALATIONS, INTERACTIONS, SLO

GROUP = "simlake"
DEV_KEY = b"simulated-lake-development-key!!"


@dataclass
class SimulatedLake:
    root: str
    truth: list[dict[str, Any]]
    events: int = 0
    decisions: int = 0
    escalations: int = 0
    windows: int = 0
    late: int = 0
    production: list[Decision] = field(default_factory=list)


def partition_of(key: str, partitions: int) -> int:
    """A stable partition for a conversation id (same key, same partition, so one order)."""
    return zlib.crc32(key.encode()) % partitions


def build_lake(
    root: str,
    config: SimulationConfig,
    *,
    policy: Policy | None = None,
    signals: Signals | None = None,
    partitions: int = 4,
    key: bytes = DEV_KEY,
    decide_on: Literal["raw", "masked"] = "raw",
) -> SimulatedLake:
    """Simulate ``config`` and write interactions, decisions, escalations and slo_windows under ``root``.

    ``decide_on="raw"`` is what the production worker does (the core reads raw texts, then the
    sink masks them for the lake); ``"masked"`` feeds the core the lake's own masked rows, i.e. the
    input an offline replay has (the reference for replay determinism)."""
    policy = policy or load_policy()
    signals = signals or Signals.lexical()
    sim = Simulation(config)
    lake_masker = Masker.for_destination("lake", key=MaskingKey(key))
    handoff_masker = Masker.for_destination("escalation", key=MaskingKey(key))
    builder = RowBuilder(lake_masker)
    offsets: dict[tuple[str, int], int] = {}

    def locate(topic: str, record: Any, partition: int) -> Located[Any]:
        offset = offsets.get((topic, partition), 0)
        offsets[(topic, partition)] = offset + 1
        return Located(record, topic, partition, offset)

    located: list[Located[Event]] = []
    for record in sim.records():
        partition = partition_of(record.key, partitions)
        try:
            event = decode_event(record.value)
        except Exception:  # malformed records become dead letters in production
            offsets[(INTERACTIONS.name, partition)] = offsets.get((INTERACTIONS.name, partition), 0) + 1
            continue
        located.append(locate(INTERACTIONS.name, event, partition))
    interactions = builder.interactions(located)
    rows = interactions.to_pylist() if decide_on == "masked" else []

    out = SimulatedLake(root=root, truth=sim.truth_rows(), events=len(located))
    slo = SloProcessor(load_definitions(), load_catalogue(), worker="simlake")
    states: dict[str, ConversationState] = {}
    tables: dict[str, list[Located[Any]]] = {"decisions": [], "escalations": [], "slo_windows": []}

    def collect(step_out: StepOutput) -> None:
        out.late += len(step_out.late)
        for w in step_out.windows:
            tables["slo_windows"].append(locate(SLO.name, w, 0))

    for i, item in enumerate(located):
        event = item.record
        core_input = event_from_row(rows[i]) if rows else _pseudonymise(event, lake_masker)
        state = states.get(event.subject) or ConversationState()
        result = step(state, core_input, policy=policy, signals=signals,
                      mask=lambda text: handoff_masker.mask(text).text)
        states[event.subject] = result.state
        collect(slo.on_event(event))
        for decision in result.decisions:
            tables["decisions"].append(locate(DECISIONS.name, decision, item.partition))
            out.production.append(decision)
            collect(slo.on_decision(decision))
        for escalation in result.escalations:
            tables["escalations"].append(locate(ESCALATIONS.name, escalation, item.partition))
            collect(slo.on_escalation(escalation))
    collect(slo.flush())
    out.decisions, out.escalations = len(tables["decisions"]), len(tables["escalations"])
    out.windows = len(tables["slo_windows"])
    writer = LakeWriter(root)
    _write(writer, TABLES["interactions"], located, lambda part: interactions.take(part))
    for name, items in tables.items():
        build = _BUILD[name]

        def rows_of(part: list[int], build: Any = build, items: list[Located[Any]] = items) -> pa.Table:
            return build(builder, [items[j] for j in part])

        _write(writer, TABLES[name], items, rows_of)
    return out


def _pseudonymise(event: Event, masker: Masker) -> Event:
    """What the escalation worker does at its edge: the customer id becomes a keyed token."""
    if isinstance(event, ConversationStartedEvent):
        data = msgspec.structs.replace(event.data, customer_id=masker.token(CUSTOMER_ID_KIND, event.data.customer_id))
        return msgspec.structs.replace(event, data=data)
    return event


_BUILD: dict[str, Callable[[RowBuilder, list[Located[Any]]], pa.Table]] = {
    "decisions": lambda b, items: b.decisions(items),
    "escalations": lambda b, items: b.escalations(items),
    "slo_windows": lambda b, items: b.slo_windows(items),
}


def _write(writer: LakeWriter, table: TableDef, items: list[Located[Any]],
           rows_of: Callable[[list[int]], pa.Table]) -> None:
    """One commit per table, one transaction id per source partition (as the sink does)."""
    if not items:
        return
    by_partition: dict[int, list[int]] = {}
    for j, item in enumerate(items):
        by_partition.setdefault(item.partition, []).append(j)
    slices = [
        Slice(app_id=app_id(GROUP, items[part[0]].topic, p), first_offset=items[part[0]].offset,
              last_offset=items[part[-1]].offset, rows=rows_of(part))
        for p, part in sorted(by_partition.items())
    ]
    writer.append(table, slices, dedupe_keys=table.name != "interactions")


__all__ = ["SimulatedLake", "build_lake", "partition_of"]
