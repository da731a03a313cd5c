"""`loopline run escalation`: the Faust worker around the pure escalation core.

The agent only moves records: decode at the edge (bad records → dead letters), load the
conversation's state from the table, call :func:`~pipelines.escalation.core.step`, store the new
state, publish decisions and escalations. Records are taken in small batches, and a batch stores
each changed conversation's state once (one changelog record, not one per event). State expires
once a conversation has ended and the policy's grace has passed (event time), so the table stays
bounded. Policy versions arrive on the compacted ``cx.policies.v1`` and are swapped in without a
restart.

Safe change (docs/rollout.md): a canary version decides the conversations a hash of their id puts
in its share; the version is chosen when the worker first sees a conversation and kept in the
``escalation-routes`` table, so a conversation is never decided by two versions. A shadow version
is evaluated beside on the same events with its own state (``escalation-shadow``); its decisions go
to ``cx.decisions.shadow.v1`` only, and where it decides differently is counted by intent, tier and
both actions (``loopline_shadow_divergence_total``). Decisions and escalations carry the prompt
template version of the policy that made them.
"""

from __future__ import annotations

import heapq
import logging
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faust
import faust.streams as faust_streams
import msgspec
import yaml
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pipelines.app import AppConfig, create_app, run_app
from pipelines.edge import EdgeGuard
from pipelines.escalation.bundle import Signals
from pipelines.escalation.core import step, tick
from pipelines.escalation.exceptions import EscalationError
from pipelines.escalation.handoff import Mask, identity
from pipelines.escalation.policy import Policy, parse_policy
from pipelines.escalation.state import ConversationState
from pipelines.rollout.prompts import load_prompts, prompt_version_of
from pipelines.rollout.routing import PolicyRouter, Served
from pipelines.rollout.shadow import diverging
from pipelines.slo.metrics import PipelineMetrics, safe_token
from topics.codec import decode_as, encode
from topics.events import ConversationStartedEvent, Event
from topics.outputs import Decision, PolicyRecord
from topics.specs import (
    DEADLETTER,
    DECISIONS,
    ESCALATIONS,
    INTERACTIONS,
    POLICIES,
    SHADOW_DECISIONS,
)

log = logging.getLogger(__name__)

WORKER = "escalation"
#: Records per batch, and how long a batch waits to fill: a batch writes one changelog record per
#: conversation instead of one per event, and adds at most this wait to the append → decision time.
BATCH_MAX = 500
BATCH_WITHIN_S = 0.01
TABLE = "escalation-conversations"
ROUTES_TABLE = "escalation-routes"  # conversation -> "version\x1fshadow version": chosen once
SHADOW_TABLE = "escalation-shadow"  # conversation -> the shadow version's own state

#: Customer id → pseudonymous token, applied at the edge so no raw id enters the state or outputs.
Tokenise = Callable[[str], str]


