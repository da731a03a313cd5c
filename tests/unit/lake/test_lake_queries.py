"""The README's three analyst questions give the same answers in polars and in DuckDB."""

from __future__ import annotations

import pytest

from lake.maintenance import compact
from lake.queries import POLARS_ANSWERS, duckdb_answer
from lake.rows import RowBuilder
from lake.tables import TABLES
from lake.writer import LakeWriter, Slice
from topics.events import Event

from .conftest import located


@pytest.mark.parametrize("question", sorted(POLARS_ANSWERS))
def test_polars_and_duckdb_agree_on_the_current_snapshot(
    question: str, lake_dir: str, builder: RowBuilder, sim_events: list[Event]
) -> None:
    writer = LakeWriter(lake_dir)
    half = len(sim_events) // 2
    for i, part in enumerate((sim_events[:half], sim_events[half:])):
        rows = builder.interactions(located(part, first_offset=i * half))
        writer.append(TABLES["interactions"], [Slice("g:t:0", i * half, i * half + len(part) - 1, rows)])
    compact(lake_dir, TABLES["interactions"])  # removed files stay on disk: DuckDB must not read them
    expected = POLARS_ANSWERS[question](lake_dir).to_dicts()
    assert expected, f"{question}: no answer on a non-empty table"
    assert duckdb_answer(lake_dir, question) == expected
