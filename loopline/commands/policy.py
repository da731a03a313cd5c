"""`loopline policy validate DIR`: check policy files, the intent catalogue and the knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer

from pipelines.escalation.validate import validate_dir


def validate(directory: Path = typer.Argument(Path("policies"), help="Folder holding intents.yaml, policy-*.yaml, kb/.")) -> None:
    """Report every problem with file, path and value; exit 1 when there is any."""
    problems = validate_dir(directory)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.secho(f"{len(problems)} problem(s) in {directory}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"{directory}: valid")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["policy"].command("validate")(validate)
