"""The policy loader reports every problem with file, path and value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.catalogue import POLICIES_DIR
from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.policy import DEFAULT_POLICY, parse_policy
from pipelines.escalation.validate import validate_dir


def _raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))


def _problems(raw: dict) -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(PolicyError) as info:
        parse_policy(raw, source="p.yaml")
    return info.value.problems


def test_repository_policies_are_valid() -> None:
    assert validate_dir(POLICIES_DIR) == []


def test_overlapping_bands_named_with_path_and_value() -> None:
    raw = _raw()
    raw["matrix"]["tiers"][2][1] = {"action": "clarify", "from": 0.70, "to": 0.85}
    problems = _problems(raw)
    assert any("p.yaml: matrix.tiers.2: bands overlap" in p and "(value: 0.7)" in p for p in problems)


def test_gap_and_order_and_unknown_intent_all_reported_at_once() -> None:
    raw = _raw()
    raw["matrix"]["tiers"][0] = [
        {"action": "clarify", "from": 0.6, "to": 1.0},
        {"action": "automate", "from": 0.1, "to": 0.5},
    ]
    raw["matrix"]["overrides"] = {"no_such_intent": raw["matrix"]["overrides"]["card_declined"]}
    problems = _problems(raw)
    text = "\n".join(problems)
    assert "matrix.tiers.0: bands leave a gap: nothing covers [0, 0.1)" in text
    assert "matrix.tiers.0: bands leave a gap: nothing covers [0.5, 0.6)" in text
    assert "thresholds out of order: clarify sits above automate" in text
    assert "matrix.overrides.no_such_intent: unknown intent" in text


def test_tier3_automation_below_099_rejected() -> None:
    raw = _raw()
    raw["matrix"]["tiers"][3] = [{"action": "automate", "from": 0.9, "to": 1.0},
                                 {"action": "handoff", "from": 0.0, "to": 0.9}]
    assert any("tier 3 may not automate below confidence 0.99" in p for p in _problems(raw))


def test_bad_condition_timezone_sla_reported() -> None:
    raw = _raw()
    raw["conditions"][0]["when"] = {"vulnerability": ["sometimes"]}
    raw["business_hours"]["default_timezone"] = "Mars/Olympus"
    raw["sla"]["accept_within_s"]["urgent"] = 5000
    text = "\n".join(_problems(raw))
    assert "conditions[0].when.vulnerability[0]: unknown value" in text and "'sometimes'" in text
    assert "business_hours.default_timezone: unknown IANA time zone (value: 'Mars/Olympus')" in text
    assert "sla.accept_within_s: thresholds out of order" in text


def test_validate_dir_reports_kb_and_policy_problems(tmp_path: Path) -> None:
    (tmp_path / "intents.yaml").write_text((POLICIES_DIR / "intents.yaml").read_text())
    raw = _raw()
    raw["triggers"]["human_request"]["threshold"] = 1.5
    (tmp_path / "policy-v9.yaml").write_text(yaml.safe_dump(raw))
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.yaml").write_text("id: kb-1\nversion: 1\nstatus: approved\ntitle: t\nbody: b\nintents: [nope]\n")
    problems = validate_dir(tmp_path)
    assert any("triggers.human_request.threshold: expected a number in [0.0, 1.0] (value: 1.5)" in p for p in problems)
    assert any("approved_by: an approved article names its approver" in p for p in problems)
    assert any("intents[0]: unknown intent (value: 'nope')" in p for p in problems)


def test_idle_expiry_shorter_than_the_grace_or_out_of_range_is_reported() -> None:
    raw = _raw()
    raw["state"]["grace_after_end_s"] = 7200
    raw["state"]["idle_expiry_s"] = 5000
    assert any("p.yaml: state.idle_expiry_s: must be at least state.grace_after_end_s (7200)" in p
               and "(value: 5000" in p for p in _problems(raw))
    raw["state"]["idle_expiry_s"] = 60 * 86400
    assert any("state.idle_expiry_s: expected a number in" in p and "(value: 5184000)" in p for p in _problems(raw))


def test_idle_expiry_defaults_to_two_days() -> None:
    raw = _raw()
    raw["state"].pop("idle_expiry_s", None)
    assert parse_policy(raw, source="p.yaml").idle_expiry_s == 172_800.0
