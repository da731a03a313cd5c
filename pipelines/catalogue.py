"""The intent catalogue (`policies/intents.yaml`) and the documented rule that derives risk tiers.

The tier rule (0 informational … 3 high stakes or ambiguous):

* ``risk`` = max(business_criticality, customer_vulnerability, regulatory_exposure)
* tier 3 if ``risk == 3``, or the intent is complex (3) and automation succeeds < 50 % of the time;
* tier 2 if ``risk == 2``, or automation succeeds < 70 % of the time;
* tier 1 if ``risk == 1``, or complexity ≥ 2, or automation succeeds < 90 % of the time;
* tier 0 otherwise.

>>> Intent("x", domain="d", description="", business_criticality=0, customer_vulnerability=0,
...        regulatory_exposure=0, complexity=0, automation_success_rate=0.97).tier
0
>>> Intent("y", domain="d", description="", business_criticality=1, customer_vulnerability=1,
...        regulatory_exposure=1, complexity=3, automation_success_rate=0.3).tier
3
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pipelines.assets import read_yaml
from pipelines.exceptions import CatalogueError

#: The repository's policies folder (assets shipped beside the code).
POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
DEFAULT_CATALOGUE = POLICIES_DIR / "intents.yaml"

_SCORES = ("business_criticality", "customer_vulnerability", "regulatory_exposure", "complexity")


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    domain: str
    description: str
    business_criticality: int
    customer_vulnerability: int
    regulatory_exposure: int
    complexity: int
    automation_success_rate: float

    @property
    def tier(self) -> int:
        return derive_tier(self)


def derive_tier(intent: Intent) -> int:
    """Risk tier 0–3 from the intent's scores (rule in the module docstring)."""
    risk = max(intent.business_criticality, intent.customer_vulnerability, intent.regulatory_exposure)
    success = intent.automation_success_rate
    if risk == 3 or (intent.complexity == 3 and success < 0.5):
        return 3
    if risk == 2 or success < 0.7:
        return 2
    if risk == 1 or intent.complexity >= 2 or success < 0.9:
        return 1
    return 0


@dataclass(frozen=True)
class Catalogue:
    version: int
    intents: tuple[Intent, ...]
    source: str = "<memory>"

    @cached_property
    def by_name(self) -> dict[str, Intent]:
        return {intent.name: intent for intent in self.intents}

    def __getitem__(self, name: str) -> Intent:
        try:
            return self.by_name[name]
        except KeyError:
            raise CatalogueError(f"{self.source}: unknown intent {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def tier_of(self, name: str) -> int:
        return self[name].tier

    def names_in_tier(self, tier: int) -> list[str]:
        return [i.name for i in self.intents if i.tier == tier]


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> Catalogue:
    """Load and validate the catalogue; every problem is reported with file, path and value."""
    path = Path(path)
    raw = read_yaml(path, what="the intent catalogue", error=CatalogueError)
    return parse_catalogue(raw, source=str(path))


def parse_catalogue(raw: Any, *, source: str = "<memory>") -> Catalogue:
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("intents"), list):
        raise CatalogueError(f"{source}: expected a mapping with a list under 'intents', got {type(raw).__name__}")
    version = raw.get("version")
    if not isinstance(version, int) or version < 1:
        problems.append(f"{source}: version: expected a positive integer, got {version!r}")
    intents: list[Intent] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["intents"]):
        where = f"{source}: intents[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping, got {item!r}")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(f"{where}.name: expected a snake_case identifier, got {name!r}")
            continue
        if name in seen:
            problems.append(f"{where}.name: duplicate intent {name!r}")
        seen.add(name)
        for field in _SCORES:
            value = item.get(field)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3:
                problems.append(f"{where}.{field} ({name}): expected an integer 0-3, got {value!r}")
        rate = item.get("automation_success_rate")
        if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0.0 <= rate <= 1.0:
            problems.append(f"{where}.automation_success_rate ({name}): expected 0-1, got {rate!r}")
        if problems:
            continue
        intents.append(
            Intent(
                name=name,
                domain=str(item.get("domain", "general")),
                description=str(item.get("description", "")),
                business_criticality=item["business_criticality"],
                customer_vulnerability=item["customer_vulnerability"],
                regulatory_exposure=item["regulatory_exposure"],
                complexity=item["complexity"],
                automation_success_rate=float(rate),  # type: ignore[arg-type]
            )
        )
    if problems:
        raise CatalogueError("\n".join(problems))
    return Catalogue(version=int(version), intents=tuple(intents), source=source)  # type: ignore[arg-type]
