"""Errors of the stream processors."""

from __future__ import annotations


class PipelineError(Exception):
    """Root of the errors raised by pipelines/."""


class CatalogueError(PipelineError):
    """The intent catalogue is invalid: fix the file and path named in the message."""
