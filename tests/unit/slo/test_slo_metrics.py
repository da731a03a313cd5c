"""Metrics: names per Prometheus conventions, bounded labels, the cardinality cap, /metrics."""

from __future__ import annotations

import re
import urllib.request
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from pipelines.slo.metrics import (
    LabelGuard,
    PipelineMetrics,
    SloMetrics,
    exported_metric_names,
    new_registry,
    safe_token,
    serve_metrics,
)
from pipelines.slo.outcomes import Labels, SliOutcome
from topics.outputs import CustomerContext, Escalation, IntentPrediction, Reason

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _outcome(sli="containment_quality", good=True, labels=Labels("top_up", "chat", "vip", 1), value_ms=None, weight=None):
    return SliOutcome(outcome_id="o", sli=sli, good=good, conversation_id="c-123", event_time=NOW,
                      labels=labels, value_ms=value_ms, weight=weight)


def _slo(definitions, catalogue, registry=None, **kw):
    registry = registry or new_registry()
    return registry, SloMetrics(registry, definitions, catalogue, **kw)


def test_good_and_total_are_counted_per_sli_with_bounded_labels(definitions, catalogue):
    registry, metrics = _slo(definitions, catalogue)
    metrics.record([_outcome(good=True), _outcome(good=False), _outcome(good=False)])
    labels = {"sli": "containment_quality", "intent": "top_up", "channel": "chat", "segment": "vip", "tier": "1"}
    assert registry.get_sample_value("loopline_sli_events_total", labels) == 3
    assert registry.get_sample_value("loopline_sli_good_events_total", labels) == 1


def test_all_bad_label_set_still_exposes_a_zero_good_series(definitions, catalogue):
    # otherwise `total - good` has no good series to subtract and the burn-rate rules see nothing
    registry, metrics = _slo(definitions, catalogue)
    metrics.record_outcome(_outcome(good=False))
    labels = {"sli": "containment_quality", "intent": "top_up", "channel": "chat", "segment": "vip", "tier": "1"}
    assert registry.get_sample_value("loopline_sli_good_events_total", labels) == 0


def test_unknown_values_fold_into_other(definitions, catalogue):
    registry, metrics = _slo(definitions, catalogue)
    metrics.record_outcome(_outcome(sli="made_up", labels=Labels("cust-4711", "fax", "gold", 9)))
    labels = {"sli": "other", "intent": "other", "channel": "other", "segment": "other", "tier": "other"}
    assert registry.get_sample_value("loopline_sli_events_total", labels) == 1


def test_cap_folds_new_label_sets_beyond_max_series(definitions, catalogue):
    registry, metrics = _slo(definitions, catalogue, max_series=2)
    for intent in ("top_up", "card_declined", "fraud_report", "bereavement"):
        metrics.record_outcome(_outcome(labels=Labels(intent, "chat", "vip", 1)))
    series = [s for m in registry.collect() if m.name == "loopline_sli_events" for s in m.samples
              if s.name.endswith("_total")]
    assert len(series) == 3  # two real label sets + the all-"other" overflow series
    assert metrics.folded_label_sets == 2


def test_histograms_observe_seconds(definitions, catalogue):
    registry, metrics = _slo(definitions, catalogue)
    metrics.record_outcome(_outcome(sli="decision_latency", value_ms=120))
    metrics.record_outcome(_outcome(sli="time_to_safe_escalation", value_ms=90_000))
    assert registry.get_sample_value("loopline_decision_latency_seconds_sum", {"channel": "chat", "tier": "1"}) == 0.12
    assert registry.get_sample_value("loopline_time_to_escalation_seconds_bucket", {"channel": "chat", "tier": "1", "le": "60.0"}) == 0
    assert registry.get_sample_value("loopline_time_to_escalation_seconds_bucket", {"channel": "chat", "tier": "1", "le": "120.0"}) == 1


