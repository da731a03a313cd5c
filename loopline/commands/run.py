"""`loopline run escalation|slo|lake`: long-running workers (scale out by running more)."""

from __future__ import annotations

import logging
import os

import typer

from loopline.settings import Settings
from pipelines.app import AppConfig
from privacy.keys import MaskingKey
from privacy.masking import CUSTOMER_ID_KIND, Masker
from topics.admin import provision

log = logging.getLogger(__name__)


def escalation(
    policy_file: str = typer.Option("", "--policy", help="Policy file (default: policies/policy-v1.yaml)."),
    lexical: bool = typer.Option(False, "--lexical", help="Run without the embedding model (rephrase and KB by word overlap)."),
) -> None:
    """Decide, for every conversation, automate / clarify / draft only / hand over; publish handoffs."""
    from pipelines.escalation.bundle import Signals
    from pipelines.escalation.policy import load_policy
    from pipelines.escalation.worker import EscalationWorker, run_worker
    from pipelines.slo.metrics import serve_metrics

    settings = Settings()
    bootstrap = settings.bootstrap()
    provision(bootstrap)
    key = MaskingKey.from_env(os.environ, dev_mode=settings.dev_mode)
    masker = Masker.for_destination("escalation", key=key)
    policy = load_policy(policy_file) if policy_file else load_policy()
    worker = EscalationWorker(
        AppConfig("escalation", bootstrap_servers=bootstrap, state_dir=settings.state_dir),
        policy=policy,
        signals=Signals.lexical() if lexical else Signals.with_model(cache_dir=settings.encoder_cache),
        mask=lambda text: masker.mask(text).text,
        tokenise=lambda value: masker.token(CUSTOMER_ID_KIND, value),
    )
    _, port = serve_metrics(worker.registry, port=settings.metrics_port, host=settings.metrics_host)
    log.info("escalation worker: policy %s, metrics on http://127.0.0.1:%d/metrics", policy.version, port)
    _announce(settings, "escalation", port)
    run_worker(worker, loglevel=settings.log_level)


def _announce(settings: Settings, name: str, port: int) -> None:
    """Record where a worker serves its metrics (the demo and `loopline status` read it)."""
    path = settings.state_dir / "workers"
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}.metrics").write_text(f"http://127.0.0.1:{port}/metrics\n", encoding="utf-8")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["run"].command("escalation")(escalation)
