"""Errors of the batch jobs (one root: :class:`JobError`)."""

from __future__ import annotations


class JobError(Exception):
    """Root of the errors raised by jobs/."""


class MissingTableError(JobError):
    """A lake table the job reads does not exist yet: run the lake sink (`loopline run lake`) or the
    demo first, or point LOOPLINE_LAKE_URI at the right lake."""


class EmptyPeriodError(JobError):
    """The requested period holds no rows: widen --since/--until or check the lake's dates."""


class InvalidPolicyError(JobError):
    """The candidate policy does not validate: fix every file, path and value listed."""


class PeriodError(JobError):
    """--since/--until cannot be read or are reversed."""
