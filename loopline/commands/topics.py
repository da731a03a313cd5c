"""`loopline topics create|list|schemas`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from loopline.settings import Settings
from topics.admin import list_topics, provision
from topics.schemas import write_schemas

console = Console()


def create() -> None:
    """Create every loopline topic that is missing (idempotent)."""
    states = provision(Settings().bootstrap())
    table = Table("topic", "partitions", "cleanup.policy", "status")
    for s in states:
        table.add_row(s.name, str(s.partitions), s.cleanup_policy or "?", s.status)
    console.print(table)


def list_() -> None:
    """List the cluster's topics."""
    table = Table("topic", "partitions", "cleanup.policy")
    for s in list_topics(Settings().bootstrap()):
        table.add_row(s.name, str(s.partitions), s.cleanup_policy or "?")
    console.print(table)


def schemas(out: Path = typer.Option(..., "--out", help="Directory for the JSON Schemas and asyncapi.json.")) -> None:
    """Write JSON Schema for every event type and an AsyncAPI 3.0 document."""
    files = write_schemas(out)
    console.print(f"wrote {len(files)} files to {out}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["topics"].command("create")(create)
    groups["topics"].command("list")(list_)
    groups["topics"].command("schemas")(schemas)
