"""`loopline jobs thresholds`: learn per intent the lowest confidence at which automation meets the
tier's tolerated failure rate, with statistical confidence, and propose a new policy version.

Samples: automated conversations (the active decision on the detected intent was ``automate``) of
customers who did not opt out of training use (``lake.optout.training_interactions``). A sample
*fails* when it was not resolved, the customer came back within 7 days, rated CSAT <= 2, or the
conversation escalated later (an escalating decision or an agent).

For each intent, candidate thresholds ``t`` are scanned from the top down in steps of ``step``:
``t`` qualifies when the one-sided Wilson upper bound (``confidence`` level) of the failure rate of
every sample with confidence >= t is within the tier's tolerance — automating everything above
``t`` meets the rate with statistical confidence, not as a point estimate. The scan stops at the
first marginal band [t, t + band) (with enough samples) that fails above the tolerated rate, so a
good top cannot hide a bad margin. The proposal is the lowest qualifying ``t`` above that stop. Below
it, the clarify band extends down over the conversations that got a clarify decision while their
marginal failure rate stays under ``clarify_tolerance``; without enough clarify outcomes, the
policy's own clarify floor is kept. Intents with fewer than ``min_samples`` samples are refused.

>>> wilson_upper(0, 100, z=1.645) < 0.03, round(wilson_upper(10, 100, z=1.645), 3)
(True, 0.16)
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from jobs.exceptions import EmptyPeriodError, InvalidPolicyError
from jobs.facts import conversation_facts
from jobs.lakeio import Period, exists, scan
from lake.optout import training_interactions
from pipelines.catalogue import Catalogue
from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.policy import Policy, parse_policy

#: tolerated failure rate of automation per risk tier (tier 3 is never automated below 0.99)
DEFAULT_TOLERANCE = {0: 0.20, 1: 0.15, 2: 0.10}


def wilson_upper(failures: int, n: int, *, z: float) -> float:
    """One-sided Wilson score upper bound of a binomial rate."""
    if n == 0:
        return 1.0
    p = failures / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


@dataclass(frozen=True)
class LearnSettings:
    tolerance: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_TOLERANCE))
    confidence: float = 0.95
    min_samples: int = 200
    step: float = 0.005
    band: float = 0.03
    min_band_samples: int = 20
    clarify_tolerance: float = 0.5

    @property
    def z(self) -> float:
        from statistics import NormalDist

        return NormalDist().inv_cdf(self.confidence)


@dataclass
class IntentEvidence:
    intent: str
    tier: int
    samples: int
    failures: int
    tolerance: float | None
    status: str  # proposed | refused | unchanged
    reason: str = ""
    current_automate_from: float | None = None
    automate_from: float | None = None
    clarify_from: float | None = None
    failure_rate_above: float | None = None
    upper_bound_above: float | None = None
    samples_above: int = 0
    marginal_failure_rate: float | None = None
    clarify_rule: str = ""

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)


def samples(root: str, period: Period, *, catalogue: Catalogue) -> pl.DataFrame:
    """One row per automated or clarified conversation: intent, confidence, action, failed
    (opted-out customers excluded)."""
    if not exists(root, "decisions"):
        scan(root, "decisions")  # raises MissingTableError naming the path
    interactions = training_interactions(scan(root, "interactions"))
    decisions = scan(root, "decisions")
    escalations = scan(root, "escalations") if exists(root, "escalations") else None
    facts = conversation_facts(interactions, decisions, escalations, catalogue=catalogue)
    first = (decisions.filter((pl.col("mode") == "active") & pl.col("action").is_in(["automate", "clarify"])
                              & (pl.col("event_time") >= period.since) & (pl.col("event_time") < period.until))
             .sort("event_time").group_by("conversation_id")
             .agg(pl.col("intent").first().alias("decided_intent"), pl.col("confidence").first(),
                  pl.col("action").first()))
    failed = (~pl.col("resolved") | pl.col("recontact") | (pl.col("csat").fill_null(5) <= 2)
              | (pl.col("actions").list.len() > 0) | pl.col("accepted_at").is_not_null())
    frame = (facts.filter(pl.col("has_outcome")).join(first, on="conversation_id", how="inner")
             .select(pl.col("decided_intent").alias("intent"), "confidence", "action", failed.alias("failed"))
             .collect())
    if frame.filter(pl.col("action") == "automate").is_empty():
        raise EmptyPeriodError(f"no automated conversation with an outcome in {period.describe()}")
    return frame


def learn_intent(conf: np.ndarray, failed: np.ndarray, *, intent: str, tier: int, policy: Policy,
                 settings: LearnSettings, clarify_conf: np.ndarray | None = None,
                 clarify_failed: np.ndarray | None = None) -> IntentEvidence:
    """The evidence and proposal for one intent (pure: arrays in, evidence out)."""
    bands = policy.bands_for(tier=tier, intent=intent)
    current = next((b.lo for b in bands if b.action == "automate"), None)
    tol = settings.tolerance.get(tier)
    ev = IntentEvidence(intent, tier, int(conf.size), int(failed.sum()), tol, "refused",
                        current_automate_from=current)
    if tol is None:
        ev.reason = f"tier {tier} is never automated below 0.99: not learned"
        return ev
    if conf.size < settings.min_samples:
        ev.reason = f"too few samples: {conf.size} < {settings.min_samples}"
        return ev
    order = np.argsort(-conf)
    c, f = conf[order], failed[order].astype(np.int64)
    cum_f = np.cumsum(f)
    top = math.floor(float(c[0]) / settings.step) * settings.step
    best: float | None = None
    t = top
    while t >= float(c[-1]) - 1e-12:
        n_above = int(np.searchsorted(-c, -t, side="right"))  # samples with conf >= t
        if n_above >= settings.min_band_samples:
            f_above = int(cum_f[n_above - 1])
            ub = wilson_upper(f_above, n_above, z=settings.z)
            in_band = (c >= t) & (c < t + settings.band)
            nb = int(in_band.sum())
            marginal = float(f[in_band].mean()) if nb else None
            if nb >= settings.min_band_samples and marginal is not None and marginal > tol:
                break  # the margin fails: no lower threshold can be right
            if ub <= tol:
                best = round(t, 4)
                ev.samples_above, ev.failure_rate_above, ev.upper_bound_above = n_above, f_above / n_above, ub
                ev.marginal_failure_rate = marginal
        t -= settings.step
    if best is None:
        ev.reason = f"no confidence meets the tolerated failure rate {tol:.0%} with {settings.confidence:.0%} confidence"
        return ev
    ev.automate_from = best
    ev.status = "proposed" if current is None or abs(best - current) >= settings.step / 2 else "unchanged"
    cc = clarify_conf if clarify_conf is not None else np.empty(0)
    cf = clarify_failed if clarify_failed is not None else np.empty(0, dtype=bool)
    ev.clarify_from, ev.clarify_rule = _clarify_floor(cc, cf.astype(np.int64), best, bands=bands, settings=settings)
    ev.reason = (f"{ev.samples_above} samples >= {best:.3f}: failure {ev.failure_rate_above:.1%}, "
                 f"upper bound {ev.upper_bound_above:.1%} <= {tol:.0%}")
    return ev


def _clarify_floor(c: np.ndarray, f: np.ndarray, threshold: float, *, bands: Any,
                   settings: LearnSettings) -> tuple[float, str]:
    """Clarify from: scanning down from the threshold over the conversations that got a clarify
    decision, the lowest confidence whose marginal failure stays within ``clarify_tolerance``;
    without enough clarify outcomes, the policy's own clarify floor (kept below the threshold)."""
    floor: float | None = None
    t = threshold - settings.step
    while t > 0 and c.size:
        in_band = (c >= t) & (c < t + settings.band)
        if int(in_band.sum()) >= settings.min_band_samples:
            if float(f[in_band].mean()) > settings.clarify_tolerance:
                break
            floor = round(t, 4)
        t -= settings.step
    if floor is not None and floor < threshold:
        return floor, (f"clarify outcomes: marginal failure <= {settings.clarify_tolerance:.0%} "
                       f"down to {floor:.3f} ({c.size} clarified conversations)")
    current = next((b.lo for b in bands if b.action == "clarify"), None)
    if current is not None and current < threshold - settings.step:
        return current, f"too few clarify outcomes ({c.size}): the policy's clarify floor is kept"
    return round(max(0.0, threshold - 0.1), 4), f"too few clarify outcomes ({c.size}): clarify 0.1 below"


