"""SLO definitions as data (`policies/slos.yaml`): loader and validator.

Every problem is reported with the file, the path inside it and the value seen, all at once.

>>> defs = load_definitions()
>>> defs.sli("containment_quality").objective, defs.sli("containment_quality").error_budget
(0.95, 0.05)
>>> [w.name for w in defs.stream.windows]
['tumbling_1m', 'hopping_1h_5m']
>>> parse_definitions({"version": 1, "slis": [{"name": "x", "kind": "containment", "objective": 0.9,
...     "alerts": ["page"]}]}, source="demo.yaml")
Traceback (most recent call last):
...
pipelines.slo.exceptions.SloDefinitionError: demo.yaml: slis[0].alerts (x): page needs 14.4 x error budget < 1, but the objective 0.9 leaves a budget of 0.1 (burn threshold 1.44); raise the objective to >= 0.930556 or drop 'page'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pipelines.assets import read_yaml
from pipelines.catalogue import POLICIES_DIR
from pipelines.slo.exceptions import SloDefinitionError

DEFAULT_DEFINITIONS = POLICIES_DIR / "slos.yaml"

SliKind = Literal[
    "containment", "deflection", "first_contact_resolution", "time_to_escalation", "decision_latency"
]
Severity = Literal["page", "ticket"]
MissingCsat = Literal["exclude", "good", "bad"]
HandledBy = Literal["bot", "agent", "agent_with_assist"]

KINDS: tuple[str, ...] = SliKind.__args__  # type: ignore[attr-defined]
SEVERITIES: tuple[str, ...] = ("page", "ticket")
CHANNELS = ("voice", "chat", "messaging", "email")
VULNERABILITIES = ("none", "potential", "confirmed")


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """One multi-window burn-rate condition: burn > factor over both the long and short window."""

    factor: float
    long: str
    short: str


#: Google SRE workbook, table 5-8: the alerting windows for a 28/30-day compliance period.
BURN_WINDOWS: dict[str, tuple[BurnWindow, ...]] = {
    "page": (BurnWindow(14.4, "1h", "5m"), BurnWindow(6.0, "6h", "30m")),
    "ticket": (BurnWindow(3.0, "1d", "2h"), BurnWindow(1.0, "3d", "6h")),
}
#: The rate windows the recording rules compute (every long and short window above).
RATE_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


@dataclass(frozen=True, slots=True)
class Weighting:
    """Optional weight of each outcome: by customer value (1 + value/scale, capped) or by
    vulnerability (a weight per level)."""

    by: Literal["customer_value", "vulnerability"]
    scale: float = 1000.0
    cap: float = 10.0
    weights: tuple[tuple[str, float], ...] = ()

    def weight(self, *, customer_value: float, vulnerability: str) -> float:
        """
        >>> Weighting("customer_value", scale=100.0, cap=3.0).weight(customer_value=150.0, vulnerability="none")
        2.5
        >>> Weighting("vulnerability", weights=(("none", 1.0), ("confirmed", 4.0))).weight(
        ...     customer_value=0.0, vulnerability="confirmed")
        4.0
        """
        if self.by == "customer_value":
            return min(self.cap, 1.0 + max(0.0, customer_value) / self.scale)
        return dict(self.weights).get(vulnerability, 1.0)


@dataclass(frozen=True, slots=True)
class SliDefinition:
    name: str
    kind: SliKind
    description: str
    objective: float
    period_days: int
    alerts: tuple[Severity, ...]
    runbook_url: str
    min_csat: int = 4
    missing_csat: MissingCsat = "exclude"
    exclude_reasons: frozenset[str] = frozenset()
    population: Literal["automated", "all"] = "automated"
    from_channels: frozenset[str] = frozenset({"voice"})
    handled_by: HandledBy = "bot"
    targets_ms_by_tier: tuple[int, int, int, int] = (600_000, 300_000, 120_000, 60_000)
    threshold_ms: int = 500
    weighting: Weighting | None = None

    @property
    def error_budget(self) -> float:
        return round(1.0 - self.objective, 12)

    @property
    def needs_csat(self) -> bool:
        return self.kind in ("containment", "deflection")


@dataclass(frozen=True, slots=True)
class WindowDefinition:
    """An event-time window family: tumbling when ``hop_ms == size_ms``, hopping otherwise."""

    name: str
    size_ms: int
    hop_ms: int


@dataclass(frozen=True, slots=True)
class StreamSettings:
    grace_ms: int
    outcome_wait_ms: int
    idle_timeout_ms: int
    tombstone_ms: int
    windows: tuple[WindowDefinition, ...]


@dataclass(frozen=True)
class SloDefinitions:
    version: int
    stream: StreamSettings
    slis: tuple[SliDefinition, ...]
    source: str = "<memory>"

    @cached_property
    def by_name(self) -> dict[str, SliDefinition]:
        return {s.name: s for s in self.slis}

    def sli(self, name: str) -> SliDefinition:
        try:
            return self.by_name[name]
        except KeyError:
            raise SloDefinitionError(f"{self.source}: unknown SLI {name!r}") from None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.slis)


def load_definitions(path: Path | str = DEFAULT_DEFINITIONS) -> SloDefinitions:
    """Load and validate the SLO definitions file."""
    path = Path(path)
    raw = read_yaml(path, what="the SLO definitions", error=SloDefinitionError)
    return parse_definitions(raw, source=str(path))


class _Problems:
    """Collects every problem so the author fixes the file in one pass."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.source}: {where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise SloDefinitionError("\n".join(self.items))


