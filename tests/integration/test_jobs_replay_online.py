"""`replay online` on the real embedded broker: every masked event of the period reaches the sandbox
topic, keyed by conversation, each conversation in its source order."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from jobs.lakeio import Period
from jobs.online import publish_period
from jobs.simlake import build_lake
from pipelines.sources.simulator import SimulationConfig
from topics.codec import decode_event
from topics.reader import read_topic


@pytest.mark.integration
def test_replay_online_preserves_per_conversation_order(broker: str, topic_factory: Any, tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    build_lake(root, SimulationConfig(conversations=40, seed=2, late_share=0.05))
    topic = topic_factory().name
    result = publish_period(root, Period.parse(None, None), bootstrap_servers=broker, topic=topic, speed=0.0)
    lake = pl.read_delta(f"{root}/interactions").sort("conversation_id", "source_partition", "source_offset")
    expected: dict[str, list[str]] = defaultdict(list)
    for r in lake.iter_rows(named=True):
        expected[r["conversation_id"]].append(r["event_id"])
    got: dict[str, list[str]] = defaultdict(list)
    texts = {}
    for message in read_topic(broker, topic):
        event = decode_event(message.value or b"")
        assert (message.key or b"").decode() == event.subject
        got[event.subject].append(event.id)
        texts[event.id] = getattr(event.data, "text", None)
    assert result.published == lake.height == sum(len(v) for v in got.values())
    assert got == expected
    stored = dict(zip(lake["event_id"], lake["text"], strict=True))
    assert all(texts[i] == stored[i] for i in texts if texts[i]), "the lake's masked texts, never raw ones"