def learn(frame: pl.DataFrame, *, policy: Policy, settings: LearnSettings) -> list[IntentEvidence]:
    out = []
    for intent in sorted(set(frame["intent"].drop_nulls().to_list())):
        if intent not in policy.catalogue:
            continue
        part = frame.filter(pl.col("intent") == intent)
        auto = part.filter(pl.col("action") == "automate")
        clar = part.filter(pl.col("action") == "clarify")
        out.append(learn_intent(auto["confidence"].to_numpy(), auto["failed"].to_numpy(), intent=intent,
                                tier=policy.catalogue.tier_of(intent), policy=policy, settings=settings,
                                clarify_conf=clar["confidence"].to_numpy(), clarify_failed=clar["failed"].to_numpy()))
    return out


# --- the proposal ---------------------------------------------------------------------------------
def proposed_bands(policy: Policy, ev: IntentEvidence) -> list[dict[str, Any]]:
    """The intent's new bands: automate from the threshold, clarify below it, lower bands kept."""
    assert ev.automate_from is not None and ev.clarify_from is not None
    t, clo = ev.automate_from, min(ev.clarify_from, ev.automate_from - 0.001)
    out: list[dict[str, Any]] = [{"action": "automate", "from": round(t, 3), "to": 1.0},
                                 {"action": "clarify", "from": round(clo, 3), "to": round(t, 3)}]
    hi = round(clo, 3)
    for band in policy.bands_for(tier=ev.tier, intent=ev.intent):
        if band.action in ("automate", "clarify") or band.lo >= hi:
            continue
        out.append({"action": band.action, "from": round(band.lo, 3), "to": hi})
        hi = round(band.lo, 3)
    if hi > 0.0:  # every lower band was swallowed: the bottom hands over
        out.append({"action": "handoff", "from": 0.0, "to": hi})
    return out


