"""`loopline run slo`: the SLO worker (event-time SLI windows → cx.slo.v1, late → cx.late.v1,
Prometheus metrics on LOOPLINE_METRICS_PORT)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from loopline.commands.run import _announce
from loopline.exceptions import LooplineError
from loopline.settings import Settings
from pipelines.app import AppConfig
from pipelines.slo.definitions import DEFAULT_DEFINITIONS
from pipelines.slo.exceptions import SloError
from topics.admin import provision

log = logging.getLogger(__name__)


def slo(
    definitions: Path = typer.Option(
        DEFAULT_DEFINITIONS, "--definitions", envvar="LOOPLINE_SLO_DEFINITIONS", help="SLO definitions file.",
        dir_okay=False,
    ),
    metrics_host: str = typer.Option(
        "127.0.0.1", "--metrics-host", envvar="LOOPLINE_METRICS_HOST",
        help="Address /metrics listens on (0.0.0.0 when Prometheus scrapes from another host or container).",
    ),
    checkpoint_interval_s: float = typer.Option(
        1.0, "--checkpoint-interval-s", help="Seconds between state snapshots (offsets commit only after one)."
    ),
) -> None:
    """Measure the SLOs as the service runs: SLI windows to cx.slo.v1, late records to cx.late.v1, /metrics."""
    from pipelines.catalogue import load_catalogue
    from pipelines.slo.definitions import load_definitions
    from pipelines.slo.metrics import serve_metrics
    from pipelines.slo.worker import SloWorker, run_worker

    settings = Settings()
    bootstrap = settings.bootstrap()
    provision(bootstrap)
    try:
        defs = load_definitions(definitions)
    except SloError as exc:
        raise LooplineError(str(exc)) from exc
    worker = SloWorker(
        AppConfig("slo", bootstrap_servers=bootstrap, state_dir=settings.state_dir),
        definitions=defs, catalogue=load_catalogue(), checkpoint_interval_s=checkpoint_interval_s,
    )
    _, port = serve_metrics(worker.registry, port=settings.metrics_port, host=metrics_host)
    log.info("slo worker: %d SLIs from %s, metrics on http://%s:%d/metrics", len(defs.slis), defs.source,
             metrics_host, port)
    _announce(settings, "slo", port)
    run_worker(worker)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["run"].command("slo")(slo)
