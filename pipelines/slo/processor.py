"""The SLO stream core: tracker + event-time windows + watermark + late routing. Pure: the Faust
worker moves records in and out, and feeds the metrics from :class:`StepOutput`.

Rules (documented in docs/slo.md):

* the watermark is the largest interaction-event time seen (decisions and escalations never move
  it: their clocks belong to another worker);
* after each record the tracker's deadlines up to the watermark fire, then every window whose end
  is ≤ ``watermark − grace_ms`` closes and is published;
* an outcome whose event time is older than the closing point (``watermark − grace_ms`` when the
  windows last closed) is *late*: it counts in no window and goes to ``cx.late.v1``, as does a new
  record for an already-closed conversation. Every outcome is either in all its windows or in
  none, so windowed counts + late outcomes = all outcomes, exactly.

>>> from datetime import datetime, timezone
>>> from pipelines.catalogue import load_catalogue
>>> from pipelines.slo.definitions import load_definitions
>>> from topics.events import ConversationEndedEvent, ConversationEnded
>>> core = SloProcessor(load_definitions(), load_catalogue())
>>> t = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
>>> step = core.on_event(ConversationEndedEvent.build(id="e1", conversation_id="c1", time=t,
...     data=ConversationEnded(ended_by="timeout")))
>>> core.watermark == t, step.outcomes, step.windows
(True, [], [])
>>> [(o.sli, o.good) for o in core.flush().outcomes]  # abandoned: never resolved by the bot
[('containment_quality', False), ('fcr_bot', False)]
"""

from __future__ import annotations

import base64
import pickle
from dataclasses import dataclass, field
from datetime import datetime

from msgspec import json as msgjson

from pipelines.catalogue import Catalogue
from pipelines.slo.definitions import SloDefinitions
from pipelines.slo.exceptions import SloStateError
from pipelines.slo.outcomes import SliOutcome, from_ms, to_ms
from pipelines.slo.tracker import ConversationTracker, Straggler, TrackerOutput
from pipelines.slo.windows import WindowStore
from topics.events import Event
from topics.outputs import Decision, Escalation, LateEvent, SloWindow

OUTCOME_EVENT_TYPE = "loopline.slo.outcome"
SNAPSHOT_VERSION = 1
_ENCODER = msgjson.Encoder()


@dataclass(slots=True)
class StepOutput:
    """What one input produced. ``outcomes`` holds every outcome that became known (counted in
    windows or late — metrics count both); ``late`` the records for ``cx.late.v1``; ``windows``
    the windows that closed, for ``cx.slo.v1``."""

    outcomes: list[SliOutcome] = field(default_factory=list)
    windows: list[SloWindow] = field(default_factory=list)
    late: list[LateEvent] = field(default_factory=list)