def next_version(version: str) -> str:
    """
    >>> next_version("v1.0"), next_version("v2"), next_version("2026.03")
    ('v1.1', 'v3', '2026.04')
    """
    m = re.search(r"(\d+)(?!.*\d)", version)
    if not m:
        return f"{version}.1"
    width = len(m.group(1))
    return version[: m.start()] + str(int(m.group(1)) + 1).zfill(width) + version[m.end():]


@dataclass
class Proposal:
    path: Path
    diff_path: Path
    evidence_path: Path
    version: str
    evidence: list[IntentEvidence]
    diff: str


def write_proposal(active_path: Path, policy: Policy, evidence: list[IntentEvidence], *, today: date,
                   out_dir: Path | None = None, settings: LearnSettings) -> Proposal:
    """Write ``policy-<next>.proposed.yaml`` (+ ``.diff`` and ``.evidence.md``) next to the active
    policy; the active file is never touched. The result is validated like any policy."""
    raw = yaml.safe_load(active_path.read_text(encoding="utf-8"))
    proposed = copy.deepcopy(raw)
    version = next_version(policy.version)
    proposed["version"] = version
    proposed["status"] = "proposed"
    proposed["description"] = (f"Proposed by `loopline jobs thresholds` on {today.isoformat()} from outcomes "
                               f"(based on {policy.version}); needs the approvals of operations, compliance "
                               f"and product before promotion.")
    proposed["approvals"] = [{"by": "loopline-jobs-thresholds", "role": "proposer", "date": today.isoformat()}]
    overrides = proposed.setdefault("matrix", {}).setdefault("overrides", {}) or {}
    proposed["matrix"]["overrides"] = overrides
    for ev in evidence:
        if ev.status == "proposed":
            overrides[ev.intent] = proposed_bands(policy, ev)
    text = yaml.safe_dump(proposed, sort_keys=False, allow_unicode=True)
    try:
        parse_policy(proposed, source=f"{version} (proposed)", base_dir=active_path.parent)
    except PolicyError as exc:
        raise InvalidPolicyError(f"the proposed policy does not validate:\n{exc}") from exc
    folder = out_dir or active_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"policy-{version}.proposed"
    path, diff_path, evidence_path = folder / f"{stem}.yaml", folder / f"{stem}.diff", folder / f"{stem}.evidence.md"
    header = (f"# PROPOSED policy {version} — generated by `loopline jobs thresholds` on {today.isoformat()}.\n"
              f"# Not active. Evidence: {evidence_path.name}; changes: {diff_path.name}.\n")
    path.write_text(header + text, encoding="utf-8")
    before = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True).splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(before, text.splitlines(keepends=True),
                                        fromfile=active_path.name, tofile=path.name))
    diff_path.write_text(diff, encoding="utf-8")
    evidence_path.write_text(evidence_markdown(evidence, version=version, base=policy.version, settings=settings),
                             encoding="utf-8")
    return Proposal(path, diff_path, evidence_path, version, evidence, diff)


def evidence_markdown(evidence: list[IntentEvidence], *, version: str, base: str, settings: LearnSettings) -> str:
    lines = [
        f"# Threshold evidence for proposed policy {version} (from {base})", "",
        f"Failure = unresolved, recontact within 7 days, CSAT <= 2 or a later escalation. Upper bound: one-sided "
        f"Wilson at {settings.confidence:.0%}. Marginal band: {settings.band}. Minimum samples: {settings.min_samples}.",
        "", "| intent | tier | samples | failures | tolerated | current automate from | proposed automate from "
        "| proposed clarify from | failure above | upper bound above | status | reason |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in evidence:
        def pct(x: float | None) -> str:
            return "—" if x is None else f"{x:.1%}"

        def num(x: float | None) -> str:
            return "—" if x is None else f"{x:.3f}"

        lines.append(f"| {e.intent} | {e.tier} | {e.samples} | {e.failures} | {pct(e.tolerance)} | "
                     f"{num(e.current_automate_from)} | {num(e.automate_from)} | {num(e.clarify_from)} | "
                     f"{pct(e.failure_rate_above)} | {pct(e.upper_bound_above)} | {e.status} | {e.reason} |")
    return "\n".join(lines) + "\n"
