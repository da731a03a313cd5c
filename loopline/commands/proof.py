"""`loopline chaos` and `loopline soak`: the proof harness (thin: parse options, call loopline.chaos
and loopline.soak). Both start an embedded broker of their own under --state-dir."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import typer

from loopline.exceptions import LooplineError

_WORKERS_HELP = "Workers to run (repeatable; default: escalation, lake, slo)."


def _workers(names: list[str]) -> tuple[str, ...]:
    from loopline.rig import WORKERS

    return tuple(names) if names else tuple(WORKERS)


def _state_dir(path: Path | None, prefix: str) -> Path:
    if path is None:
        return Path(tempfile.mkdtemp(prefix=f"loopline-{prefix}-"))
    if path.exists() and any(path.iterdir()):
        raise LooplineError(f"--state-dir {path} is not empty: the harness needs a fresh directory")
    return path


def chaos(
    events: int = typer.Option(100_000, "--events", "-n", min=100, envvar="LOOPLINE_CHAOS_EVENTS",
                               help="Records to publish (malformed ones included)."),
    rate: float = typer.Option(1000.0, "--rate", min=1.0, help="Publish rate, events/s (faults land meanwhile)."),
    kills: int = typer.Option(10, "--kills", min=0, help="Worker SIGKILLs (each followed by a restart)."),
    stalls: int = typer.Option(3, "--stalls", min=0, help="Broker stalls (SIGSTOP … SIGCONT)."),
    stall_s: float = typer.Option(5.0, "--stall-s", min=0.1, help="Longest stall, seconds (each is 60–100 % of it)."),
    seed: int = typer.Option(9, "--seed", help="Simulator and fault-schedule seed."),
    bad_share: float = typer.Option(0.002, "--bad-share", min=0.0, max=0.5, help="Share of malformed records."),
    worker: list[str] = typer.Option([], "--worker", help=_WORKERS_HELP),
    broken: str = typer.Option("", "--broken", envvar="LOOPLINE_CHAOS_BROKEN",
                               help="Run a deliberately broken build (commit-before-write): the verdict must fail."),
    state_dir: Path | None = typer.Option(None, "--state-dir", help="Fresh directory for broker, lake, logs, report."),
    keep: bool = typer.Option(False, "--keep", help="Keep the state directory (kept anyway on failure)."),
) -> None:
    """Kill -9 workers and stall the broker while publishing; then count every record. Exit 1 on loss
    or duplicates (prints ALL-RECORDS-DELIVERED otherwise)."""
    from loopline.chaos import ChaosConfig, run_chaos

    config = ChaosConfig(events=events, seed=seed, rate_eps=rate, kills=kills, stalls=stalls,
                         stall_s=(stall_s * 0.6, stall_s), bad_share=bad_share, workers=_workers(worker),
                         broken=broken or None)
    folder = _state_dir(state_dir, "chaos")
    result = run_chaos(config, state_dir=folder, say=typer.echo)
    for line in result.lines:
        typer.echo(line)
    typer.echo(result.verdict.line())
    if result.verdict.ok and not keep and state_dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        typer.echo(f"report and logs: {folder}")
    if not result.verdict.ok:
        raise typer.Exit(1)


def soak(
    duration_s: float = typer.Option(1800.0, "--duration-s", min=10.0, envvar="LOOPLINE_SOAK_DURATION_S",
                                     help="How long to publish at the fixed rate."),
    rate: float = typer.Option(200.0, "--rate", min=1.0, help="Fixed publish rate, events/s."),
    sample_s: float = typer.Option(5.0, "--sample-s", min=0.5, help="Seconds between samples."),
    seed: int = typer.Option(11, "--seed", help="Simulator seed."),
    worker: list[str] = typer.Option([], "--worker", help=_WORKERS_HELP),
    out: Path = typer.Option(Path("build/soak"), "--out", help="Where soak.csv and soak.png go."),
    state_dir: Path | None = typer.Option(None, "--state-dir", help="Fresh directory for broker, lake, logs."),
) -> None:
    """Publish at a fixed rate for a while; sample RSS, consumer lag and state size per worker;
    write a CSV and a PNG chart. Memory should be flat after warm-up."""
    from loopline.soak import SoakConfig, run_soak

    config = SoakConfig(duration_s=duration_s, rate_eps=rate, sample_s=sample_s, seed=seed, workers=_workers(worker))
    folder = _state_dir(state_dir, "soak")
    result = run_soak(config, state_dir=folder, out_dir=out, say=typer.echo)
    for line in result.summary_lines():
        typer.echo(line)
    if state_dir is None:
        shutil.rmtree(folder, ignore_errors=True)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("chaos")(chaos)
    app.command("soak")(soak)
