"""Prometheus metrics of the workers: SLI counters and histograms, escalations, pipeline health.

Each worker builds its own :class:`~prometheus_client.CollectorRegistry` (never the global one),
so tests stay isolated and a process could host two workers. Label values are bounded twice:

* by value — a known set (catalogue intents, the contract's channels and segments, tiers 0-3,
  the defined SLIs) or, for free labels (trigger, topic, store, policy), a safe-token pattern that
  refuses anything id- or PII-shaped; anything else folds into ``"other"``;
* by count — past ``max_series`` label sets per metric, new ones fold into all-``"other"``.

Pipeline-health metrics (:class:`PipelineMetrics`) are generic: label ``worker``; the escalation
and lake workers import them from here.

>>> registry = new_registry()
>>> health = PipelineMetrics(registry, worker="slo")
>>> health.events_in("cx.interactions.v1", 3)
>>> registry.get_sample_value("loopline_events_in_total", {"worker": "slo", "topic": "cx.interactions.v1"})
3.0
>>> safe_token("4111 1111 1111 1111"), safe_token("policy_high_risk")
('other', 'policy_high_risk')
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import WSGIServer

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pipelines.catalogue import Catalogue
from pipelines.slo.definitions import CHANNELS, SloDefinitions
from pipelines.slo.exceptions import MetricsServerError
from pipelines.slo.outcomes import OTHER, SliOutcome
from topics.outputs import Escalation

DEFAULT_MAX_SERIES = 10_000
DEFAULT_METRICS_PORT = 9108
SEGMENTS = ("standard", "premium", "business", "vip")
TIERS = ("0", "1", "2", "3")
DECISION_LATENCY_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ESCALATION_BUCKETS_S = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)

_SAFE = re.compile(r"^[a-z][a-z0-9_.:\-]{0,63}$")
_ID_SHAPED = re.compile(r"[0-9a-f]{12,}|\d{5,}|@")


def new_registry() -> CollectorRegistry:
    """A registry for one worker (no process/platform collectors: tests compare exact output)."""
    return CollectorRegistry(auto_describe=True)


def safe_token(value: object) -> str:
    """The value if it is a short lower-case token that cannot be an id or PII, else ``"other"``."""
    text = str(value)
    if not _SAFE.match(text) or _ID_SHAPED.search(text):
        return OTHER
    return text


class LabelGuard:
    """Folds label values into a bounded set and caps the label sets one metric may create."""

    def __init__(
        self, allowed: dict[str, frozenset[str] | None], *, max_series: int = DEFAULT_MAX_SERIES
    ) -> None:
        self._allowed = allowed  # None = free label, checked by safe_token
        self._max_series = max_series
        self._seen: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()
        self.folded = 0  # label sets refused by the cap

    def __call__(self, **values: object) -> tuple[str, ...]:
        labels = []
        for name, allowed in self._allowed.items():
            text = str(values[name])
            if allowed is None:
                labels.append(safe_token(text))
            else:
                labels.append(text if text in allowed else OTHER)
        key = tuple(labels)
        with self._lock:
            if key not in self._seen:
                if len(self._seen) >= self._max_series:
                    self.folded += 1
                    return tuple(OTHER for _ in labels)
                self._seen.add(key)
        return key


class PipelineMetrics:
    """Health of any worker: events in, dead-lettered, late, errors, lag, state size, policy."""

    def __init__(
        self, registry: CollectorRegistry, *, worker: str, max_series: int = DEFAULT_MAX_SERIES
    ) -> None:
        self.worker = safe_token(worker)
        self._topic_guard = LabelGuard({"topic": None}, max_series=max_series)
        self._lag_guard = LabelGuard({"topic": None, "partition": None}, max_series=max_series)
        self._store_guard = LabelGuard({"store": None}, max_series=max_series)
        self._policy_guard = LabelGuard({"policy": None, "version": None}, max_series=max_series)
        common = ["worker", "topic"]
        self._events_in = Counter(
            "loopline_events_in_total", "Records consumed, by worker and source topic.", common,
            registry=registry,
        )
        self._dead = Counter(
            "loopline_dead_letters_total", "Records sent to cx.deadletter.v1.", common, registry=registry
        )
        self._late = Counter(
            "loopline_late_events_total", "Records and outcomes sent to cx.late.v1 (later than grace).",
            common, registry=registry,
        )
        self._errors = Counter(
            "loopline_processing_errors_total", "Records whose processing raised an error.", common,
            registry=registry,
        )
        self._lag = Gauge(
            "loopline_consumer_lag_messages", "Consumer lag: high watermark minus committed offset.",
            ["worker", "topic", "partition"], registry=registry,
        )
        self._state = Gauge(
            "loopline_state_entries", "Entries held in the worker's state, by store.",
            ["worker", "store"], registry=registry,
        )
        self._policy = Gauge(
            "loopline_policy_version_info", "The policy version in use (value 1).",
            ["worker", "policy", "version"], registry=registry,
        )
        self._policy_versions: dict[str, str] = {}

    def events_in(self, topic: str, count: int = 1) -> None:
        self._events_in.labels(self.worker, *self._topic_guard(topic=topic)).inc(count)

    def dead_lettered(self, topic: str, count: int = 1) -> None:
        self._dead.labels(self.worker, *self._topic_guard(topic=topic)).inc(count)

    def late(self, topic: str, count: int = 1) -> None:
        self._late.labels(self.worker, *self._topic_guard(topic=topic)).inc(count)

    def processing_error(self, topic: str, count: int = 1) -> None:
        self._errors.labels(self.worker, *self._topic_guard(topic=topic)).inc(count)

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self._lag.labels(self.worker, *self._lag_guard(topic=topic, partition=f"p{partition}")).set(lag)

    def state_entries(self, sizes: dict[str, int]) -> None:
        for store, size in sizes.items():
            self._state.labels(self.worker, *self._store_guard(store=store)).set(size)

    def policy_in_use(self, policy: str, version: str) -> None:
        labels = self._policy_guard(policy=policy, version=version)
        previous = self._policy_versions.get(labels[0])
        if previous is not None and previous != labels[1]:
            self._policy.remove(self.worker, labels[0], previous)
        self._policy_versions[labels[0]] = labels[1]
        self._policy.labels(self.worker, *labels).set(1)

    def touch(self, topics: Iterable[str]) -> None:
        """Create the zero series for these topics so rate() works from the first scrape."""
        for topic in topics:
            for metric in (self._events_in, self._dead, self._late, self._errors):
                metric.labels(self.worker, *self._topic_guard(topic=topic)).inc(0)


class SloMetrics:
    """SLI good/total counters, decision latency and time to escalation, escalations by trigger."""

    def __init__(
        self, registry: CollectorRegistry, definitions: SloDefinitions, catalogue: Catalogue, *,
        max_series: int = DEFAULT_MAX_SERIES,
    ) -> None:
        self._kinds = {s.name: s.kind for s in definitions.slis}
        self._cache: dict[tuple[object, ...], tuple[Any, ...]] = {}
        self._cache_limit = 2 * max_series
        self._weighted = {s.name for s in definitions.slis if s.weighting is not None}
        sli_labels = ["sli", "intent", "channel", "segment", "tier"]
        self._guard = LabelGuard(
            {
                "sli": frozenset(self._kinds), "intent": frozenset(i.name for i in catalogue.intents),
                "channel": frozenset(CHANNELS), "segment": frozenset(SEGMENTS), "tier": frozenset(TIERS),
            },
            max_series=max_series,
        )
        self._small_guard = LabelGuard(
            {"channel": frozenset(CHANNELS), "tier": frozenset(TIERS)}, max_series=max_series
        )
        self._trigger_guard = LabelGuard(
            {"trigger": None, "tier": frozenset(TIERS), "channel": frozenset(CHANNELS)},
            max_series=max_series,
        )
        self._total = Counter(
            "loopline_sli_events_total", "SLI events counted (good + bad), by SLI and bounded labels.",
            sli_labels, registry=registry,
        )
        self._good = Counter(
            "loopline_sli_good_events_total", "SLI events that met the objective's definition of good.",
            sli_labels, registry=registry,
        )
        self._weighted_total = Counter(
            "loopline_sli_weighted_events_total", "Weighted SLI events (weighted SLIs only).",
            sli_labels, registry=registry,
        )
        self._weighted_good = Counter(
            "loopline_sli_weighted_good_events_total", "Weighted good SLI events (weighted SLIs only).",
            sli_labels, registry=registry,
        )
        self._decision_latency = Histogram(
            "loopline_decision_latency_seconds", "Decision time minus its source event's time.",
            ["channel", "tier"], buckets=DECISION_LATENCY_BUCKETS_S, registry=registry,
        )
        self._time_to_escalation = Histogram(
            "loopline_time_to_escalation_seconds", "First risk signal to agent accepted.",
            ["channel", "tier"], buckets=ESCALATION_BUCKETS_S, registry=registry,
        )
        self._escalations = Counter(
            "loopline_escalations_total", "Escalations to a human, by trigger code, tier and channel.",
            ["trigger", "tier", "channel"], registry=registry,
        )

    @property
    def folded_label_sets(self) -> int:
        return self._guard.folded + self._small_guard.folded + self._trigger_guard.folded

    def record(self, outcomes: Iterable[SliOutcome]) -> None:
        for outcome in outcomes:
            self.record_outcome(outcome)

    def _children(self, outcome: SliOutcome) -> tuple[Any, ...]:
        """The labelled counters of an outcome's label set (cached: the guard runs once per set)."""
        raw = (outcome.sli, *outcome.labels)
        children = self._cache.get(raw)
        if children is None:
            labels = outcome.labels
            key = self._guard(
                sli=outcome.sli, intent=labels.intent, channel=labels.channel,
                segment=labels.segment, tier=labels.tier,
            )
            weighted = outcome.sli in self._weighted
            children = (
                self._total.labels(*key), self._good.labels(*key),
                self._weighted_total.labels(*key) if weighted else None,
                self._weighted_good.labels(*key) if weighted else None,
            )
            if len(self._cache) < self._cache_limit:
                self._cache[raw] = children
        return children

    def record_outcome(self, outcome: SliOutcome) -> None:
        labels = outcome.labels
        total, good, weighted_total, weighted_good = self._children(outcome)
        total.inc()
        good.inc(1 if outcome.good else 0)  # inc(0) keeps the series alive
        if weighted_total is not None and outcome.weight is not None:
            weighted_total.inc(outcome.weight)
            weighted_good.inc(outcome.weight if outcome.good else 0.0)
        if outcome.value_ms is None:
            return
        kind = self._kinds.get(outcome.sli)
        small = self._small_guard(channel=labels.channel, tier=labels.tier)
        if kind == "decision_latency":
            self._decision_latency.labels(*small).observe(outcome.value_ms / 1000)
        elif kind == "time_to_escalation":
            self._time_to_escalation.labels(*small).observe(outcome.value_ms / 1000)

    def record_escalation(self, escalation: Escalation) -> None:
        """Count an escalation once per trigger (SLA re-emits, ``sla_level > 0``, are not new)."""
        if escalation.sla_level > 0 or escalation.mode == "shadow":
            return
        tier = escalation.intent.tier if escalation.intent else 3
        for trigger in escalation.triggers:
            labels = self._trigger_guard(trigger=trigger.code, tier=tier, channel=escalation.customer.channel)
            self._escalations.labels(*labels).inc()


def exported_metric_names(registry: CollectorRegistry) -> set[str]:
    """Every sample name the registry can expose (``_total``, ``_bucket``, ``_sum`` …)."""
    names: set[str] = set()
    for family in registry.collect():
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
        else:
            names.add(family.name)
    return names


def serve_metrics(
    registry: CollectorRegistry, *, port: int = DEFAULT_METRICS_PORT, host: str = "0.0.0.0"
) -> tuple[WSGIServer, int]:
    """Serve ``/metrics`` for this registry on a daemon thread; return the server and the port
    actually bound (pass ``port=0`` for a free one). Stop it with ``server.shutdown()``."""
    prometheus_client.disable_created_metrics()  # `_created` series double the count for nothing
    try:
        server, _thread = prometheus_client.start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise MetricsServerError(f"cannot serve /metrics on {host}:{port}: {exc}") from exc
    return server, int(server.server_address[1])
