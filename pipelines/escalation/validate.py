"""``loopline policy validate DIR``: every problem of a policies folder (catalogue, every
``policy-*.yaml``, the knowledge base), each with file, path and value.

>>> from pipelines.catalogue import POLICIES_DIR
>>> validate_dir(POLICIES_DIR)
[]
"""

from __future__ import annotations

from pathlib import Path

from pipelines.catalogue import Catalogue, load_catalogue
from pipelines.escalation.exceptions import PolicyError
from pipelines.escalation.kb import check_kb
from pipelines.escalation.policy import load_policy
from pipelines.exceptions import CatalogueError


def validate_dir(directory: Path | str) -> list[str]:
    """All problems found (an empty list means the folder is valid)."""
    directory = Path(directory)
    if not directory.is_dir():
        return [f"{directory}: not a directory"]
    problems: list[str] = []
    catalogue: Catalogue | None = None
    catalogue_file = directory / "intents.yaml"
    if catalogue_file.exists():
        try:
            catalogue = load_catalogue(catalogue_file)
        except CatalogueError as exc:
            problems.extend(str(exc).splitlines())
    policies = sorted(directory.glob("policy-*.yaml"))
    if not policies:
        problems.append(f"{directory}: no policy-*.yaml file found")
    for path in policies:
        try:
            load_policy(path, catalogue=catalogue)
        except PolicyError as exc:
            problems.extend(exc.problems)
    if (directory / "kb").is_dir():
        known = {i.name for i in catalogue.intents} if catalogue else None
        problems.extend(check_kb(directory / "kb", known_intents=known))
    return problems
