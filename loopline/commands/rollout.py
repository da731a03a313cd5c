"""`loopline policy promote|status`, `loopline run rollout`, `loopline demo-canary`: safe change."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from loopline.settings import Settings

log = logging.getLogger(__name__)


def promote(
    version: str = typer.Argument(..., help="Policy version, e.g. v1.1."),
    to: str = typer.Option(..., "--to", help="Target stage: approved | shadow | canary | active | retired."),
    file: Path | None = typer.Option(None, "--file", help="Policy file of a version not yet recorded "
                                     "(default: the policies/policy-*.yaml holding VERSION)."),
    share: float | None = typer.Option(None, "--share", help="Canary share of conversations (default: governance)."),
    by: str = typer.Option(os.environ.get("USER", "unknown"), "--by", help="Who promotes (audited)."),
    policies: Path = typer.Option(Path("policies"), "--policies", help="Folder with policy-*.yaml and prompts/."),
    governance_file: Path | None = typer.Option(None, "--governance", help="Governance rules "
                                                "(default: policies/governance.yaml)."),
) -> None:
    """Move a policy version to a lifecycle stage, enforcing policies/governance.yaml; refusals are audited."""
    from pipelines.rollout.governance import load_governance
    from pipelines.rollout.prompts import load_prompts
    from pipelines.rollout.service import promote as do_promote

    settings = Settings()
    governance = load_governance(governance_file or policies / "governance.yaml")
    prompts = load_prompts(policies / "prompts") if (policies / "prompts").is_dir() else None
    plan = do_promote(settings.bootstrap(), version=version, target=to, governance=governance, actor=by,
                      document_path=file, policies_dir=policies, share=share, prompts=prompts,
                      lake_root=settings.lake_root)
    if not plan.ok:
        typer.secho(f"refused: {plan.reason}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if plan.review is not None:
        for name, paths in sorted(plan.review.classes.items()):
            typer.echo(f"  {name}: {', '.join(paths)}")
    typer.echo(f"{governance.policy} {version} -> {to}" + (f" ({plan.records[0][1].canary_share:.0%})" if to == "canary" else ""))


def status() -> None:
    """What runs where (active, canary with its share, shadow), every version's stage, the latest audit events."""
    from pipelines.rollout.service import read_audit_topic, read_ledger

    settings = Settings()
    console = Console()
    show_status(read_ledger(settings.bootstrap()), read_audit_topic(settings.bootstrap()), console)


def show_status(ledger, audit, console: Console) -> None:  # type: ignore[no-untyped-def]
    slots = Table("slot", "version", "prompt", "share", "since", title=f"policy {ledger.name}: serving")
    for name, record in (("active", ledger.active), ("canary", ledger.canary), ("shadow", ledger.shadow)):
        slots.add_row(name, record.version if record else "—", record.prompt_version if record else "",
                      f"{record.canary_share:.0%}" if record and name == "canary" else "",
                      record.time.isoformat(timespec="seconds") if record and record.time else "")
    console.print(slots)
    versions = Table("version", "stage", "approvals", "last change", "reason", title="versions")
    for record in ledger.versions():
        versions.add_row(record.version, record.stage or record.slot, str(len(record.approvals)),
                         record.time.isoformat(timespec="seconds") if record.time else "", record.reason[:80])
    console.print(versions)
    events = Table("time", "kind", "version", "change", "actor", "reason", title="latest audit events")
    for a in audit[-10:]:
        events.add_row(a.time.isoformat(timespec="seconds"), a.kind, a.version,
                       f"{a.from_stage}->{a.to_stage}" if a.to_stage else "", a.actor, a.reason[:70])
    console.print(events)


def rollout() -> None:
    """Judge the running canary against control (SLO burn per cohort) and roll it back when it burns faster."""
    from pipelines.catalogue import load_catalogue
    from pipelines.rollout.controller import ControllerConfig, RolloutController
    from pipelines.rollout.governance import load_governance
    from pipelines.slo.definitions import load_definitions
    from pipelines.slo.metrics import serve_metrics
    from topics.admin import provision

    settings = Settings()
    bootstrap = settings.bootstrap()
    provision(bootstrap)
    controller = RolloutController(
        ControllerConfig(bootstrap, lake_root=settings.lake_root), governance=load_governance(),
        definitions=load_definitions(os.environ["LOOPLINE_SLO_DEFINITIONS"]) if os.environ.get(
            "LOOPLINE_SLO_DEFINITIONS") else load_definitions(),
        catalogue=load_catalogue(),
    )
    _, port = serve_metrics(controller.registry, port=settings.metrics_port, host="127.0.0.1")
    path = settings.state_dir / "workers"
    path.mkdir(parents=True, exist_ok=True)
    (path / "rollout.metrics").write_text(f"http://127.0.0.1:{port}/metrics\n", encoding="utf-8")
    log.info("rollout controller: metrics on http://127.0.0.1:%d/metrics", port)
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.run(stop)


def demo_canary(
    conversations: int = typer.Option(600, "--conversations", "-n", min=100, help="How many conversations."),
    seed: int = typer.Option(6, "--seed", help="Simulator seed."),
    share: float = typer.Option(0.5, "--share", min=0.05, max=0.5, help="Canary share."),
) -> None:
    """The demo with a deliberately over-automating canary that loopline rolls back by itself."""
    from loopline.stages.rollout import run_canary_demo

    run_canary_demo(conversations=conversations, seed=seed, share=share, console=Console())


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["policy"].command("promote")(promote)
    groups["policy"].command("status")(status)
    groups["run"].command("rollout")(rollout)
    app.command("demo-canary")(demo_canary)
