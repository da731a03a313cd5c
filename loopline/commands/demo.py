"""`loopline demo`: the main job."""

from __future__ import annotations

import typer
from rich.console import Console

from loopline.demo import run_demo


def demo(
    conversations: int = typer.Option(300, "--conversations", "-n", min=1, help="How many conversations to simulate."),
    seed: int = typer.Option(42, "--seed", help="Simulator seed."),
    bad_share: float = typer.Option(0.005, "--bad-share", min=0.0, max=0.5, help="Share of malformed records."),
    canary_bad: bool = typer.Option(False, "--canary-bad",
                                    help="Instead: a deliberately over-automating canary that loopline rolls back."),
) -> None:
    """Embedded broker + all workers + simulator, then a summary."""
    console = Console()
    try:
        if canary_bad:
            from loopline.stages.rollout import run_canary_demo

            run_canary_demo(conversations=max(conversations, 600), seed=seed, share=0.5, console=console)
            return
        run_demo(conversations=conversations, seed=seed, bad_share=bad_share, console=console)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: everything started by the demo was stopped[/]")
        raise typer.Exit(130) from None


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("demo")(demo)
