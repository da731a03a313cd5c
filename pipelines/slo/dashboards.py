"""Grafana dashboards (JSON), generated from the SLO definitions: SLO overview with the error
budget left, escalations, pipeline health. Every expression uses the workers' metrics or the
recording rules of :mod:`pipelines.slo.rules`, and is parsed by promtool in the tests.

>>> from pipelines.slo.definitions import load_definitions
>>> boards = build_dashboards(load_definitions())
>>> sorted(boards)
['escalations.json', 'pipeline-health.json', 'slo-overview.json']
>>> len(list(expressions(boards["slo-overview.json"]))) > 20
True
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.slo.definitions import SliDefinition, SloDefinitions
from pipelines.slo.rules import BUDGET_REMAINING, ERROR_BUDGET, ERROR_RATIO, GOOD, OBJECTIVE, TOTAL

DATASOURCE = {"type": "prometheus", "uid": "loopline-prometheus"}
FILTER = 'channel=~"$channel", segment=~"$segment", intent=~"$intent"'


class _Layout:
    """Hands out grid positions left to right, wrapping at Grafana's 24 columns."""

    def __init__(self) -> None:
        self.x = self.y = self.row_height = 0
        self.next_id = 1

    def place(self, width: int, height: int) -> dict[str, int]:
        if self.x + width > 24:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        pos = {"x": self.x, "y": self.y, "w": width, "h": height}
        self.x += width
        self.row_height = max(self.row_height, height)
        return pos

    def newline(self) -> None:
        if self.x:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def _target(expr: str, legend: str = "", ref: str = "A", *, instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": DATASOURCE, "expr": expr, "refId": ref, "legendFormat": legend}
    if instant:
        target.update(instant=True, range=False, format="table")
    return target


def _panel(
    layout: _Layout, kind: str, title: str, targets: list[dict[str, Any]], *, width: int = 6,
    height: int = 6, unit: str | None = None, description: str = "",
    thresholds: list[tuple[float | None, str]] | None = None, options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    if unit:
        defaults["unit"] = unit
    if thresholds:
        defaults["thresholds"] = {
            "mode": "absolute", "steps": [{"value": v, "color": c} for v, c in thresholds]
        }
    return {
        "id": layout.take_id(), "type": kind, "title": title, "description": description,
        "datasource": DATASOURCE, "gridPos": layout.place(width, height), "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options or {},
    }


def _row(layout: _Layout, title: str) -> dict[str, Any]:
    layout.newline()
    panel = {"id": layout.take_id(), "type": "row", "title": title, "collapsed": False,
             "gridPos": layout.place(24, 1), "panels": []}
    layout.newline()
    return panel


def _variable(name: str, metric: str, label: str) -> dict[str, Any]:
    return {
        "name": name, "label": label.capitalize(), "type": "query", "datasource": DATASOURCE,
        "query": {"query": f"label_values({metric}, {label})", "refId": f"var-{name}"},
        "definition": f"label_values({metric}, {label})", "refresh": 2, "multi": True,
        "includeAll": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
        "sort": 1,
    }


def _dashboard(uid: str, title: str, description: str, panels: list[dict[str, Any]],
               variables: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["loopline", "generated"], "timezone": "utc", "schemaVersion": 39, "version": 1,
        "editable": False, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables}, "annotations": {"list": []}, "links": [],
        "panels": panels,
    }


def _ratio(metric_good: str, metric_total: str, sli: str, by: str, window: str) -> str:
    sel = f'{{sli="{sli}", {FILTER}}}'
    return (f"sum by ({by}) (increase({metric_good}{sel}[{window}]))\n/\n"
            f"sum by ({by}) (increase({metric_total}{sel}[{window}]))")


def _sli_panels(layout: _Layout, sli: SliDefinition) -> list[dict[str, Any]]:
    name = sli.name
    objective_steps: list[tuple[float | None, str]] = [(None, "red"), (sli.objective, "green")]
    panels = [
        _row(layout, f"{name} — objective {sli.objective:.2%} over {sli.period_days}d"),
        _panel(layout, "stat", "SLI, last hour", [_target(f'1 - {ERROR_RATIO.format(window="1h")}{{sli="{name}"}}')],
               width=4, unit="percentunit", thresholds=objective_steps, description=sli.description),
        _panel(layout, "stat", "Objective", [_target(f'{OBJECTIVE}{{sli="{name}"}}')], width=3, unit="percentunit"),
        _panel(layout, "gauge", f"Error budget remaining ({sli.period_days}d)",
               [_target(f'{BUDGET_REMAINING}{{sli="{name}"}}')], width=4, unit="percentunit",
               thresholds=[(None, "red"), (0.25, "orange"), (0.5, "green")],
               options={"min": 0, "max": 1}),
        _panel(layout, "timeseries", "Burn rate (1 = budget spent exactly over the period)", [
            _target(f'{ERROR_RATIO.format(window=w)}{{sli="{name}"}}\n/ on (sli)\n{ERROR_BUDGET}{{sli="{name}"}}',
                    legend=w, ref=chr(ord("A") + i))
            for i, w in enumerate(("5m", "1h", "6h", "3d"))
        ], width=13, unit="x", thresholds=[(None, "green"), (6, "orange"), (14.4, "red")]),
        _panel(layout, "timeseries", "SLI by channel (1h)", [_target(_ratio(GOOD, TOTAL, name, "channel", "1h"), "{{channel}}")],
               width=8, unit="percentunit"),
        _panel(layout, "bargauge", "Where it struggles: lowest 10 intents (6h)",
               [_target(f"bottomk(10,\n{_ratio(GOOD, TOTAL, name, 'intent', '6h')}\n)", "{{intent}}", instant=True)],
               width=8, unit="percentunit", options={"orientation": "horizontal"}),
        _panel(layout, "bargauge", "SLI by segment (6h)",
               [_target(_ratio(GOOD, TOTAL, name, "segment", "6h"), "{{segment}}", instant=True)],
               width=8, unit="percentunit", options={"orientation": "horizontal"}),
    ]
    if sli.weighting is not None:
        weighted = _ratio("loopline_sli_weighted_good_events_total", "loopline_sli_weighted_events_total",
                          name, "sli", "1h")
        panels.append(_panel(layout, "stat", f"Weighted by {sli.weighting.by} (1h)", [_target(weighted)],
                             width=6, unit="percentunit", thresholds=objective_steps))
    return panels


def slo_overview(definitions: SloDefinitions) -> dict[str, Any]:
    layout = _Layout()
    panels: list[dict[str, Any]] = []
    for sli in definitions.slis:
        panels.extend(_sli_panels(layout, sli))
    variables = [_variable(v, TOTAL, v) for v in ("channel", "segment", "intent")]
    return _dashboard("loopline-slo-overview", "loopline — SLO overview",
                      "Each SLI against its objective, the error budget left, burn rates and the "
                      "breakdown by channel, intent and segment. Generated from policies/slos.yaml.",
                      panels, variables)


def escalations(definitions: SloDefinitions) -> dict[str, Any]:
    layout = _Layout()
    esc = 'loopline_escalations_total{channel=~"$channel"}'
    bucket = 'loopline_time_to_escalation_seconds_bucket{channel=~"$channel"}'
    panels = [
        _row(layout, "Escalations"),
        _panel(layout, "timeseries", "Escalations by trigger (/s)",
               [_target(f"sum by (trigger) (rate({esc}[$__rate_interval]))", "{{trigger}}")], width=12, unit="ops"),
        _panel(layout, "bargauge", "By tier (range)", [_target(f"sum by (tier) (increase({esc}[$__range]))", "tier {{tier}}", instant=True)],
               width=6, options={"orientation": "horizontal"}),
        _panel(layout, "bargauge", "By channel (range)", [_target(f"sum by (channel) (increase({esc}[$__range]))", "{{channel}}", instant=True)],
               width=6, options={"orientation": "horizontal"}),
        _row(layout, "Time to safe escalation (first risk signal → agent accepted)"),
        _panel(layout, "timeseries", "p50 / p95 by tier", [
            _target(f"histogram_quantile({q}, sum by (le, tier) (rate({bucket}[$__rate_interval])))",
                    f"p{int(q * 100)} tier {{{{tier}}}}", ref=ref)
            for q, ref in ((0.5, "A"), (0.95, "B"))
        ], width=12, unit="s"),
    ]
    for sli in definitions.slis:
        if sli.kind != "time_to_escalation":
            continue
        targets = ", ".join(f"tier {t}: {ms / 1000:g}s" for t, ms in enumerate(sli.targets_ms_by_tier))
        sel = f'{{sli="{sli.name}", channel=~"$channel"}}'
        panels.append(_panel(
            layout, "timeseries", f"{sli.name}: share within target, by tier (1h)",
            [_target(f"sum by (tier) (increase({GOOD}{sel}[1h]))\n/\nsum by (tier) (increase({TOTAL}{sel}[1h]))", "tier {{tier}}")],
            width=12, unit="percentunit", description=f"Targets — {targets}.",
            thresholds=[(None, "red"), (sli.objective, "green")],
        ))
    return _dashboard("loopline-escalations", "loopline — escalations",
                      "Escalations by trigger, tier and channel; time to safe escalation against the "
                      "tier targets.", panels, [_variable("channel", "loopline_escalations_total", "channel")])


def pipeline_health(definitions: SloDefinitions) -> dict[str, Any]:
    layout = _Layout()
    w = '{worker=~"$worker"}'

    def per_s(metric: str, title: str) -> dict[str, Any]:
        return _panel(layout, "timeseries", title,
                      [_target(f"sum by (worker, topic) (rate({metric}{w}[$__rate_interval]))", "{{worker}} {{topic}}")],
                      width=6, unit="ops")

    panels = [
        _row(layout, "Throughput and losses"),
        per_s("loopline_events_in_total", "Events in (/s)"),
        per_s("loopline_dead_letters_total", "Dead-lettered (/s)"),
        per_s("loopline_late_events_total", "Late, to cx.late.v1 (/s)"),
        per_s("loopline_processing_errors_total", "Processing errors (/s)"),
        _row(layout, "Backlog and state"),
        _panel(layout, "timeseries", "Consumer lag (messages)",
               [_target(f"max by (worker, topic) (loopline_consumer_lag_messages{w})", "{{worker}} {{topic}}")], width=8),
        _panel(layout, "timeseries", "State entries",
               [_target(f"sum by (worker, store) (loopline_state_entries{w})", "{{worker}} {{store}}")], width=8),
        _panel(layout, "table", "Policy version in use",
               [_target(f"max by (worker, policy, version) (loopline_policy_version_info{w})", instant=True)], width=8),
        _row(layout, "Decision latency"),
        _panel(layout, "timeseries", "Decision latency p50 / p99", [
            _target(f"histogram_quantile({q}, sum by (le) (rate(loopline_decision_latency_seconds_bucket[$__rate_interval])))",
                    f"p{int(q * 100)}", ref=ref)
            for q, ref in ((0.5, "A"), (0.99, "B"))
        ], width=12, unit="s"),
        _panel(layout, "timeseries", "SLI events counted (/s) by SLI",
               [_target(f"sum by (sli) (rate({TOTAL}[$__rate_interval]))", "{{sli}}")], width=12, unit="ops"),
    ]
    return _dashboard("loopline-pipeline-health", "loopline — pipeline health",
                      "Events in, dead letters, late events, errors, consumer lag, state size and the "
                      "policy version of every worker.", panels,
                      [_variable("worker", "loopline_events_in_total", "worker")])


def build_dashboards(definitions: SloDefinitions) -> dict[str, dict[str, Any]]:
    return {
        "slo-overview.json": slo_overview(definitions),
        "escalations.json": escalations(definitions),
        "pipeline-health.json": pipeline_health(definitions),
    }


def dump(dashboard: dict[str, Any]) -> str:
    return json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n"


def expressions(dashboard: dict[str, Any]) -> Iterator[str]:
    """Every PromQL expression of a dashboard's panels (nested rows included)."""
    stack = list(dashboard.get("panels", []))
    while stack:
        panel = stack.pop()
        stack.extend(panel.get("panels", []))
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield target["expr"]


def variable_metrics(dashboard: dict[str, Any]) -> Iterator[str]:
    """The metric of each ``label_values(metric, label)`` template variable."""
    for variable in dashboard.get("templating", {}).get("list", []):
        definition = variable.get("definition", "")
        if definition.startswith("label_values("):
            yield definition[len("label_values("):].split(",")[0].strip()


def write_dashboards(definitions: SloDefinitions, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, board in build_dashboards(definitions).items():
        path = out_dir / name
        path.write_text(dump(board), encoding="utf-8")
        written.append(path)
    return written
