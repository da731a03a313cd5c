"""Erasure on a real Delta lake: a customer's conversations are written through the lake writer
(masked, tokens filed in the vault), erased, and a byte scan of every file under the lake proves
that neither their raw identifiers nor their tokens remain, while other customers' rows are intact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from lake.erase import erase_subject
from lake.maintenance import compact
from lake.masking import CustomerIndex, SubjectTokens
from lake.rows import Located, RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice
from pipelines.sources.simulator import Simulation, SimulationConfig
from privacy import Masker, MaskingKey, MasterKey, Vault
from privacy.scan import find_residue
from topics.codec import decode_event
from topics.events import ConversationStarted, SlotCollected

pytestmark = pytest.mark.integration


def test_erase_removes_every_trace_of_one_customer_and_keeps_the_others(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault", key_dir=tmp_path / "vault-keys", master_key=MasterKey(b"m" * 32))
    hook = SubjectTokens(store=vault)
    masker = Masker.for_destination("lake", key=MaskingKey(b"t" * 32), on_token=hook)
    builder = RowBuilder(masker, hook=hook, customers=CustomerIndex())
    events = [decode_event(r.value) for r in Simulation(SimulationConfig(conversations=60, seed=5)).records()]
    customers = Counter(e.data.customer_id for e in events if isinstance(e.data, ConversationStarted))
    victim = next(c for c, n in customers.items() if n >= 1)
    victim_convs = {e.subject for e in events if isinstance(e.data, ConversationStarted) and e.data.customer_id == victim}
    victim_slots = [e.data.value for e in events if e.subject in victim_convs and isinstance(e.data, SlotCollected)]
    assert victim_slots, "the victim gave personal data (name, e-mail …) in their conversations"

    writer = LakeWriter(str(tmp_path / "lake"))
    half = len(events) // 2  # two commits, then compaction: history holds the victim in several files
    for i, part in enumerate((events[:half], events[half:])):
        rows = builder.interactions([Located(e, "cx.interactions.v1", 0, i * half + n) for n, e in enumerate(part)])
        writer.append(TABLES["interactions"], [Slice("g:cx.interactions.v1:0", i * half, i * half + len(part) - 1, rows)])
    compact(str(tmp_path / "lake"), TABLES["interactions"], vacuum_retention_hours=168)

    token = masker.token("CUSTOMER_ID", victim)
    needles = [victim, token, *vault.tokens_of(victim)]
    assert find_residue(tmp_path / "lake", needles), "before erasure the victim's tokens are in the lake"
    total_before = DeltaTable(str(tmp_path / "lake" / "interactions")).count()

    report = erase_subject(victim, lake_root=tmp_path / "lake", masker=masker, vault=vault)
    print("\n".join(report.summary_lines()))

    assert report.residue == [], "byte scan found the subject after erasure"
    assert find_residue(tmp_path / "lake", needles) == []
    remaining = DeltaTable(str(tmp_path / "lake" / "interactions")).to_pyarrow_table()
    victim_rows = sum(1 for e in events if e.subject in victim_convs)
    assert report.rows_deleted["interactions"] == victim_rows
    assert remaining.num_rows == total_before - victim_rows
    assert not set(remaining.column("conversation_id").to_pylist()) & victim_convs
    others = {e.id for e in events if e.subject not in victim_convs}
    assert set(remaining.column("event_id").to_pylist()) == others, "every other customer's row is intact"
    assert pc.sum(pc.is_valid(remaining.column("customer_token"))).as_py() > 0
    assert vault.tokens_of(victim) and not (tmp_path / "vault-keys" / f"{vault.subject_ref(victim)}.key").exists()
    events_logged = [e["event"] for e in vault.audit.entries()]
    assert {"shred", "erasure_lake", "erasure_verified"} <= set(events_logged)
    # the sink keeps writing afterwards: the transaction id survived the log clean-up
    assert DeltaTable(str(tmp_path / "lake" / "interactions")).transaction_version("g:cx.interactions.v1:0") == len(events) - 1
