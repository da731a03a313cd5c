"""The ``audit`` Delta table: every stage change, approval, refused promotion, rollback, alert and
erasure (records of ``cx.audit.v1``), appended idempotently by ``audit_id``.

Kept out of :data:`lake.tables.TABLES` on purpose (like the jobs' tables): it holds no customer
text, and the sink, the quality suites and erasure iterate ``TABLES``. An erasure's audit row keeps
the erased customer's *token* only — the evidence that the erasure happened must outlive the data.

>>> import tempfile
>>> from datetime import datetime, timezone
>>> from topics.outputs import AuditRecord
>>> root = tempfile.mkdtemp()
>>> rec = AuditRecord(audit_id="a1", time=datetime(2026, 3, 1, tzinfo=timezone.utc), kind="rollback",
...                   subject="escalation", actor="rollout-controller", version="v2", reason="burn")
>>> write_audit(root, [rec, rec]), write_audit(root, [rec])
(1, 0)
>>> [r["kind"] for r in read_audit(root)]
['rollback']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from lake.tables import PARTITION_COLUMN, TIMESTAMP, table_uri
from topics.outputs import AuditRecord

AUDIT = "audit"
AUDIT_SCHEMA = pa.schema([
    pa.field("audit_id", pa.string(), nullable=False),
    pa.field("time", TIMESTAMP, nullable=False),
    pa.field(PARTITION_COLUMN, pa.date32(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("subject", pa.string(), nullable=False),
    pa.field("actor", pa.string(), nullable=False),
    pa.field("version", pa.string()),
    pa.field("from_stage", pa.string()),
    pa.field("to_stage", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("details_json", pa.string()),
])


def _rows(records: Sequence[AuditRecord]) -> pa.Table:
    return pa.Table.from_pylist([{
        "audit_id": r.audit_id, "time": r.time, PARTITION_COLUMN: r.time.date(), "kind": r.kind,
        "subject": r.subject, "actor": r.actor, "version": r.version, "from_stage": r.from_stage,
        "to_stage": r.to_stage, "reason": r.reason, "details_json": json.dumps(r.details, sort_keys=True),
    } for r in records], schema=AUDIT_SCHEMA)


def _table(root: str) -> DeltaTable | None:
    try:
        return DeltaTable(table_uri(root, AUDIT))
    except TableNotFoundError:
        return None


def write_audit(root: str, records: Sequence[AuditRecord]) -> int:
    """Append the records not yet in the table (by ``audit_id``); return how many were written.

    A re-sent record (same id) is skipped, so the controller and the CLI may write at least once.
    """
    unique = list({r.audit_id: r for r in records}.values())
    table = _table(root)
    if table is not None and unique:
        stored = table.to_pyarrow_dataset().to_table(columns=["audit_id"], filter=None).column("audit_id").to_pylist()
        known = set(stored) & {r.audit_id for r in unique}
        unique = [r for r in unique if r.audit_id not in known]
    if not unique:
        return 0
    write_deltalake(table_uri(root, AUDIT), _rows(unique), mode="append", partition_by=[PARTITION_COLUMN])
    return len(unique)


def read_audit(root: str) -> list[dict[str, Any]]:
    """Every audit row, oldest first."""
    table = _table(root)
    if table is None:
        return []
    rows = table.to_pyarrow_table().to_pylist()
    return sorted(rows, key=lambda r: (r["time"], r["audit_id"]))
