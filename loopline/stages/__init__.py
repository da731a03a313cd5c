"""Demo stages: each worker the demo starts, the consumer group it waits for, and the summary
section it prints. Later capabilities add their stage here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from loopline.settings import Settings


@dataclass(frozen=True)
class Stage:
    name: str
    worker: str | None  # `loopline run <worker>`, or None for a stage with no worker
    group: str | None  # the consumer group whose committed offsets say "caught up"
    section: Callable[[Settings, dict[str, Any], Console], dict[str, Any]]


def stages() -> list[Stage]:
    from loopline.stages import escalation, kpis, lake, rollout, slo

    return [escalation.STAGE, slo.STAGE, lake.STAGE, kpis.STAGE, rollout.STAGE]
