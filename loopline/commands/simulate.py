"""`loopline simulate`: realistic conversations to cx.interactions.v1 or a JSONL file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from loopline.settings import Settings
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.specs import INTERACTIONS

console = Console(stderr=True)


def simulate(
    conversations: int = typer.Option(300, "--conversations", "-n", min=1, help="How many conversations."),
    rate: float = typer.Option(0.0, "--rate", min=0.0, help="Events per second (0 = as fast as possible)."),
    seed: int = typer.Option(42, "--seed", help="Same seed, same arguments: byte-identical output."),
    out: Path | None = typer.Option(None, "--out", help="Write JSONL here instead of publishing."),
    truth: Path | None = typer.Option(None, "--truth", help="Write ground truth (JSONL) here."),
    bad_share: float = typer.Option(0.0, "--bad-share", min=0.0, max=0.5, help="Share of malformed records to add."),
    late_share: float = typer.Option(0.01, "--late-share", min=0.0, max=0.5, help="Share of events delivered late."),
    bot_failure_share: float = typer.Option(0.0, "--bot-failure-share", min=0.0, max=1.0,
                                            help="Degrade the bot: share of automated conversations that fail."),
    overconfident: list[str] = typer.Option(
        [], "--overconfident",
        help="INTENT=C: the intent model is over-confident below confidence C for INTENT (repeatable).",
    ),
) -> None:
    """Generate seeded, deterministic voice and chat conversations."""
    sim = Simulation(SimulationConfig(conversations=conversations, seed=seed, bad_share=bad_share,
                                      late_share=late_share, bot_failure_share=bot_failure_share,
                                      overconfident=_overconfident(overconfident)))
    if out is not None:
        with out.open("wb") as handle:
            count = 0
            for record in sim.records():
                handle.write(record.value + b"\n")
                count += 1
        console.print(f"wrote {count} records to {out}")
    else:
        bootstrap = Settings().bootstrap()
        provision(bootstrap, [INTERACTIONS])
        stats = publish(sim.records(), bootstrap_servers=bootstrap, topic=INTERACTIONS.name, rate_eps=rate)
        console.print(f"published {stats.records} records ({stats.bad} malformed) to {INTERACTIONS.name} "
                      f"in {stats.elapsed_s:.1f}s ({stats.rate_eps:,.0f}/s)")
    if truth is not None:
        sim.write_truth(truth)


def _overconfident(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        intent, _, value = item.partition("=")
        try:
            c = float(value)
        except ValueError:
            raise typer.BadParameter(f"--overconfident expects INTENT=C with C in (0, 1), got {item!r}") from None
        if not intent or not 0.0 < c < 1.0:
            raise typer.BadParameter(f"--overconfident expects INTENT=C with C in (0, 1), got {item!r}")
        out[intent] = c
    return out


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("simulate")(simulate)
