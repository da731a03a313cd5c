"""Fixtures for the lake's unit tests: a fresh lake folder, a masker, simulator events."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.rows import Located, RowBuilder
from pipelines.sources.simulator import Simulation, SimulationConfig
from privacy import Masker, MaskingKey
from topics.codec import decode_event
from topics.events import Event


@pytest.fixture
def lake_dir(tmp_path: Path) -> str:
    return str(tmp_path / "lake")


@pytest.fixture
def masker() -> Masker:
    return Masker.for_destination("lake", key=MaskingKey(b"u" * 32))


@pytest.fixture(scope="session")
def sim_events() -> list[Event]:
    return [decode_event(r.value) for r in Simulation(SimulationConfig(conversations=40, seed=9)).records()]


def located(events: list[Event], *, partition: int = 0, first_offset: int = 0) -> list[Located[Event]]:
    return [Located(e, "cx.interactions.v1", partition, first_offset + i) for i, e in enumerate(events)]


@pytest.fixture
def builder(masker: Masker) -> RowBuilder:
    return RowBuilder(masker)
