"""`loopline slo rules|dashboards|validate`: generate the Prometheus rules (with their promtool
tests) and the Grafana dashboards from `policies/slos.yaml`."""

from __future__ import annotations

from pathlib import Path

import typer

from loopline.exceptions import LooplineError
from pipelines.slo.dashboards import write_dashboards
from pipelines.slo.definitions import DEFAULT_DEFINITIONS, SloDefinitions, load_definitions
from pipelines.slo.exceptions import SloError
from pipelines.slo.rules import write_rules

_DEFINITIONS = typer.Option(
    DEFAULT_DEFINITIONS, "--definitions", envvar="LOOPLINE_SLO_DEFINITIONS",
    help="SLO definitions file.", dir_okay=False,
)


def _load(path: Path) -> SloDefinitions:
    try:
        return load_definitions(path)
    except SloError as exc:
        raise LooplineError(str(exc)) from exc


def rules(
    out: Path = typer.Option(Path("dashboards/prometheus"), "--out", help="Output folder.", file_okay=False),
    definitions: Path = _DEFINITIONS,
) -> None:
    """Write the recording + burn-rate alerting rules and their promtool tests."""
    for path in write_rules(_load(definitions), out):
        typer.echo(f"wrote {path}")


def dashboards(
    out: Path = typer.Option(Path("dashboards/grafana"), "--out", help="Output folder.", file_okay=False),
    definitions: Path = _DEFINITIONS,
) -> None:
    """Write the Grafana dashboards (SLO overview, escalations, pipeline health)."""
    for path in write_dashboards(_load(definitions), out):
        typer.echo(f"wrote {path}")


def validate(definitions: Path = _DEFINITIONS) -> None:
    """Validate the SLO definitions; print one line per SLI."""
    loaded = _load(definitions)
    for sli in loaded.slis:
        alerts = ",".join(sli.alerts) or "none"
        typer.echo(f"{sli.name}: {sli.kind}, objective {sli.objective:g} over {sli.period_days}d, alerts {alerts}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    group = groups["slo"]
    group.command("rules")(rules)
    group.command("dashboards")(dashboards)
    group.command("validate")(validate)
