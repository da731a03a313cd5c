"""Errors of the escalation engine (all derive from :class:`pipelines.exceptions.PipelineError`)."""

from __future__ import annotations

from pipelines.exceptions import PipelineError


class EscalationError(PipelineError):
    """Root of the errors raised by pipelines/escalation/."""


class PolicyError(EscalationError):
    """A policy file is invalid: fix every file, path and value listed in the message."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class KnowledgeBaseError(EscalationError):
    """A knowledge-base article is invalid: fix the file and field named in the message."""


class StateError(EscalationError):
    """A stored conversation state cannot be decoded (corrupt or from an unknown version)."""


class SignalError(EscalationError):
    """A signal scorer got input it cannot score (the message names the field and value)."""
