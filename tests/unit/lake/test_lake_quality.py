"""The quality gate fails on a raw e-mail in a text column and passes on a clean table."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from lake.quality import run_quality
from lake.rows import RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice
from topics.events import Event

from .conftest import located


def _write(lake_dir: str, builder: RowBuilder, events: list[Event], *, seed_email: bool) -> None:
    rows = builder.interactions(located(events))
    if seed_email:  # a masking bug: one raw e-mail reaches the text column
        text = rows.column("text").to_pylist()
        i = next(n for n, v in enumerate(text) if v)
        text[i] = "write to ann.lee@example.org please"
        rows = rows.set_column(rows.schema.get_field_index("text"), "text", pc.cast(text, "string"))
    LakeWriter(lake_dir).append(TABLES["interactions"], [Slice("g:t:0", 0, len(events) - 1, rows)])


def test_quality_passes_on_clean_tables_and_fails_on_a_raw_email(
    tmp_path: Path, builder: RowBuilder, sim_events: list[Event]
) -> None:
    clean, dirty = str(tmp_path / "clean"), str(tmp_path / "dirty")
    _write(clean, builder, sim_events, seed_email=False)
    _write(dirty, builder, sim_events, seed_email=True)
    only = [TABLES["interactions"]]

    passed = run_quality(clean, docs_dir=tmp_path / "q1", tables=only)
    failed = run_quality(dirty, docs_dir=tmp_path / "q2", tables=only)

    assert passed.success, passed.summary_lines()
    assert not failed.success
    assert [(c.expectation, c.column, c.unexpected) for c in failed.failures()] == [
        ("expect_column_values_to_not_match_regex", "text", 1)]
    assert failed.docs_index is not None and failed.docs_index.exists()
    assert "ann.lee@example.org" not in "\n".join(failed.summary_lines())
