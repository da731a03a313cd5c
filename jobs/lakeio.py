"""Reading the lake for the batch jobs: tables as polars lazy frames, periods, clear errors.

>>> p = Period.parse("2026-03-02", "2026-03-03")
>>> p.since.isoformat(), p.until.isoformat()
('2026-03-02T00:00:00+00:00', '2026-03-03T00:00:00+00:00')
>>> Period.parse("2026-03-03", "2026-03-02")
Traceback (most recent call last):
...
jobs.exceptions.PeriodError: --until 2026-03-02T00:00:00+00:00 is not after --since 2026-03-03T00:00:00+00:00
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from jobs.exceptions import MissingTableError, PeriodError
from lake.tables import table_uri


@dataclass(frozen=True)
class Period:
    """A half-open event-time period [since, until) (tz-aware, UTC)."""

    since: datetime
    until: datetime

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> Period:
        """Dates (``2026-03-02``, a whole day) or RFC 3339 times; None = unbounded."""
        lo = _moment(since, "--since") if since else datetime(1970, 1, 1, tzinfo=UTC)
        hi = _moment(until, "--until") if until else datetime(9999, 1, 1, tzinfo=UTC)
        if hi <= lo:
            raise PeriodError(f"--until {hi.isoformat()} is not after --since {lo.isoformat()}")
        return cls(lo, hi)

    def describe(self) -> str:
        return f"[{self.since.isoformat()}, {self.until.isoformat()})"


def _moment(text: str, option: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(f"{option} {text!r} is neither a date (2026-03-02) nor an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise PeriodError(f"{option} {text!r} has no time zone; add Z or +00:00")
    return moment.astimezone(UTC)


def exists(root: str, name: str) -> bool:
    try:
        DeltaTable(table_uri(root, name))
    except TableNotFoundError:
        return False
    return True


def scan(root: str, name: str) -> pl.LazyFrame:
    """The Delta table ``name`` as a lazy frame, or :class:`MissingTableError` naming the path."""
    uri = table_uri(root, name)
    if not exists(root, name):
        raise MissingTableError(f"lake table {name!r} not found at {uri}: run the lake sink or the demo first")
    return pl.scan_delta(uri)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return start, start + timedelta(days=1)
