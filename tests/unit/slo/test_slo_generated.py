"""Rules, dashboards and docker-compose are generated from / consistent with the definitions."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import pytest
import yaml

from pipelines.slo import dashboards as dash
from pipelines.slo import rules
from pipelines.slo.definitions import RATE_WINDOWS
from pipelines.slo.metrics import PipelineMetrics, SloMetrics, exported_metric_names, new_registry
from pipelines.slo.promql import grafana_to_promql, metric_names

ROOT = Path(__file__).resolve().parents[3]
PROM_DIR = ROOT / "dashboards" / "prometheus"
GRAFANA_DIR = ROOT / "dashboards" / "grafana"


@pytest.fixture(scope="module")
def exported(definitions, catalogue) -> set[str]:
    registry = new_registry()
    SloMetrics(registry, definitions, catalogue)
    PipelineMetrics(registry, worker="slo")
    return exported_metric_names(registry)


def test_committed_rules_and_dashboards_match_the_definitions(definitions):
    """Regenerate with `loopline slo rules` / `loopline slo dashboards` when this fails."""
    assert (PROM_DIR / rules.RULES_FILE).read_text() == rules.dump(rules.build_rules(definitions))
    assert (PROM_DIR / "tests" / rules.RULES_TEST_FILE).read_text() == rules.dump(
        rules.build_rule_tests(definitions, rules_file=f"../{rules.RULES_FILE}"))
    for name, board in dash.build_dashboards(definitions).items():
        assert (GRAFANA_DIR / name).read_text() == dash.dump(board), name


def test_every_sli_records_every_window_and_alerts_on_its_severities(definitions):
    doc = rules.build_rules(definitions)
    recorded = {(r["record"], r["labels"]["sli"]) for g in doc["groups"] for r in g["rules"] if "record" in r}
    alerts = {(r["alert"], r["labels"]["severity"]) for g in doc["groups"] for r in g["rules"] if "alert" in r}
    for sli in definitions.slis:
        for window in RATE_WINDOWS:
            assert (f"loopline:slo_error:ratio_rate{window}", sli.name) in recorded
        assert (rules.BUDGET_REMAINING, sli.name) in recorded
        for severity in sli.alerts:
            assert (rules.alert_name(sli.name, severity), severity) in alerts
    assert ("ContainmentQualityBurnRatePage", "page") in alerts


def test_page_alert_uses_the_workbook_burn_rates_and_windows(definitions):
    expr = rules.burn_expr(definitions.sli("containment_quality"), "page")
    assert 'ratio_rate1h{sli="containment_quality"} > (14.4 * 0.05)' in expr
    assert 'ratio_rate5m{sli="containment_quality"} > (14.4 * 0.05)' in expr
    assert 'ratio_rate6h{sli="containment_quality"} > (6 * 0.05)' in expr
    assert 'ratio_rate30m{sli="containment_quality"} > (6 * 0.05)' in expr
    ticket = rules.burn_expr(definitions.sli("containment_quality"), "ticket")
    assert "ratio_rate1d" in ticket and "ratio_rate2h" in ticket and "(3 * 0.05)" in ticket
    assert "ratio_rate3d" in ticket and "ratio_rate6h" in ticket and "(1 * 0.05)" in ticket


def test_every_alert_has_a_runbook_that_exists_in_the_docs(definitions):
    doc = (ROOT / "docs" / "slo.md").read_text(encoding="utf-8")
    for group in rules.build_rules(definitions)["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                anchor = rule["annotations"]["runbook_url"].split("#")[1]
                assert f'<a id="{anchor}"></a>' in doc, anchor


def test_dashboards_use_only_exported_metrics_or_our_recording_rules(definitions, exported):
    recorded = {r["record"] for g in rules.build_rules(definitions)["groups"] for r in g["rules"] if "record" in r}
    for name, board in dash.build_dashboards(definitions).items():
        used = set()
        for expr in dash.expressions(board):
            used |= metric_names(grafana_to_promql(expr))
        assert used, name
        assert used <= exported | recorded, (name, used - exported - recorded)
        assert set(dash.variable_metrics(board)) <= exported
    # and the rules themselves read only exported metrics
    raw = {n for g in rules.build_rules(definitions)["groups"] for r in g["rules"]
           for n in metric_names(r["expr"])}
    assert raw <= exported | recorded


def test_dashboards_cover_budget_escalations_and_health(definitions):
    boards = dash.build_dashboards(definitions)
    overview = "\n".join(dash.expressions(boards["slo-overview.json"]))
    assert "loopline:slo_error_budget_remaining:ratio" in overview
    assert "sum by (intent)" in overview and "sum by (channel)" in overview and "sum by (segment)" in overview
    escalations = "\n".join(dash.expressions(boards["escalations.json"]))
    for by in ("trigger", "tier", "channel"):
        assert f"sum by ({by}) (" in escalations
    assert "loopline_time_to_escalation_seconds_bucket" in escalations
    health = "\n".join(dash.expressions(boards["pipeline-health.json"]))
    for metric in ("events_in", "dead_letters", "late_events", "processing_errors", "consumer_lag", "state_entries", "policy_version"):
        assert f"loopline_{metric}" in health
    uids = [b["uid"] for b in boards.values()]
    assert len(set(uids)) == 3


def test_metric_name_extraction_skips_functions_labels_and_keywords():
    expr = 'histogram_quantile(0.9, sum by (le) (rate(a_bucket{x="rate(b)"}[5m]))) / on (sli) group_left c:rec'
    assert metric_names(expr) == {"a_bucket", "c:rec"}


def test_docker_compose_mounts_existing_files_and_provisions_grafana():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"prometheus", "grafana"} <= set(services)
    for service in ("prometheus", "grafana"):
        for volume in services[service]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    datasource = yaml.safe_load((GRAFANA_DIR / "provisioning/datasources/loopline.yml").read_text())
    assert datasource["datasources"][0]["uid"] == dash.DATASOURCE["uid"]
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    prometheus = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text())
    assert prometheus["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    assert any("slo-worker" in sd["names"] for job in prometheus["scrape_configs"]
               for sd in job.get("dns_sd_configs", []))
    for board in GRAFANA_DIR.glob("*.json"):
        assert json.loads(board.read_text())["panels"]


@pytest.mark.parametrize("module", [
    "pipelines.slo.definitions", "pipelines.slo.outcomes", "pipelines.slo.windows",
    "pipelines.slo.processor", "pipelines.slo.metrics", "pipelines.slo.rules",
    "pipelines.slo.dashboards", "pipelines.slo.promql",
])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
