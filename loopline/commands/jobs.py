"""`loopline jobs kpis|thresholds` and `loopline replay offline|online`: the batch learning loop."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jobs.exceptions import JobError
from jobs.lakeio import Period
from loopline.exceptions import LooplineError
from loopline.settings import Settings

console = Console(stderr=True)


def _handled(exc: JobError) -> LooplineError:
    return LooplineError(str(exc))


def kpis(
    since: str = typer.Option(None, "--since", help="First day (2026-03-02) or RFC 3339 time; default: all."),
    until: str = typer.Option(None, "--until", help="End (exclusive); default: all."),
    report: Path = typer.Option(None, "--report", help="Also write a self-contained HTML report here."),
) -> None:
    """Authoritative KPIs per day x intent x channel x segment x tier -> the `kpis` table (+ report)."""
    from jobs.run import run_kpis

    settings = Settings()
    try:
        with console.status("KPIs") as status:
            result = run_kpis(settings.lake_root, Period.parse(since, until), report=report,
                              step=lambda text: status.update(text))
    except JobError as exc:
        raise _handled(exc) from exc
    table = Table("KPI", "good", "total", "rate", "weighted rate", title=f"{result.conversations:,} conversations")
    for r in result.totals.iter_rows(named=True):
        table.add_row(r["kpi"], f"{r['good']:,.0f}", f"{r['total']:,.0f}", f"{r['rate']:.1%}",
                      f"{r['weighted_rate']:.1%}")
    console.print(table)
    diffs = result.reconciliation.filter(result.reconciliation["cause"] != "equal")
    for r in diffs.iter_rows(named=True):
        console.print(f"  {r['event_date']} {r['sli']}: batch {r['batch_total']:.0f} vs stream "
                      f"{r['stream_total']:.0f} ({r['late_outcome']:.0f} late outcomes) — {r['cause']}")
    console.print(f"kpis table: {result.table} (days {', '.join(d.isoformat() for d in result.days)})")
    if result.report:
        console.print(f"report: {result.report.resolve()}")


def thresholds(
    since: str = typer.Option(None, "--since", help="First day or RFC 3339 time; default: all."),
    until: str = typer.Option(None, "--until", help="End (exclusive); default: all."),
    policy: Path = typer.Option(None, "--policy", help="The active policy (default: policies/policy-v1.yaml)."),
    out_dir: Path = typer.Option(None, "--out-dir", help="Where to write the proposal (default: next to the policy)."),
    min_samples: int = typer.Option(200, "--min-samples", min=10, help="Refuse intents with fewer samples."),
    confidence: float = typer.Option(0.95, "--confidence", min=0.5, max=0.999, help="Level of the upper bound."),
    tolerance: list[str] = typer.Option([], "--tolerance", help="TIER=RATE tolerated failure rate (repeatable)."),
) -> None:
    """Learn per-intent automation thresholds from outcomes; write a PROPOSED policy (never the active one)."""
    from jobs.run import run_thresholds
    from jobs.thresholds import DEFAULT_TOLERANCE, LearnSettings
    from pipelines.escalation.policy import DEFAULT_POLICY

    tol = dict(DEFAULT_TOLERANCE)
    for item in tolerance:
        tier, _, rate = item.partition("=")
        try:
            tol[int(tier)] = float(rate)
        except ValueError:
            raise typer.BadParameter(f"--tolerance expects TIER=RATE, got {item!r}") from None
    settings = LearnSettings(tolerance=tol, confidence=confidence, min_samples=min_samples)
    try:
        proposal = run_thresholds(Settings().lake_root, Period.parse(since, until), active=policy or DEFAULT_POLICY,
                                  out_dir=out_dir, settings=settings)
    except JobError as exc:
        raise _handled(exc) from exc
    table = Table("intent", "tier", "samples", "current", "proposed", "clarify from", "status", "reason")
    for e in proposal.evidence:
        table.add_row(e.intent, str(e.tier), str(e.samples),
                      "—" if e.current_automate_from is None else f"{e.current_automate_from:.3f}",
                      "—" if e.automate_from is None else f"{e.automate_from:.3f}",
                      "—" if e.clarify_from is None else f"{e.clarify_from:.3f}", e.status, e.reason)
    console.print(table)
    console.print(f"proposed policy {proposal.version}: {proposal.path}\n  diff: {proposal.diff_path}\n"
                  f"  evidence: {proposal.evidence_path}\n  (the active policy is unchanged)")


def offline(
    policy: Path = typer.Option(..., "--policy", help="The candidate policy to replay."),
    since: str = typer.Option(None, "--since", help="First day or RFC 3339 time; default: all."),
    until: str = typer.Option(None, "--until", help="End (exclusive); default: all."),
    model: bool = typer.Option(False, "--model", help="Use the embedding model for rephrase/KB (as `run escalation` "
                                                      "without --lexical); default: lexical signals."),
    diff_out: Path = typer.Option(None, "--diff-out", help="Write the diff summary (JSON) here."),
) -> None:
    """Replay the lake's events of a period through the escalation core with a candidate policy; diff
    against production's decisions."""
    from jobs.run import run_replay_offline

    try:
        with Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("events", total=None)
            result = run_replay_offline(Settings().lake_root, Period.parse(since, until), policy_path=policy,
                                        lexical=not model, progress=lambda n: bar.advance(task, n))
    except JobError as exc:
        raise _handled(exc) from exc
    summary = result.diff.as_dict()
    console.print_json(json.dumps(summary))
    console.print(f"replay {result.replay_id}: {len(result.decisions):,} decisions -> {result.table_uri}")
    console.print("zero diff: replay reproduces production exactly" if result.diff.zero else
                  f"{result.diff.changed_events} events in {result.diff.changed_conversations} conversations "
                  f"change action")
    if diff_out:
        diff_out.write_text(json.dumps({"replay_id": result.replay_id, **summary}, indent=2), encoding="utf-8")


def online(
    since: str = typer.Option(None, "--since", help="First day or RFC 3339 time."),
    until: str = typer.Option(None, "--until", help="End (exclusive)."),
    to_topic: str = typer.Option(..., "--to-topic", help="Sandbox topic (never cx.interactions.v1)."),
    speed: float = typer.Option(1.0, "--speed", min=0.0, help="Times real speed (0 = as fast as possible)."),
) -> None:
    """Re-publish the lake's (masked) events of a period to a sandbox topic, per-conversation order kept."""
    from jobs.online import publish_period
    from topics.specs import INTERACTIONS

    if to_topic == INTERACTIONS.name:
        raise typer.BadParameter(f"--to-topic {to_topic}: replay into the production topic is refused")
    settings = Settings()
    try:
        with Progress(TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("events", total=None)
            result = publish_period(settings.lake_root, Period.parse(since, until),
                                    bootstrap_servers=settings.bootstrap(), topic=to_topic, speed=speed,
                                    progress=lambda n: bar.advance(task, n))
    except JobError as exc:
        raise _handled(exc) from exc
    console.print(f"published {result.published:,} events of {result.conversations:,} conversations to "
                  f"{result.topic} in {result.elapsed_s:.1f}s")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["jobs"].command("kpis")(kpis)
    groups["jobs"].command("thresholds")(thresholds)
    groups["replay"].command("offline")(offline)
    groups["replay"].command("online")(online)
