"""Governance: promotion without the required approvals is refused (and audited); with them it
succeeds and is audited; the lifecycle refuses skipped stages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from pipelines.escalation.policy import DEFAULT_POLICY
from pipelines.rollout.exceptions import GovernanceError
from pipelines.rollout.governance import load_governance, parse_governance
from pipelines.rollout.ledger import PolicyLedger
from pipelines.rollout.promotion import plan_promotion, plan_rollback
from pipelines.rollout.prompts import load_prompts
from pipelines.rollout.scenarios import over_automating

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
GOV = load_governance()
BASE = DEFAULT_POLICY.read_text(encoding="utf-8")


def _ledger_with_active() -> PolicyLedger:
    ledger = PolicyLedger()
    for target in ("approved", "active"):
        plan = plan_promotion(ledger, version="v1.0", target=target, document=BASE, governance=GOV,
                              actor="ops-lead", now=NOW)
        assert plan.ok, plan.reason
        for key, record in plan.records:
            ledger.apply(key, record)
    return ledger


def _candidate(version: str, approvals: list[dict[str, str]], **changes: object) -> str:
    doc = yaml.safe_load(BASE)
    doc["version"], doc["approvals"] = version, approvals
    doc.update(changes)
    return yaml.safe_dump(doc, sort_keys=False)


def test_threshold_change_with_one_approval_is_refused_and_the_refusal_audited() -> None:
    ledger = _ledger_with_active()
    text = over_automating(BASE, version="v1.1", approvals=({"by": "ops-lead", "role": "operations", "date": "x"},))
    plan = plan_promotion(ledger, version="v1.1", target="approved", document=text, governance=GOV,
                          actor="ops-lead", now=NOW)
    assert not plan.ok
    assert "thresholds change (matrix.overrides.refund_request) needs 2 approvals" in plan.reason
    assert "it has 1 (ops-lead)" in plan.reason
    assert plan.records == []  # nothing is published
    assert [(a.kind, a.version, a.to_stage) for a in plan.audit] == [("refusal", "v1.1", "approved")]
    assert plan.audit[0].reason == plan.reason


def test_threshold_change_with_two_approvals_is_approved_and_audited() -> None:
    ledger = _ledger_with_active()
    text = over_automating(BASE, version="v1.1")  # ops-lead (operations) + cx-product-owner (product)
    plan = plan_promotion(ledger, version="v1.1", target="approved", document=text, governance=GOV,
                          actor="ops-lead", now=NOW)
    assert plan.ok, plan.reason
    assert plan.review is not None and plan.review.classes == {"thresholds": ["matrix.overrides.refund_request"]}
    assert [a.kind for a in plan.audit] == ["approval", "approval", "stage_change"]
    assert {(a.actor, a.details["role"]) for a in plan.audit if a.kind == "approval"} == {
        ("ops-lead", "operations"), ("cx-product-owner", "product")}
    for key, record in plan.records:
        ledger.apply(key, record)
    assert ledger.stage_of("v1.1") == "approved" and ledger.active is not None and ledger.active.version == "v1.0"


def test_an_approver_without_the_role_does_not_count() -> None:
    """ops-lead claims the compliance role, which governance does not grant: a risk-tier change
    (tier 3) needs compliance, so it is refused and the ignored approval is named."""
    ledger = _ledger_with_active()
    doc = yaml.safe_load(BASE)
    doc["matrix"]["tiers"][3][1]["from"] = 0.35
    doc["matrix"]["tiers"][3][2]["to"] = 0.35
    text = _candidate("v1.2", [{"by": "ops-lead", "role": "compliance", "date": "x"},
                               {"by": "risk-officer", "role": "risk", "date": "x"}], matrix=doc["matrix"])
    plan = plan_promotion(ledger, version="v1.2", target="approved", document=text, governance=GOV,
                          actor="risk-officer", now=NOW)
    assert not plan.ok
    assert "risk_tiers change (matrix.tiers.3) needs an approval with the compliance role" in plan.reason
    assert "'ops-lead' may not approve as 'compliance'" in plan.reason


def test_a_prompt_change_needs_compliance_and_an_approved_prompt() -> None:
    ledger = _ledger_with_active()
    prompts = load_prompts()
    draft_prompt = _candidate("v1.3", [{"by": "cx-product-owner", "role": "product", "date": "x"},
                                       {"by": "compliance-officer", "role": "compliance", "date": "x"}],
                              prompt={"template": "cx-answer", "version": "cx-prompt-v8"})
    plan = plan_promotion(ledger, version="v1.3", target="approved", document=draft_prompt, governance=GOV,
                          actor="x", now=NOW, prompts=prompts)
    assert not plan.ok and "prompt 'cx-prompt-v8' has status 'draft', expected 'approved'" in plan.reason
    approved_prompt = draft_prompt.replace("cx-prompt-v8", "cx-prompt-v7")
    plan = plan_promotion(ledger, version="v1.3", target="approved", document=approved_prompt, governance=GOV,
                          actor="x", now=NOW, prompts=prompts)
    assert plan.ok, plan.reason
    assert plan.review is not None and set(plan.review.classes) == {"prompts"}
    assert plan.records[-1][1].prompt_version == "cx-prompt-v7"


def test_lifecycle_refuses_skipping_approval_and_a_second_canary() -> None:
    ledger = _ledger_with_active()
    text = over_automating(BASE, version="v1.1")
    plan = plan_promotion(ledger, version="v1.1", target="canary", document=text, governance=GOV, actor="x", now=NOW)
    assert not plan.ok and "a version in stage 'draft' cannot move to 'canary'" in plan.reason
    for target in ("approved", "canary"):
        plan = plan_promotion(ledger, version="v1.1", target=target, document=text if target == "approved" else None,
                              governance=GOV, actor="x", now=NOW, share=0.2)
        assert plan.ok, plan.reason
        for key, record in plan.records:
            ledger.apply(key, record)
    assert ledger.canary is not None and ledger.canary.canary_share == 0.2
    other = over_automating(BASE, version="v1.4", intent="plan_change")
    for key, record in plan_promotion(ledger, version="v1.4", target="approved", document=other, governance=GOV,
                                      actor="x", now=NOW).records:
        ledger.apply(key, record)
    plan = plan_promotion(ledger, version="v1.4", target="canary", document=None, governance=GOV, actor="x", now=NOW)
    assert not plan.ok and "the canary slot runs 'v1.1'" in plan.reason
    changed = text.replace("from: 0.3", "from: 0.35")
    plan = plan_promotion(ledger, version="v1.1", target="active", document=changed, governance=GOV, actor="x", now=NOW)
    assert not plan.ok and "already recorded with another document" in plan.reason


def test_canary_to_active_retires_the_old_active_and_empties_the_canary_slot() -> None:
    ledger = _ledger_with_active()
    text = over_automating(BASE, version="v1.1")
    for target, doc in (("approved", text), ("canary", None), ("active", None)):
        plan = plan_promotion(ledger, version="v1.1", target=target, document=doc, governance=GOV, actor="x", now=NOW)
        assert plan.ok, plan.reason
        for key, record in plan.records:
            ledger.apply(key, record)
    assert ledger.active is not None and ledger.active.version == "v1.1"
    assert ledger.canary is None
    assert ledger.stage_of("v1.0") == "retired"


def test_rollback_retires_the_canary_keeps_active_and_audits_rollback_and_alert() -> None:
    ledger = _ledger_with_active()
    text = over_automating(BASE, version="v1.1")
    for target, doc in (("approved", text), ("canary", None)):
        for key, record in plan_promotion(ledger, version="v1.1", target=target, document=doc, governance=GOV,
                                          actor="x", now=NOW).records:
            ledger.apply(key, record)
    plan = plan_rollback(ledger, version="v1.1", reason="canary burns", details={"sli": "containment_quality"}, now=NOW)
    assert plan.ok
    for key, record in plan.records:
        ledger.apply(key, record)
    assert ledger.canary is None and ledger.active is not None and ledger.active.version == "v1.0"
    assert ledger.stage_of("v1.1") == "retired"
    assert [a.kind for a in plan.audit] == ["rollback", "alert"]
    assert not plan_rollback(ledger, version="v1.1", reason="again", details={}, now=NOW).ok


def test_governance_file_errors_name_path_and_value(tmp_path: Path) -> None:
    with pytest.raises(GovernanceError, match=r"changes\[0\]\.min_approvals: expected an integer >= 1 \(value: 0\)"):
        parse_governance({"approvers": {"a": ["operations"]},
                          "changes": [{"name": "other", "paths": [], "roles": ["operations"], "min_approvals": 0}]})
    with pytest.raises(GovernanceError, match="expected a rule named 'other'"):
        parse_governance({"approvers": {"a": ["x"]}, "changes": []})
