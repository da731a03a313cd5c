"""Hold interaction events until the decisions for them can have arrived.

The canary judge must see a conversation's decisions before its SLO tracker closes it (a handoff
decision is what takes a conversation out of the "automated" population). Decisions come from
another worker that may lag far behind the interactions topic, so events are released only once
the decisions' event-time watermark has reached them: per decisions partition the newest
``Decision.time`` (the source event's time), and the minimum over all ``partitions`` of the topic —
a partition read ahead of the others must not release events whose decisions sit in a slower one. :meth:`EventGate.release_all` is the runtime's escape hatch when no
decision has arrived for a while (the escalation worker is idle or down).

>>> g = EventGate()
>>> g.offer_event("e1", 1_000), g.offer_event("e2", 5_000)
([], [])
>>> g.offer_decision(2_000)
['e1']
>>> g.release_all()
['e2']
>>> g = EventGate(partitions=2)
>>> g.offer_event("e1", 1_000), g.offer_decision(9_000, partition=0)   # partition 1 not heard from yet
([], [])
>>> g.offer_decision(1_500, partition=1)
['e1']
"""

from __future__ import annotations

import heapq
import itertools
from typing import Generic, TypeVar

T = TypeVar("T")


class EventGate(Generic[T]):
    def __init__(self, *, partitions: int = 1) -> None:
        self._heap: list[tuple[int, int, T]] = []
        self._seq = itertools.count()
        self._partitions = partitions
        self._newest: dict[int, int] = {}
        self.watermark_ms: int | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def offer_event(self, item: T, t_ms: int) -> list[T]:
        """Buffer an event (released at once when the decisions are already past its time)."""
        if self.watermark_ms is not None and t_ms <= self.watermark_ms and not self._heap:
            return [item]
        heapq.heappush(self._heap, (t_ms, next(self._seq), item))
        return self._release()

    def offer_decision(self, t_ms: int, *, partition: int = 0) -> list[T]:
        if t_ms > self._newest.get(partition, t_ms - 1):
            self._newest[partition] = t_ms
        if len(self._newest) >= self._partitions:
            self.watermark_ms = min(self._newest.values())
        return self._release()

    def release_all(self) -> list[T]:
        out = [item for _, _, item in sorted(self._heap)]
        self._heap.clear()
        return out

    def _release(self) -> list[T]:
        out: list[T] = []
        while self._heap and self.watermark_ms is not None and self._heap[0][0] <= self.watermark_ms:
            out.append(heapq.heappop(self._heap)[2])
        return out
