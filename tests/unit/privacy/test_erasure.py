"""Erasure: a customer's rows written to a Delta table are deleted, vacuumed and shredded, and a
byte + Parquet scan proves nothing of them remains while another customer's rows are intact."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

from privacy import erasure
from privacy.keys import MaskingKey, MasterKey
from privacy.masking import Masker
from privacy.scan import find_residue
from privacy.vault import Vault


def _rows(masker: Masker, customer: str, email: str, n: int) -> dict[str, list[str]]:
    tok = masker.token("CUSTOMER_ID", customer)
    return {
        "customer_token": [tok] * n,
        "text": [masker.mask(f"hi it's {email}, message {i}").text for i in range(n)],
    }


def test_erasure_leaves_no_residue(tmp_path: Path, key: MaskingKey, master_key: MasterKey) -> None:
    lake = tmp_path / "lake" / "interactions"
    vault = Vault(tmp_path / "vault", key_dir=tmp_path / "keys", master_key=master_key)
    current = {"customer": ""}  # the lake writer knows whose message it masks
    masker = Masker.for_destination(
        "lake", key=key, on_token=lambda t, k, v: vault.put(current["customer"], t, k, v)
    )
    # zero retention so that vacuum and log cleanup can remove history in a test
    cfg = {
        "delta.logRetentionDuration": "interval 0 seconds",
        "delta.deletedFileRetentionDuration": "interval 0 seconds",
    }
    # ids long enough not to occur by chance in a UUID file name ("c-1" did, now and then)
    customers = (("customer-000001", "ann@example.org"), ("customer-000002", "bob@example.net"))
    for customer, email in customers:
        current["customer"] = customer
        write_deltalake(
            str(lake), pa.table(_rows(masker, customer, email, 3)), mode="append", configuration=cfg
        )
    plan = erasure.plan(
        "customer-000001",
        identifiers={"CUSTOMER_ID": "customer-000001", "EMAIL": "ann@example.org"},
        masker=masker,
        vault=vault,
    )
    assert find_residue(lake, plan.needles), "the subject's tokens are in the lake before erasure"

    table = DeltaTable(str(lake))
    table.delete(f"customer_token = '{plan.tokens[0]}'")
    table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    erasure.shred(plan, vault=vault)
    # the old commit's statistics still name the subject's token: deleting rows is not enough
    stale = erasure.verify(plan, lake)
    assert stale and all("_delta_log" in str(r.path) for r in stale)
    table = DeltaTable(str(lake))
    table.create_checkpoint()
    table.cleanup_metadata()

    residue = erasure.verify(plan, lake, vault=vault)
    assert residue == []
    remaining = DeltaTable(str(lake)).to_pyarrow_table()
    assert remaining.num_rows == 3
    assert set(remaining.column("customer_token").to_pylist()) == {
        masker.token("CUSTOMER_ID", "customer-000002")
    }


def test_scan_reads_compressed_parquet_values_and_statistics(tmp_path: Path) -> None:
    value = "secret-value-" * 50
    pq.write_table(pa.table({"v": [value] * 100}), tmp_path / "x.parquet", compression="zstd")
    wheres = {r.where for r in find_residue(tmp_path, [value])}
    assert {"parquet-value", "parquet-statistics"} <= wheres
    hit = find_residue(tmp_path, [value])[0]
    assert value not in repr(hit)  # reports never carry the value