def test_escalations_by_trigger_count_once_and_refuse_id_shaped_codes(definitions, catalogue):
    registry, metrics = _slo(definitions, catalogue)

    def escalation(level, codes):
        return Escalation(escalation_id="e1", conversation_id="c1", source_event_id="s1", time=NOW,
                          policy_version="v1", priority="high", triggers=[Reason(code=c) for c in codes],
                          customer=CustomerContext(channel="voice", segment="vip", region="GB"),
                          intent=IntentPrediction(intent="fraud_report", confidence=0.9, tier=3), sla_level=level)
    metrics.record_escalation(escalation(0, ["human_request", "call me on 07700900123"]))
    metrics.record_escalation(escalation(1, ["human_request"]))  # SLA re-emit: not a new escalation
    assert registry.get_sample_value("loopline_escalations_total", {"trigger": "human_request", "tier": "3", "channel": "voice"}) == 1
    assert registry.get_sample_value("loopline_escalations_total", {"trigger": "other", "tier": "3", "channel": "voice"}) == 1


def test_pipeline_health_is_generic_over_workers():
    registry = new_registry()
    health = PipelineMetrics(registry, worker="escalation")
    health.touch(["cx.interactions.v1"])
    health.dead_lettered("cx.interactions.v1")
    health.consumer_lag("cx.interactions.v1", 2, 40)
    health.state_entries({"conversations": 7})
    health.policy_in_use("escalation", "v1")
    health.policy_in_use("escalation", "v2")
    assert registry.get_sample_value("loopline_dead_letters_total", {"worker": "escalation", "topic": "cx.interactions.v1"}) == 1
    assert registry.get_sample_value("loopline_late_events_total", {"worker": "escalation", "topic": "cx.interactions.v1"}) == 0
    assert registry.get_sample_value("loopline_consumer_lag_messages", {"worker": "escalation", "topic": "cx.interactions.v1", "partition": "p2"}) == 40
    assert registry.get_sample_value("loopline_state_entries", {"worker": "escalation", "store": "conversations"}) == 7
    # only the version in use is exposed
    assert registry.get_sample_value("loopline_policy_version_info", {"worker": "escalation", "policy": "escalation", "version": "v1"}) is None
    assert registry.get_sample_value("loopline_policy_version_info", {"worker": "escalation", "policy": "escalation", "version": "v2"}) == 1


def test_metric_names_follow_prometheus_conventions(definitions, catalogue):
    registry, _ = _slo(definitions, catalogue)
    PipelineMetrics(registry, worker="slo")
    names = exported_metric_names(registry)
    assert all(re.fullmatch(r"loopline_[a-z0-9_]+", n) for n in names)
    counters = [m.name for m in registry.collect() if m.type == "counter"]
    assert counters and all(f"{c}_total" in names for c in counters)
    histograms = [m.name for m in registry.collect() if m.type == "histogram"]
    assert histograms and all(h.endswith("_seconds") for h in histograms)


def test_safe_token_refuses_ids_and_pii():
    for bad in ("4111111111111111", "jane@example.com", "c0ffee0123456789", "Mixed Case", "a" * 80):
        assert safe_token(bad) == "other", bad
    assert safe_token("asr_failure") == "asr_failure"
    assert safe_token("cx.interactions.v1") == "cx.interactions.v1"


def test_label_guard_keeps_known_values():
    guard = LabelGuard({"channel": frozenset({"chat"}), "code": None}, max_series=10)
    assert guard(channel="chat", code="sentiment") == ("chat", "sentiment")
    assert guard(channel="pigeon", code="sentiment") == ("other", "sentiment")


def test_metrics_are_served_over_http_on_a_chosen_port(definitions, catalogue):
    registry: CollectorRegistry
    registry, metrics = _slo(definitions, catalogue)
    metrics.record_outcome(_outcome())
    server, port = serve_metrics(registry, port=0, host="127.0.0.1")
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
    assert 'loopline_sli_events_total{channel="chat",intent="top_up",segment="vip",sli="containment_quality",tier="1"} 1.0' in body
    assert "c-123" not in body  # no conversation id ever reaches a label