class EscalationMetrics:
    """Decisions by action, and the time from a record's append to its decision being published."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.decisions = Counter(
            "loopline_decisions", "Decisions published, by action, tier and channel.",
            ["action", "tier", "channel", "mode"], registry=registry,
        )
        self.processing = Histogram(
            "loopline_decision_processing_seconds",
            "From the input record's append to the broker to its decisions being handed to the producer.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=registry,
        )
        self.serving = Gauge(
            "loopline_policy_serving_info", "Policy versions serving traffic, by slot (active, canary, shadow).",
            ["slot", "version"], registry=registry,
        )
        self.canary_share = Gauge("loopline_canary_share", "Share of new conversations routed to the canary.",
                                  registry=registry)
        self.shadow_decisions = Counter(
            "loopline_shadow_decisions", "Source events compared between the shadow and the routed version.",
            ["shadow_version"], registry=registry,
        )
        self.divergence = Counter(
            "loopline_shadow_divergence",
            "Source events where the shadow version decided differently, by intent, tier and both actions.",
            ["shadow_version", "intent", "tier", "routed_action", "shadow_action"], registry=registry,
        )


@dataclass
class PolicySlot:
    """The active policy; replaced atomically when a new version arrives on cx.policies.v1."""

    policy: Policy
    history: list[str] = field(default_factory=list)

    def offer(self, record: PolicyRecord) -> bool:
        if record.slot != "active" or record.version == self.policy.version:
            return False
        policy = parse_policy(yaml.safe_load(record.document), source=f"{POLICIES.name}:{record.name}@{record.version}",
                              catalogue=self.policy.catalogue)
        self.history.append(self.policy.version)
        self.policy = policy
        return True


@dataclass
class PartitionClock:
    """Event-time watermark of one partition, with the conversations due for expiry or SLA checks.

    Each conversation is on the heap once, at its earliest due time: a later due time is not pushed
    (the conversation is looked at when the earlier one comes and put back for its next), so the
    heap grows with conversations, not with events."""

    watermark_ms: int = 0
    due: list[tuple[int, str]] = field(default_factory=list)  # (due_ms, conversation id)
    next_due: dict[str, int] = field(default_factory=dict)  # conversation id -> its live heap entry

    def schedule(self, due_ms: int, key: str) -> None:
        current = self.next_due.get(key)
        if current is None or due_ms < current:
            self.next_due[key] = due_ms
            heapq.heappush(self.due, (due_ms, key))

    def pop_due(self) -> list[str]:
        keys = []
        while self.due and self.due[0][0] <= self.watermark_ms:
            due_ms, key = heapq.heappop(self.due)
            if self.next_due.get(key) == due_ms:  # else superseded by an earlier entry already taken
                del self.next_due[key]
                keys.append(key)
        return keys

    def clear(self) -> None:
        self.due.clear()
        self.next_due.clear()


class EscalationWorker:
    def __init__(
        self,
        config: AppConfig,
        *,
        policy: Policy,
        signals: Signals,
        mask: Mask = identity,
        tokenise: Tokenise = lambda value: value,
        registry: CollectorRegistry | None = None,
        mode: str = "active",
    ) -> None:
        self.app: faust.App = create_app(config)
        self.slot = PolicySlot(policy)  # the active version (kept for callers of the original API)
        self.router = PolicyRouter(policy, prompt_version=_prompt_version(policy))
        self.signals = signals
        self.mask = mask
        self.tokenise = tokenise
        self.mode = mode
        self.registry = registry or CollectorRegistry()
        self.health = PipelineMetrics(self.registry, worker=WORKER)
        self.metrics = EscalationMetrics(self.registry)
        self.health.touch([INTERACTIONS.name])
        self.health.policy_in_use(policy.name, policy.version)
        self._serving: dict[str, str] = {}
        self._show_serving()
        self.clocks: dict[int, PartitionClock] = {}
        # Outputs are sent BEFORE the new state is stored: a crash in between replays the event, and the
        # replay re-sends the same deterministic ids (deduplicated downstream) instead of losing them.
        self.outbox: list[tuple[str, bytes, bytes]] = []
        self.pending_states: dict[str, ConversationState | None] = {}
        self.partition_of: dict[str, int] = {}  # conversation -> its input (and changelog) partition
        self.pending_latency: list[float] = []  # append times of the batch's records that decided
        app = self.app
        raw: dict[str, Any] = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
        self.source = app.topic(INTERACTIONS.name, partitions=INTERACTIONS.partitions, **raw)
        self.policies = app.topic(POLICIES.name, partitions=POLICIES.partitions, **raw)
        self.out = {spec.name: app.topic(spec.name, partitions=spec.partitions, **raw)
                    for spec in (DECISIONS, ESCALATIONS, DEADLETTER, SHADOW_DECISIONS)}
        self.table = app.Table(TABLE, default=None, partitions=INTERACTIONS.partitions,
                               key_type=bytes, value_type=bytes)
        self.routes = app.Table(ROUTES_TABLE, default=None, partitions=INTERACTIONS.partitions,
                                key_type=bytes, value_type=bytes)
        self.shadow_table = app.Table(SHADOW_TABLE, default=None, partitions=INTERACTIONS.partitions,
                                      key_type=bytes, value_type=bytes)
        self.table.on_recover(self._after_recovery)
        self.pending_routes: dict[str, tuple[str, str] | None] = {}
        self.pending_shadow: dict[str, ConversationState | None] = {}
        self.guard = EdgeGuard(WORKER, self._send)
        app.agent(self.source, name=f"{WORKER}-interactions")(self._process)
        app.agent(self.policies, name=f"{WORKER}-policies")(self._follow_policies)

    # --- agents -------------------------------------------------------------------------------------
    async def _process(self, stream: Any) -> None:
        """Take the records in batches (up to :data:`BATCH_MAX`, or what arrived within
        :data:`BATCH_WITHIN_S`); Faust acks a batch's records only once this loop has stored its
        states, so a crash replays the whole batch and the cores' dedupe absorbs it."""
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            last: dict[int, Any] = {}
            for event in events:
                self.handle_record(event.value, event.message)
                last[event.message.partition] = event
            await self._flush(last)

    async def _flush(self, last: dict[int, Any]) -> None:
        """Send the batch's outputs, then store its changed states: one changelog record per
        conversation and table per batch, not per event.

        Faust writes a key's changelog record to the partition of the stream's *current event*
        (its ``current_event()`` context variable), which in a batch is not the event that changed
        the key; so each partition's keys are stored with that partition's last event of the batch
        set as the current event, and the variable is restored afterwards."""
        outbox, self.outbox = self.outbox, []
        for topic, key, value in outbox:
            await self.out[topic].send(key=key, value=value)
        now = time.time()
        for appended in self.pending_latency:
            self.metrics.processing.observe(max(0.0, now - appended))
        self.pending_latency.clear()
        states, self.pending_states = self.pending_states, {}
        routes, self.pending_routes = self.pending_routes, {}
        shadows, self.pending_shadow = self.pending_shadow, {}
        by_partition: dict[int, list[str]] = {}
        for conversation in {*states, *routes, *shadows}:
            by_partition.setdefault(self.partition_of[conversation], []).append(conversation)
        for partition, conversations in by_partition.items():
            token = faust_streams._current_event.set(weakref.ref(last[partition]))
            try:
                for conversation in conversations:
                    key = conversation.encode()
                    if conversation in states:
                        _put(self.table, key, _state_bytes(states[conversation]))
                    if conversation in routes:
                        route = routes[conversation]
                        _put(self.routes, key, None if route is None else "\x1f".join(route).encode())
                    if conversation in shadows:
                        _put(self.shadow_table, key, _state_bytes(shadows[conversation]))
                    if states.get(conversation, False) is None:  # expired: forget where it lives too
                        self.partition_of.pop(conversation, None)
            finally:
                faust_streams._current_event.reset(token)

    def handle_record(self, value: bytes | None, message: Any) -> None:
        """:meth:`handle` one consumed record; a record whose processing raises becomes a dead letter."""
        self.health.events_in(INTERACTIONS.name)
        try:
            self.handle(value, topic=message.topic, partition=message.partition,
                        offset=message.offset, key=message.key, append_ts=message.timestamp)
        except Exception as exc:  # a worker never crashes on a record: it becomes a dead letter
            self.health.processing_error(INTERACTIONS.name)
            self.guard.processing_failed(value, exc, topic=message.topic, partition=message.partition,
                                         offset=message.offset, key=message.key)

    async def _follow_policies(self, stream: Any) -> None:
        async for value in stream:
            try:
                record = decode_as(value, PolicyRecord)
                self.offer_policy(record)
            except Exception as exc:  # a bad policy record must not stop the worker or the old policy
                log.error("escalation: ignoring policy record: %s", exc)

    def offer_policy(self, record: PolicyRecord) -> str | None:
        """Apply a cx.policies.v1 record (active, canary, shadow or retired slot)."""
        change = self.router.offer(record)
        if change is None:
            return None
        active = self.router.active.policy
        if active.version != self.slot.policy.version:
            self.slot.history.append(self.slot.policy.version)
            self.slot.policy = active
            self.health.policy_in_use(active.name, active.version)
        self._show_serving()
        log.info("escalation: policy change: %s", change)
        return change

    def _show_serving(self) -> None:
        router = self.router
        now = {"active": router.active.version, "canary": router.canary.version if router.canary else "",
               "shadow": router.shadow.version if router.shadow else ""}
        for slot, version in now.items():
            previous = self._serving.get(slot)
            if previous and previous != version:
                self.metrics.serving.remove(slot, safe_token(previous))
            if version:
                self.metrics.serving.labels(slot, safe_token(version)).set(1)
        self._serving = now
        self.metrics.canary_share.set(router.canary_share if router.canary else 0.0)

    # --- the record path ----------------------------------------------------------------------------
    def handle(self, raw: bytes | None, *, topic: str, partition: int, offset: int, key: bytes | None,
               append_ts: float | None = None) -> None:
        event = self.guard.decode(raw, topic=topic, partition=partition, offset=offset, key=key)
        if event is None:
            self.health.dead_lettered(topic)
            return
        event = self._pseudonymise(event)
        conversation = event.subject
        self.partition_of[conversation] = partition
        state = self._load(conversation) or ConversationState()
        served, shadow = self._route(conversation)
        policy = served.policy
        mode = served.mode if self.mode == "active" else self.mode
        result = step(state, event, policy=policy, signals=self.signals, mask=self.mask, mode=mode)
        self._store(conversation, result.state)
        decisions = _stamp(result.decisions, served.prompt_version)
        self._publish(conversation, decisions, _stamp(result.escalations, served.prompt_version), append_ts,
                      channel=result.state.channel)
        if shadow is not None:
            self._shadow(conversation, event, shadow, decisions)
        clock = self.clocks.setdefault(partition, PartitionClock())
        clock.watermark_ms = max(clock.watermark_ms, int(event.time.timestamp() * 1000))
        _schedule(clock, conversation, result.state, policy)
        self._housekeeping(clock)

    def reschedule(self, recovered: Iterable[tuple[str, int, ConversationState]]) -> None:
        """Rebuild every partition's due list from the table's conversations ``(id, partition,
        state)``: after a restart or a rebalance, a conversation that ended (or went quiet) before
        it still expires once its partition's event time passes the grace (or the idle limit), and a
        handoff nobody accepted still re-emits. Watermarks are kept."""
        for clock in self.clocks.values():
            clock.clear()
        for conversation, partition, state in recovered:
            self.partition_of[conversation] = partition
            clock = self.clocks.setdefault(partition, PartitionClock())
            _schedule(clock, conversation, state, self._served(conversation).policy)

    async def _after_recovery(self) -> None:
        """Faust's table recovery callback (start and every rebalance): :meth:`reschedule` from
        the recovered conversations. The in-memory store knows the partition of every key it read
        from the changelog; keys this process stored itself are in :attr:`partition_of`."""
        recovered_partition = getattr(self.table.data, "_key_partition", {})
        entries = []
        for key, raw in list(self.table.data.items()):
            conversation = key.decode()
            partition = self.partition_of.get(conversation, recovered_partition.get(key))
            if partition is None or raw is None:
                continue
            entries.append((conversation, partition, ConversationState.from_bytes(raw)))
        self.reschedule(entries)
        log.info("escalation: %d conversations back on their partitions' due lists after recovery", len(entries))

    def _route(self, conversation: str) -> tuple[Served, Served | None]:
        """The version deciding this conversation (chosen at its first event, then kept) and its shadow."""
        route = self._load_route(conversation)
        served = self.router.route(conversation, pinned=route[0] if route else None)
        if route is None:
            shadow_version = self.router.shadow.version if self.router.shadow is not None else ""
            route = (served.version, shadow_version)
            self.pending_routes[conversation] = route
        shadow = self.router.shadow
        if shadow is None or shadow.version != route[1]:
            shadow = None  # the shadow only follows conversations it saw from their start
        return served, shadow

    def _served(self, conversation: str) -> Served:
        """The version deciding a conversation already routed (the one pinned at its first event)."""
        route = self._load_route(conversation)
        return self.router.route(conversation, pinned=route[0] if route else None)

    def _shadow(self, conversation: str, event: Event, shadow: Served, routed: list[Decision]) -> None:
        """Evaluate the shadow version on the same event with its own state; publish, never route."""
        state = self._load_shadow(conversation) or ConversationState()
        result = step(state, event, policy=shadow.policy, signals=self.signals, mask=self.mask, mode="shadow")
        self.pending_shadow[conversation] = result.state
        decisions = _stamp(result.decisions, shadow.prompt_version)
        for decision in decisions:
            self._send(SHADOW_DECISIONS.name, conversation.encode(), encode(decision))
        compared = {d.source_event_id for d in routed} | {d.source_event_id for d in decisions}
        if compared:
            self.metrics.shadow_decisions.labels(safe_token(shadow.version)).inc(len(compared))
        for d in diverging(routed, decisions):
            self.metrics.divergence.labels(safe_token(shadow.version), safe_token(d.intent), d.tier,
                                           d.routed, d.shadow).inc()

    def _housekeeping(self, clock: PartitionClock) -> None:
        """SLA re-emits for handoffs nobody accepted, and expiry: of ended conversations after the
        grace, of any conversation after :attr:`Policy.idle_expiry_s` without an event."""
        now = datetime.fromtimestamp(clock.watermark_ms / 1000, tz=UTC)
        for conversation in clock.pop_due():
            state = self._load(conversation)
            if state is None:
                continue
            served = self._served(conversation)
            policy = served.policy
            if state.expired(clock.watermark_ms, grace_ms=int(policy.grace_after_end_s * 1000),
                             idle_ms=int(policy.idle_expiry_s * 1000)):
                self.pending_states[conversation] = None
                self.pending_routes[conversation] = None
                self.pending_shadow[conversation] = None
                continue
            mode = served.mode if self.mode == "active" else self.mode
            result = tick(state, now, policy=policy, mask=self.mask, mode=mode)
            if result.escalations:
                self._store(conversation, result.state)
                self._publish(conversation, [], _stamp(result.escalations, served.prompt_version), None,
                              channel=state.channel)
            _schedule(clock, conversation, result.state, policy)

    def _pseudonymise(self, event: Event) -> Event:
        if isinstance(event, ConversationStartedEvent):
            data = msgspec.structs.replace(event.data, customer_id=self.tokenise(event.data.customer_id))
            return msgspec.structs.replace(event, data=data)
        return event

    def _load(self, conversation: str) -> ConversationState | None:
        if conversation in self.pending_states:
            return self.pending_states[conversation]
        raw = self.table.get(conversation.encode())
        return None if raw is None else ConversationState.from_bytes(raw)

    def _load_route(self, conversation: str) -> tuple[str, str] | None:
        if conversation in self.pending_routes:
            return self.pending_routes[conversation]
        raw = self.routes.get(conversation.encode())
        if raw is None:
            return None
        version, _, shadow = raw.decode().partition("\x1f")
        return version, shadow

    def _load_shadow(self, conversation: str) -> ConversationState | None:
        if conversation in self.pending_shadow:
            return self.pending_shadow[conversation]
        raw = self.shadow_table.get(conversation.encode())
        return None if raw is None else ConversationState.from_bytes(raw)

    def _store(self, conversation: str, state: ConversationState) -> None:
        self.pending_states[conversation] = state

    def _publish(self, conversation: str, decisions: list[Any], escalations: list[Any], append_ts: float | None,
                 *, channel: str) -> None:
        key = conversation.encode()
        for decision in decisions:
            self._send(DECISIONS.name, key, encode(decision))
            tier = str(decision.intent.tier) if decision.intent else "unknown"
            self.metrics.decisions.labels(decision.action, tier, safe_token(channel), decision.mode).inc()
        for escalation in escalations:
            self._send(ESCALATIONS.name, key, encode(escalation))
        if decisions and append_ts:
            self.pending_latency.append(append_ts)  # observed once the batch's outputs are sent

    def _send(self, topic: str, key: bytes, value: bytes) -> None:
        self.outbox.append((topic, key, value))


