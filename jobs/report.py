"""The KPI report: one self-contained HTML file (inline SVG, no scripts, no network) that a CX
leader can read without help — headline numbers against their objectives, trends, where
automation struggles by intent and channel, why conversations go to a human, and how the final
numbers compare with what the live dashboards showed.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

import polars as pl

from jobs.kpis import ASSIST, ESCALATION_RATE, sli_good
from jobs.svg import bar_chart, line_chart
from pipelines.slo.definitions import SloDefinitions

PLAIN = {
    "containment_quality": "Bot-only conversations that were resolved and rated 4-5 stars",
    "deflection_satisfaction": "Callers moved from the phone to a digital channel who were resolved and satisfied",
    "fcr_bot": "Resolved by the bot on first contact, customer did not come back within 7 days",
    "fcr_agent": "Resolved by an agent (no assist) on first contact",
    "fcr_agent_assist": "Resolved by an agent using an AI suggestion on first contact",
    "time_to_safe_escalation": "Risky conversations picked up by a person within the target time",
}
REASONS = {
    "policy_high_risk": "high-stakes topic (always a person)", "policy_low_confidence": "bot unsure what was asked",
    "vulnerable_customer": "vulnerable customer", "human_request": "customer asked for a person",
    "rephrase": "customer had to repeat themselves", "sentiment": "customer frustrated",
    "asr_failure": "voice recognition failed", "latency_spike": "bot too slow",
    "downstream_error": "back-end systems failing", "bot_request": "bot asked for help",
}

CSS = """body{font-family:system-ui,sans-serif;color:#263238;max-width:1180px;margin:24px auto;padding:0 16px}
h1{margin-bottom:4px}h2{margin-top:36px;border-bottom:2px solid #eceff1;padding-bottom:4px}
.sub{color:#607d8b}.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{border:1px solid #cfd8dc;border-radius:8px;
padding:12px 14px;width:260px}.tile .v{font-size:28px;font-weight:700}.ok{color:#2e7d32}.bad{color:#c62828}
.tile .d{font-size:12px;color:#607d8b}.grid{display:flex;flex-wrap:wrap;gap:18px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eceff1;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.note{background:#f5f7f8;border-left:4px solid #90a4ae;padding:8px 12px}"""


def _rate(good: float, total: float) -> float | None:
    return good / total if total else None


def _tiles(totals: pl.DataFrame, definitions: SloDefinitions) -> str:
    by_kpi = {r["kpi"]: r for r in totals.iter_rows(named=True)}
    out = []
    for sli in definitions.slis:
        row = by_kpi.get(sli.name)
        if row is None:
            continue
        rate = _rate(row["good"], row["total"])
        if rate is None:
            continue
        cls = "ok" if rate >= sli.objective else "bad"
        verdict = "meets" if rate >= sli.objective else "misses"
        out.append(f'<div class="tile"><div>{escape(sli.name.replace("_", " "))}</div>'
                   f'<div class="v {cls}">{rate:.1%}</div><div class="d">{verdict} the objective of '
                   f'{sli.objective:.0%} · {int(row["total"]):,} conversations<br>'
                   f'{escape(PLAIN.get(sli.name, sli.description))}</div></div>')
    return '<div class="tiles">' + "".join(out) + "</div>"


def _trends(facts: pl.DataFrame, definitions: SloDefinitions) -> str:
    days = facts["event_date"].n_unique()
    bucket = (pl.col("event_date").cast(pl.String) if days > 2
              else pl.coalesce("ended_at", "last_at").dt.truncate("1h").dt.strftime("%d %b %H:00"))
    charts = []
    for sli in definitions.slis:
        good = sli_good(sli)
        if good is None:
            continue
        series = (facts.select(bucket.alias("b"), good.alias("g")).drop_nulls("g").group_by("b")
                  .agg(pl.col("g").mean().alias("rate"), pl.len().alias("n")).sort("b"))
        if series.is_empty():
            continue
        points = [(r["b"], r["rate"] if r["n"] >= 5 else None) for r in series.iter_rows(named=True)]
        charts.append(line_chart(points, title=sli.name.replace("_", " "), objective=sli.objective))
    return '<div class="grid">' + "".join(charts) + "</div>"


def _struggle(kpis: pl.DataFrame, definitions: SloDefinitions, dim: str) -> str:
    charts = []
    for name in ("containment_quality", "fcr_bot"):
        part = (kpis.filter(pl.col("kpi") == name).group_by(dim)
                .agg(pl.col("good").sum(), pl.col("total").sum())
                .filter(pl.col("total") >= 5)
                .with_columns((pl.col("good") / pl.col("total")).alias("rate")).sort("rate").head(12))
        if part.is_empty():
            continue
        objective = definitions.sli(name).objective if name in definitions.names else None
        charts.append(bar_chart([(str(r[dim]), r["rate"]) for r in part.iter_rows(named=True)],
                                title=f"{name.replace('_', ' ')} by {dim} (worst first)", objective=objective,
                                notes=[f"n={int(r['total'])}" for r in part.iter_rows(named=True)]))
    return '<div class="grid">' + "".join(charts) + "</div>"


def _reasons(kpis: pl.DataFrame) -> str:
    part = (kpis.filter(pl.col("kpi").str.starts_with(ESCALATION_RATE + ":"))
            .group_by("kpi").agg(pl.col("good").sum()).sort("good", descending=True))
    items = [(REASONS.get(k.split(":", 1)[1], k.split(":", 1)[1]), float(g)) for k, g in part.iter_rows()]
    if not items:
        return "<p>No escalations in this period.</p>"
    return bar_chart(items, title="Why conversations went to a person (conversations, a conversation can have "
                     "several reasons)", percent=False, width=720)


def _table(frame: pl.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    rows = []
    for r in frame.iter_rows(named=True):
        cells = []
        for c in columns:
            v = r[c]
            if isinstance(v, float):
                text = f"{v:.1%}" if c.endswith("rate") else f"{v:,.0f}"
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def render(*, kpis: pl.DataFrame, totals: pl.DataFrame, facts: pl.DataFrame, reconciliation: pl.DataFrame | None,
           definitions: SloDefinitions, period: str, generated_at: datetime) -> str:
    by_kpi = {r["kpi"]: r for r in totals.iter_rows(named=True)}
    esc = by_kpi.get(ESCALATION_RATE)
    assist = by_kpi.get(ASSIST)
    tte = kpis.filter(pl.col("kpi") == "time_to_safe_escalation")
    p50 = facts.select(((pl.col("accepted_at") - pl.col("risk_at")).dt.total_seconds()).alias("s")).drop_nulls()
    extra = []
    if esc:
        extra.append(f"<li><b>{esc['good'] / esc['total']:.1%}</b> of {int(esc['total']):,} conversations went to a "
                     "person (weighted by customer value and vulnerability: "
                     f"{esc['weighted_good'] / esc['weighted_total']:.1%}).</li>")
    if assist:
        extra.append(f"<li>Agents accepted <b>{assist['good'] / assist['total']:.1%}</b> of "
                     f"{int(assist['total']):,} AI suggestions shown.</li>")
    if p50.height and not tte.is_empty():
        q = p50["s"]
        extra.append(f"<li>Half of the risky conversations reached a person within <b>{q.quantile(0.5):.0f} s</b>; "
                     f"nine in ten within <b>{q.quantile(0.9):.0f} s</b>.</li>")
    recon = ""
    if reconciliation is not None and reconciliation.height:
        recon = ("<h2>Final numbers vs the live dashboards</h2><p class='note'>The live dashboards decide each "
                 "conversation five minutes after it ends. Satisfaction scores that arrive later, and events "
                 "delivered late, are only in these final numbers. Each difference is listed with its cause.</p>"
                 + _table(reconciliation, ["event_date", "sli", "batch_total", "stream_total", "batch_rate",
                                           "stream_rate", "late_outcome", "residual", "cause"]))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>loopline KPI report</title>
<style>{CSS}</style></head><body>
<h1>Customer-service KPI report</h1>
<div class="sub">Period {escape(period)} · generated {escape(generated_at.strftime('%Y-%m-%d %H:%M UTC'))} ·
{facts.height:,} conversations · final numbers from the lake (late satisfaction scores included)</div>
<h2>Headline: are we meeting our objectives?</h2>{_tiles(totals, definitions)}
<ul>{''.join(extra)}</ul>
<h2>Trends against the objective</h2>
<p>Each line is the share of good outcomes per period; the dashed red line is the objective. Red dots are
periods below the objective.</p>{_trends(facts, definitions)}
<h2>Where automation struggles: by intent</h2>
<p>The bot's own results, worst topics first (n = number of conversations). Topics below the dashed line
need attention: retrain the intent model, tighten the confidence threshold (<code>loopline jobs
thresholds</code>) or improve the knowledge base.</p>{_struggle(kpis, definitions, "intent")}
<h2>Where automation struggles: by channel</h2>{_struggle(kpis, definitions, "channel")}
<h2>Why conversations go to a person</h2>{_reasons(kpis)}
{recon}
<h2>How to read this</h2><p class="note">Every number is recomputed from the complete history, so it can
differ slightly from the live dashboards. Definitions and objectives come from <code>policies/slos.yaml</code>.
Weighted figures count high-value and vulnerable customers more.</p>
</body></html>"""


def write_report(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
