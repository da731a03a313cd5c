"""Errors of the rollout package (one root)."""

from __future__ import annotations


class RolloutError(Exception):
    """Root of every rollout error."""


class GovernanceError(RolloutError):
    """``policies/governance.yaml`` is invalid: fix the file and path named in the message."""


class PromotionRefused(RolloutError):
    """A promotion broke a lifecycle or governance rule; the message says which and what is missing."""


class PromptError(RolloutError):
    """A prompt template in ``policies/prompts/`` is invalid or unknown."""
