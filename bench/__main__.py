"""`make bench`: run every ``bench/bench_*.py`` module, print one table, write bench/results.json.

Each module exposes ``run(*, repeats) -> list[dict]`` with loopline and its baseline measured side
by side in the same run (medians of ``repeats``); the ratio is computed here so that > 1 always means
"loopline is better".
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def ratio(row: dict) -> float:
    loopline, baseline = float(row["loopline"]), float(row["baseline"])
    if row.get("higher_is_better", True):
        return loopline / baseline if baseline else float("inf")
    return baseline / loopline if loopline else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("LOOPLINE_BENCH_REPEATS", "5")))
    parser.add_argument("--only", action="append", default=[], help="run only these modules (e.g. topics)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    console = Console(width=160)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m.removeprefix("bench_") in args.only]
    rows: list[dict] = []
    failed: list[str] = []
    for name in modules:
        started = time.monotonic()
        console.print(f"[bold]{name}[/] …")
        try:
            results = importlib.import_module(f"bench.{name}").run(repeats=args.repeats)
        except Exception:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            console.print(f"[red]{name} failed[/]\n{traceback.format_exc()}")
            continue
        for row in results:
            row = {"module": name, **row}
            row["ratio"] = ratio(row)
            rows.append(row)
        console.print(f"  done in {time.monotonic() - started:.1f}s")
    table = Table("benchmark", "loopline", "baseline", "ratio (>1 = better)", "goal", title=f"medians of {args.repeats} runs")
    for row in rows:
        table.add_row(
            row["name"],
            f"{row['loopline']:,.4g} {row['unit']}",
            f"{row['baseline']:,.4g} {row['unit']} ({row['baseline_name']})",
            f"{row['ratio']:,.2f}×",
            str(row.get("goal", "")),
        )
    console.print(table)
    args.out.write_text(json.dumps({
        "time": datetime.now(UTC).isoformat(),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "repeats": args.repeats,
        "results": rows,
        "failed": failed,
    }, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
