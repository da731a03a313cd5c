"""Errors of the application shell. Each package has its own root; the CLI catches them all."""

from __future__ import annotations


class LooplineError(Exception):
    """Root of the errors the CLI reports as a one-line message and exit code 2."""


class ConfigError(LooplineError):
    """A setting is missing or invalid: fix the named environment variable."""
