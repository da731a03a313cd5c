"""The simulator: deterministic, covers everything downstream needs, and its truth is consistent."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from stdnum import iban as stdnum_iban
from stdnum import luhn
from typer.testing import CliRunner

from loopline.cli import _build
from pipelines.catalogue import load_catalogue
from pipelines.sources.simulator import SCENARIO_REASON, Simulation, SimulationConfig
from topics import events as ev
from topics.codec import decode_event
from topics.exceptions import EventValidationError


@pytest.fixture(scope="module")
def default_run() -> tuple[Simulation, list]:
    sim = Simulation(SimulationConfig(conversations=300, seed=42, bad_share=0.01))
    return sim, list(sim.records())


def test_same_seed_gives_byte_identical_records_and_truth() -> None:
    a = Simulation(SimulationConfig(conversations=50, seed=9, bad_share=0.02))
    b = Simulation(SimulationConfig(conversations=50, seed=9, bad_share=0.02))
    assert [r.value for r in a.records()] == [r.value for r in b.records()]
    assert a.truth_rows() == b.truth_rows()


def test_another_seed_gives_another_stream() -> None:
    a = [r.value for r in Simulation(SimulationConfig(conversations=20, seed=1)).records()]
    b = [r.value for r in Simulation(SimulationConfig(conversations=20, seed=2)).records()]
    assert a != b


def test_cli_out_file_is_byte_identical_across_runs(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _build()
    outputs = []
    for name in ("a", "b"):
        out, truth = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.truth.jsonl"
        result = runner.invoke(app, ["simulate", "-n", "40", "--seed", "5", "--bad-share", "0.02",
                                     "--out", str(out), "--truth", str(truth)])
        assert result.exit_code == 0, result.output
        outputs.append((out.read_bytes(), truth.read_bytes()))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][0].splitlines()) > 40 * 10


def test_default_run_covers_every_event_type_tier_trigger_and_channel(default_run) -> None:  # type: ignore[no-untyped-def]
    sim, records = default_run
    types = Counter()
    for record in records:
        if not record.bad:
            types[decode_event(record.value).TYPE] += 1
    assert set(types) == set(ev.EVENT_TYPES), "every event type appears"
    assert {t.tier for t in sim.truth} == {0, 1, 2, 3}
    reasons = Counter(reason for t in sim.truth for reason in t.reasons)
    assert set(reasons) == set(SCENARIO_REASON.values()), "every trigger kind appears"
    assert {t.channel for t in sim.truth} >= {"voice", "chat", "messaging"}
    assert {t.segment for t in sim.truth} >= {"standard", "premium", "business", "vip"}
    assert len({t.timezone for t in sim.truth}) >= 5
    assert any(t.vulnerability == "confirmed" for t in sim.truth)
    assert any(t.csat_late for t in sim.truth), "some CSAT arrives hours late"
    assert {n for t in sim.truth for n in t.hard_negatives} >= {"human_request", "sentiment", "latency_spike"}


def test_ground_truth_matches_generated_events(default_run) -> None:  # type: ignore[no-untyped-def]
    sim, records = default_run
    by_conv: dict[str, list[ev.Event]] = defaultdict(list)
    for record in records:
        if not record.bad:
            event = decode_event(record.value)
            by_conv[event.subject].append(event)
    catalogue = load_catalogue()
    for truth in sim.truth:
        events = sorted(by_conv[truth.conversation_id], key=lambda e: e.id)
        assert len(events) == truth.events
        started = events[0]
        assert isinstance(started, ev.ConversationStartedEvent)
        assert (started.data.channel, started.data.segment, started.data.vulnerability) == (
            truth.channel, truth.segment, truth.vulnerability)
        detected = next(e for e in events if isinstance(e, ev.IntentDetectedEvent))
        assert detected.data.intent == truth.intent and catalogue.tier_of(truth.intent) == truth.tier
        assert truth.should_escalate == bool(truth.reasons)
        ids = {e.id for e in events}
        if truth.should_escalate:
            assert truth.first_trigger_event_id in ids
            assert SCENARIO_REASON[truth.scenario] in truth.reasons
            assert any(isinstance(e, ev.AgentAcceptedEvent) for e in events)
        else:
            assert truth.first_trigger_event_id is None
        _assert_pattern(truth.scenario, events, detected)


def _assert_pattern(scenario: str, events: list[ev.Event], detected: ev.IntentDetectedEvent) -> None:
    """The generated events carry the pattern the truth claims (the margins of docs/simulator.md)."""
    confidence = detected.data.confidence
    errors = Counter(e.data.kind for e in events if isinstance(e, ev.TechnicalErrorEvent))
    slow = [e for e in events if isinstance(e, ev.BotRespondedEvent) and e.data.latency_ms >= 4000]
    if scenario == "high_risk":
        assert 0.80 <= confidence <= 0.97
    elif scenario == "low_confidence":
        assert 0.15 <= confidence <= 0.55
    elif scenario == "latency_spike":
        assert len(slow) >= 2
    elif scenario == "downstream_error":
        assert errors["downstream_error"] + errors["timeout"] >= 3
    elif scenario == "asr_failure":
        low = [e for e in events if isinstance(e, ev.MessageReceivedEvent) and (e.data.asr_confidence or 1) < 0.5]
        assert errors["asr_failure"] >= 2 or len(low) >= 2
    elif scenario == "normal":
        assert len(slow) <= 1 and errors["downstream_error"] <= 1 and errors["asr_failure"] <= 1


def test_bad_records_are_counted_in_truth_and_fail_validation(default_run) -> None:  # type: ignore[no-untyped-def]
    sim, records = default_run
    bad = [r for r in records if r.bad]
    assert len(bad) == len(sim.bad_records) > 0
    for record in bad:
        with pytest.raises(EventValidationError):
            decode_event(record.value)
    assert {row["defect"] for row in sim.bad_records} == {
        "truncated", "wrong_type", "missing_time", "unknown_type", "naive_time", "not_json"}


def test_slots_carry_checksum_valid_pii_and_voice_reads_numbers_aloud(default_run) -> None:  # type: ignore[no-untyped-def]
    _, records = default_run
    slots = [decode_event(r.value) for r in records if not r.bad and b'"cx.slot.collected"' in r.value[:40]]
    cards = [s.data.value for s in slots if s.data.kind == "card_number"]
    ibans = [s.data.value for s in slots if s.data.kind == "iban"]
    assert cards and all(luhn.is_valid(c.replace(" ", "")) for c in cards)
    assert ibans and all(stdnum_iban.is_valid(i) for i in ibans)
    spoken = [
        e for e in (decode_event(r.value) for r in records if not r.bad and b'"role":"customer"' in r.value)
        if isinstance(e, ev.MessageReceivedEvent) and e.data.text.startswith("the card number is ")
        and any(w in e.data.text for w in ("four", "five", "oh", "double"))
    ]
    assert spoken, "voice customers read card numbers aloud as words"


def test_publication_order_is_event_time_except_injected_late_events() -> None:
    sim = Simulation(SimulationConfig(conversations=100, seed=4, late_share=0.0))
    times = [r.time for r in sim.records()]
    assert times == sorted(times)
    late = Simulation(SimulationConfig(conversations=100, seed=4, late_share=0.05))
    late_times = [r.time for r in late.records()]
    assert late_times != sorted(late_times)


def test_truth_file_is_jsonl_without_customer_identifiers(tmp_path: Path) -> None:
    sim = Simulation(SimulationConfig(conversations=30, seed=8))
    list(sim.records())
    path = tmp_path / "truth.jsonl"
    sim.write_truth(path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == 30 and all(row["kind"] == "conversation" for row in rows)
    assert not any("cust-" in line for line in path.read_text().splitlines())
