"""Crashes the coverage-guided fuzzer found (all fixed), kept as regression cases with their
inputs in tests/fixtures/proof/fuzz-findings/: each must now be a clear error or a dead letter."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_targets import POLICY_DOC, check_edge_guard, check_policy, mutate_from_bytes

FINDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "proof" / "fuzz-findings"


def test_invalid_utf8_found_by_atheris_becomes_a_dead_letter() -> None:
    check_edge_guard((FINDINGS / "decode_event-UnicodeDecodeError").read_bytes())


@pytest.mark.parametrize("name", ["policy-TypeError-437", "policy-OSError-1044"])
def test_policy_mutations_found_by_atheris_are_refused_with_a_policy_error(name: str) -> None:
    check_policy(mutate_from_bytes(POLICY_DOC, (FINDINGS / name).read_bytes()))
