"""Errors of the lake package (one root: :class:`LakeError`)."""

from __future__ import annotations


class LakeError(Exception):
    """Root of the errors raised by lake/."""


class UnknownTableError(LakeError):
    """A table name that is not one of the declared lake tables."""


class SchemaEvolutionError(LakeError):
    """A table's stored schema differs from its declaration in a non-additive way. Only new nullable
    columns are evolved automatically: migrate the table by hand (new table name) for anything else."""


class LakeWriteError(LakeError):
    """A Delta commit failed after its retries."""


class QualityError(LakeError):
    """The data-quality run could not be carried out (not: an expectation failed)."""


class ErasureError(LakeError):
    """An erasure request could not be completed; the message names the step and what remains."""
