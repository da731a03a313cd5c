"""Threshold retraining: recovers a known over-confidence point, refuses thin evidence, excludes
opted-out customers, and only ever writes a proposed policy next to the active one."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from jobs import thresholds as th
from jobs.exceptions import MissingTableError
from jobs.lakeio import Period
from jobs.simlake import build_lake
from pipelines.catalogue import POLICIES_DIR
from pipelines.escalation.policy import load_policy
from pipelines.sources.simulator import SimulationConfig

TRUE_C = 0.80
INTENT = "balance_inquiry"  # tier 1, not one of the simulator's miscalibrated intents
ALL = Period.parse(None, None)


@pytest.fixture(scope="module")
def overconfident_lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("thresholds") / "lake")
    build_lake(root, SimulationConfig(conversations=3000, seed=11, scenario_weights={"normal": 1.0},
                                      overconfident={INTENT: TRUE_C}))
    return root


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES_DIR, folder)
    return folder


def test_proposed_threshold_recovers_the_overconfidence_point(overconfident_lake: str, policies: Path) -> None:
    """The simulator's model is over-confident below 0.80 for balance_inquiry: the proposal lands
    within ±0.03 of 0.80, with its evidence (samples above, failure rate, upper bound)."""
    active = policies / "policy-v1.yaml"
    before = active.read_bytes()
    policy = load_policy(active)
    frame = th.samples(overconfident_lake, ALL, catalogue=policy.catalogue)
    evidence = {e.intent: e for e in th.learn(frame, policy=policy, settings=th.LearnSettings())}
    ev = evidence[INTENT]
    assert ev.status == "proposed"
    assert ev.automate_from == pytest.approx(TRUE_C, abs=0.03)
    assert ev.upper_bound_above is not None and ev.upper_bound_above <= ev.tolerance
    assert ev.failure_rate_above is not None and ev.failure_rate_above < ev.upper_bound_above  # a bound, not a point
    proposal = th.write_proposal(active, policy, list(evidence.values()), today=date(2026, 3, 3),
                                 settings=th.LearnSettings())
    assert proposal.path.parent == policies and proposal.path.name == "policy-v1.1.proposed.yaml"
    assert active.read_bytes() == before, "the active policy is never changed"
    proposed = load_policy(proposal.path)  # a valid policy
    bands = proposed.bands_for(tier=1, intent=INTENT)
    assert bands[0].action == "automate" and bands[0].lo == pytest.approx(ev.automate_from)
    assert bands[1].action == "clarify" and bands[1].hi == pytest.approx(ev.automate_from)
    assert f"| {INTENT} | 1 |" in proposal.evidence_path.read_text()
    assert "+    balance_inquiry:" in proposal.diff and "-version: v1.0" in proposal.diff


def test_intents_with_too_few_samples_are_refused(overconfident_lake: str) -> None:
    policy = load_policy()
    frame = th.samples(overconfident_lake, ALL, catalogue=policy.catalogue)
    evidence = {e.intent: e for e in th.learn(frame, policy=policy, settings=th.LearnSettings(min_samples=200))}
    thin = [e for e in evidence.values() if e.samples < 200]
    assert thin, "the other intents have about 60 samples each"
    assert all(e.status == "refused" and "too few samples" in e.reason for e in thin)


def test_opted_out_customers_are_excluded(overconfident_lake: str) -> None:
    """Conversations of customers whose latest preference is an opt-out never become samples."""
    policy = load_policy()
    interactions = pl.read_delta(f"{overconfident_lake}/interactions")
    opted = interactions.filter(pl.col("training_opt_out").fill_null(False))["customer_token"].unique()
    opted_conversations = set(interactions.filter(
        (pl.col("event_type") == "cx.conversation.started") & pl.col("customer_token").is_in(opted.to_list())
    )["conversation_id"].to_list())
    assert opted_conversations, "the simulator opts out ~3 % of customers"
    decisions = pl.read_delta(f"{overconfident_lake}/decisions").filter(pl.col("action") == "automate")
    automated = set(decisions["conversation_id"].to_list())
    frame = th.samples(overconfident_lake, ALL, catalogue=policy.catalogue)
    n_auto = frame.filter(pl.col("action") == "automate").height
    assert n_auto <= len(automated - opted_conversations)
    assert n_auto < len(automated)


def test_upper_bound_not_point_estimate_decides() -> None:
    """Synthetic: 5 % failures everywhere. With 30 samples the bound exceeds a 10 % tolerance
    (refused: no threshold); with 3,000 it does not."""
    policy = load_policy()
    rng = np.random.default_rng(1)
    settings = th.LearnSettings(tolerance={2: 0.10}, min_samples=20, min_band_samples=10)
    for n, expect in ((30, "refused"), (3000, "proposed")):
        conf = rng.uniform(0.83, 0.99, n)
        failed = rng.random(n) < 0.05
        ev = th.learn_intent(conf, failed, intent="transfer_status", tier=2, policy=policy, settings=settings)
        assert ev.status in (expect, "unchanged" if expect == "proposed" else expect), (n, ev.reason)


def test_missing_decisions_table_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingTableError, match="decisions"):
        th.samples(str(tmp_path), ALL, catalogue=load_policy().catalogue)
