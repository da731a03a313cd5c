"""The lake stage of the demo: the sink worker, then tables, rows, files and an analyst query."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from loopline.commands.lake import demo_section
from loopline.settings import Settings
from loopline.stages import Stage


def section(settings: Settings, context: dict[str, Any], console: Console) -> dict[str, Any]:
    result = context["result"]
    demo_section(settings, result, console)
    return dict(result.sections.get("lake", {}))


STAGE = Stage(name="lake", worker="lake", group="loopline-lake", section=section)