def parse_definitions(raw: Any, *, source: str = "<memory>") -> SloDefinitions:
    problems = _Problems(source)
    if not isinstance(raw, dict) or not isinstance(raw.get("slis"), list):
        raise SloDefinitionError(
            f"{source}: expected a mapping with a list under 'slis', got {type(raw).__name__}"
        )
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.add("version", f"expected a positive integer, got {version!r}")
    stream = _parse_stream(raw.get("stream", {}), problems)
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.add("defaults", f"expected a mapping, got {defaults!r}")
        defaults = {}
    slis: list[SliDefinition] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["slis"]):
        sli = _parse_sli(item, f"slis[{index}]", defaults, problems)
        if sli is None:
            continue
        if sli.name in seen:
            problems.add(f"slis[{index}].name", f"duplicate SLI {sli.name!r}")
        seen.add(sli.name)
        slis.append(sli)
    problems.raise_if_any()
    assert stream is not None and isinstance(version, int)
    return SloDefinitions(version=version, stream=stream, slis=tuple(slis), source=source)


def _int(
    data: dict[str, Any], key: str, where: str, problems: _Problems, *, default: int, minimum: int = 1
) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        problems.add(f"{where}.{key}", f"expected an integer >= {minimum}, got {value!r}")
        return default
    return value


_STREAM_DEFAULTS = {
    "grace_ms": 600_000, "outcome_wait_ms": 300_000, "idle_timeout_ms": 3_600_000,
    "tombstone_ms": 86_400_000,
}
_DEFAULT_WINDOWS = (
    WindowDefinition("tumbling_1m", 60_000, 60_000),
    WindowDefinition("hopping_1h_5m", 3_600_000, 300_000),
)


