"""Offline replay: with the active policy it reproduces production exactly; a stricter policy
shows the expected changes; errors are clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from jobs.exceptions import EmptyPeriodError, InvalidPolicyError, MissingTableError
from jobs.lakeio import Period
from jobs.replay import period_events, run_offline
from jobs.run import load_candidate
from jobs.simlake import build_lake
from pipelines.catalogue import POLICIES_DIR
from pipelines.escalation.bundle import Signals
from pipelines.escalation.policy import DEFAULT_POLICY, load_policy
from pipelines.sources.simulator import SimulationConfig

ALL = Period.parse(None, None)
CONFIG = SimulationConfig(conversations=600, seed=8)


@pytest.fixture(scope="module")
def masked_lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Production decided on the masked input the lake holds (the comparison's common input)."""
    root = str(tmp_path_factory.mktemp("replay") / "lake")
    build_lake(root, CONFIG, decide_on="masked")
    return root


def _run(root: str, policy_path: Path, *, write: bool = True) -> Any:
    policy, text = load_candidate(policy_path)
    return run_offline(root, ALL, policy=policy, policy_text=text, signals=Signals.lexical(), write=write)


def test_active_policy_reproduces_production_exactly(masked_lake: str) -> None:
    result = _run(masked_lake, Path(DEFAULT_POLICY))
    d = result.diff
    assert d.decisions_production > 600 and d.decisions_replayed == d.decisions_production
    assert d.zero, d.as_dict()  # same actions, same reason codes, same decision ids
    assert d.containment_replay == d.containment_production
    stored = pl.read_delta(result.table_uri).filter(pl.col("replay_id") == result.replay_id)
    assert stored.height == d.decisions_replayed and not stored["changed"].any()


def test_replay_is_deterministic_and_idempotent(masked_lake: str) -> None:
    first = _run(masked_lake, Path(DEFAULT_POLICY))
    second = _run(masked_lake, Path(DEFAULT_POLICY))
    assert first.replay_id == second.replay_id
    assert first.decisions.sort("decision_id").equals(second.decisions.sort("decision_id"))
    stored = pl.read_delta(first.table_uri).filter(pl.col("replay_id") == first.replay_id)
    assert stored.height == first.decisions.height, "a re-run replaces its rows"


def test_stricter_policy_shows_the_expected_changes(masked_lake: str, tmp_path: Path) -> None:
    """Tier 1 automates only from 0.90 instead of 0.68: tier-1 detections between 0.68 and 0.90
    (after margins) now clarify; nothing else changes, and containment drops."""
    raw = yaml.safe_load(Path(DEFAULT_POLICY).read_text())
    raw["version"] = "v1.0-strict"
    raw["matrix"]["tiers"][1] = [{"action": "automate", "from": 0.90, "to": 1.0},
                                 {"action": "clarify", "from": 0.25, "to": 0.90},
                                 {"action": "draft_only", "from": 0.12, "to": 0.25},
                                 {"action": "handoff", "from": 0.0, "to": 0.12}]
    strict = tmp_path / "policy-strict.yaml"
    strict.write_text(yaml.safe_dump(raw))
    (tmp_path / "intents.yaml").write_text((POLICIES_DIR / "intents.yaml").read_text())
    result = _run(masked_lake, strict, write=False)
    changed = result.decisions.filter(pl.col("changed"))
    assert changed.height > 0
    assert set(changed["tier"].to_list()) == {1}
    assert set(zip(changed["production_action"], changed["action"], strict=True)) == {("automate", "clarify")}
    assert (changed["confidence"] < 0.90 + 0.1).all()
    assert set(result.diff.by_tier) == {"1"}
    assert result.diff.containment_replay < result.diff.containment_production
    assert result.diff.escalations_replay == result.diff.escalations_production


def test_raw_production_differs_only_where_masking_changed_a_text(tmp_path: Path) -> None:
    """Production reads raw texts; replay reads the lake's masked ones. Every difference must sit in a
    conversation where masking changed a customer text (measured figure in docs/jobs.md)."""
    root = str(tmp_path / "lake")
    lake = build_lake(root, CONFIG, decide_on="raw")
    result = _run(root, Path(DEFAULT_POLICY), write=False)
    changed = set(result.decisions.filter(pl.col("changed"))["conversation_id"].to_list())
    from pipelines.sources.simulator import Simulation
    from topics.codec import decode_event
    raw_texts = {}
    for record in Simulation(CONFIG).records():
        event = decode_event(record.value)
        text = getattr(event.data, "text", None)
        if text is not None:
            raw_texts[event.id] = text
    stored = pl.read_delta(f"{root}/interactions").filter(pl.col("role") == "customer")
    masked = {r["conversation_id"] for r in stored.iter_rows(named=True) if r["text"] != raw_texts[r["event_id"]]}
    assert changed <= masked
    assert result.diff.changed_conversations <= 0.03 * CONFIG.conversations
    assert lake.decisions == result.diff.decisions_production


def test_clear_errors(masked_lake: str, tmp_path: Path) -> None:
    with pytest.raises(EmptyPeriodError, match="no conversation started"):
        period_events(masked_lake, Period.parse("2030-01-01", "2030-01-02"))
    with pytest.raises(MissingTableError, match="interactions"):
        period_events(str(tmp_path / "nothing"), ALL)
    bad = tmp_path / "policy-bad.yaml"
    raw = yaml.safe_load(Path(DEFAULT_POLICY).read_text())
    raw["matrix"]["tiers"][0][0]["from"] = 1.5
    bad.write_text(yaml.safe_dump(raw))
    (tmp_path / "intents.yaml").write_text((POLICIES_DIR / "intents.yaml").read_text())
    with pytest.raises(InvalidPolicyError, match=r"matrix\.tiers\.0"):
        load_candidate(bad)
    assert load_policy(DEFAULT_POLICY).version == "v1.0"
