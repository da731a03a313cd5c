"""The lake side of a right-to-erasure request (`loopline jobs erase --customer-id ID`).

Order matters:

1. ``privacy.erasure.plan`` — while the vault still knows them, list the raw identifiers and every
   token of the subject (the customer-id token, tokens of e-mails, phones … filed by the sink).
2. Find the subject's conversations (rows carrying their customer token) and DELETE, in every
   table, the rows of those conversations or carrying the token.
3. Remove the data files those DELETEs retired at once: retention 0 **for the erased files only**
   (local lakes: exactly the files named by the DELETE commits' ``remove`` actions; object stores:
   ``VACUUM`` with retention 0, which also drops other unreferenced files — time travel to older
   versions of that table is lost).
4. The Delta log still names the deleted rows' files and the DELETE predicate (which holds the
   token): write a checkpoint and clean the log up with a log retention of 0, then restore the
   table's normal log retention. History before the erasure is no longer available by time travel.
5. Tombstones on compacted topics keyed by the subject (none of loopline's topics is: the only
   compacted topic, ``cx.policies.v1``, is keyed by policy name), then shred the subject's data key
   in the vault (crypto-shredding) and append an audit entry.
6. VERIFY: a byte scan of every file under the lake (data files, ``_delta_log`` JSON and checkpoints,
   Parquet values, statistics and metadata) for the raw identifiers and the tokens.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deltalake import DeltaTable

from lake.datafiles import writer_properties
from lake.exceptions import ErasureError
from lake.maintenance import open_table
from lake.masking import TextMasker
from lake.rows import CUSTOMER_KIND
from lake.tables import TABLES, TableDef
from privacy import erasure
from privacy.scan import Residue
from privacy.vault import Vault

log = logging.getLogger(__name__)

#: Compacted topics whose key is a customer id (tombstoned on erasure). loopline has none.
SUBJECT_KEYED_COMPACTED_TOPICS: tuple[str, ...] = ()


@dataclass
class ErasureReport:
    subject_ref: str
    conversations: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    files_removed: int = 0
    tombstones: int = 0
    residue: list[Residue] = field(default_factory=list)
    needles: int = 0

    def summary_lines(self) -> list[str]:
        lines = [f"subject {self.subject_ref}: {self.conversations} conversations"]
        lines += [f"  {table}: {n} rows deleted" for table, n in self.rows_deleted.items()]
        lines.append(f"  data files removed: {self.files_removed}; tombstones: {self.tombstones}")
        if self.residue:
            where = sorted({f"{r.path} ({r.where})" for r in self.residue})
            lines.append(f"VERIFY FAILED: {len(self.residue)} residues of {self.needles} needles in: {'; '.join(where)}")
        else:
            lines.append(f"VERIFIED: none of {self.needles} identifiers/tokens remains under the lake")
        return lines


def sql_string(value: str) -> str:
    """A SQL string literal.

    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def delete_predicate(table: TableDef, *, token: str, conversations: list[str]) -> str | None:
    """The rows of the subject in ``table`` (None: the table holds nothing keyed by a subject).

    >>> delete_predicate(TABLES["interactions"], token="tok:customer_id:ab", conversations=["c1"])
    "customer_token = 'tok:customer_id:ab' OR conversation_id IN ('c1')"
    >>> delete_predicate(TABLES["slo_windows"], token="t", conversations=["c1"]) is None
    True
    """
    names = set(table.schema.names)
    parts = []
    if "customer_token" in names:
        parts.append(f"customer_token = {sql_string(token)}")
    if "conversation_id" in names and conversations:
        parts.append(f"conversation_id IN ({', '.join(sql_string(c) for c in conversations)})")
    return " OR ".join(parts) or None


def subject_conversations(root: str, token: str) -> list[str]:
    """Conversation ids of rows carrying the subject's customer token (interactions, escalations)."""
    import pyarrow.compute as pc

    found: set[str] = set()
    for name in ("interactions", "escalations"):
        dt = open_table(root, TABLES[name])
        if dt is None:
            continue
        data = dt.to_pyarrow_dataset().to_table(
            columns=["conversation_id"], filter=pc.field("customer_token") == token)
        found.update(data.column("conversation_id").to_pylist())
    return sorted(found)


def _removed_files(dt: DeltaTable, since_version: int) -> list[str]:
    """Paths named by ``remove`` actions in the commits after ``since_version``."""
    paths: list[str] = []
    log_dir = Path(dt.table_uri.removeprefix("file://")) / "_delta_log"
    for version in range(since_version + 1, dt.version() + 1):
        commit = log_dir / f"{version:020d}.json"
        if not commit.exists():
            continue
        for line in commit.read_text(encoding="utf-8").splitlines():
            action = json.loads(line) if line.strip() else {}
            if "remove" in action:
                paths.append(action["remove"]["path"])
    return paths


