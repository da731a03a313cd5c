"""Escalation policies as data: load a versioned YAML policy into frozen objects, reporting every
problem with file, path and value.

A policy holds the risk x confidence matrix (bands per tier, overridable per intent), conditions on
the conversation (segment, region, channel, vulnerability, business hours), the trigger settings,
priority boosts, the SLA for agent acceptance, handoff and fallback settings.

>>> policy = load_policy(DEFAULT_POLICY)
>>> policy.version
'v1.0'
>>> policy.band_action(tier=2, intent="refund_request", confidence=0.95)
'automate'
>>> policy.band_action(tier=3, intent="fraud_report", confidence=0.9)
'handoff'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.assets import read_yaml
from pipelines.catalogue import DEFAULT_CATALOGUE, POLICIES_DIR, Catalogue, load_catalogue
from pipelines.escalation.exceptions import PolicyError
from pipelines.exceptions import CatalogueError

DEFAULT_POLICY = POLICIES_DIR / "policy-v1.yaml"

BandAction = Literal["automate", "clarify", "draft_only", "handoff", "apologise_and_follow_up"]
#: Band actions from the most to the least automated; bands must appear in this order.
BAND_ORDER: tuple[str, ...] = ("automate", "clarify", "draft_only", "handoff", "apologise_and_follow_up")
ESCALATING: frozenset[str] = frozenset({"handoff", "apologise_and_follow_up"})
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHEN_KEYS = {"segment", "region", "channel", "vulnerability", "business_hours"}
_CHANNELS = {"voice", "chat", "messaging", "email"}
_SEGMENTS = {"standard", "premium", "business", "vip"}
_VULNERABILITIES = {"none", "potential", "confirmed"}
_ERROR_KINDS = {"asr_failure", "latency_spike", "downstream_error", "timeout"}


@dataclass(frozen=True, slots=True)
class Band:
    action: str
    lo: float  # inclusive
    hi: float  # exclusive, except 1.0 which is inclusive


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    when: dict[str, Any]
    min_tier: int = 0
    confidence_margin: float = 0.0
    force_action: str | None = None
    reason: str = ""
    escalation_action: str | None = None

    def matches(self, ctx: dict[str, Any]) -> bool:
        """``ctx`` has the keys of ``when`` (segment, region, channel, vulnerability, business_hours)."""
        for key, allowed in self.when.items():
            value = ctx.get(key)
            if key == "business_hours":
                if value is None or bool(value) != allowed:
                    return False
            elif value not in allowed:
                return False
        return True


@dataclass(frozen=True, slots=True)
class TriggerSettings:
    human_request_enabled: bool = True
    human_request_threshold: float = 0.5
    rephrase_enabled: bool = True
    rephrase_turns: int = 3
    rephrase_within_s: float = 120.0
    rephrase_similarity: float = 0.38
    rephrase_lexical_same: float = 0.6
    sentiment_enabled: bool = True
    sentiment_level: float = -0.6
    sentiment_drop: float = 0.9
    sentiment_drop_turns: int = 3
    asr_enabled: bool = True
    asr_failures: int = 2
    asr_low_confidence: float = 0.5
    asr_consecutive_low: int = 2
    latency_enabled: bool = True
    latency_spikes: int = 2
    latency_factor: float = 3.0
    latency_min_spike_ms: int = 2500
    latency_baseline_alpha: float = 0.2
    latency_baseline_ms: dict[str, float] = field(default_factory=dict)
    downstream_enabled: bool = True
    downstream_errors: int = 3
    downstream_within_s: float = 60.0
    downstream_kinds: frozenset[str] = frozenset({"downstream_error", "timeout"})


@dataclass(frozen=True, slots=True)
class PriorityBoost:
    min_tier: int | None = None
    vulnerability: frozenset[str] = frozenset()
    segment: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    catalogue: Catalogue
    tiers: dict[int, tuple[Band, ...]]
    overrides: dict[str, tuple[Band, ...]]
    conditions: tuple[Condition, ...]
    weekly_hours: dict[int, tuple[dtime, dtime] | None]
    default_timezone: str
    triggers: TriggerSettings
    priority_base: str
    priority_boosts: tuple[PriorityBoost, ...]
    sla_accept_within_s: dict[str, float]
    sla_max_level: int
    handoff_destination: str = "agent_desktop"
    pii_cleared: bool = False
    transcript_max_lines: int = 40
    summary_max_chars: int = 320
    clarify_top_k: int = 2
    kb_max_articles: int = 2
    kb_min_similarity: float = 0.35
    async_channels: frozenset[str] = frozenset({"email", "messaging"})
    messages: dict[str, str] = field(default_factory=dict)
    max_seen_events: int = 1000
    max_customer_turns: int = 12
    grace_after_end_s: float = 1800.0
    idle_expiry_s: float = 172_800.0  # a conversation with no event for this long (event time) is dropped
    approvals: tuple[dict[str, str], ...] = ()
    source: str = "<memory>"

    def bands_for(self, *, tier: int, intent: str) -> tuple[Band, ...]:
        return self.overrides.get(intent) or self.tiers[tier]

    def band_action(self, *, tier: int, intent: str, confidence: float) -> str:
        """The action of the band holding ``confidence`` (already reduced by any margin)."""
        c = min(max(confidence, 0.0), 1.0)
        for band in self.bands_for(tier=tier, intent=intent):
            if band.lo <= c < band.hi or (c == 1.0 and band.hi == 1.0):
                return band.action
        return "handoff"  # unreachable for a validated policy (bands cover 0-1)

    def tz(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.default_timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return ZoneInfo(self.default_timezone)


# --- loading --------------------------------------------------------------------------------------
def load_policy(path: Path | str = DEFAULT_POLICY, *, catalogue: Catalogue | None = None) -> Policy:
    """Load and validate one policy file; raise :class:`PolicyError` listing every problem."""
    path = Path(path)
    raw = read_yaml(path, what="the policy", error=lambda message: PolicyError([message]))
    return parse_policy(raw, source=str(path), base_dir=path.parent, catalogue=catalogue)


def parse_policy(
    raw: Any, *, source: str = "<memory>", base_dir: Path | None = None, catalogue: Catalogue | None = None
) -> Policy:
    """Validate a policy document (already parsed YAML) and build a :class:`Policy`."""
    p = _Parser(source)
    policy = p.policy(raw, base_dir=base_dir, catalogue=catalogue)
    if p.problems or policy is None:
        raise PolicyError(p.problems or [f"{source}: invalid policy"])
    return policy


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def bad(self, path: str, message: str, value: Any) -> None:
        shown = repr(value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        self.problems.append(f"{self.source}: {path}: {message} (value: {shown})")

    # scalar helpers -------------------------------------------------------------------------------
    def num(self, obj: dict[str, Any], key: str, path: str, default: float, lo: float, hi: float) -> float:
        value = obj.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            self.bad(f"{path}.{key}", f"expected a number in [{lo}, {hi}]", value)
            return default
        return float(value)

    def idle_expiry(self, state: dict[str, Any], *, grace_s: float) -> float:
        """``state.idle_expiry_s``: 1 hour to 30 days, and no shorter than the grace after the end
        (an ended conversation keeps its grace)."""
        value = self.num(state, "idle_expiry_s", "state", 172_800.0, 3600.0, 30 * 86400.0)
        if value < grace_s:
            self.bad("state.idle_expiry_s", f"must be at least state.grace_after_end_s ({grace_s:g})", value)
            return max(172_800.0, grace_s)
        return value

    def int_(self, obj: dict[str, Any], key: str, path: str, default: int, lo: int, hi: int) -> int:
        value = obj.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.bad(f"{path}.{key}", f"expected an integer in [{lo}, {hi}]", value)
            return default
        return value

    def flag(self, obj: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.bad(f"{path}.{key}", "expected true or false", value)
            return default
        return value

    def mapping(self, raw: Any, path: str) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.bad(path, "expected a mapping", raw)
            return {}
        return raw

    def choices(self, raw: Any, path: str, allowed: set[str] | None) -> frozenset[str]:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.bad(path, "expected a list of strings", raw)
            return frozenset()
        if allowed is not None:
            for i, v in enumerate(raw):
                if v not in allowed:
                    self.bad(f"{path}[{i}]", f"unknown value, expected one of {sorted(allowed)}", v)
        return frozenset(raw)

    # sections -------------------------------------------------------------------------------------
    def policy(self, raw: Any, *, base_dir: Path | None, catalogue: Catalogue | None) -> Policy | None:
        if not isinstance(raw, dict):
            self.bad("<root>", "expected a mapping", type(raw).__name__)
            return None
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.bad("name", "expected a non-empty string", name)
        version = raw.get("version")
        if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version):
            self.bad("version", "expected a version string", version)
        catalogue = catalogue or self.catalogue(raw.get("catalogue"), base_dir)
        approvals = raw.get("approvals", [])
        if not isinstance(approvals, list) or not approvals:
            self.bad("approvals", "expected a non-empty list of {by, role, date}", approvals)
            approvals = []
        for i, a in enumerate(approvals):
            if not isinstance(a, dict) or not all(isinstance(a.get(k), str) and a.get(k) for k in ("by", "role", "date")):
                self.bad(f"approvals[{i}]", "expected {by, role, date} strings", a)
        matrix = self.mapping(raw.get("matrix"), "matrix")
        tiers = self.tiers(matrix.get("tiers"))
        overrides = self.overrides(matrix.get("overrides"), catalogue)
        conditions = self.conditions(raw.get("conditions", []))
        hours, tz = self.hours(self.mapping(raw.get("business_hours"), "business_hours"))
        triggers = self.triggers(self.mapping(raw.get("triggers"), "triggers"))
        base, boosts = self.priority(self.mapping(raw.get("priority"), "priority"))
        sla, max_level = self.sla(self.mapping(raw.get("sla"), "sla"))
        handoff = self.mapping(raw.get("handoff"), "handoff")
        fallbacks = self.mapping(raw.get("fallbacks"), "fallbacks")
        state = self.mapping(raw.get("state"), "state")
        grace_s = self.num(state, "grace_after_end_s", "state", 1800.0, 0.0, 7 * 86400.0)
        messages = self.mapping(fallbacks.get("messages"), "fallbacks.messages")
        for key, text in messages.items():
            if not isinstance(text, str):
                self.bad(f"fallbacks.messages.{key}", "expected a string", text)
        clarify = messages.get("clarify", "")
        if isinstance(clarify, str) and clarify and "{options}" not in clarify:
            self.bad("fallbacks.messages.clarify", "must contain the placeholder {options}", clarify)
        async_channels = self.choices(fallbacks.get("async_channels", ["email", "messaging"]),
                                      "fallbacks.async_channels", _CHANNELS)
        if catalogue is None or self.problems:
            return None
        return Policy(
            name=str(name),
            version=str(version),
            catalogue=catalogue,
            tiers=tiers,
            overrides=overrides,
            conditions=conditions,
            weekly_hours=hours,
            default_timezone=tz,
            triggers=triggers,
            priority_base=base,
            priority_boosts=boosts,
            sla_accept_within_s=sla,
            sla_max_level=max_level,
            handoff_destination=str(handoff.get("destination", "agent_desktop")),
            pii_cleared=self.flag(handoff, "pii_cleared", "handoff", False),
            transcript_max_lines=self.int_(handoff, "transcript_max_lines", "handoff", 40, 1, 500),
            summary_max_chars=self.int_(handoff, "summary_max_chars", "handoff", 320, 40, 4000),
            clarify_top_k=self.int_(fallbacks, "clarify_top_k", "fallbacks", 2, 1, 5),
            kb_max_articles=self.int_(fallbacks, "kb_max_articles", "fallbacks", 2, 0, 10),
            kb_min_similarity=self.num(fallbacks, "kb_min_similarity", "fallbacks", 0.35, 0.0, 1.0),
            async_channels=async_channels,
            messages={str(k): str(v) for k, v in messages.items()},
            max_seen_events=self.int_(state, "max_seen_events", "state", 1000, 10, 100_000),
            max_customer_turns=self.int_(state, "max_customer_turns", "state", 12, 3, 200),
            grace_after_end_s=grace_s,
            idle_expiry_s=self.idle_expiry(state, grace_s=grace_s),
            approvals=tuple(cast(dict[str, str], a) for a in approvals),
            source=self.source,
        )

    def catalogue(self, ref: Any, base_dir: Path | None) -> Catalogue | None:
        if ref is None:
            path = DEFAULT_CATALOGUE
        elif not isinstance(ref, str):
            self.bad("catalogue", "expected a path to the intent catalogue", ref)
            return None
        else:
            path = (base_dir or POLICIES_DIR) / ref
        try:
            return load_catalogue(path)
        except CatalogueError as exc:
            self.bad("catalogue", f"invalid intent catalogue: {exc}", str(path))
            return None

    def bands(self, raw: Any, path: str) -> tuple[Band, ...]:
        if not isinstance(raw, list) or not raw:
            self.bad(path, "expected a non-empty list of {action, from, to}", raw)
            return ()
        bands: list[Band] = []
        for i, item in enumerate(raw):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.bad(where, "expected {action, from, to}", item)
                continue
            action = item.get("action")
            if action not in BAND_ORDER:
                self.bad(f"{where}.action", f"unknown action, expected one of {list(BAND_ORDER)}", action)
                continue
            lo, hi = item.get("from"), item.get("to")
            ok = True
            for key, value in (("from", lo), ("to", hi)):
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                    self.bad(f"{where}.{key}", "expected a confidence in [0, 1]", value)
                    ok = False
            if not ok or lo is None or hi is None:
                continue
            if lo >= hi:
                self.bad(where, f"band is empty or reversed: from {lo} >= to {hi}", item)
                continue
            bands.append(Band(action=str(action), lo=float(lo), hi=float(hi)))
        if len(bands) != len(raw):
            return tuple(bands)
        ordered = sorted(bands, key=lambda b: b.lo)
        if ordered[0].lo != 0.0:
            self.bad(path, f"bands leave a gap: nothing covers [0, {ordered[0].lo})", ordered[0].lo)
        if ordered[-1].hi != 1.0:
            self.bad(path, f"bands leave a gap: nothing covers [{ordered[-1].hi}, 1]", ordered[-1].hi)
        for below, above in itertools.pairwise(ordered):
            if above.lo < below.hi:
                self.bad(path, f"bands overlap: {below.action} [{below.lo}, {below.hi}) and "
                               f"{above.action} [{above.lo}, {above.hi})", above.lo)
            elif above.lo > below.hi:
                self.bad(path, f"bands leave a gap: nothing covers [{below.hi}, {above.lo})", below.hi)
            if BAND_ORDER.index(above.action) >= BAND_ORDER.index(below.action):
                self.bad(path, f"thresholds out of order: {above.action} sits above {below.action}, "
                               f"expected the order {' > '.join(BAND_ORDER)}", above.lo)
        actions = [b.action for b in bands]
        for action in set(actions):
            if actions.count(action) > 1:
                self.bad(path, "an action appears in more than one band", action)
        return tuple(sorted(bands, key=lambda b: -b.lo))

    def tiers(self, raw: Any) -> dict[int, tuple[Band, ...]]:
        tiers = self.mapping(raw, "matrix.tiers")
        out: dict[int, tuple[Band, ...]] = {}
        for key, value in tiers.items():
            try:
                tier = int(key)
            except (TypeError, ValueError):
                tier = -1
            if tier not in (0, 1, 2, 3):
                self.bad(f"matrix.tiers.{key}", "unknown tier, expected 0-3", key)
                continue
            out[tier] = self.bands(value, f"matrix.tiers.{key}")
        for tier in range(4):
            if tier not in out:
                self.bad("matrix.tiers", f"tier {tier} has no bands", sorted(tiers))
        if 3 in out and any(b.action == "automate" and b.lo < 0.99 for b in out[3]):
            self.bad("matrix.tiers.3", "tier 3 may not automate below confidence 0.99",
                     [b.lo for b in out[3] if b.action == "automate"])
        return out

    def overrides(self, raw: Any, catalogue: Catalogue | None) -> dict[str, tuple[Band, ...]]:
        out: dict[str, tuple[Band, ...]] = {}
        for intent, value in self.mapping(raw, "matrix.overrides").items():
            if catalogue is not None and intent not in catalogue:
                self.bad(f"matrix.overrides.{intent}", "unknown intent (not in the catalogue)", intent)
                continue
            bands = self.bands(value, f"matrix.overrides.{intent}")
            if catalogue is not None and catalogue[intent].tier == 3 and any(
                b.action == "automate" and b.lo < 0.99 for b in bands
            ):
                self.bad(f"matrix.overrides.{intent}", "a tier-3 intent may not automate below 0.99", intent)
            out[intent] = bands
        return out

    def conditions(self, raw: Any) -> tuple[Condition, ...]:
        if not isinstance(raw, list):
            self.bad("conditions", "expected a list", raw)
            return ()
        out: list[Condition] = []
        names: set[str] = set()
        allowed = {"segment": _SEGMENTS, "channel": _CHANNELS, "vulnerability": _VULNERABILITIES, "region": None}
        for i, item in enumerate(raw):
            where = f"conditions[{i}]"
            if not isinstance(item, dict):
                self.bad(where, "expected a mapping", item)
                continue
            name = item.get("name")
            if not isinstance(name, str) or not name:
                self.bad(f"{where}.name", "expected a non-empty string", name)
                name = f"condition_{i}"
            if name in names:
                self.bad(f"{where}.name", "duplicate condition name", name)
            names.add(name)
            when_raw = self.mapping(item.get("when"), f"{where}.when")
            if not when_raw:
                self.bad(f"{where}.when", "expected at least one of " + str(sorted(_WHEN_KEYS)), item.get("when"))
            when: dict[str, Any] = {}
            for key, value in when_raw.items():
                if key not in _WHEN_KEYS:
                    self.bad(f"{where}.when.{key}", f"unknown key, expected one of {sorted(_WHEN_KEYS)}", key)
                elif key == "business_hours":
                    if not isinstance(value, bool):
                        self.bad(f"{where}.when.business_hours", "expected true or false", value)
                    when[key] = bool(value)
                else:
                    when[key] = self.choices(value, f"{where}.when.{key}", allowed[key])
            force = item.get("force_action")
            if force is not None and (not isinstance(force, str) or force not in BAND_ORDER):
                self.bad(f"{where}.force_action", f"unknown action, expected one of {list(BAND_ORDER)}", force)
            esc = item.get("escalation_action")
            if esc is not None and (not isinstance(esc, str) or esc not in ESCALATING):
                self.bad(f"{where}.escalation_action", f"expected one of {sorted(ESCALATING)}", esc)
            margin = self.num(item, "confidence_margin", where, 0.0, 0.0, 0.3)
            if force is None and esc is None and "confidence_margin" not in item:
                self.bad(where, "condition has no effect (confidence_margin, force_action or escalation_action)", name)
            reason = item.get("reason", name)
            out.append(Condition(
                name=name, when=when, min_tier=self.int_(item, "min_tier", where, 0, 0, 3),
                confidence_margin=margin, force_action=force, reason=str(reason),
                escalation_action=esc,
            ))
        return tuple(out)

    def hours(self, raw: dict[str, Any]) -> tuple[dict[int, tuple[dtime, dtime] | None], str]:
        tz = raw.get("default_timezone", "UTC")
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            self.bad("business_hours.default_timezone", "unknown IANA time zone", tz)
            tz = "UTC"
        weekly = self.mapping(raw.get("weekly"), "business_hours.weekly")
        out: dict[int, tuple[dtime, dtime] | None] = {}
        for key in weekly:
            if key not in WEEKDAYS:
                self.bad(f"business_hours.weekly.{key}", f"unknown day, expected one of {list(WEEKDAYS)}", key)
        for index, day in enumerate(WEEKDAYS):
            value = weekly.get(day)
            if value is None:
                out[index] = None
                continue
            where = f"business_hours.weekly.{day}"
            try:
                opens, closes = (dtime.fromisoformat(v) for v in value)
            except (TypeError, ValueError):
                self.bad(where, 'expected ["HH:MM", "HH:MM"] or null', value)
                out[index] = None
                continue
            if opens >= closes:
                self.bad(where, "opening time is not before closing time", value)
            out[index] = (opens, closes)
        return out, str(tz)

    def triggers(self, raw: dict[str, Any]) -> TriggerSettings:
        d = TriggerSettings()
        hr = self.mapping(raw.get("human_request"), "triggers.human_request")
        rp = self.mapping(raw.get("rephrase"), "triggers.rephrase")
        se = self.mapping(raw.get("sentiment"), "triggers.sentiment")
        asr = self.mapping(raw.get("asr"), "triggers.asr")
        lat = self.mapping(raw.get("latency"), "triggers.latency")
        ds = self.mapping(raw.get("downstream"), "triggers.downstream")
        base = self.mapping(lat.get("baseline_ms"), "triggers.latency.baseline_ms")
        for ch, ms in base.items():
            if ch not in _CHANNELS:
                self.bad(f"triggers.latency.baseline_ms.{ch}", f"unknown channel, expected one of {sorted(_CHANNELS)}", ch)
            if isinstance(ms, bool) or not isinstance(ms, int | float) or ms <= 0:
                self.bad(f"triggers.latency.baseline_ms.{ch}", "expected a positive number of ms", ms)
        lex_same = self.num(rp, "lexical_same", "triggers.rephrase", d.rephrase_lexical_same, 0.0, 1.0)
        similarity = self.num(rp, "similarity", "triggers.rephrase", d.rephrase_similarity, 0.0, 1.0)
        if similarity > lex_same:
            self.bad("triggers.rephrase", "thresholds out of order: similarity must not exceed lexical_same",
                     [similarity, lex_same])
        return TriggerSettings(
            human_request_enabled=self.flag(hr, "enabled", "triggers.human_request", True),
            human_request_threshold=self.num(hr, "threshold", "triggers.human_request", 0.5, 0.0, 1.0),
            rephrase_enabled=self.flag(rp, "enabled", "triggers.rephrase", True),
            rephrase_turns=self.int_(rp, "turns", "triggers.rephrase", 3, 2, 10),
            rephrase_within_s=self.num(rp, "within_s", "triggers.rephrase", 120.0, 1.0, 3600.0),
            rephrase_similarity=similarity,
            rephrase_lexical_same=lex_same,
            sentiment_enabled=self.flag(se, "enabled", "triggers.sentiment", True),
            sentiment_level=self.num(se, "level", "triggers.sentiment", -0.6, -1.0, 0.0),
            sentiment_drop=self.num(se, "drop", "triggers.sentiment", 0.9, 0.0, 2.0),
            sentiment_drop_turns=self.int_(se, "drop_turns", "triggers.sentiment", 3, 2, 10),
            asr_enabled=self.flag(asr, "enabled", "triggers.asr", True),
            asr_failures=self.int_(asr, "failures", "triggers.asr", 2, 1, 20),
            asr_low_confidence=self.num(asr, "low_confidence", "triggers.asr", 0.5, 0.0, 1.0),
            asr_consecutive_low=self.int_(asr, "consecutive_low", "triggers.asr", 2, 1, 20),
            latency_enabled=self.flag(lat, "enabled", "triggers.latency", True),
            latency_spikes=self.int_(lat, "spikes", "triggers.latency", 2, 1, 20),
            latency_factor=self.num(lat, "factor", "triggers.latency", 3.0, 1.0, 100.0),
            latency_min_spike_ms=self.int_(lat, "min_spike_ms", "triggers.latency", 2500, 1, 600_000),
            latency_baseline_alpha=self.num(lat, "baseline_alpha", "triggers.latency", 0.2, 0.0, 1.0),
            latency_baseline_ms={str(k): float(v) for k, v in base.items() if isinstance(v, int | float)},
            downstream_enabled=self.flag(ds, "enabled", "triggers.downstream", True),
            downstream_errors=self.int_(ds, "errors", "triggers.downstream", 3, 1, 100),
            downstream_within_s=self.num(ds, "within_s", "triggers.downstream", 60.0, 1.0, 3600.0),
            downstream_kinds=self.choices(ds.get("kinds", ["downstream_error", "timeout"]),
                                          "triggers.downstream.kinds", _ERROR_KINDS),
        )

    def priority(self, raw: dict[str, Any]) -> tuple[str, tuple[PriorityBoost, ...]]:
        base = raw.get("base", "normal")
        if base not in PRIORITIES:
            self.bad("priority.base", f"expected one of {list(PRIORITIES)}", base)
            base = "normal"
        boosts: list[PriorityBoost] = []
        raw_boosts = raw.get("boosts", [])
        if not isinstance(raw_boosts, list):
            self.bad("priority.boosts", "expected a list", raw_boosts)
            raw_boosts = []
        for i, item in enumerate(raw_boosts):
            where = f"priority.boosts[{i}]"
            item = self.mapping(item, where)
            unknown = set(item) - {"min_tier", "vulnerability", "segment", "reasons"}
            if unknown or not item:
                self.bad(where, "expected one of min_tier, vulnerability, segment, reasons", sorted(unknown) or item)
                continue
            boosts.append(PriorityBoost(
                min_tier=self.int_(item, "min_tier", where, 0, 0, 3) if "min_tier" in item else None,
                vulnerability=self.choices(item["vulnerability"], f"{where}.vulnerability", _VULNERABILITIES)
                if "vulnerability" in item else frozenset(),
                segment=self.choices(item["segment"], f"{where}.segment", _SEGMENTS) if "segment" in item else frozenset(),
                reasons=self.choices(item["reasons"], f"{where}.reasons", None) if "reasons" in item else frozenset(),
            ))
        return str(base), tuple(boosts)

    def sla(self, raw: dict[str, Any]) -> tuple[dict[str, float], int]:
        within = self.mapping(raw.get("accept_within_s"), "sla.accept_within_s")
        out: dict[str, float] = {}
        for prio in PRIORITIES:
            out[prio] = self.num(within, prio, "sla.accept_within_s", 300.0, 1.0, 86400.0)
        for key in within:
            if key not in PRIORITIES:
                self.bad(f"sla.accept_within_s.{key}", f"unknown priority, expected one of {list(PRIORITIES)}", key)
        ordered = [out[p] for p in PRIORITIES]
        if ordered != sorted(ordered, reverse=True):
            self.bad("sla.accept_within_s", "thresholds out of order: a higher priority must not wait longer", within)
        return out, self.int_(raw, "max_level", "sla", 3, 0, 10)
