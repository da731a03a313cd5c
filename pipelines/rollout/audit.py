"""Audit records: one per stage change, approval, refused promotion, rollback, alert, erasure.

>>> from datetime import datetime, timezone
>>> a = audit("refusal", subject="escalation", actor="ops-lead", version="v2", to_stage="approved",
...           reason="thresholds change needs 2 approvals", now=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> a.kind, a.audit_id == audit("refusal", subject="escalation", actor="ops-lead", version="v2",
...     to_stage="approved", reason="x", now=a.time).audit_id
('refusal', True)
"""

from __future__ import annotations

import hashlib
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
    """The audit record of a crypto-shredding erasure: rows removed per table, and the subject named
    by a one-way reference to its token — never the token itself, which the erasure's byte scan
    proved gone from the lake (an auditor holding the customer id recomputes the reference).

    >>> from datetime import datetime, timezone
    >>> record = erasure("tok:customer_id:ab12", actor="erasure-job",
    ...                  now=datetime(2026, 3, 1, tzinfo=timezone.utc), tables={"interactions": 12})
    >>> record.details, record.subject.startswith("erased:"), "ab12" in record.subject
    ({'rows.interactions': 12}, True, False)
    """
    return audit("erasure", subject=erasure_reference(customer_token), actor=actor, now=now,
                 reason="customer erasure request",
                 details={f"rows.{name}": n for name, n in sorted(tables.items())})


def erasure_reference(customer_token: str) -> str:
    """``erased:<sha-256 of the token, 24 hex>``: names an erased subject without re-identifying it."""
    return "erased:" + hashlib.sha256(customer_token.encode("utf-8")).hexdigest()[:24]
