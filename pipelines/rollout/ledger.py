"""What runs where: the latest record per key of the compacted ``cx.policies.v1``.

Keys: ``<name>/active``, ``<name>/shadow``, ``<name>/canary`` hold what serves traffic (a slot
whose latest record has slot ``retired`` is empty); ``<name>/version/<version>`` holds each
version's lifecycle stage (slot ``candidate``: escalation workers ignore these records).

>>> from datetime import datetime, timezone
>>> t = datetime(2026, 3, 1, tzinfo=timezone.utc)
>>> rec = PolicyRecord(name="escalation", version="v2", slot="canary", document="", canary_share=0.2, stage="canary", time=t)
>>> ledger = PolicyLedger.from_records([(slot_key("escalation", "canary"), rec)])
>>> ledger.canary.version, ledger.stage_of("v2"), ledger.active
('v2', 'canary', None)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from topics.outputs import PolicyRecord

SERVING_SLOTS = ("active", "canary", "shadow")


def slot_key(name: str, slot: str) -> str:
    return f"{name}/{slot}"


def version_key(name: str, version: str) -> str:
    return f"{name}/version/{version}"


@dataclass
class PolicyLedger:
    name: str = "escalation"
    records: dict[str, PolicyRecord] = field(default_factory=dict)

    @classmethod
    def from_records(cls, keyed: Iterable[tuple[str, PolicyRecord]], *, name: str = "escalation") -> PolicyLedger:
        ledger = cls(name=name)
        for key, record in keyed:
            ledger.apply(key, record)
        return ledger

    def apply(self, key: str, record: PolicyRecord) -> None:
        if record.name == self.name:
            self.records[key] = record

    def _slot(self, slot: str) -> PolicyRecord | None:
        record = self.records.get(slot_key(self.name, slot))
        return record if record is not None and record.slot == slot else None

    @property
    def active(self) -> PolicyRecord | None:
        return self._slot("active")

    @property
    def canary(self) -> PolicyRecord | None:
        return self._slot("canary")

    @property
    def shadow(self) -> PolicyRecord | None:
        return self._slot("shadow")

    def version(self, version: str) -> PolicyRecord | None:
        """The latest record naming ``version`` (its ledger record, else a slot record)."""
        record = self.records.get(version_key(self.name, version))
        if record is not None:
            return record
        for slot in SERVING_SLOTS:
            current = self._slot(slot)
            if current is not None and current.version == version:
                return current
        return None

    def stage_of(self, version: str) -> str | None:
        record = self.version(version)
        if record is None:
            return None
        return record.stage or record.slot

    def versions(self) -> list[PolicyRecord]:
        prefix = version_key(self.name, "")
        found = {r.version: r for k, r in self.records.items() if k.startswith(prefix)}
        for slot in SERVING_SLOTS:
            current = self._slot(slot)
            if current is not None:
                found.setdefault(current.version, current)
        return sorted(found.values(), key=lambda r: (r.time.isoformat() if r.time else "", r.version))
