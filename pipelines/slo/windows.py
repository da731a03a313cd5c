"""Event-time window logic (the definitions are data in `policies/slos.yaml`).

Windows are aligned to the epoch: a window of ``size_ms`` starts every ``hop_ms`` (tumbling when
they are equal), so one outcome falls into ``size_ms / hop_ms`` windows. A window is *closed* once
``watermark − grace ≥ window end``; closing yields one :class:`~topics.outputs.SloWindow` per SLI ×
intent × channel × segment × tier with a deterministic ``window_id``. With several input
partitions each processor is a *shard* (its id enters ``window_id``) and emits partial counts that
a consumer sums per window and label set.

>>> from pipelines.slo.definitions import WindowDefinition
>>> window_starts(WindowDefinition("h", 3_600_000, 300_000), 3_700_000)[:3]
[300000, 600000, 900000]
>>> window_starts(WindowDefinition("t", 60_000, 60_000), 59_999)
[0]
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from pipelines.slo.definitions import WindowDefinition
from pipelines.slo.outcomes import SliOutcome, from_ms
from topics.outputs import SloWindow, deterministic_id

_Key = tuple[str, str, str, str, int]  # sli, intent, channel, segment, tier


def window_starts(window: WindowDefinition, moment_ms: int) -> list[int]:
    """Starts of every window of this family that contains ``moment_ms`` (oldest first)."""
    last = moment_ms - moment_ms % window.hop_ms
    first = last - window.size_ms + window.hop_ms
    return list(range(first, last + 1, window.hop_ms))


@dataclass(slots=True)
class _Counts:
    good: float = 0.0
    total: float = 0.0
    weighted_good: float | None = None
    weighted_total: float | None = None

    def add(self, outcome: SliOutcome) -> None:
        self.total += 1.0
        self.good += 1.0 if outcome.good else 0.0
        if outcome.weight is not None:
            self.weighted_total = (self.weighted_total or 0.0) + outcome.weight
            self.weighted_good = (self.weighted_good or 0.0) + (outcome.weight if outcome.good else 0.0)


class WindowStore:
    """Open windows and their counts; :meth:`close` hands back the ones the watermark passed."""

    def __init__(self, windows: tuple[WindowDefinition, ...], *, shard: str = "") -> None:
        self._windows = windows
        self._shard = shard
        self._open: dict[tuple[int, int], dict[_Key, _Counts]] = {}
        self._by_end: list[tuple[int, int, int]] = []  # (end_ms, window index, start_ms)

    def __len__(self) -> int:
        """Number of open (window, label set) cells: the state-size gauge."""
        return sum(len(cells) for cells in self._open.values())

    def add(self, outcome: SliOutcome) -> None:
        labels = outcome.labels
        key: _Key = (outcome.sli, labels.intent, labels.channel, labels.segment, labels.tier)
        moment_ms = outcome.event_time_ms
        for index, window in enumerate(self._windows):
            for start_ms in window_starts(window, moment_ms):
                cells = self._open.get((index, start_ms))
                if cells is None:
                    cells = self._open[(index, start_ms)] = {}
                    heapq.heappush(self._by_end, (start_ms + window.size_ms, index, start_ms))
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = _Counts()
                cell.add(outcome)

    def close(self, closed_through_ms: int | None = None) -> list[SloWindow]:
        """Close every window whose end is ≤ ``closed_through_ms`` (all of them when None)."""
        closed: list[SloWindow] = []
        while self._by_end and (closed_through_ms is None or self._by_end[0][0] <= closed_through_ms):
            _, index, start_ms = heapq.heappop(self._by_end)
            cells = self._open.pop((index, start_ms))
            window = self._windows[index]
            for key in sorted(cells):
                closed.append(_record(window, start_ms, key, cells[key], self._shard))
        return closed


def _record(
    window: WindowDefinition, start_ms: int, key: _Key, counts: _Counts, shard: str
) -> SloWindow:
    sli, intent, channel, segment, tier = key
    parts = [window.name, str(window.size_ms), str(start_ms), sli, intent, channel, segment, str(tier)]
    return SloWindow(
        # one record per shard (input partition): consumers sum records of the same window/labels
        window_id=deterministic_id(*parts, shard) if shard else deterministic_id(*parts),
        sli=sli,
        window_start=from_ms(start_ms),
        window_end=from_ms(start_ms + window.size_ms),
        window_ms=window.size_ms,
        intent=intent,
        channel=channel,
        segment=segment,
        tier=tier,
        good=counts.good,
        total=counts.total,
        weighted_good=counts.weighted_good,
        weighted_total=counts.weighted_total,
    )
