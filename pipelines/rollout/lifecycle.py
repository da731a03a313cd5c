"""The lifecycle of a policy version: draft → approved → shadow → canary (x %) → active → retired.

Which stage may follow which is data (:data:`TRANSITIONS`); :func:`check_transition` refuses any
other move with the stages named. A version may skip shadow (approved → canary) unless the
governance file requires it; nothing reaches active without having been a canary, except the very
first active version (there is nothing to compare a canary with).

>>> check_transition("approved", "canary", has_active=True)
>>> check_transition("draft", "active", has_active=True)
Traceback (most recent call last):
...
pipelines.rollout.exceptions.PromotionRefused: lifecycle: a version in stage 'draft' cannot move to 'active' (allowed: approved, retired)
"""

from __future__ import annotations

from typing import Literal

from pipelines.rollout.exceptions import PromotionRefused

Stage = Literal["draft", "approved", "shadow", "canary", "active", "retired"]
STAGES: tuple[str, ...] = ("draft", "approved", "shadow", "canary", "active", "retired")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("approved", "retired"),
    "approved": ("shadow", "canary", "retired"),
    "shadow": ("canary", "retired"),
    "canary": ("active", "retired"),
    "active": (),  # an active version is retired by promoting its successor to active
    "retired": (),
}

#: The slot of cx.policies.v1 a stage occupies (draft and approved versions serve no traffic).
SLOT_OF_STAGE: dict[str, str] = {
    "draft": "candidate", "approved": "candidate", "shadow": "shadow", "canary": "canary",
    "active": "active", "retired": "retired",
}


def check_transition(current: str | None, target: str, *, has_active: bool, require_shadow: bool = False) -> None:
    """Raise :class:`PromotionRefused` unless a version in ``current`` (None: unknown) may move to ``target``."""
    if target not in STAGES:
        raise PromotionRefused(f"lifecycle: unknown stage {target!r} (expected one of {', '.join(STAGES)})")
    current = current or "draft"
    if current == target:
        raise PromotionRefused(f"lifecycle: the version is already in stage {target!r}")
    if target == "active" and current == "approved" and not has_active:
        return  # bootstrap: the first active version has no control group to be a canary against
    allowed = TRANSITIONS[current]
    if target not in allowed:
        shown = ", ".join(allowed) or ("none: retired is final" if current == "retired"
                                       else "none: promote its successor to active instead")
        raise PromotionRefused(f"lifecycle: a version in stage {current!r} cannot move to {target!r} (allowed: {shown})")
    if require_shadow and current == "approved" and target == "canary":
        raise PromotionRefused("lifecycle: governance requires a shadow stage before canary (promote --to shadow first)")
