"""Canary or control: a deterministic assignment by a hash of the conversation id.

The escalation worker and the rollout controller both call :func:`in_canary`, so they agree on the
cohort of every conversation without talking to each other. The bucket is uniform in [0, 1) and
stable across processes, machines and Python versions (sha-256, not ``hash()``).

>>> bucket("conv-1") == bucket("conv-1")
True
>>> in_canary("conv-1", share=0.0), in_canary("conv-1", share=1.0)
(False, True)
>>> 0.19 < sum(in_canary(f"c{i}", share=0.2) for i in range(10_000)) / 10_000 < 0.21   # about 20 %
True
"""

from __future__ import annotations

import hashlib

_SCALE = float(1 << 64)


def bucket(conversation_id: str) -> float:
    """A stable number in [0, 1) for a conversation id."""
    digest = hashlib.sha256(conversation_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def in_canary(conversation_id: str, *, share: float) -> bool:
    """True when the conversation belongs to the canary cohort of a canary exposed to ``share``."""
    return bucket(conversation_id) < share


def cohort_of(conversation_id: str, *, share: float) -> str:
    """``"canary"`` or ``"control"``.

    >>> cohort_of("conv-1", share=0.0)
    'control'
    """
    return "canary" if in_canary(conversation_id, share=share) else "control"
