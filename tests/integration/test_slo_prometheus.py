"""A real Prometheus on loopback loads the generated rules and scrapes a /metrics endpoint served
from a worker registry that we drive with synthetic outcomes: healthy traffic raises no alert at
all; a fast burn makes the containment-quality page alert fire. Only the scrape and evaluation
intervals are shortened (configuration), never the rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from pipelines.catalogue import load_catalogue
from pipelines.slo.definitions import load_definitions
from pipelines.slo.metrics import SloMetrics, new_registry, serve_metrics
from pipelines.slo.outcomes import Labels, SliOutcome
from topics.broker import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "dashboards" / "prometheus" / "slo_rules.yml"
SLI = "containment_quality"
PAGE = "ContainmentQualityBurnRatePage"


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


class Traffic:
    """Feeds outcomes into the registry from a thread: `good_share` of `per_tick` are good."""

    def __init__(self, metrics: SloMetrics) -> None:
        self.metrics, self.per_tick, self.good_share = metrics, 5, 1.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._n = 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            good = round(self.per_tick * self.good_share)
            for i in range(self.per_tick):
                self._n += 1
                self.metrics.record_outcome(SliOutcome(
                    outcome_id=str(self._n), sli=SLI, good=i < good, conversation_id=f"sim-{self._n}",
                    event_time=datetime.now(UTC), labels=Labels("top_up", "chat", "standard", 1)))

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture()
def prometheus(tmp_path: Path) -> Iterator[tuple[str, Traffic]]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus missing: apt-get install -y prometheus (make setup does it)"
    registry = new_registry()
    metrics = SloMetrics(registry, load_definitions(), load_catalogue())
    server, metrics_port = serve_metrics(registry, port=0, host="127.0.0.1")
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{"job_name": "slo-worker", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        [binary, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=1)
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "prometheus did not become ready"
                time.sleep(0.2)
        with Traffic(metrics) as traffic:
            yield base, traffic
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        server.shutdown()


def test_healthy_traffic_raises_no_alert_and_a_fast_burn_pages(prometheus, wait_until):
    base, traffic = prometheus
    query = urllib.parse.quote(f'loopline:slo_error:ratio_rate5m{{sli="{SLI}"}}')

    def healthy_ratio_recorded():
        result = _get(f"{base}/api/v1/query?query={query}")["data"]["result"]
        return result and float(result[0]["value"][1]) == 0.0

    # healthy: every outcome good. Wait until the rules have evaluated real data, then a bit more.
    wait_until(healthy_ratio_recorded, timeout_s=20, what="the 5m error ratio of healthy traffic")
    time.sleep(3)
    assert _get(f"{base}/api/v1/alerts")["data"]["alerts"] == []  # nothing pending, nothing firing

    # degraded: the bot fails every conversation, at ten times the volume
    traffic.per_tick, traffic.good_share = 50, 0.0

    def page_state():
        alerts = _get(f"{base}/api/v1/alerts")["data"]["alerts"]
        return [a for a in alerts if a["labels"]["alertname"] == PAGE and a["state"] == "firing"]

    [alert] = wait_until(page_state, timeout_s=40, what=f"{PAGE} to fire")
    assert alert["labels"]["severity"] == "page" and alert["labels"]["sli"] == SLI
    assert alert["annotations"]["runbook_url"].endswith("#runbook-containment-quality")