def _remove_unreferenced_holding(dt: DeltaTable, *, token: str, conversations: list[str]) -> int:
    """Delete the files no longer in the snapshot (older compactions, retired versions) that still
    hold a row of the subject; other unreferenced files keep their normal vacuum retention."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    base = Path(dt.table_uri.removeprefix("file://"))
    active = {Path(u.removeprefix("file://")).resolve() for u in dt.file_uris()}
    wanted = pa.array(conversations, pa.string())
    removed = 0
    for path in base.rglob("*.parquet"):
        if "_delta_log" in path.parts or path.resolve() in active:
            continue
        schema = pq.read_schema(path)
        columns = [c for c in ("customer_token", "conversation_id") if c in schema.names]
        if not columns:
            continue
        data = pq.read_table(path, columns=columns)
        hit = False
        if "customer_token" in columns:
            hit = bool(pc.any(pc.equal(data.column("customer_token"), token)).as_py())
        if not hit and "conversation_id" in columns and conversations:
            hit = bool(pc.any(pc.is_in(data.column("conversation_id"), value_set=wanted)).as_py())
        if hit:
            path.unlink()
            removed += 1
    return removed


def _is_local(uri: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*://", uri) or uri.startswith("file://")


def _forget_history(dt: DeltaTable) -> None:
    """Checkpoint, then drop every older log entry (log retention 0), then restore the setting."""
    key = "delta.logRetentionDuration"
    previous = dt.metadata().configuration.get(key) or "interval 30 days"
    dt.alter.set_table_properties({key: "interval 0 seconds"})
    dt.create_checkpoint()
    dt.cleanup_metadata()
    dt.alter.set_table_properties({key: previous})


def erase_subject(
    customer_id: str,
    *,
    lake_root: Path | str,
    masker: TextMasker,
    vault: Vault,
    identifiers: Mapping[str, str] | None = None,
    bootstrap_servers: str | None = None,
    tables: list[TableDef] | None = None,
) -> ErasureReport:
    """Erase one customer from the lake and prove it (see the module docstring for the steps)."""
    root = str(lake_root)
    ids = {CUSTOMER_KIND: customer_id, **(identifiers or {})}
    plan = erasure.plan(customer_id, identifiers=ids, masker=masker, vault=vault)  # type: ignore[arg-type]
    token = masker.token(CUSTOMER_KIND, customer_id)
    report = ErasureReport(subject_ref=vault.subject_ref(customer_id), needles=len(plan.needles))
    conversations = subject_conversations(root, token)
    report.conversations = len(conversations)
    for table in tables or list(TABLES.values()):
        predicate = delete_predicate(table, token=token, conversations=conversations)
        dt = open_table(root, table)
        if predicate is None or dt is None:
            continue
        before = dt.version()
        try:
            metrics = dt.delete(predicate, writer_properties=writer_properties(table))
        except Exception as exc:  # delta-rs raises several types; the step and table are what matter
            raise ErasureError(f"erasure of subject {report.subject_ref}: DELETE on {table.name} failed: {exc}") from exc
        report.rows_deleted[table.name] = int(metrics.get("num_deleted_rows", 0))
        if _is_local(root):
            base = Path(dt.table_uri.removeprefix("file://"))
            for rel in _removed_files(dt, before):
                path = base / rel
                if path.exists():
                    path.unlink()
                    report.files_removed += 1
            report.files_removed += _remove_unreferenced_holding(dt, token=token, conversations=conversations)
        else:
            report.files_removed += len(dt.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False))
        _forget_history(dt)
    report.tombstones = tombstone(bootstrap_servers, [customer_id]) if bootstrap_servers else 0
    erasure.shred(plan, vault=vault)
    vault.audit.append("erasure_lake", subject_ref=report.subject_ref, conversations=report.conversations,
                       rows_deleted=report.rows_deleted, files_removed=report.files_removed,
                       tombstones=report.tombstones)
    report.residue = erasure.verify(plan, Path(root), vault=vault)
    return report


def tombstone(bootstrap_servers: str, keys: list[str], *, topics: tuple[str, ...] = SUBJECT_KEYED_COMPACTED_TOPICS) -> int:
    """Write a tombstone (null value) for each key on each subject-keyed compacted topic."""
    if not topics:
        return 0
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap_servers})
    for topic in topics:
        for key in keys:
            producer.produce(topic, key=key.encode(), value=None)
    if producer.flush(30):
        raise ErasureError(f"tombstones for {len(keys)} keys on {topics} not delivered within 30 s")
    return len(topics) * len(keys)
