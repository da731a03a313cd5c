"""The record-counting verifier of the proof harness (`loopline chaos`): pure checks, no I/O.

The harness reads every topic and lake table and hands the records here. Each check compares what
was delivered with what must have been delivered and names what is missing, duplicated or extra;
:class:`Verdict` prints ``ALL-RECORDS-DELIVERED`` only when every check holds. Delivery is judged
against a REFERENCE computed offline from the same input records (:mod:`pipelines.verify_reference`),
never against the simulator's ground truth: detector quality is a different claim (reported beside).

Two kinds of check, because the guarantees differ:

* **exactly once** (lake tables): a row per key, duplicates fail (the sink's Delta transaction ids
  must make redelivery a no-op).
* **after dedup by id** (topics): workers are at-least-once with deterministic ids, so a repeated
  id is a redelivery, not a failure; a missing or an extra id fails.

>>> exactly_once("lake interactions", ["e1", "e2", "e2"], expected={"e1", "e2", "e3"}).line()
'lake interactions: expected 3, records 3, distinct 2, missing 1, duplicated 1, unexpected 0 -> FAIL'
>>> after_dedup("decisions", ["d1", "d1"], expected={"d1"}).ok
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from topics.outputs import DeadLetter, Escalation, SloWindow

VERDICT_OK = "ALL-RECORDS-DELIVERED"
VERDICT_FAILED = "RECORDS-LOST-OR-DUPLICATED"


@dataclass(frozen=True)
class Check:
    """One counted claim: ``expected`` distinct keys, what arrived, and every discrepancy."""

    name: str
    expected: int
    records: int
    distinct: int
    missing: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unexpected)

    def line(self) -> str:
        return (f"{self.name}: expected {self.expected}, records {self.records}, distinct {self.distinct}, "
                f"missing {len(self.missing)}, duplicated {len(self.duplicated)}, "
                f"unexpected {len(self.unexpected)} -> {'ok' if self.ok else 'FAIL'}"
                + (f" ({self.note})" if self.note else ""))

    def examples(self, n: int = 3) -> str:
        """A few offending keys of each kind, for the operator (ids only, never payloads)."""
        parts = [f"{kind} {list(keys[:n])}" for kind, keys in
                 (("missing", self.missing), ("duplicated", self.duplicated), ("unexpected", self.unexpected)) if keys]
        return "; ".join(parts)


def _check(name: str, keys: Iterable[str], *, expected: set[str], duplicates_fail: bool, note: str = "") -> Check:
    counts = Counter(keys)
    return Check(
        name=name, expected=len(expected), records=sum(counts.values()), distinct=len(counts),
        missing=tuple(sorted(expected - counts.keys())),
        duplicated=tuple(sorted(k for k, n in counts.items() if n > 1)) if duplicates_fail else (),
        unexpected=tuple(sorted(counts.keys() - expected)), note=note,
    )


def exactly_once(name: str, keys: Iterable[str], *, expected: set[str]) -> Check:
    """Every expected key exactly once, nothing else (a lake table's rows)."""
    return _check(name, keys, expected=expected, duplicates_fail=True)


def after_dedup(name: str, keys: Iterable[str], *, expected: set[str]) -> Check:
    """Every expected key at least once, nothing else; repeats are redeliveries (a topic).

    >>> after_dedup("x", ["a", "a", "b"], expected={"a", "b"}).line()
    'x: expected 2, records 3, distinct 2, missing 0, duplicated 0, unexpected 0 -> ok (1 redelivered, deduplicated by id)'
    """
    keys = list(keys)
    repeats = len(keys) - len(set(keys))
    return _check(name, keys, expected=expected, duplicates_fail=False,
                  note=f"{repeats} redelivered, deduplicated by id" if repeats else "")


def escalations(records: Iterable[Escalation], *, expected: Mapping[str, str]) -> Check:
    """Handoffs on ``cx.escalations.v1``: after dedup by ``escalation_id``, each conversation the
    reference escalates (``expected``: escalation id -> conversation id) has exactly one id at
    ``sla_level`` 0, and no other conversation has one. SLA re-emits (level > 0) keep the id.

    >>> from datetime import UTC, datetime
    >>> from topics.outputs import CustomerContext
    >>> def esc(i, c): return Escalation(escalation_id=i, conversation_id=c, source_event_id="e",
    ...     time=datetime(2026, 1, 1, tzinfo=UTC), policy_version="v1", priority="normal", triggers=[],
    ...     customer=CustomerContext(channel="chat", segment="standard", region="UK"))
    >>> escalations([esc("x1", "c1"), esc("x1", "c1")], expected={"x1": "c1"}).ok
    True
    >>> escalations([esc("x1", "c1"), esc("x9", "c1")], expected={"x1": "c1"}).line()
    'escalations (sla_level 0): expected 1, records 2, distinct 2, missing 0, duplicated 1, unexpected 1 -> FAIL'
    """
    ids: list[str] = []
    per_conversation: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if record.sla_level != 0 or record.mode != "active":
            continue
        ids.append(record.escalation_id)
        per_conversation[record.conversation_id].add(record.escalation_id)
    base = after_dedup("escalations (sla_level 0)", ids, expected=set(expected))
    # a conversation with more than one distinct handoff id is a duplicate handoff for a human
    doubled = tuple(sorted(c for c, found in per_conversation.items() if len(found) > 1))
    return Check(base.name, base.expected, base.records, base.distinct, base.missing, doubled, base.unexpected,
                 base.note)


def dead_letters(letters: Iterable[DeadLetter], *, worker: str, topic: str, expected: set[str]) -> Check:
    """The dead letters ``worker`` wrote for ``topic``: one per injected bad record, located by
    ``topic/partition/offset`` (``expected``), none for a good record."""
    keys = [location(letter.source_topic, letter.partition, letter.offset)
            for letter in letters if letter.worker == worker and letter.source_topic == topic]
    return after_dedup(f"dead letters by {worker}", keys, expected=expected)


def location(topic: str, partition: int, offset: int) -> str:
    """``topic/partition/offset``, the identity of a consumed record.

    >>> location("cx.interactions.v1", 2, 17)
    'cx.interactions.v1/2/17'
    """
    return f"{topic}/{partition}/{offset}"


@dataclass(frozen=True)
class WindowCounts:
    """(good, total) of one closed window, keyed by its deterministic ``window_id``."""

    sli: str
    good: float
    total: float


def slo_windows(windows: Iterable[SloWindow], *, expected: Mapping[str, WindowCounts], slis: set[str],
                late_outcomes: Mapping[str, int], expected_late: Mapping[str, int],
                counted_window_ms: int = 60_000) -> Check:
    """SLO window counts add up to the inputs, for the SLIs in ``slis``.

    ``expected`` holds the reference's closed windows of ``counted_window_ms`` (the tumbling
    minute, so each outcome is in one window; same shards, same ids). After dedup by id,
    every reference window must be there with the same good/total (a window re-published with
    other counts is a double count: "duplicated"), and no other window of those SLIs. Per SLI,
    windowed totals + late outcomes must equal the reference's: nothing counted twice or lost.
    """
    seen: dict[str, WindowCounts] = {}
    conflicting: set[str] = set()
    records = 0
    for window in windows:
        if window.sli not in slis or window.window_ms != counted_window_ms:
            continue
        records += 1
        counts = WindowCounts(window.sli, window.good, window.total)
        if seen.setdefault(window.window_id, counts) != counts:
            conflicting.add(window.window_id)
    wanted = {k: v for k, v in expected.items() if v.sli in slis}
    for window_id in seen.keys() & wanted.keys():
        if seen[window_id] != wanted[window_id]:
            conflicting.add(window_id)
    sums: list[str] = []
    for sli in sorted(slis):
        observed = sum(c.total for c in seen.values() if c.sli == sli) + late_outcomes.get(sli, 0)
        reference = sum(c.total for c in wanted.values() if c.sli == sli) + expected_late.get(sli, 0)
        sums.append(f"{sli} {observed:g}/{reference:g}")
        if observed != reference:
            conflicting.add(f"sum:{sli}")
    return Check(
        name="slo windows", expected=len(wanted), records=records, distinct=len(seen),
        missing=tuple(sorted(wanted.keys() - seen.keys())), duplicated=tuple(sorted(conflicting)),
        unexpected=tuple(sorted(seen.keys() - wanted.keys())),
        note="windowed + late / reference: " + ", ".join(sums),
    )


@dataclass(frozen=True)
class Quality:
    """Agreement of the delivered escalations with the simulator's ground truth (not the verdict)."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def line(self) -> str:
        return (f"ground truth: precision {self.precision:.3f}, recall {self.recall:.3f} "
                f"({self.true_positives} tp, {self.false_positives} fp, {self.false_negatives} fn)")


def quality(escalated: set[str], *, should_escalate: set[str], conversations: set[str]) -> Quality:
    """Precision/recall of escalated conversation ids against the truth's ``should_escalate``.

    >>> quality({"a", "b"}, should_escalate={"a", "c"}, conversations={"a", "b", "c", "d"}).line()
    'ground truth: precision 0.500, recall 0.500 (1 tp, 1 fp, 1 fn)'
    """
    got = escalated & conversations
    return Quality(len(got & should_escalate), len(got - should_escalate), len(should_escalate - got))


@dataclass
class Verdict:
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, int | float | str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def line(self) -> str:
        """The one-line verdict.

        >>> Verdict([Check("a", 1, 1, 1)], {"events": 1}).line()
        'ALL-RECORDS-DELIVERED events=1 checks=1/1'
        """
        passed = sum(c.ok for c in self.checks)
        head = VERDICT_OK if self.ok else VERDICT_FAILED
        failed = [c.name for c in self.checks if not c.ok]
        facts = " ".join(f"{k}={v}" for k, v in self.facts.items())
        return (f"{head} {facts} checks={passed}/{len(self.checks)}".replace("  ", " ")
                + (f" failed=[{'; '.join(failed)}]" if failed else ""))

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": VERDICT_OK if self.ok else VERDICT_FAILED, "facts": dict(self.facts),
            "checks": [{"name": c.name, "ok": c.ok, "expected": c.expected, "records": c.records,
                        "distinct": c.distinct, "missing": len(c.missing), "duplicated": len(c.duplicated),
                        "unexpected": len(c.unexpected), "note": c.note, "examples": c.examples()}
                       for c in self.checks],
        }