def _schedule(clock: PartitionClock, conversation: str, state: ConversationState, policy: Policy) -> None:
    """Put the conversation on its partition's due list for the first of: its expiry (grace after the
    end, or idle), its unaccepted handoff's SLA deadline."""
    due = state.expires_at(grace_ms=int(policy.grace_after_end_s * 1000), idle_ms=int(policy.idle_expiry_s * 1000))
    if state.escalation is not None and not state.escalation.accepted:
        due = min(due, state.escalation.deadline_ms)
    clock.schedule(due, conversation)


def _put(table: Any, key: bytes, value: bytes | None) -> None:
    """Store ``value`` under ``key`` (a changelog record), or delete the key (a tombstone)."""
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def _state_bytes(state: ConversationState | None) -> bytes | None:
    return None if state is None else state.to_bytes()


def _stamp(records: list[Any], prompt_version: str) -> list[Any]:
    """Name the prompt template version behind each decision or escalation."""
    if not prompt_version:
        return records
    return [msgspec.structs.replace(r, prompt_version=prompt_version) for r in records]


def _prompt_version(policy: Policy) -> str:
    """The prompt version a policy file pins (or the prompt catalogue's default)."""
    try:
        catalogue = load_prompts()
        raw = yaml.safe_load(Path(policy.source).read_text(encoding="utf-8")) if policy.source.endswith(".yaml") else {}
        return prompt_version_of(raw if isinstance(raw, dict) else {}, catalogue)
    except Exception as exc:  # a missing prompt catalogue must not stop decisions
        log.warning("escalation: no prompt version for policy %s: %s", policy.version, exc)
        return ""


def run_worker(worker: EscalationWorker, *, loglevel: str = "warning") -> None:
    """Run until SIGTERM/SIGINT (Faust handles the signals and commits offsets on the way out)."""
    if worker.slot.policy is None:  # pragma: no cover - guarded by the constructor
        raise EscalationError("escalation worker started without a policy")
    run_app(worker.app, loglevel=loglevel)
