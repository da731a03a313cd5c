"""The SLO stage of the demo: each SLI's value vs its objective per channel, from the closed
windows on cx.slo.v1, and where every worker serves its metrics."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from loopline.settings import Settings
from loopline.stages import Stage
from pipelines.slo.definitions import load_definitions
from topics.codec import decode_as
from topics.outputs import SloWindow
from topics.reader import read_topic
from topics.specs import SLO

#: The tumbling minute: each outcome is in exactly one of these (hopping hours hold it 12 times).
COUNTED_WINDOW_MS = 60_000
SHORT = {"messaging": "msg"}


def sli_table(windows: list[SloWindow]) -> dict[str, dict[str, tuple[float, float]]]:
    """(good, total) per SLI and channel (and ``all``), from tumbling-minute windows.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> w = SloWindow(window_id="w", sli="fcr_bot", window_start=t, window_end=t, window_ms=60_000,
    ...     intent="top_up", channel="chat", segment="standard", tier=1, good=3, total=4)
    >>> sli_table([w])["fcr_bot"]
    {'chat': (3.0, 4.0), 'all': (3.0, 4.0)}
    """
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for window in windows:
        if window.window_ms != COUNTED_WINDOW_MS:
            continue
        for channel in (window.channel, "all"):
            cell = cells[window.sli][channel]
            cell[0] += window.good
            cell[1] += window.total
    return {sli: {ch: (g, t) for ch, (g, t) in by.items()} for sli, by in cells.items()}


def section(settings: Settings, context: dict[str, Any], console: Console) -> dict[str, Any]:
    definitions = load_definitions()
    windows = [decode_as(m.value or b"", SloWindow) for m in read_topic(settings.bootstrap(), SLO.name)]
    counts = sli_table(windows)
    channels = [*sorted({ch for by in counts.values() for ch in by if ch != "all"}), "all"]
    table = Table(box=box.SIMPLE, padding=(0, 1), pad_edge=False,
                  title=f"SLI per channel, {len(windows):,} closed windows on {SLO.name} (red: below objective)")
    table.add_column("SLI", no_wrap=True)
    for header in ("obj.", *(SHORT.get(ch, ch[:5]) for ch in channels[:-1]), "all", "n"):
        table.add_column(header, justify="right", no_wrap=True)
    summary: dict[str, Any] = {}
    for sli in definitions.slis:
        row, by = [], counts.get(sli.name, {})
        for channel in channels:
            good, total = by.get(channel, (0.0, 0.0))
            if not total:
                row.append("—")
                continue
            colour = "green" if good / total >= sli.objective else "red"
            row.append(f"[{colour}]{good / total:.0%}[/]")
        table.add_row(sli.name, f"{sli.objective:.0%}", *row, f"{by.get('all', (0.0, 0.0))[1]:,.0f}")
        summary[sli.name] = {"objective": sli.objective,
                             **{ch: {"good": g, "total": t} for ch, (g, t) in by.items()}}
    console.print(table)
    console.print("windowed counts are the stream's operational view; CSAT that arrives after a window "
                  "closed goes to cx.late.v1 and the batch KPI job owns the final numbers")
    urls = {}
    for path in sorted((settings.state_dir / "workers").glob("*.metrics")):
        urls[path.stem] = path.read_text(encoding="utf-8").strip()
        console.print(f"metrics of {path.stem}: {urls[path.stem]}")
    return {"slis": summary, "windows": len(windows), "metrics_urls": urls}


STAGE = Stage(name="slo", worker="slo", group="loopline-slo", section=section)
