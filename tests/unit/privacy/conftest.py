from __future__ import annotations

import json
from pathlib import Path

import pytest

from privacy.keys import MaskingKey, MasterKey

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "privacy"
PRESIDIO = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "dev"
    / "presidio_generated_small.json"
)


@pytest.fixture
def key() -> MaskingKey:
    return MaskingKey(b"\x01" * 32, source="test")


@pytest.fixture
def master_key() -> MasterKey:
    return MasterKey(b"\x02" * 32, source="test")


@pytest.fixture
def labelled() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "labelled.jsonl").read_text().splitlines()]
