"""The CI version of `make chaos`: real embedded broker, every worker as a real process, kill -9 of
each worker and a broker stall while publishing, then the record-counting verifier.

And the proof that the verifier can fail: the same harness with a deliberately broken lake sink
(Kafka offsets committed BEFORE the Delta write; the harness kills it right after such a commit)
must end in RECORDS-LOST-OR-DUPLICATED.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loopline.chaos import ChaosConfig, run_chaos
from pipelines.verify import VERDICT_FAILED, VERDICT_OK

pytestmark = pytest.mark.integration


def test_kill_9_and_broker_stalls_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    config = ChaosConfig(events=4_000, seed=21, rate_eps=400.0, kills=3, stalls=1, stall_s=(2.0, 3.0),
                         min_up_s=10.0, bad_share=0.003, catch_up_timeout_s=240.0)
    result = run_chaos(config, state_dir=tmp_path, say=print)
    print("\n".join(result.lines))
    print(result.verdict.line())
    assert result.report["kills_by_worker"] == {"escalation": 1, "lake": 1, "slo": 1}
    assert result.verdict.line().startswith(VERDICT_OK), "\n".join(result.lines)
    names = {c.name for c in result.verdict.checks}
    assert {"escalations (sla_level 0)", "lake interactions", "slo windows", "dead letters by lake-sink"} <= names
    assert result.verdict.facts["lake_rows"] == 4_000 - result.verdict.facts["bad_injected"]


def test_a_sink_that_commits_before_writing_is_caught(tmp_path: Path) -> None:
    config = ChaosConfig(events=1_500, seed=22, rate_eps=250.0, kills=1, stalls=0, workers=("lake",),
                         min_up_s=0.0, broken="commit-before-write", catch_up_timeout_s=120.0)
    result = run_chaos(config, state_dir=tmp_path, say=print)
    print("\n".join(result.lines))
    assert result.verdict.line().startswith(VERDICT_FAILED)
    lake = next(c for c in result.verdict.checks if c.name == "lake interactions")
    assert lake.missing and not lake.unexpected, lake.line()  # loss, exactly what the broken build does
