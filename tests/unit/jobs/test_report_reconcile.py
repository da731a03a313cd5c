"""The KPI run end to end on a simulated lake: reconciliation causes and the self-contained report."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl

from jobs.lakeio import Period
from jobs.run import run_kpis


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def test_kpi_run_reconciles_and_writes_a_readable_report(golden_lake: Any, tmp_path: Path) -> None:
    lake, truth, _ = golden_lake
    report = tmp_path / "kpi-report.html"
    result = run_kpis(lake.root, Period.parse(None, None), report=report, now=datetime(2026, 3, 3, tzinfo=UTC))
    rec = result.reconciliation
    fcr = rec.filter(pl.col("sli") == "fcr_bot").row(0, named=True)
    # the stream left out conversations whose outcome came after its 5-minute wait: exactly those
    assert fcr["batch_total"] - fcr["stream_total"] == fcr["late_outcome"] + fcr["residual"]
    assert fcr["late_outcome"] > 0 and "late CSAT" in fcr["cause"]
    late_truth = sum(1 for t in truth if t.get("kind") == "conversation" and t["csat_late"])
    assert fcr["late_outcome"] <= late_truth
    assert rec.filter(pl.col("sli") == "decision_latency")["cause"].to_list() == ["stream only (per-decision SLI)"]
    html = report.read_text()
    parser = _Tags()
    parser.feed(html)
    assert parser.tags.count("svg") >= 8, "trend, intent, channel and reason charts"
    assert "script" not in parser.tags and not [x for x in parser.links if x.startswith("http")], "self-contained"
    for heading in ("are we meeting our objectives", "Trends against the objective", "Where automation struggles",
                    "Why conversations go to a person", "Final numbers vs the live dashboards"):
        assert heading in html
    assert result.report == report
