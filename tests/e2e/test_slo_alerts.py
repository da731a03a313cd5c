"""End to end: simulator → embedded broker → `loopline run slo` (a real process) → /metrics → a real
Prometheus on loopback with the generated rules. Only the scrape and evaluation intervals are
shortened (configuration); the rules are the committed ones.

* healthy traffic: no page is pending or firing and containment quality raises no alert at all;
  a ticket for another SLI may fire only when its measured error ratio really is above budget
  (a one-minute test sees a few dozen deflections, and Prometheus's rate() skips the first sample
  of every new label set, so low-volume SLIs are noisy here — not in a real compliance period);
* a degraded run (the simulator's bot failing a share of automated conversations): the page alert
  for containment quality becomes firing in ``/api/v1/alerts``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.slo.definitions import load_definitions
from pipelines.sources.publish import publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.broker import free_port
from topics.specs import INTERACTIONS

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "dashboards" / "prometheus" / "slo_rules.yml"
PAGE = "ContainmentQualityBurnRatePage"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())["data"]


@pytest.fixture
def prometheus(tmp_path: Path, wait_until) -> Iterator[Callable[[str], str]]:  # type: ignore[no-untyped-def]
    """``start(target)`` → base URL of a Prometheus scraping ``target`` (host:port) every second."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus missing: apt-get install -y prometheus (make setup does it)"
    processes: list[subprocess.Popen[bytes]] = []

    def start(target: str) -> str:
        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{"job_name": "slo-worker", "static_configs": [{"targets": [target]}]}],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        log = (tmp_path / "prometheus.log").open("wb")
        process = subprocess.Popen(
            [binary, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            assert process.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=1)
                return True
            except OSError:
                return False

        wait_until(ready, timeout_s=20, what="prometheus to be ready")
        return base

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _publish_and_wait(bootstrap: str, sim: Simulation, worker: subprocess.Popen[bytes], wait_committed: Any, *,
                      already: int) -> tuple[int, Any]:
    records = list(sim.records())
    stats = publish(records, bootstrap_servers=bootstrap, topic=INTERACTIONS.name, rate_eps=4000)
    total = already + stats.records
    wait_committed(bootstrap, "loopline-slo", total, worker, timeout_s=150)
    return total, max(r.time for r in records)


def test_healthy_traffic_pages_nobody_and_a_failing_bot_pages(own_broker: str, run_worker, prometheus, wait_until,
                                                              wait_committed) -> None:  # type: ignore[no-untyped-def]
    provision(own_broker)
    worker = run_worker("slo", own_broker)
    announced = Path(worker.log_path).parent / "workers" / "slo.metrics"
    url = wait_until(lambda: announced.exists() and announced.read_text().strip(), timeout_s=60,
                     what="the worker to announce its /metrics URL", processes=[worker])
    base = prometheus(urllib.parse.urlparse(url).netloc)
    budgets = {s.name: 1 - s.objective for s in load_definitions().slis}

    def query(expr: str) -> dict[str, float]:
        result = _get(f"{base}/api/v1/query?query={urllib.parse.quote(expr)}")["result"]
        return {r["metric"].get("sli", ""): float(r["value"][1]) for r in result}

    def alerts() -> list[dict[str, Any]]:
        return list(_get(f"{base}/api/v1/alerts")["alerts"])

    # --- healthy ------------------------------------------------------------------------------
    healthy = Simulation(SimulationConfig(conversations=500, seed=21))
    published, last = _publish_and_wait(own_broker, healthy, worker, wait_committed, already=0)
    wait_until(lambda: "containment_quality" in query("loopline:slo_error:ratio_rate5m"), timeout_s=30,
               what="the containment error ratio to be recorded")
    time.sleep(3)  # a few more evaluations
    ratios = query("loopline:slo_error:ratio_rate3d")
    present = alerts()
    print(f"healthy: error ratios {ratios}; alerts {sorted(a['labels']['alertname'] for a in present)}")
    assert not [a for a in present if a["labels"]["severity"] == "page"], present
    assert not [a for a in present if a["labels"]["sli"] == "containment_quality"], present
    for alert in present:  # a ticket only where the measured error ratio really is above budget
        sli = alert["labels"]["sli"]
        assert ratios[sli] > budgets[sli], (alert, ratios)
    assert ratios["containment_quality"] < budgets["containment_quality"], ratios

    # --- degraded: the bot fails 70 % of automated conversations, after the healthy run -------
    degraded = Simulation(SimulationConfig(conversations=500, seed=22, bot_failure_share=0.7,
                                           start=last + timedelta(minutes=1)))
    _publish_and_wait(own_broker, degraded, worker, wait_committed, already=published)

    def paging() -> list[dict[str, Any]]:
        return [a for a in alerts() if a["labels"]["alertname"] == PAGE and a["state"] == "firing"]

    [alert] = wait_until(paging, timeout_s=60, what=f"{PAGE} to fire")
    assert alert["labels"]["severity"] == "page" and alert["labels"]["sli"] == "containment_quality"
    assert alert["annotations"]["runbook_url"].endswith("#runbook-containment-quality")
    burning = query("loopline:slo_error:ratio_rate30m")
    print(f"degraded: 30m error ratios {burning}")
    assert burning["containment_quality"] > 6 * budgets["containment_quality"]
