"""Conversation facts: the hashed-key path gives exactly the string-key facts, and a hash collision
(two ids in one key group) makes collect_facts fall back to the string key."""

from __future__ import annotations

from typing import Any

import polars as pl

from jobs.facts import collect_facts, conversation_facts
from jobs.lakeio import scan
from pipelines.catalogue import load_catalogue


def _build(root: str) -> Any:
    def build(hashed_key: bool) -> pl.LazyFrame:
        return conversation_facts(scan(root, "interactions"), scan(root, "decisions"), scan(root, "escalations"),
                                  catalogue=load_catalogue(), hashed_key=hashed_key)
    return build


def test_hashed_key_facts_equal_string_key_facts(golden_lake: Any) -> None:
    lake, _truth, _events = golden_lake
    build = _build(lake.root)
    by_string = build(False).collect().sort("conversation_id")
    by_hash = collect_facts(build).select(by_string.columns).sort("conversation_id")
    assert by_hash.height == by_string.height == 700
    assert by_hash.equals(by_string)


def test_a_hash_collision_falls_back_to_the_string_key() -> None:
    calls: list[bool] = []

    def build(hashed_key: bool) -> pl.LazyFrame:
        calls.append(hashed_key)
        if hashed_key:  # one key group held two ids: min and max id differ
            return pl.LazyFrame({"conversation_id": ["c1"], "_conversation_id_max": ["c2"],
                                 "_conversation_key": [7], "resolved": [True]})
        return pl.LazyFrame({"conversation_id": ["c1", "c2"], "resolved": [True, False]})

    facts = collect_facts(build)
    assert calls == [True, False]
    assert facts["conversation_id"].to_list() == ["c1", "c2"]


def test_no_collision_drops_the_check_columns() -> None:
    def build(hashed_key: bool) -> pl.LazyFrame:
        assert hashed_key
        return pl.LazyFrame({"conversation_id": ["c1"], "_conversation_id_max": ["c1"],
                             "_conversation_key": [7], "resolved": [True]})

    assert collect_facts(build).columns == ["conversation_id", "resolved"]
