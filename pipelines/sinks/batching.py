"""Size- and time-bounded batches of consumed records, kept per source partition (pure: the caller
passes the clock reading).

>>> b = Batcher(max_records=2, max_wait_s=5.0)
>>> b.add(Pending("t", 0, 10, None, b"a", 0), now_s=100.0)
>>> b.due(now_s=101.0), b.due(now_s=105.0)
(False, True)
>>> b.add(Pending("t", 1, 3, None, b"b", 0), now_s=101.0)
>>> b.due(now_s=101.0), b.size
(True, 2)
>>> sorted(b.take())
[('t', 0), ('t', 1)]
>>> b.size
0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Pending:
    """A consumed record waiting for the next flush."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


#: Records per flush (one Delta commit per table): large enough that the commit's fixed cost is small
#: against the file writes (bench_lake: 0.84x plain pyarrow at 10,000, 0.72x at 5,000) and files stay
#: few; the wait bounds the latency when traffic is light.
DEFAULT_MAX_RECORDS = 10_000
DEFAULT_MAX_WAIT_S = 2.0


@dataclass
class Batcher:
    max_records: int = DEFAULT_MAX_RECORDS
    max_wait_s: float = DEFAULT_MAX_WAIT_S
    _parts: dict[tuple[str, int], list[Pending]] = field(default_factory=dict)
    _first_s: float | None = None
    size: int = 0

    def add(self, record: Pending, *, now_s: float) -> None:
        self._parts.setdefault((record.topic, record.partition), []).append(record)
        self.size += 1
        if self._first_s is None:
            self._first_s = now_s

    def due(self, *, now_s: float) -> bool:
        """Full, or the oldest record waited ``max_wait_s``."""
        if self.size >= self.max_records:
            return True
        return self._first_s is not None and now_s - self._first_s >= self.max_wait_s

    def take(self, only: Iterable[tuple[str, int]] | None = None) -> dict[tuple[str, int], list[Pending]]:
        """Remove and return the pending records (of ``only`` these partitions, if given)."""
        if only is None:
            taken, self._parts = self._parts, {}
        else:
            taken = {tp: self._parts.pop(tp) for tp in list(only) if tp in self._parts}
        self.size = sum(len(v) for v in self._parts.values())
        if not self._parts:
            self._first_s = None
        return taken

    def drop(self, partitions: Iterable[tuple[str, int]]) -> int:
        """Forget the pending records of ``partitions`` (lost partitions); how many were dropped."""
        return sum(len(v) for v in self.take(partitions).values())
