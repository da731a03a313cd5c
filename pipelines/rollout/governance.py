"""Governance rules as data (``policies/governance.yaml``): who may approve which class of change,
how many approvals, which changes need compliance, and the canary judge's settings.

>>> gov = load_governance()
>>> gov.classify("matrix.tiers.2"), gov.classify("matrix.tiers.3.0.from"), gov.classify("prompt.version")
('thresholds', 'risk_tiers', 'prompts')
>>> gov.canary.slis
('containment_quality',)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.assets import read_yaml
from pipelines.catalogue import POLICIES_DIR
from pipelines.rollout.exceptions import GovernanceError

DEFAULT_GOVERNANCE = POLICIES_DIR / "governance.yaml"


@dataclass(frozen=True, slots=True)
class ChangeRule:
    name: str
    paths: tuple[str, ...]
    min_approvals: int
    roles: frozenset[str]
    compliance: bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class CanarySettings:
    default_share: float = 0.25
    slis: tuple[str, ...] = ("containment_quality",)
    window_ms: int = 3_600_000
    margin: float = 1.0
    min_conversations: int = 20
    min_z: float = 2.33


@dataclass(frozen=True)
class Governance:
    policy: str
    approvers: dict[str, frozenset[str]]
    ignore: frozenset[str]
    changes: tuple[ChangeRule, ...]
    require_shadow: bool
    canary: CanarySettings
    source: str = "<memory>"

    def rule(self, name: str) -> ChangeRule:
        return next(r for r in self.changes if r.name == name)

    def classify(self, path: str) -> str:
        """The change class of a dotted path: the rule with the longest matching prefix, else ``other``."""
        best, best_len = "other", -1
        for rule in self.changes:
            for prefix in rule.paths:
                if (path == prefix or path.startswith(prefix + ".")) and len(prefix) > best_len:
                    best, best_len = rule.name, len(prefix)
        return best


def load_governance(path: Path | str = DEFAULT_GOVERNANCE) -> Governance:
    path = Path(path)
    raw = read_yaml(path, what="the governance file", error=GovernanceError)
    return parse_governance(raw, source=str(path))


def parse_governance(raw: Any, *, source: str = "<memory>") -> Governance:
    """Validate a governance document; every problem is listed with its path and value."""
    problems: list[str] = []

    def bad(where: str, message: str, value: Any) -> None:
        problems.append(f"{source}: {where}: {message} (value: {value!r})")

    if not isinstance(raw, dict):
        raise GovernanceError(f"{source}: <root>: expected a mapping (value: {type(raw).__name__})")
    approvers: dict[str, frozenset[str]] = {}
    for person, roles in (raw.get("approvers") or {}).items():
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            bad(f"approvers.{person}", "expected a non-empty list of roles", roles)
            continue
        approvers[str(person)] = frozenset(roles)
    if not approvers:
        bad("approvers", "expected at least one approver", raw.get("approvers"))
    changes: list[ChangeRule] = []
    for i, item in enumerate(raw.get("changes") or []):
        where = f"changes[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            bad(where, "expected {name, paths, min_approvals, roles, compliance}", item)
            continue
        paths, roles, n = item.get("paths", []), item.get("roles", []), item.get("min_approvals", 1)
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            bad(f"{where}.paths", "expected a list of dotted paths", paths)
            paths = []
        if not isinstance(roles, list) or not roles:
            bad(f"{where}.roles", "expected a non-empty list of roles", roles)
            roles = []
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            bad(f"{where}.min_approvals", "expected an integer >= 1", n)
            n = 1
        if not isinstance(item.get("compliance", False), bool):
            bad(f"{where}.compliance", "expected true or false", item.get("compliance"))
        changes.append(ChangeRule(name=item["name"], paths=tuple(paths), min_approvals=n, roles=frozenset(roles),
                                  compliance=bool(item.get("compliance", False)),
                                  description=str(item.get("description", ""))))
    if "other" not in {c.name for c in changes}:
        bad("changes", "expected a rule named 'other' (the catch-all)", [c.name for c in changes])
    canary_raw = raw.get("canary") or {}
    canary = CanarySettings()
    try:
        canary = CanarySettings(
            default_share=float(canary_raw.get("default_share", canary.default_share)),
            slis=tuple(canary_raw.get("slis", canary.slis)),
            window_ms=int(canary_raw.get("window_ms", canary.window_ms)),
            margin=float(canary_raw.get("margin", canary.margin)),
            min_conversations=int(canary_raw.get("min_conversations", canary.min_conversations)),
            min_z=float(canary_raw.get("min_z", canary.min_z)),
        )
    except (TypeError, ValueError) as exc:
        bad("canary", f"expected numbers: {exc}", canary_raw)
    if not 0.0 < canary.default_share <= 0.5:
        bad("canary.default_share", "expected a share in (0, 0.5]", canary.default_share)
    if canary.window_ms <= 0 or canary.min_conversations < 1 or canary.margin <= 0:
        bad("canary", "window_ms, min_conversations and margin must be positive", canary_raw)
    lifecycle = raw.get("lifecycle") or {}
    if problems:
        raise GovernanceError("\n".join(problems))
    return Governance(
        policy=str(raw.get("policy", "escalation")), approvers=approvers,
        ignore=frozenset(raw.get("ignore") or ()), changes=tuple(changes),
        require_shadow=bool(lifecycle.get("require_shadow_before_canary", False)), canary=canary, source=source,
    )
