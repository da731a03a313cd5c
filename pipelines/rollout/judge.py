"""The canary judge: is the canary burning its error budget faster than control?

Each conversation is assigned to canary or control by :func:`~pipelines.rollout.assignment.cohort_of`
(the escalation worker's hash); each cohort feeds its own pure SLO processor
(:class:`pipelines.slo.processor.SloProcessor`, the same tracker and SLI rules as ``loopline run
slo``). An outcome counts for its cohort only when the conversation's decisions were all made in
that cohort's mode (``canary``, or ``active`` for control): a conversation that started before the
canary went live stays with the active version and is left out of both. Over the last
``window_ms`` of event time the cohorts' burn rates are compared (:mod:`pipelines.rollout.burn`);
the first SLI whose canary burn exceeds control's by ``margin`` on ``min_conversations`` outcomes
per cohort gives a :class:`Verdict`. Pure: the controller feeds records and publishes the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.catalogue import Catalogue
from pipelines.rollout.assignment import cohort_of
from pipelines.rollout.burn import BurnWindow, Comparison, compare
from pipelines.rollout.gate import EventGate
from pipelines.rollout.governance import CanarySettings
from pipelines.slo.definitions import SloDefinitions
from pipelines.slo.outcomes import SliOutcome, from_ms, to_ms
from pipelines.slo.processor import SloProcessor
from topics.events import Event
from topics.outputs import Decision, Scalar

COHORTS = ("canary", "control")
_MODE_OF_COHORT = {"canary": "canary", "control": "active"}


@dataclass(frozen=True, slots=True)
class Verdict:
    version: str
    comparison: Comparison
    at_ms: int  # event time at which the judge decided
    canary_since_ms: int  # event time of the canary's first decision
    window_ms: int

    @property
    def reason(self) -> str:
        return (f"{self.comparison.describe()} over the last {self.window_ms // 60_000} min of event time "
                f"(decided at {from_ms(self.at_ms).isoformat()})")

    def details(self) -> dict[str, Scalar]:
        c = self.comparison
        return {"sli": c.sli, "canary_burn": c.canary_burn, "control_burn": c.control_burn,
                "canary_bad": c.canary_bad, "canary_total": c.canary_total, "control_bad": c.control_bad,
                "control_total": c.control_total, "margin": c.margin, "z": round(c.z, 3), "window_ms": self.window_ms,
                "event_time": from_ms(self.at_ms).isoformat(),
                "since_canary_ms": self.at_ms - self.canary_since_ms}


@dataclass
class JudgeStats:
    events: int = 0
    decisions: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COHORTS, 0))
    left_out: int = 0  # outcomes of conversations decided in the other cohort's mode (or never decided)


class CanaryJudge:
    def __init__(
        self, definitions: SloDefinitions, catalogue: Catalogue, settings: CanarySettings, *,
        version: str, share: float, decision_partitions: int = 1,
    ) -> None:
        self.version = version
        self.share = share
        self.settings = settings
        self.objectives = {s.name: s.objective for s in definitions.slis if s.name in settings.slis}
        self._processors = {c: SloProcessor(definitions, catalogue, worker="rollout", shard=c) for c in COHORTS}
        self._windows = {c: BurnWindow(settings.window_ms) for c in COHORTS}
        self._modes: dict[str, set[str]] = {}
        self._gate: EventGate[Event] = EventGate(partitions=decision_partitions)
        self.stats = JudgeStats()
        self.canary_since_ms: int | None = None
        self.verdict: Verdict | None = None
        self.last: list[Comparison] = []

    # --- inputs -------------------------------------------------------------------------------
    def on_event(self, event: Event) -> Verdict | None:
        self.stats.events += 1
        return self._feed(self._gate.offer_event(event, to_ms(event.time)))

    def on_decision(self, decision: Decision, *, partition: int = 0) -> Verdict | None:
        self.stats.decisions += 1
        if decision.mode == "shadow":
            return None
        conversation = decision.conversation_id
        self._modes.setdefault(conversation, set()).add(decision.mode)
        t_ms = to_ms(decision.time)
        if decision.mode == "canary" and decision.policy_version == self.version:
            self.canary_since_ms = t_ms if self.canary_since_ms is None else min(self.canary_since_ms, t_ms)
        cohort = cohort_of(conversation, share=self.share)
        self._count(self._processors[cohort].on_decision(decision).outcomes, cohort)
        return self._feed(self._gate.offer_decision(t_ms, partition=partition))

    def release_held(self) -> Verdict | None:
        """Process every held event now (the runtime calls this when decisions stopped arriving)."""
        return self._feed(self._gate.release_all())

    @property
    def held(self) -> int:
        return len(self._gate)

    # --- internals ----------------------------------------------------------------------------
    def _feed(self, events: list[Event]) -> Verdict | None:
        for event in events:
            cohort = cohort_of(event.subject, share=self.share)
            self._count(self._processors[cohort].on_event(event).outcomes, cohort)
        return self._judge() if events else None

    def _count(self, outcomes: list[SliOutcome], cohort: str) -> None:
        expected = {_MODE_OF_COHORT[cohort]}
        for outcome in outcomes:
            if outcome.sli not in self.objectives:
                continue
            if self._modes.get(outcome.conversation_id) != expected:
                self.stats.left_out += 1
                continue
            self.stats.outcomes[cohort] += 1
            self._windows[cohort].add(outcome.sli, outcome.event_time_ms, outcome.good)

    def _judge(self) -> Verdict | None:
        if self.verdict is not None or self.canary_since_ms is None:
            return None
        marks = [p.watermark for p in self._processors.values() if p.watermark is not None]
        if not marks:
            return None
        now_ms = to_ms(max(marks))
        self.last = [
            compare(self._windows["canary"], self._windows["control"], sli=sli, objective=objective,
                    margin=self.settings.margin, min_conversations=self.settings.min_conversations, now_ms=now_ms,
                    min_z=self.settings.min_z)
            for sli, objective in sorted(self.objectives.items())
        ]
        for comparison in self.last:
            if comparison.exceeded:
                self.verdict = Verdict(self.version, comparison, now_ms, self.canary_since_ms, self.settings.window_ms)
                return self.verdict
        return None
