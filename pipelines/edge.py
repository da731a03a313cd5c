"""Validation at the edge: decode a consumed record or route it to the dead-letter topic.

Every worker uses this, so a bad record never crashes a worker and is never dropped silently: it is
either an :class:`~topics.events.Event` or a :class:`~topics.outputs.DeadLetter` on
``cx.deadletter.v1`` (and counted).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from topics.codec import decode_event, encode
from topics.events import Event
from topics.exceptions import EventValidationError
from topics.outputs import DeadLetter
from topics.specs import DEADLETTER

log = logging.getLogger(__name__)

#: ``send(topic, key, value)``: how a worker publishes (confluent producer, Faust topic …).
Send = Callable[[str, bytes, bytes], None]


@dataclass
class EdgeGuard:
    worker: str
    send: Send
    dead_lettered: Counter[str] = field(default_factory=Counter)  # by field

    def decode(self, raw: bytes | None, *, topic: str, partition: int, offset: int, key: bytes | None) -> Event | None:
        """The event, or None after publishing a dead letter naming the reason and location."""
        try:
            if raw is None:
                raise EventValidationError("empty record (tombstone) on an event topic", event_id=None, field="<record>", value=None)
            return decode_event(raw)
        except EventValidationError as exc:
            self.dead_letter(raw or b"", reason=str(exc), field=exc.field, event_id=exc.event_id,
                             topic=topic, partition=partition, offset=offset, key=key)
            return None

    def processing_failed(
        self, raw: bytes | None, error: Exception, *, topic: str, partition: int, offset: int, key: bytes | None,
    ) -> DeadLetter:
        """A valid record whose processing raised: dead-letter it with the error; the worker carries on."""
        log.error("%s: record %s[%d]@%d failed", self.worker, topic, partition, offset, exc_info=error)
        return self.dead_letter(
            raw or b"", reason=f"processing failed: {type(error).__name__}: {error}", field="<processing>",
            event_id=None, topic=topic, partition=partition, offset=offset, key=key,
        )

    def dead_letter(
        self, raw: bytes, *, reason: str, field: str, event_id: str | None,
        topic: str, partition: int, offset: int, key: bytes | None,
    ) -> DeadLetter:
        letter = DeadLetter.for_record(
            raw, reason=reason, field=field, event_id=event_id, source_topic=topic,
            partition=partition, offset=offset, worker=self.worker, key=key,
        )
        self.send(DEADLETTER.name, letter.dead_letter_id.encode(), encode(letter))
        self.dead_lettered[field] += 1
        # the reason names field and value of a *malformed* record; the PII log filter masks values
        log.warning("dead-lettered %s[%d]@%d: %s", topic, partition, offset, reason)
        return letter
