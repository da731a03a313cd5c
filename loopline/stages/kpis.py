"""The KPI stage of the demo: at the end, run the KPI job over the lake and say where the report is."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from loopline.settings import Settings
from loopline.stages import Stage


def section(settings: Settings, context: dict[str, Any], console: Console) -> dict[str, Any]:
    from pathlib import Path

    from jobs.exceptions import JobError
    from jobs.lakeio import Period
    from jobs.run import run_kpis

    report = Path(context.get("out_dir", settings.state_dir / "demo")) / "kpi-report.html"
    try:
        result = run_kpis(settings.lake_root, Period.parse(None, None), report=report)
    except JobError as exc:
        console.print(f"[yellow]KPI job skipped:[/] {exc}")
        return {"error": str(exc)}
    for r in result.totals.iter_rows(named=True):
        console.print(f"  {r['kpi']}: {r['rate']:.1%} of {r['total']:,.0f}")
    console.print(f"[green]✓[/] KPI report: {report.resolve()}  (kpis table: {result.table})")
    return {"report": str(report.resolve()), "conversations": result.conversations,
            "kpis": {r["kpi"]: round(r["rate"], 4) for r in result.totals.iter_rows(named=True)}}


STAGE = Stage(name="kpis", worker=None, group=None, section=section)
