"""The job entry points the CLI calls: read the lake, compute, write, and say where the results are.
Progress goes through a callback so the CLI can draw a bar (rich) and tests can stay quiet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from jobs import kpis as kpis_mod
from jobs.exceptions import InvalidPolicyError
from jobs.lakeio import Period, exists, scan
from jobs.reconcile import reconcile
from jobs.replay import OfflineResult, run_offline
from jobs.report import render, write_report
from jobs.tables import KPIS
from jobs.thresholds import LearnSettings, Proposal, learn, samples, write_proposal
from lake.tables import table_uri
from pipelines.escalation.bundle import Signals
from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.policy import Policy, load_policy
from pipelines.slo.definitions import load_definitions

Step = Callable[[str], None]


@dataclass
class KpiRun:
    kpis: pl.DataFrame
    totals: pl.DataFrame
    reconciliation: pl.DataFrame
    days: list[date]
    table: str
    report: Path | None
    conversations: int


def run_kpis(root: str, period: Period, *, report: Path | None = None, now: datetime | None = None,
             step: Step = lambda _: None) -> KpiRun:
    now = now or datetime.now(UTC)
    definitions = load_definitions()
    step("computing KPIs")
    kpis, facts = kpis_mod.compute(root, period, definitions=definitions)
    step("writing the kpis table")
    days = kpis_mod.write_kpis(root, kpis, computed_at=now)
    step("reconciling with the stream's slo_windows")
    windows = scan(root, "slo_windows") if exists(root, "slo_windows") else None
    rec = reconcile(facts, kpis, windows, definitions=definitions)
    totals = kpis_mod.totals(kpis)
    written = None
    if report is not None:
        step("writing the report")
        html = render(kpis=kpis, totals=totals, facts=facts, reconciliation=rec, definitions=definitions,
                      period=period.describe(), generated_at=now)
        written = write_report(report, html)
    return KpiRun(kpis, totals, rec, days, table_uri(root, KPIS), written, facts.height)


def load_candidate(path: Path) -> tuple[Policy, str]:
    try:
        return load_policy(path), path.read_text(encoding="utf-8")
    except PolicyError as exc:
        raise InvalidPolicyError(f"invalid policy {path}:\n{exc}") from exc


def run_thresholds(root: str, period: Period, *, active: Path, out_dir: Path | None = None,
                   settings: LearnSettings | None = None, today: date | None = None) -> Proposal:
    settings = settings or LearnSettings()
    policy, _ = load_candidate(active)
    frame = samples(root, period, catalogue=policy.catalogue)
    evidence = learn(frame, policy=policy, settings=settings)
    return write_proposal(active, policy, evidence, today=today or datetime.now(UTC).date(), out_dir=out_dir,
                          settings=settings)


def run_replay_offline(root: str, period: Period, *, policy_path: Path, lexical: bool = True,
                       progress: Callable[[int], None] | None = None) -> OfflineResult:
    policy, text = load_candidate(policy_path)
    signals = Signals.lexical() if lexical else Signals.with_model()
    return run_offline(root, period, policy=policy, policy_text=text, signals=signals, progress=progress)
