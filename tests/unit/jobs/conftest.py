"""Fixtures for the batch jobs' unit tests: lakes filled from simulator runs (no broker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jobs.simlake import SimulatedLake, build_lake
from pipelines.sources.simulator import SCENARIOS, Simulation, SimulationConfig

#: rephrases need the embedding model to be caught; with lexical signals the core would miss some
#: and production would then differ from the truth file the golden test reads
NO_REPHRASE = {k: v for k, v in SCENARIOS.items() if k != "rephrase"}
GOLDEN = SimulationConfig(conversations=700, seed=21, scenario_weights=NO_REPHRASE)


@pytest.fixture(scope="session")
def golden_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulatedLake, list[dict[str, Any]], Path]:
    """The golden lake, its truth file, and the simulator's raw events as JSONL."""
    folder = tmp_path_factory.mktemp("golden")
    lake = build_lake(str(folder / "lake"), GOLDEN)
    truth_path = folder / "truth.jsonl"
    truth_path.write_text("".join(json.dumps(r) + "\n" for r in lake.truth), encoding="utf-8")
    events = folder / "events.jsonl"
    with events.open("wb") as handle:
        for record in Simulation(GOLDEN).records():
            handle.write(record.value + b"\n")
    return lake, [json.loads(line) for line in truth_path.read_text().splitlines()], events
