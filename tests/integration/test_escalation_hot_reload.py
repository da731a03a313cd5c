"""Hot reload: the escalation worker switches policy versions from cx.policies.v1 without a restart,
and every decision names the version that made it."""

from __future__ import annotations

import re
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.catalogue import POLICIES_DIR
from pipelines.sources.publish import producer, publish
from pipelines.sources.simulator import Simulation, SimulationConfig
from topics.admin import provision
from topics.codec import decode_as, encode
from topics.outputs import Decision, PolicyRecord
from topics.reader import read_topic
from topics.specs import DECISIONS, INTERACTIONS, POLICIES

pytestmark = pytest.mark.integration


def _metrics_url(process) -> str:  # type: ignore[no-untyped-def]
    announce = Path(process.log_path).parent / "workers" / "escalation.metrics"
    deadline = time.monotonic() + 120
    while not announce.exists():
        assert process.poll() is None, Path(process.log_path).read_text()[-3000:]
        assert time.monotonic() < deadline, "worker never announced its metrics endpoint"
        time.sleep(0.5)
    return announce.read_text().strip()


def _policy_version_in_use(url: str) -> str | None:
    body = urllib.request.urlopen(url, timeout=5).read().decode()
    match = re.search(r'loopline_policy_version_info\{[^}]*version="([^"]+)"[^}]*\} 1\.0', body)
    return match.group(1) if match else None


def test_new_policy_version_is_used_without_restart(own_broker: str, run_worker, wait_committed) -> None:  # type: ignore[no-untyped-def]
    provision(own_broker)
    worker = run_worker("escalation", own_broker, "--lexical")
    url = _metrics_url(worker)
    first = publish(Simulation(SimulationConfig(conversations=40, seed=1, late_share=0.0)).records(),
                    bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    wait_committed(own_broker, "loopline-escalation", first.records, worker)
    assert _policy_version_in_use(url) == "v1.0"

    # a stricter tier-2 automation band, published as the active version
    document = (POLICIES_DIR / "policy-v1.yaml").read_text(encoding="utf-8")
    document = document.replace("version: v1.0", "version: v1.1-test", 1)
    document = document.replace("{action: automate,   from: 0.82, to: 1.0}", "{action: automate,   from: 0.999, to: 1.0}", 1)
    document = document.replace("{action: clarify,    from: 0.72, to: 0.82}", "{action: clarify,    from: 0.72, to: 0.999}", 1)
    client = producer(own_broker)
    record = PolicyRecord(name="escalation", version="v1.1-test", slot="active", document=document,
                          approvals=["test"], time=datetime.now(UTC))
    client.produce(POLICIES.name, key=b"escalation/active", value=encode(record))
    client.flush(10)
    deadline = time.monotonic() + 60
    while _policy_version_in_use(url) != "v1.1-test":
        assert time.monotonic() < deadline, "the worker did not switch to the new policy"
        time.sleep(0.5)

    second = publish(Simulation(SimulationConfig(conversations=40, seed=2, late_share=0.0)).records(),
                     bootstrap_servers=own_broker, topic=INTERACTIONS.name)
    wait_committed(own_broker, "loopline-escalation", first.records + second.records, worker)
    assert worker.poll() is None, "no restart happened"

    decisions = [decode_as(m.value or b"", Decision) for m in read_topic(own_broker, DECISIONS.name)]
    by_run = Counter((d.conversation_id.split("-")[1], d.policy_version) for d in decisions)
    assert set(by_run) == {("1", "v1.0"), ("2", "v1.1-test")}, by_run
    # the stricter band shows: tier-2 intents (card_declined has its own override) are no longer automated
    tier2_automated = [d for d in decisions if d.policy_version == "v1.1-test" and d.action == "automate"
                       and d.intent is not None and d.intent.tier == 2 and d.intent.intent != "card_declined"]
    assert tier2_automated == []
