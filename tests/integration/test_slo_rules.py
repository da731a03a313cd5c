"""promtool (Debian's `prometheus` package) checks the committed rules, runs their rule tests, and
parses every PromQL expression of the Grafana dashboards."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipelines.slo import rules
from pipelines.slo.dashboards import expressions
from pipelines.slo.definitions import load_definitions
from pipelines.slo.promql import grafana_to_promql

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROM_DIR = ROOT / "dashboards" / "prometheus"
GRAFANA_DIR = ROOT / "dashboards" / "grafana"


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool missing: apt-get install -y prometheus (make setup does it)"
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_committed_rules_pass_promtool_check():
    expected = sum(len(g["rules"]) for g in rules.build_rules(load_definitions())["groups"])
    result = promtool("check", "rules", str(PROM_DIR / rules.RULES_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {expected} rules found" in result.stdout


def test_rule_tests_prove_alerts_fire_on_a_burn_and_stay_silent_when_healthy():
    result = promtool("test", "rules", "tests/" + rules.RULES_TEST_FILE, cwd=PROM_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rule_tests_catch_a_broken_alert(tmp_path: Path):
    """The rule tests have teeth: with page thresholds 10x too high the page tests must fail."""
    definitions = load_definitions()
    doc = rules.build_rules(definitions)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if rule.get("alert", "").endswith("Page"):
                rule["expr"] = rule["expr"].replace("(14.4 *", "(144 *").replace("(6 *", "(60 *")
    (tmp_path / rules.RULES_FILE).write_text(rules.dump(doc))
    tests = rules.build_rule_tests(definitions)
    tests["tests"] = [t for t in tests["tests"] if t["name"].startswith("containment_quality")]
    (tmp_path / rules.RULES_TEST_FILE).write_text(rules.dump(tests))
    result = promtool("test", "rules", rules.RULES_TEST_FILE, cwd=tmp_path)
    assert result.returncode != 0
    assert "ContainmentQualityBurnRatePage" in result.stdout + result.stderr


def _wrap(exprs: list[str], path: Path) -> Path:
    """promtool parses PromQL only inside rule files: wrap each expression as a recording rule."""
    doc = {"groups": [{"name": "dashboard-expressions", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": grafana_to_promql(e)} for i, e in enumerate(exprs)
    ]}]}
    path.write_text(yaml.safe_dump(doc))
    return path


def test_every_dashboard_expression_parses(tmp_path: Path):
    exprs = [e for board in sorted(GRAFANA_DIR.glob("*.json")) for e in expressions(json.loads(board.read_text()))]
    assert len(exprs) > 50
    result = promtool("check", "rules", str(_wrap(exprs, tmp_path / "exprs.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in result.stdout


def test_the_parse_check_rejects_invalid_promql(tmp_path: Path):
    result = promtool("check", "rules", str(_wrap(["sum by (x (rate(y[5m]))"], tmp_path / "bad.yml")))
    assert result.returncode != 0


def test_compose_prometheus_config_is_valid():
    result = promtool("check", "config", "--syntax-only", str(PROM_DIR / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
