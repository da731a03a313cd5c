"""Errors of the application shell. Each package has its own root; the CLI catches them all."""

from __future__ import annotations

from pipelines.exceptions import PipelineError
from privacy.exceptions import PrivacyError
from topics.exceptions import TopicsError


class LooplineError(Exception):
    """Root of the errors the CLI reports as a one-line message and exit code 2."""


class ConfigError(LooplineError):
    """A setting is missing or invalid: fix the named environment variable."""


#: Every package's error root: the CLI prints these as one line and exits 2, never a traceback.
HANDLED_ERRORS: tuple[type[Exception], ...] = (LooplineError, TopicsError, PrivacyError, PipelineError)
