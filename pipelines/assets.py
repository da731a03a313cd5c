"""Reading the YAML assets under policies/ (catalogue, policies, SLOs, governance, prompts).

>>> read_yaml(Path("/nonexistent.yaml"), what="the example", error=ValueError)
Traceback (most recent call last):
...
ValueError: /nonexistent.yaml: cannot read the example: [Errno 2] No such file or directory: '/nonexistent.yaml'
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: Path, *, what: str, error: Callable[[str], Exception]) -> Any:
    """The parsed document, or ``error("<path>: cannot read <what>: <reason>")`` raised from the cause."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