def _parse_stream(raw: Any, problems: _Problems) -> StreamSettings | None:
    if not isinstance(raw, dict):
        problems.add("stream", f"expected a mapping, got {raw!r}")
        raw = {}
    values = {k: _int(raw, k, "stream", problems, default=v) for k, v in _STREAM_DEFAULTS.items()}
    if values["outcome_wait_ms"] >= values["grace_ms"]:
        problems.add(
            "stream.outcome_wait_ms",
            f"must be < grace_ms ({values['grace_ms']}) so a waited-for outcome still lands in an "
            f"open window, got {values['outcome_wait_ms']}",
        )
    windows: list[WindowDefinition] = []
    raw_windows = raw.get("windows")
    if raw_windows is None:
        windows = list(_DEFAULT_WINDOWS)
    elif not isinstance(raw_windows, list) or not raw_windows:
        problems.add("stream.windows", f"expected a non-empty list, got {raw_windows!r}")
    else:
        names: set[str] = set()
        for i, item in enumerate(raw_windows):
            where = f"stream.windows[{i}]"
            if not isinstance(item, dict):
                problems.add(where, f"expected a mapping, got {item!r}")
                continue
            name = item.get("name")
            if not isinstance(name, str) or not name.isidentifier() or name in names:
                problems.add(f"{where}.name", f"expected a unique identifier, got {name!r}")
                continue
            names.add(name)
            size = _int(item, "size_ms", where, problems, default=60_000)
            hop = _int(item, "hop_ms", where, problems, default=size)
            if hop > size or size % hop:
                problems.add(f"{where}.hop_ms", f"must divide size_ms ({size}), got {hop}")
            windows.append(WindowDefinition(name, size, hop))
    return StreamSettings(windows=tuple(windows), **values)


def _parse_sli(
    item: Any, where: str, defaults: dict[str, Any], problems: _Problems
) -> SliDefinition | None:
    if not isinstance(item, dict):
        problems.add(where, f"expected a mapping, got {item!r}")
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        problems.add(f"{where}.name", f"expected a snake_case identifier, got {name!r}")
        return None
    tag = f" ({name})"
    before = len(problems.items)
    kind = item.get("kind")
    if kind not in KINDS:
        problems.add(f"{where}.kind{tag}", f"expected one of {list(KINDS)}, got {kind!r}")
    objective = item.get("objective")
    if (
        not isinstance(objective, int | float) or isinstance(objective, bool)
        or not 0.0 < objective < 1.0
    ):
        problems.add(f"{where}.objective{tag}", f"expected a ratio 0 < x < 1, got {objective!r}")
        objective = 0.99
    period_days = item.get("period_days", defaults.get("period_days", 28))
    if not isinstance(period_days, int) or isinstance(period_days, bool) or not 1 <= period_days <= 366:
        problems.add(f"{where}.period_days{tag}", f"expected 1-366 days, got {period_days!r}")
        period_days = 28
    alerts = _alerts(item.get("alerts", []), float(objective), f"{where}.alerts{tag}", problems)
    kwargs: dict[str, Any] = {}
    _kind_fields(item, kind, kwargs, f"{where}", tag, problems)
    weighting = _weighting(item.get("weighting"), f"{where}.weighting{tag}", problems)
    if len(problems.items) > before:
        return None
    base_url = str(defaults.get("runbook_base_url", "docs/slo.md"))
    return SliDefinition(
        name=name,
        kind=kind,  # type: ignore[arg-type]  # validated above
        description=" ".join(str(item.get("description", "")).split()),
        objective=float(objective),
        period_days=period_days,
        alerts=alerts,
        runbook_url=f"{base_url}#runbook-{name.replace('_', '-')}",
        weighting=weighting,
        **kwargs,
    )


def _alerts(raw: Any, objective: float, where: str, problems: _Problems) -> tuple[Severity, ...]:
    if not isinstance(raw, list) or any(a not in SEVERITIES for a in raw) or len(set(raw)) != len(raw):
        problems.add(where, f"expected a list of distinct {list(SEVERITIES)}, got {raw!r}")
        return ()
    budget = 1.0 - objective
    for severity in raw:
        worst = max(w.factor for w in BURN_WINDOWS[severity])
        if worst * budget >= 1.0:
            floor = math.ceil((1.0 - 1.0 / worst) * 1e6) / 1e6
            problems.add(
                where,
                f"{severity} needs {worst:g} x error budget < 1, but the objective {objective:g} "
                f"leaves a budget of {budget:.6g} (burn threshold {worst * budget:.6g}); raise the "
                f"objective to >= {floor:g} or drop {severity!r}",
            )
    return tuple(raw)