class SloProcessor:
    def __init__(
        self, definitions: SloDefinitions, catalogue: Catalogue, *, worker: str = "slo",
        shard: str = "",
    ) -> None:
        self._grace_ms = definitions.stream.grace_ms
        self._tracker = ConversationTracker(definitions, catalogue)
        self._windows = WindowStore(definitions.stream.windows, shard=shard)
        self._worker = worker
        self._watermark_ms: int | None = None
        self._closed_through_ms: int | None = None

    @property
    def watermark(self) -> datetime | None:
        return None if self._watermark_ms is None else from_ms(self._watermark_ms)

    @property
    def state_size(self) -> dict[str, int]:
        """Entries held, by store (for the state-size gauge)."""
        return {
            "conversations": self._tracker.open_conversations,
            "tombstones": self._tracker.tombstones,
            "window_cells": len(self._windows),
        }

    @property
    def unmatched_decisions(self) -> int:
        return self._tracker.unmatched_decisions

    def on_event(self, event: Event, *, append_ms: int | None = None) -> StepOutput:
        out = StepOutput()
        self._route(self._tracker.apply_event(event, append_ms=append_ms), out)
        moment_ms = to_ms(event.time)
        if self._watermark_ms is None or moment_ms > self._watermark_ms:
            self._watermark_ms = moment_ms
            self._advance(out)
        return out

    def on_decision(self, decision: Decision, *, append_ms: int | None = None) -> StepOutput:
        out = StepOutput()
        self._route(self._tracker.apply_decision(decision, append_ms=append_ms), out)
        return out

    def on_escalation(self, escalation: Escalation) -> StepOutput:
        out = StepOutput()
        self._route(self._tracker.apply_escalation(escalation), out)
        return out

    def knows(self, conversation_id: str) -> bool:
        """Whether this processor holds the conversation (open or tombstoned): a decision or an
        escalation for it belongs here."""
        return self._tracker.holds(conversation_id)

    def snapshot(self) -> bytes:
        """Everything that changes as records arrive (not the definitions), for :meth:`restore`.

        >>> from pipelines.catalogue import load_catalogue
        >>> from pipelines.slo.definitions import load_definitions
        >>> defs, cat = load_definitions(), load_catalogue()
        >>> core = SloProcessor(defs, cat)
        >>> again = SloProcessor(defs, cat)
        >>> again.restore(core.snapshot()); again.watermark is None
        True
        """
        tracker, windows = self._tracker, self._windows
        state = (
            SNAPSHOT_VERSION, self._watermark_ms, self._closed_through_ms,
            tracker._states, tracker._deadlines, tracker._tombstones, tracker._tombstone_heap,
            tracker.unmatched_decisions, windows._open, windows._by_end,
        )
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, snapshot: bytes) -> None:
        """Load a :meth:`snapshot` taken by this worker (only ever its own state file: pickle)."""
        state = pickle.loads(snapshot)
        if not isinstance(state, tuple) or not state or state[0] != SNAPSHOT_VERSION:
            raise SloStateError(f"SLO snapshot: expected version {SNAPSHOT_VERSION}, got {state[0] if state else state!r}")
        tracker, windows = self._tracker, self._windows
        (_, self._watermark_ms, self._closed_through_ms, tracker._states, tracker._deadlines,
         tracker._tombstones, tracker._tombstone_heap, tracker.unmatched_decisions,
         windows._open, windows._by_end) = state

    def flush(self) -> StepOutput:
        """End of a bounded input (a replay, the demo): close every conversation and window."""
        out = StepOutput()
        self._route(TrackerOutput(self._tracker.finalize_all(), []), out)
        out.windows.extend(self._windows.close(None))
        return out

    # --- internals ----------------------------------------------------------------------------
    def _advance(self, out: StepOutput) -> None:
        assert self._watermark_ms is not None
        # Deadlines fire before windows close, so an outcome stamped at a deadline the
        # watermark just passed still lands in an open window.
        self._route(TrackerOutput(self._tracker.expire(self._watermark_ms), []), out)
        self._closed_through_ms = self._watermark_ms - self._grace_ms
        out.windows.extend(self._windows.close(self._closed_through_ms))

    def _route(self, result: TrackerOutput, out: StepOutput) -> None:
        for outcome in result.outcomes:
            out.outcomes.append(outcome)
            if self._closed_through_ms is not None and outcome.event_time_ms < self._closed_through_ms:
                out.late.append(self._late_outcome(outcome))
            else:
                self._windows.add(outcome)
        for straggler in result.stragglers:
            out.late.append(self._late_straggler(straggler))

    def _lateness(self, moment_ms: int) -> tuple[datetime, int]:
        watermark_ms = self._watermark_ms if self._watermark_ms is not None else moment_ms
        return from_ms(watermark_ms), max(0, watermark_ms - moment_ms)

    def _late_outcome(self, outcome: SliOutcome) -> LateEvent:
        watermark, lateness_ms = self._lateness(outcome.event_time_ms)
        return LateEvent(
            event_id=outcome.outcome_id, conversation_id=outcome.conversation_id,
            event_type=OUTCOME_EVENT_TYPE, event_time=outcome.event_time, watermark=watermark,
            lateness_ms=lateness_ms, worker=self._worker,
            raw_b64=base64.b64encode(_ENCODER.encode(outcome)).decode("ascii"),
        )

    def _late_straggler(self, straggler: Straggler) -> LateEvent:
        watermark, lateness_ms = self._lateness(straggler.event_time_ms)
        return LateEvent(
            event_id=straggler.event_id[:200], conversation_id=straggler.conversation_id,
            event_type=straggler.event_type, event_time=from_ms(straggler.event_time_ms),
            watermark=watermark, lateness_ms=lateness_ms, worker=self._worker,
            raw_b64=base64.b64encode(straggler.raw).decode("ascii"),
        )
