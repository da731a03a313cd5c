"""Audit records: one per stage change, approval, refused promotion, rollback, alert, erasure.

>>> from datetime import datetime, timezone
>>> a = audit("refusal", subject="escalation", actor="ops-lead", version="v2", to_stage="approved",
...           reason="thresholds change needs 2 approvals", now=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> a.kind, a.audit_id == audit("refusal", subject="escalation", actor="ops-lead", version="v2",
...     to_stage="approved", reason="x", now=a.time).audit_id
('refusal', True)
"""

from __future__ import annotations

from datetime import datetime

from topics.outputs import AuditKind, AuditRecord, Scalar, deterministic_id


def audit(
    kind: AuditKind, *, subject: str, actor: str, now: datetime, version: str = "", from_stage: str = "",
    to_stage: str = "", reason: str = "", details: dict[str, Scalar] | None = None,
) -> AuditRecord:
    """One audit record; its id hashes what happened and when (a re-sent record keeps its id)."""
    return AuditRecord(
        audit_id=deterministic_id("audit", kind, subject, version, from_stage, to_stage, actor, now.isoformat(),
                                  str(sorted((details or {}).items()))),
        time=now, kind=kind, subject=subject, actor=actor, version=version, from_stage=from_stage,
        to_stage=to_stage, reason=reason[:2000], details=details or {},
    )


def erasure(customer_token: str, *, actor: str, now: datetime, tables: dict[str, int]) -> AuditRecord:
    """The audit record of a crypto-shredding erasure (rows removed per table; the token only, no PII).

    >>> from datetime import datetime, timezone
    >>> erasure("tok:customer_id:ab12", actor="erasure-job", now=datetime(2026, 3, 1, tzinfo=timezone.utc),
    ...         tables={"interactions": 12}).details
    {'rows.interactions': 12}
    """
    return audit("erasure", subject=customer_token, actor=actor, now=now, reason="customer erasure request",
                 details={f"rows.{name}": n for name, n in sorted(tables.items())})
