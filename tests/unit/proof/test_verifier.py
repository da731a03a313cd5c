"""The verifier itself: it passes a faithful run and FAILS a lossy or duplicating one.

The reference comes from the real cores over a small simulated stream; "delivered" streams are
derived from it, faithfully or with the damage a broken build would do (a batch lost because
offsets were committed before the Delta write, a row written twice, an escalation lost or invented,
a dead letter missing, an SLO window counted twice).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from msgspec.structs import replace

from pipelines.catalogue import load_catalogue
from pipelines.escalation.bundle import Signals
from pipelines.escalation.policy import load_policy
from pipelines.slo.definitions import load_definitions
from pipelines.sources.simulator import Simulation, SimulationConfig
from pipelines.verify import (
    VERDICT_FAILED,
    VERDICT_OK,
    Verdict,
    after_dedup,
    dead_letters,
    escalations,
    exactly_once,
    slo_windows,
)
from pipelines.verify_reference import Reference, build_reference
from topics.outputs import CustomerContext, DeadLetter, Escalation, SloWindow
from topics.reader import Message

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def stream() -> list[Message]:
    sim = Simulation(SimulationConfig(conversations=120, seed=5, bad_share=0.01, late_share=0.0))
    return [Message("cx.interactions.v1", hash(r.key) % 3, n, r.key.encode(), r.value, int(r.time.timestamp() * 1000))
            for n, r in enumerate(sim.records())]


@pytest.fixture(scope="module")
def ref(stream: list[Message]) -> Reference:
    return build_reference(stream, policy=load_policy(), signals=Signals.lexical(),
                           slo=(load_definitions(), load_catalogue()))


def _escalation(escalation_id: str, conversation_id: str, *, sla_level: int = 0) -> Escalation:
    return Escalation(escalation_id=escalation_id, conversation_id=conversation_id, source_event_id="e", time=T0,
                      policy_version="v1.0", priority="normal", triggers=[], sla_level=sla_level,
                      customer=CustomerContext(channel="chat", segment="standard", region="UK"))


def _letters(ref: Reference, worker: str) -> list[DeadLetter]:
    out = []
    for where in sorted(ref.bad_locations):
        topic, partition, offset = where.rsplit("/", 2)
        out.append(DeadLetter.for_record(b"x", reason="bad", field="f", event_id=None, source_topic=topic,
                                         partition=int(partition), offset=int(offset), worker=worker))
    return out


def _windows(ref: Reference) -> list[SloWindow]:
    return [SloWindow(window_id=wid, sli=c.sli, window_start=T0, window_end=T0, window_ms=60_000, intent="i",
                      channel="chat", segment="standard", tier=0, good=c.good, total=c.total)
            for wid, c in ref.windows.items()]


def _verdict(ref: Reference, *, lake: list[str], esc: list[Escalation], letters: list[DeadLetter],
             windows: list[SloWindow], late: dict[str, int] | None = None) -> Verdict:
    return Verdict([
        exactly_once("lake interactions", lake, expected=ref.event_ids),
        escalations(esc, expected=ref.escalations),
        dead_letters(letters, worker="lake-sink", topic="cx.interactions.v1", expected=ref.bad_locations),
        slo_windows(windows, expected=ref.windows, slis=ref.exact_slis,
                    late_outcomes=ref.late_outcomes if late is None else late, expected_late=ref.late_outcomes),
    ], {"events": ref.events})


def _faithful(ref: Reference) -> dict:
    esc = [_escalation(i, c) for i, c in ref.escalations.items()]
    return {"lake": sorted(ref.event_ids), "esc": esc + esc[:3] + [_escalation(i, c, sla_level=1)
                                                                  for i, c in list(ref.escalations.items())[:2]],
            "letters": _letters(ref, "lake-sink") * 2, "windows": _windows(ref) * 2}


def test_the_reference_is_not_trivial(ref: Reference) -> None:
    """A verifier over an empty reference proves nothing: the stream must escalate, dead-letter and
    close windows."""
    assert len(ref.event_ids) > 1_000 and ref.bad_locations and len(ref.escalations) > 20
    assert ref.exact_slis == {"deflection_satisfaction", "fcr_bot", "fcr_agent", "fcr_agent_assist"}
    assert ref.windows and sum(ref.outcomes.values()) > 50


def test_a_faithful_run_with_redeliveries_is_all_records_delivered(ref: Reference) -> None:
    """Redelivered escalations, dead letters and windows with the SAME ids are deduplicated."""
    verdict = _verdict(ref, **_faithful(ref))
    assert verdict.ok, [c.line() for c in verdict.checks]
    assert verdict.line().startswith(VERDICT_OK)


def test_commit_before_write_loses_a_batch_and_fails(ref: Reference) -> None:
    """The broken build: offsets of a batch committed, then killed before the Delta write."""
    delivered = _faithful(ref)
    lost_batch = set(sorted(ref.event_ids)[100:350])
    delivered["lake"] = [k for k in delivered["lake"] if k not in lost_batch]
    verdict = _verdict(ref, **delivered)
    assert not verdict.ok and verdict.line().startswith(VERDICT_FAILED)
    lake = verdict.checks[0]
    assert (len(lake.missing), len(lake.duplicated)) == (250, 0)
    assert "lake interactions" in verdict.line()


def test_a_row_written_twice_fails(ref: Reference) -> None:
    delivered = _faithful(ref)
    delivered["lake"] = [*delivered["lake"], delivered["lake"][7]]
    verdict = _verdict(ref, **delivered)
    assert not verdict.ok and verdict.checks[0].duplicated == (delivered["lake"][7],)


@pytest.mark.parametrize("damage", ["lost", "invented", "second id for a conversation"])
def test_escalation_loss_or_extra_fails(ref: Reference, damage: str) -> None:
    delivered = _faithful(ref)
    first_id, first_conv = next(iter(ref.escalations.items()))
    if damage == "lost":
        delivered["esc"] = [e for e in delivered["esc"] if e.escalation_id != first_id]
    elif damage == "invented":
        delivered["esc"].append(_escalation("x" * 32, "conv-nobody"))
    else:
        delivered["esc"].append(_escalation("y" * 32, first_conv))
    check = _verdict(ref, **delivered).checks[1]
    assert not check.ok, check.line()


def test_a_missing_dead_letter_fails(ref: Reference) -> None:
    delivered = _faithful(ref)
    delivered["letters"] = _letters(ref, "lake-sink")[1:]
    check = _verdict(ref, **delivered).checks[2]
    assert len(check.missing) == 1 and not check.ok


def test_a_window_counted_twice_or_lost_fails(ref: Reference) -> None:
    """A window re-published with other counts (double counting), or an outcome lost from late."""
    delivered = _faithful(ref)
    first = next(w for w in delivered["windows"] if w.sli in ref.exact_slis)
    delivered["windows"].append(replace(first, total=first.total + 1, good=first.good))
    check = _verdict(ref, **delivered).checks[3]
    assert check.duplicated and not check.ok
    delivered = _faithful(ref)
    delivered["windows"] = [w for w in delivered["windows"] if w.window_id != first.window_id]
    assert _verdict(ref, **delivered).checks[3].missing


def test_after_dedup_distinguishes_redelivery_from_loss() -> None:
    assert after_dedup("t", ["a", "a", "b"], expected={"a", "b"}).ok
    assert not after_dedup("t", ["a"], expected={"a", "b"}).ok
    assert not after_dedup("t", ["a", "b", "c"], expected={"a", "b"}).ok
