"""The `loopline` command line: one typer app, with a module per command group under
`loopline/commands/`. Each module exposes ``register(app, groups)``."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from loopline.exceptions import HANDLED_ERRORS

app = typer.Typer(
    name="loopline",
    help="Streaming backbone for human-in-the-loop AI customer service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Sub-command groups shared by several command modules (e.g. `loopline jobs …`).
GROUPS: dict[str, typer.Typer] = {
    name: typer.Typer(help=help_, no_args_is_help=True)
    for name, help_ in {
        "broker": "The embedded Kafka-protocol broker (Tansu) on 127.0.0.1.",
        "topics": "Topic provisioning and the published contract (JSON Schema, AsyncAPI).",
        "run": "Long-running workers (scale out by running more).",
        "policy": "Escalation policies: validate, promote, status.",
        "signals": "Customer-signal scorers: JSONL on stdin -> JSONL scores on stdout.",
        "replay": "Replay history against a candidate policy.",
        "jobs": "Batch jobs over the lake.",
        "slo": "Service-level objectives: rules and dashboards.",
    }.items()
}

#: Command modules, in help order. A module registers its commands on `app` or a group.
COMMAND_MODULES = [
    "loopline.commands.demo",
    "loopline.commands.broker",
    "loopline.commands.topics",
    "loopline.commands.simulate",
    "loopline.commands.privacy",
    "loopline.commands.policy",
    "loopline.commands.signals",
    "loopline.commands.slo",
    "loopline.commands.run",
    "loopline.commands.slo_worker",
    "loopline.commands.rollout",
    "loopline.commands.lake",
    "loopline.commands.jobs",
    "loopline.commands.proof",
]


def _build() -> typer.Typer:
    from loopline.settings import env_help

    app.info.epilog = "Environment variables:\n\n" + "\n\n".join(env_help().splitlines())
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.register(app, GROUPS)
    for name, group in GROUPS.items():
        if group.registered_commands or group.registered_groups:
            app.add_typer(group, name=name)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _install_log_filter()
    cli = _build()
    try:
        cli()
    except HANDLED_ERRORS as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)


def _install_log_filter() -> None:
    """Mask PII in every log record loopline emits (installed by default)."""
    from privacy.logfilter import install

    install()
