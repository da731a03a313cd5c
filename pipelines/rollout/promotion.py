"""Plan a promotion (``loopline policy promote VERSION --to STAGE``) or a rollback: the records to
publish on ``cx.policies.v1`` and the audit records, or a refusal with its reason. Pure: the
caller publishes.

>>> from datetime import datetime, timezone
>>> from pipelines.escalation.policy import DEFAULT_POLICY
>>> from pipelines.rollout.governance import load_governance
>>> gov, now = load_governance(), datetime(2026, 3, 1, tzinfo=timezone.utc)
>>> text = DEFAULT_POLICY.read_text()
>>> first = plan_promotion(PolicyLedger(), version="v1.0", target="approved", document=text,
...                        governance=gov, actor="ops-lead", now=now)
>>> first.ok, [a.kind for a in first.audit]
(True, ['approval', 'approval', 'approval', 'stage_change'])
>>> draft = text.replace("version: v1.0", "version: v1.1").replace("from: 0.82", "from: 0.30").replace(
...     "{action: clarify,    from: 0.72, to: 0.82}", "{action: clarify,    from: 0.25, to: 0.30}")
>>> PolicyLedger.from_records(first.records).stage_of("v1.0")
'approved'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.policy import parse_policy
from pipelines.rollout.audit import audit
from pipelines.rollout.exceptions import PromotionRefused
from pipelines.rollout.governance import Governance
from pipelines.rollout.ledger import PolicyLedger, slot_key, version_key
from pipelines.rollout.lifecycle import SLOT_OF_STAGE, check_transition
from pipelines.rollout.prompts import PromptCatalogue, prompt_version_of
from pipelines.rollout.review import Review, review
from topics.outputs import AuditRecord, PolicyRecord, Scalar

Keyed = tuple[str, PolicyRecord]


@dataclass
class Promotion:
    ok: bool
    reason: str = ""
    records: list[Keyed] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)
    review: Review | None = None


def plan_promotion(
    ledger: PolicyLedger, *, version: str, target: str, document: str | None, governance: Governance,
    actor: str, now: datetime, share: float | None = None, prompts: PromptCatalogue | None = None,
) -> Promotion:
    """The records and audit of moving ``version`` to ``target``, or a refusal (audited too)."""
    current = ledger.stage_of(version)
    try:
        return _plan(ledger, version=version, target=target, document=document, governance=governance,
                     actor=actor, now=now, share=share, prompts=prompts, current=current)
    except PromotionRefused as exc:
        refusal = audit("refusal", subject=ledger.name, actor=actor, now=now, version=version,
                        from_stage=current or "draft", to_stage=target, reason=str(exc))
        return Promotion(ok=False, reason=str(exc), audit=[refusal])


def _plan(
    ledger: PolicyLedger, *, version: str, target: str, document: str | None, governance: Governance,
    actor: str, now: datetime, share: float | None, prompts: PromptCatalogue | None, current: str | None,
) -> Promotion:
    known = ledger.version(version)
    if known is not None and known.document and document is not None and _parsed(document) != _parsed(known.document):
        raise PromotionRefused(f"document: version {version!r} is already recorded with another document; "
                               "a changed policy needs a new version")
    text = document if document is not None else (known.document if known else None)
    if not text:
        raise PromotionRefused(f"document: no document for version {version!r} (pass --file)")
    doc = _parsed(text)
    if str(doc.get("version")) != version:
        raise PromotionRefused(f"document: version: the file holds version {doc.get('version')!r}, not {version!r}")
    try:
        parse_policy(doc, source=f"{ledger.name}@{version}")
    except PolicyError as exc:
        raise PromotionRefused(f"document: invalid policy: {'; '.join(exc.problems[:3])}") from exc
    check_transition(current, target, has_active=ledger.active is not None, require_shadow=governance.require_shadow)
    out = Promotion(ok=True)
    active = ledger.active
    if target == "approved":
        result = review(governance, doc, _parsed(active.document) if active else None, prompts=prompts)
        out.review = result
        if not result.approved:
            raise PromotionRefused("governance: " + "; ".join(result.problems))
        for by, role in result.approvals:
            out.audit.append(audit("approval", subject=ledger.name, actor=by, now=now, version=version,
                                   to_stage="approved", details={"role": role}))
    if target in ("shadow", "canary"):
        holder = ledger.shadow if target == "shadow" else ledger.canary
        if holder is not None and holder.version != version:
            raise PromotionRefused(f"slot: the {target} slot runs {holder.version!r}; retire or promote it first")
    share = (share if share is not None else governance.canary.default_share) if target == "canary" else 0.0
    if target == "canary" and not 0.0 < share <= 0.5:
        raise PromotionRefused(f"share: a canary takes a share in (0, 0.5] of conversations (value: {share})")
    approvals = [f"{a.get('by')}:{a.get('role')}" for a in doc.get("approvals") or [] if isinstance(a, dict)]
    prompt = prompt_version_of(doc, prompts) if prompts is not None else _prompt(doc)
    details: dict[str, Scalar] = {"share": share} if target == "canary" else {}

    def record(slot: str, stage: str, *, reason: str = "", canary_share: float = 0.0) -> PolicyRecord:
        return PolicyRecord(name=ledger.name, version=version, slot=slot, document=text, approvals=approvals,  # type: ignore[arg-type]
                            canary_share=canary_share, time=now, stage=stage, prompt_version=prompt,  # type: ignore[arg-type]
                            reason=reason)

    reason = f"promoted by {actor}"
    if target == "active" and active is not None and active.version != version:
        retired = PolicyRecord(name=ledger.name, version=active.version, slot="candidate", document=active.document,
                               approvals=active.approvals, time=now, stage="retired",
                               prompt_version=active.prompt_version, reason=f"replaced by {version}")
        out.records.append((version_key(ledger.name, active.version), retired))
        out.audit.append(audit("stage_change", subject=ledger.name, actor=actor, now=now, version=active.version,
                               from_stage="active", to_stage="retired", reason=f"replaced by {version}"))
    slot = SLOT_OF_STAGE[target]
    if slot in ("active", "shadow", "canary"):
        out.records.append((slot_key(ledger.name, slot), record(slot, target, reason=reason, canary_share=share)))
    if current in ("shadow", "canary"):  # leaving a serving slot empties it (after the new slot is filled)
        out.records.append((slot_key(ledger.name, current), record("retired", target, reason=reason)))
    out.records.append((version_key(ledger.name, version), record("candidate", target, reason=reason, canary_share=share)))
    out.audit.append(audit("stage_change", subject=ledger.name, actor=actor, now=now, version=version,
                           from_stage=current or "draft", to_stage=target, reason=reason, details=details))
    return out


def plan_rollback(
    ledger: PolicyLedger, *, version: str, reason: str, details: dict[str, Scalar], now: datetime,
    actor: str = "rollout-controller",
) -> Promotion:
    """Retire the running canary ``version`` (active unchanged): the records, a rollback and an alert audit."""
    canary = ledger.canary
    if canary is None or canary.version != version:
        return Promotion(ok=False, reason=f"no canary {version!r} is running (canary slot: "
                                          f"{canary.version if canary else None!r})")
    retired = PolicyRecord(name=ledger.name, version=version, slot="retired", document=canary.document,
                           approvals=canary.approvals, time=now, stage="retired",
                           prompt_version=canary.prompt_version, reason=reason)
    ledger_record = PolicyRecord(name=ledger.name, version=version, slot="candidate", document=canary.document,
                                 approvals=canary.approvals, time=now, stage="retired",
                                 prompt_version=canary.prompt_version, reason=reason)
    return Promotion(ok=True, reason=reason, records=[
        (slot_key(ledger.name, "canary"), retired), (version_key(ledger.name, version), ledger_record),
    ], audit=[
        audit("rollback", subject=ledger.name, actor=actor, now=now, version=version, from_stage="canary",
              to_stage="retired", reason=reason, details=details),
        audit("alert", subject=ledger.name, actor=actor, now=now, version=version, reason=f"canary rolled back: {reason}",
              details={"severity": "page", **details}),
    ])


def _parsed(text: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PromotionRefused(f"document: not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise PromotionRefused(f"document: expected a mapping (value: {type(doc).__name__})")
    return doc


def _prompt(doc: dict[str, Any]) -> str:
    prompt = doc.get("prompt")
    return str(prompt.get("version", "")) if isinstance(prompt, dict) else ""
