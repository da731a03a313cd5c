"""`loopline broker start|stop|status`."""

from __future__ import annotations

import typer
from rich.console import Console

from loopline.settings import Settings

console = Console()


def start() -> None:
    """Start the embedded broker (or report the one already running for this state directory)."""
    settings = Settings()
    if settings.bootstrap_servers:
        console.print(f"LOOPLINE_BOOTSTRAP_SERVERS is set: using {settings.bootstrap_servers}, nothing to start")
        return
    info = settings.broker.start(port=settings.broker_port)
    console.print(f"broker running: {info.bootstrap_servers} (pid {info.pid}, {info.version}); log: {info.log_path}")


def stop() -> None:
    """Stop the embedded broker of this state directory."""
    stopped = Settings().broker.stop()
    console.print("broker stopped" if stopped else "no broker was running")


def status() -> None:
    """Exit 0 and print the address if the broker answers; exit 1 otherwise."""
    settings = Settings()
    if settings.bootstrap_servers:
        console.print(f"using external cluster {settings.bootstrap_servers}")
        return
    info = settings.broker.info()
    if info is None or not settings.broker.healthy():
        console.print("no embedded broker running")
        raise typer.Exit(1)
    console.print(f"broker running: {info.bootstrap_servers} (pid {info.pid}, since {info.started_at})")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["broker"].command("start")(start)
    groups["broker"].command("stop")(stop)
    groups["broker"].command("status")(status)
