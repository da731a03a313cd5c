"""Prometheus metrics of the rollout controller (one registry per worker)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class RolloutMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.records = Counter("loopline_rollout_records", "Records the canary judge consumed, by topic.",
                               ["topic"], registry=registry)
        self.skipped = Counter("loopline_rollout_skipped", "Records the judge could not decode (the escalation "
                               "worker dead-letters them), by topic.", ["topic"], registry=registry)
        self.burn = Gauge("loopline_canary_burn_rate", "Error-budget burn rate per cohort and SLI over the judge's "
                          "event-time window.", ["cohort", "sli"], registry=registry)
        self.outcomes = Gauge("loopline_canary_outcomes", "SLI outcomes in the judge's window, per cohort and SLI.",
                              ["cohort", "sli"], registry=registry)
        self.rollbacks = Counter("loopline_rollout_rollbacks", "Canaries rolled back automatically, by version.",
                                 ["version", "sli"], registry=registry)
        self.alert = Gauge("loopline_rollout_alert", "1 while the latest canary of a policy was rolled back "
                           "automatically (cleared by the next promotion).", ["policy"], registry=registry)
        self.canary_share = Gauge("loopline_rollout_canary_share", "Share of the canary being judged (0: none).",
                                  registry=registry)
