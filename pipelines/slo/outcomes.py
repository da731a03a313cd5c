"""One SLI outcome: a conversation (or a decision) counted good or bad for one SLI.

Labels are bounded at the source: intent is a catalogue name or ``"other"``, channel and segment
are the contract's enums or ``"other"``, tier is 0-3. No label carries an id or PII; the
conversation id travels beside the labels only so late outcomes can be traced on ``cx.late.v1``.

>>> from datetime import datetime, timezone
>>> o = SliOutcome(outcome_id="x", sli="fcr_bot", good=True, conversation_id="c1",
...     event_time=datetime(2026, 1, 1, tzinfo=timezone.utc), labels=Labels("balance_inquiry", "chat", "standard", 1))
>>> o.event_time_ms
1767225600000
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from msgspec import Struct

OTHER = "other"


class Labels(NamedTuple):
    intent: str
    channel: str
    segment: str
    tier: int


UNKNOWN_LABELS = Labels(OTHER, OTHER, OTHER, 3)


class SliOutcome(Struct, frozen=True, kw_only=True, omit_defaults=True):
    outcome_id: str
    sli: str
    good: bool
    conversation_id: str
    event_time: datetime
    labels: Labels
    weight: float | None = None  # set only for SLIs with a weighting
    value_ms: int | None = None  # the measured duration, for the time-based SLIs

    @property
    def event_time_ms(self) -> int:
        return to_ms(self.event_time)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of a tz-aware datetime.

    >>> to_ms(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
    1000
    """
    return int(moment.timestamp() * 1000)


def from_ms(epoch_ms: int) -> datetime:
    """
    >>> from_ms(1000).isoformat()
    '1970-01-01T00:00:01+00:00'
    """
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
