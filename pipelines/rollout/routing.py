"""Which policy version decides a conversation: active, canary (by hash), and the shadow beside.

The version is chosen once, when the worker first sees a conversation, and the caller keeps it in
the conversation's state (``pinned``); every later event of the conversation is decided by the
same version, even after a promotion or a rollback — so no conversation is ever decided by two
versions. Versions that stop serving stay known for the conversations pinned to them.

>>> from pipelines.escalation.policy import load_policy
>>> router = PolicyRouter(load_policy(), prompt_version="cx-prompt-v7")
>>> router.route("conv-1", pinned=None).mode, router.route("conv-1", pinned=None).version
('active', 'v1.0')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from pipelines.escalation.policy import Policy, parse_policy
from pipelines.rollout.assignment import in_canary
from topics.outputs import PolicyRecord

Parse = Callable[[PolicyRecord, Policy], Policy]


@dataclass(frozen=True, slots=True)
class Served:
    policy: Policy
    mode: str  # the Decision.mode of its decisions: active | canary | shadow
    prompt_version: str = ""

    @property
    def version(self) -> str:
        return self.policy.version


@dataclass
class PolicyRouter:
    policy: Policy
    prompt_version: str = ""
    active: Served = field(init=False)
    canary: Served | None = None
    canary_share: float = 0.0
    shadow: Served | None = None
    known: dict[str, Served] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.active = Served(self.policy, "active", self.prompt_version)
        self.known[self.active.version] = self.active

    def route(self, conversation_id: str, *, pinned: str | None) -> Served:
        """The version deciding ``conversation_id`` (``pinned``: the version chosen earlier, if any)."""
        if pinned is not None:
            served = self.known.get(pinned)
            if served is not None:
                return served
        if self.canary is not None and in_canary(conversation_id, share=self.canary_share):
            return self.canary
        return self.active

    def offer(self, record: PolicyRecord, *, parse: Parse | None = None) -> str | None:
        """Apply a ``cx.policies.v1`` record; return what changed (for the log), or None."""
        if record.name != self.active.policy.name or record.slot == "candidate":
            return None
        if record.slot == "retired":
            if self.canary is not None and self.canary.version == record.version:
                self.canary, self.canary_share = None, 0.0
                return f"canary {record.version} retired"
            if self.shadow is not None and self.shadow.version == record.version:
                self.shadow = None
                return f"shadow {record.version} retired"
            return None
        current = {"active": self.active, "canary": self.canary, "shadow": self.shadow}[record.slot]
        if current is not None and current.version == record.version and (
                record.slot != "canary" or self.canary_share == record.canary_share):
            return None
        known = self.known.get(record.version)
        policy = known.policy if known is not None else (parse or parse_record)(record, self.active.policy)
        mode = "active" if record.slot == "active" else record.slot
        served = Served(policy, mode, record.prompt_version or self.prompt_version)
        if record.slot == "active":
            self.active = served
            if self.canary is not None and self.canary.version == record.version:
                self.canary, self.canary_share = None, 0.0
        elif record.slot == "canary":
            self.canary, self.canary_share = served, record.canary_share
        else:
            self.shadow = served
        if record.slot != "shadow":  # shadow versions never decide a routed conversation
            self.known[record.version] = served
        return f"{record.slot} {record.version}" + (f" ({record.canary_share:.0%})" if record.slot == "canary" else "")


def parse_record(record: PolicyRecord, base: Policy | None = None) -> Policy:
    """The policy a record carries (validated; the catalogue of ``base`` is reused)."""
    return parse_policy(yaml.safe_load(record.document), source=f"cx.policies.v1:{record.name}@{record.version}",
                        catalogue=base.catalogue if base is not None else None)
