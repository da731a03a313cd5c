"""The verifier's I/O: read every topic and lake table once, build the reference from the input as
the workers saw it, and run the pure checks of :mod:`pipelines.verify`."""

from __future__ import annotations

from pipelines.catalogue import load_catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.policy import load_policy
from pipelines.slo.definitions import load_definitions
from pipelines.sources.simulator import Simulation
from pipelines.verify import (
    Check,
    Verdict,
    after_dedup,
    dead_letters,
    escalations,
    exactly_once,
    quality,
    slo_windows,
)
from pipelines.verify_reference import build_reference, late_outcome_counts
from topics.codec import decode_as
from topics.outputs import DeadLetter, Decision, Escalation, LateEvent, SloWindow
from topics.reader import Message, read_topic
from topics.specs import DEADLETTER, DECISIONS, ESCALATIONS, INTERACTIONS, LATE, SLO

#: ``cx.deadletter.v1`` ``worker`` field of each harness worker.
DEAD_LETTER_WORKER = {"escalation": "escalation", "slo": "slo", "lake": "lake-sink"}


def _read(bootstrap: str, topic: str) -> list[Message]:
    return list(read_topic(bootstrap, topic, timeout_s=600.0, idle_s=2.0))


def verify_run(bootstrap: str, lake_root: str, *, sim: Simulation, published: int, injected: int,
               workers: tuple[str, ...]) -> Verdict:
    from lake.tables import TABLES
    from lake.verify import table_keys

    inputs = _read(bootstrap, INTERACTIONS.name)
    with_slo = "slo" in workers
    ref = build_reference(inputs, policy=load_policy(), signals=Signals.lexical(),
                          slo=(load_definitions(), load_catalogue()) if with_slo else None)
    esc = [decode_as(m.value or b"", Escalation) for m in _read(bootstrap, ESCALATIONS.name)]
    dec = [decode_as(m.value or b"", Decision) for m in _read(bootstrap, DECISIONS.name)]
    dlq = [decode_as(m.value or b"", DeadLetter) for m in _read(bootstrap, DEADLETTER.name)]
    checks: list[Check] = [
        Check("input records read back", expected=published, records=len(inputs), distinct=len(inputs),
              missing=(f"{published - len(inputs)} records",) if len(inputs) < published else (),
              unexpected=(f"{len(inputs) - published} records",) if len(inputs) > published else (),
              duplicated=() if len(ref.bad_locations) == injected
              else (f"malformed located {len(ref.bad_locations)} != injected {injected}",),
              note=f"{len(ref.event_ids):,} valid events, {len(ref.bad_locations)} malformed"),
    ]
    if "escalation" in workers:
        checks.append(escalations(esc, expected=ref.escalations))
        checks.append(after_dedup("decisions", [d.decision_id for d in dec], expected=ref.decisions))
    for name in workers:
        checks.append(dead_letters(dlq, worker=DEAD_LETTER_WORKER[name], topic=INTERACTIONS.name,
                                   expected=ref.bad_locations))
    windows: list[SloWindow] = []
    if with_slo:
        windows = [decode_as(m.value or b"", SloWindow) for m in _read(bootstrap, SLO.name)]
        late = [decode_as(m.value or b"", LateEvent) for m in _read(bootstrap, LATE.name)]
        checks.append(slo_windows(windows, expected=ref.windows, slis=ref.exact_slis,
                                  late_outcomes=late_outcome_counts(late), expected_late=ref.late_outcomes))
    if "lake" in workers:
        topic_ids = {
            "interactions": ref.event_ids,
            "decisions": {d.decision_id for d in dec},
            "escalations": {e.escalation_id for e in esc},
            "slo_windows": {w.window_id for w in windows},
            "dead_letters": {d.dead_letter_id for d in dlq},
        }
        for table, expected in topic_ids.items():
            if table != "interactions" and not expected and table not in _fed_tables(workers):
                continue
            checks.append(exactly_once(f"lake {table}", table_keys(lake_root, TABLES[table]), expected=expected))
    escalated = {e.conversation_id for e in esc if e.sla_level == 0 and e.mode == "active"}
    truth = [t for t in sim.truth if t.conversation_id in ref.conversations]
    agreement = quality(escalated, should_escalate={t.conversation_id for t in truth if t.should_escalate},
                        conversations={t.conversation_id for t in truth})
    facts: dict[str, int | float | str] = {
        "lake_rows": len(ref.event_ids), "escalations": len(ref.escalations), "decisions": len(ref.decisions),
        "dead_letters": len(dlq), "precision": round(agreement.precision, 3), "recall": round(agreement.recall, 3),
    }
    if with_slo:
        facts["slo_windows"] = len({w.window_id for w in windows})
    return Verdict(checks, facts)


def _fed_tables(workers: tuple[str, ...]) -> set[str]:
    fed = {"dead_letters"}
    if "escalation" in workers:
        fed |= {"decisions", "escalations"}
    if "slo" in workers:
        fed.add("slo_windows")
    return fed