def _kind_fields(
    item: dict[str, Any], kind: Any, out: dict[str, Any], where: str, tag: str, problems: _Problems
) -> None:
    if kind in ("containment", "deflection"):
        csat = item.get("min_csat", 4)
        if not isinstance(csat, int) or isinstance(csat, bool) or not 1 <= csat <= 5:
            problems.add(f"{where}.min_csat{tag}", f"expected an integer 1-5, got {csat!r}")
        missing = item.get("missing_csat", "exclude")
        if missing not in ("exclude", "good", "bad"):
            problems.add(f"{where}.missing_csat{tag}", f"expected exclude|good|bad, got {missing!r}")
        out.update(min_csat=csat, missing_csat=missing)
    if kind == "containment":
        reasons = item.get("exclude_reasons", [])
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            problems.add(f"{where}.exclude_reasons{tag}", f"expected a list of reason codes, got {reasons!r}")
            reasons = []
        out["exclude_reasons"] = frozenset(reasons)
        population = item.get("population", "automated")
        if population not in ("automated", "all"):
            problems.add(f"{where}.population{tag}", f"expected automated|all, got {population!r}")
        out["population"] = population
    if kind == "deflection":
        channels = item.get("from_channels", ["voice"])
        if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
            problems.add(f"{where}.from_channels{tag}", f"expected a list of {list(CHANNELS)}, got {channels!r}")
            channels = ["voice"]
        out["from_channels"] = frozenset(channels)
    if kind == "first_contact_resolution":
        handled = item.get("handled_by")
        if handled not in ("bot", "agent", "agent_with_assist"):
            problems.add(f"{where}.handled_by{tag}", f"expected bot|agent|agent_with_assist, got {handled!r}")
        out["handled_by"] = handled
    if kind == "time_to_escalation":
        targets = item.get("targets_ms_by_tier")
        if not isinstance(targets, dict) or set(targets) != {0, 1, 2, 3} or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in targets.values()
        ):
            problems.add(
                f"{where}.targets_ms_by_tier{tag}",
                f"expected a positive integer for each tier 0-3, got {targets!r}",
            )
        else:
            out["targets_ms_by_tier"] = tuple(targets[t] for t in range(4))
    if kind == "decision_latency":
        threshold = item.get("threshold_ms")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0:
            problems.add(f"{where}.threshold_ms{tag}", f"expected a positive integer, got {threshold!r}")
        out["threshold_ms"] = threshold


def _weighting(raw: Any, where: str, problems: _Problems) -> Weighting | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("by") not in ("customer_value", "vulnerability"):
        problems.add(where, f"expected {{by: customer_value|vulnerability, ...}}, got {raw!r}")
        return None
    if raw["by"] == "customer_value":
        scale, cap = raw.get("scale", 1000.0), raw.get("cap", 10.0)
        for key, value in (("scale", scale), ("cap", cap)):
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                problems.add(f"{where}.{key}", f"expected a positive number, got {value!r}")
                return None
        if cap < 1.0:
            problems.add(f"{where}.cap", f"expected >= 1 (weights start at 1), got {cap!r}")
            return None
        return Weighting("customer_value", scale=float(scale), cap=float(cap))
    weights = raw.get("weights")
    if not isinstance(weights, dict) or not weights or any(
        k not in VULNERABILITIES or not isinstance(v, int | float) or isinstance(v, bool) or v <= 0
        for k, v in weights.items()
    ):
        problems.add(
            f"{where}.weights",
            f"expected a positive weight per vulnerability {list(VULNERABILITIES)}, got {weights!r}",
        )
        return None
    return Weighting("vulnerability", weights=tuple((k, float(v)) for k, v in weights.items()))


__all__ = [
    "BURN_WINDOWS", "DEFAULT_DEFINITIONS", "RATE_WINDOWS", "BurnWindow", "SliDefinition",
    "SloDefinitions", "StreamSettings", "Weighting", "WindowDefinition", "load_definitions",
    "parse_definitions",
]
