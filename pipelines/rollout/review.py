"""What a candidate policy version changes, and whether its approvals cover those changes.

``promote`` diffs the candidate document against the active one, classifies every changed path
with the governance rules, and checks the approvals the candidate carries.

>>> from pipelines.rollout.governance import load_governance
>>> gov = load_governance()
>>> old = {"version": "v1", "matrix": {"tiers": {2: [{"action": "automate", "from": 0.82, "to": 1.0}]}}}
>>> new = {"version": "v2", "matrix": {"tiers": {2: [{"action": "automate", "from": 0.30, "to": 1.0}]}},
...        "approvals": [{"by": "ops-lead", "role": "operations", "date": "2026-03-01"}]}
>>> changed_paths(new, old, ignore=gov.ignore)
['matrix.tiers.2']
>>> result = review(gov, new, old)
>>> result.classes, result.approved
({'thresholds': ['matrix.tiers.2']}, False)
>>> print(result.problems[0])
thresholds change (matrix.tiers.2) needs 2 approvals by distinct people with a role in [compliance, operations, product, risk]; it has 1 (ops-lead)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.rollout.governance import Governance
from pipelines.rollout.prompts import PromptCatalogue


def changed_paths(candidate: dict[str, Any], active: dict[str, Any] | None, *, ignore: frozenset[str]) -> list[str]:
    """Dotted paths whose value differs (lists compare as a whole). No active version: every key."""
    if active is None:
        return sorted(str(k) for k in candidate if str(k) not in ignore)
    out: list[str] = []
    _diff(candidate, active, "", ignore, out)
    return sorted(out)


def _diff(a: Any, b: Any, prefix: str, ignore: frozenset[str], out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in set(a) | set(b):
            path = f"{prefix}.{key}" if prefix else str(key)
            if path in ignore:
                continue
            _diff(a.get(key), b.get(key), path, ignore, out)
    elif a != b:
        out.append(prefix)


@dataclass
class Review:
    classes: dict[str, list[str]] = field(default_factory=dict)  # change class -> changed paths
    approvals: list[tuple[str, str]] = field(default_factory=list)  # counted (by, role)
    ignored_approvals: list[str] = field(default_factory=list)  # why an approval did not count
    problems: list[str] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return not self.problems


def review(
    governance: Governance, candidate: dict[str, Any], active: dict[str, Any] | None, *,
    prompts: PromptCatalogue | None = None,
) -> Review:
    """Classify the candidate's changes and check its approvals against the governance rules."""
    out = Review()
    for path in changed_paths(candidate, active, ignore=governance.ignore):
        out.classes.setdefault(governance.classify(path), []).append(path)
    for i, approval in enumerate(candidate.get("approvals") or []):
        if not isinstance(approval, dict):
            out.ignored_approvals.append(f"approvals[{i}]: expected {{by, role, date}} (value: {approval!r})")
            continue
        by, role = str(approval.get("by", "")), str(approval.get("role", ""))
        if role not in governance.approvers.get(by, frozenset()):
            out.ignored_approvals.append(f"approvals[{i}]: {by!r} may not approve as {role!r} (governance.approvers)")
            continue
        if (by, role) not in out.approvals:
            out.approvals.append((by, role))
    for name in sorted(out.classes):
        rule = governance.rule(name)
        people = sorted({by for by, role in out.approvals if role in rule.roles})
        shown = ", ".join(out.classes[name][:3]) + (", …" if len(out.classes[name]) > 3 else "")
        if len(people) < rule.min_approvals:
            out.problems.append(
                f"{name} change ({shown}) needs {rule.min_approvals} approvals by distinct people with a role in "
                f"[{', '.join(sorted(rule.roles))}]; it has {len(people)}" + (f" ({', '.join(people)})" if people else ""))
        if rule.compliance and not any(role == "compliance" for _, role in out.approvals):
            out.problems.append(f"{name} change ({shown}) needs an approval with the compliance role; it has none")
    prompt = candidate.get("prompt")
    if prompts is not None and isinstance(prompt, dict):
        version = prompt.get("version")
        known = prompts.versions.get(str(version))
        if known is None:
            out.problems.append(f"prompt.version: unknown prompt template version (value: {version!r})")
        elif known.status != "approved":
            out.problems.append(f"prompt.version: prompt {version!r} has status {known.status!r}, expected 'approved'")
    if out.problems:  # an approval that does not count only matters (and is named) when approvals fall short
        out.problems.extend(f"not counted: {why}" for why in out.ignored_approvals)
    return out
