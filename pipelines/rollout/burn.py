"""Error-budget burn of one cohort over a sliding event-time window, and the canary-vs-control test.

burn rate = bad share / (1 − objective): 1.0 spends the error budget exactly over the SLO period.

>>> w = BurnWindow(window_ms=60_000)
>>> for t, good in [(0, True), (10_000, False), (20_000, True), (30_000, True)]:
...     w.add("containment_quality", t, good)
>>> w.counts("containment_quality", now_ms=30_000)
(1, 4)
>>> w.counts("containment_quality", now_ms=75_000)     # the first two fell out of the window
(0, 2)
>>> burn_rate(1, 4, objective=0.95)
5.0
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field


def burn_rate(bad: int, total: int, *, objective: float) -> float:
    if total == 0:
        return 0.0
    return round((bad / total) / (1.0 - objective), 6)


@dataclass
class BurnWindow:
    """Outcomes (event time, good) per SLI, kept for ``window_ms`` behind the newest time asked."""

    window_ms: int
    _items: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)

    def add(self, sli: str, t_ms: int, good: bool) -> None:
        bisect.insort(self._items.setdefault(sli, []), (t_ms, good))

    def counts(self, sli: str, *, now_ms: int) -> tuple[int, int]:
        """(bad, total) of the outcomes in (now − window, now]; older ones are dropped."""
        items = self._items.get(sli, [])
        cut = bisect.bisect_right(items, (now_ms - self.window_ms, True))
        del items[:cut]
        inside = [good for t, good in items if t <= now_ms]
        return sum(1 for good in inside if not good), len(inside)


@dataclass(frozen=True, slots=True)
class Comparison:
    sli: str
    canary_bad: int
    canary_total: int
    control_bad: int
    control_total: int
    canary_burn: float
    control_burn: float
    margin: float
    min_conversations: int
    min_z: float = 0.0

    @property
    def enough(self) -> bool:
        return min(self.canary_total, self.control_total) >= self.min_conversations

    @property
    def z(self) -> float:
        """One-sided two-proportion z statistic of canary's bad share above control's (pooled)."""
        return z_score(self.canary_bad, self.canary_total, self.control_bad, self.control_total)

    @property
    def exceeded(self) -> bool:
        """The canary burns its budget at least ``margin`` faster than control, on enough outcomes,
        and the difference is unlikely to be chance (``z >= min_z``)."""
        return self.enough and self.canary_burn >= self.control_burn + self.margin and self.z >= self.min_z

    def describe(self) -> str:
        return (f"{self.sli}: canary burn {self.canary_burn:.2f} ({self.canary_bad}/{self.canary_total} bad) vs "
                f"control {self.control_burn:.2f} ({self.control_bad}/{self.control_total} bad), "
                f"margin {self.margin:g}, z {self.z:.2f}")


def z_score(bad_a: int, total_a: int, bad_b: int, total_b: int) -> float:
    """
    >>> round(z_score(8, 20, 3, 52), 2), z_score(0, 0, 1, 10)
    (3.62, 0.0)
    """
    if total_a == 0 or total_b == 0:
        return 0.0
    pooled = (bad_a + bad_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    if spread == 0.0:
        return 0.0
    return round((bad_a / total_a - bad_b / total_b) / spread, 6)


def compare(
    canary: BurnWindow, control: BurnWindow, *, sli: str, objective: float, margin: float,
    min_conversations: int, now_ms: int, min_z: float = 0.0,
) -> Comparison:
    """
    >>> a, b = BurnWindow(3_600_000), BurnWindow(3_600_000)
    >>> for i in range(40):
    ...     a.add("s", i, i % 4 != 0); b.add("s", i, i % 20 != 0)
    >>> c = compare(a, b, sli="s", objective=0.95, margin=1.0, min_conversations=20, now_ms=40)
    >>> (c.canary_burn, c.control_burn, c.exceeded)
    (5.0, 1.0, True)
    """
    cb, ct = canary.counts(sli, now_ms=now_ms)
    ob, ot = control.counts(sli, now_ms=now_ms)
    return Comparison(sli, cb, ct, ob, ot, burn_rate(cb, ct, objective=objective),
                      burn_rate(ob, ot, objective=objective), margin, min_conversations, min_z)
