"""What each SLI means, as pure functions of one conversation's final state.

Each ``evaluate_*`` returns ``True`` (good), ``False`` (bad) or ``None`` (the conversation is not in
the SLI's population). The rules, in words:

* **containment** — population ``automated``: conversations automation kept to the end (no risk
  signal, no escalation, no agent); or ``all``: every conversation except handoffs the policy
  mandates by design (an escalating reason in ``exclude_reasons``). Good: resolved by the bot, no
  agent ever accepted, and CSAT >= ``min_csat``; a bot resolution without CSAT follows
  ``missing_csat``.
* **deflection** — population: outcomes whose ``deflected_from_channel`` is one of ``from_channels``
  (and differs from the conversation's own channel). Good: resolved with CSAT >= ``min_csat``.
* **first_contact_resolution** — population: conversations handled by ``handled_by`` (an agent
  accepted → ``agent`` or, when an assist suggestion was accepted, ``agent_with_assist``; else
  ``bot``; a recorded ``resolved_by`` wins). Good: resolved and no recontact within 7 days.
* **time_to_escalation** — population: conversations with a risk signal, except out-of-hours
  callbacks with no live agent. Good: ``agent.accepted − first risk signal`` <= the tier's target.

Without an outcome record by the time the conversation closes: an *abandoned* conversation (it
never ended, or ended by timeout) counts as unresolved; one that ended normally is left out of
the outcome-based SLIs (its outcome is merely late: it goes to ``cx.late.v1`` and the batch job
owns the final numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.slo.definitions import SliDefinition
from pipelines.slo.outcomes import UNKNOWN_LABELS, Labels

ESCALATING_ACTIONS = frozenset({"handoff", "apologise_and_follow_up"})


@dataclass(slots=True)
class ConversationState:
    """Everything the SLIs need to know about one conversation (no text, no PII)."""

    conversation_id: str
    labels: Labels = UNKNOWN_LABELS
    started: bool = False
    customer_value: float = 0.0
    vulnerability: str = "none"
    last_event_ms: int = 0
    ended_ms: int | None = None
    ended_by: str | None = None
    has_outcome: bool = False
    resolved: bool = False
    resolved_by: str | None = None
    csat: int | None = None
    recontact_within_7d: bool = False
    deflected_from: str | None = None
    agent_accepted_ms: int | None = None
    assist_accepted: bool = False
    risk_signal_ms: int | None = None
    escalation_actions: set[str] = field(default_factory=set)
    escalation_reasons: set[str] = field(default_factory=set)
    seen_ids: set[str] = field(default_factory=set)
    event_times_ms: dict[str, int] = field(default_factory=dict)
    append_times_ms: dict[str, int] = field(default_factory=dict)  # Kafka append time, when known
    #: source event id -> [(decision id, decision time, intent, decision append time)]
    pending_decisions: dict[str, list[tuple[str, int, str | None, int | None]]] = field(default_factory=dict)

    def signal(self, moment_ms: int) -> None:
        """Record a risk-signal candidate; the earliest wins."""
        if self.risk_signal_ms is None or moment_ms < self.risk_signal_ms:
            self.risk_signal_ms = moment_ms

    @property
    def abandoned(self) -> bool:
        return self.ended_ms is None or self.ended_by == "timeout"

    def outcome_unknown(self) -> bool:
        """No outcome yet for a conversation that ended normally: leave it out, don't guess."""
        return not self.has_outcome and not self.abandoned

    def handled_by(self) -> str:
        if self.resolved and self.resolved_by:
            return self.resolved_by
        if self.agent_accepted_ms is None:
            return "bot"
        return "agent_with_assist" if self.assist_accepted else "agent"


def evaluate(sli: SliDefinition, state: ConversationState) -> bool | None:
    if sli.kind == "containment":
        return evaluate_containment(sli, state)
    if sli.kind == "deflection":
        return evaluate_deflection(sli, state)
    if sli.kind == "first_contact_resolution":
        return evaluate_fcr(sli, state)
    if sli.kind == "time_to_escalation":
        good, _ = evaluate_time_to_escalation(sli, state)
        return good
    return None  # decision latency is per decision, see tracker


def _csat_ok(sli: SliDefinition, csat: int | None) -> bool | None:
    if csat is None:
        return {"exclude": None, "good": True, "bad": False}[sli.missing_csat]
    return csat >= sli.min_csat


def evaluate_containment(sli: SliDefinition, state: ConversationState) -> bool | None:
    if state.escalation_reasons & sli.exclude_reasons or state.outcome_unknown():
        return None
    escalated = state.risk_signal_ms is not None or state.agent_accepted_ms is not None
    if sli.population == "automated" and escalated:
        return None
    human = state.agent_accepted_ms is not None or state.resolved_by in ("agent", "agent_with_assist")
    if not state.resolved or human:
        return False
    return _csat_ok(sli, state.csat)


def evaluate_deflection(sli: SliDefinition, state: ConversationState) -> bool | None:
    if state.deflected_from not in sli.from_channels or state.deflected_from == state.labels.channel:
        return None
    if not state.resolved:
        return False
    return _csat_ok(sli, state.csat)


def evaluate_fcr(sli: SliDefinition, state: ConversationState) -> bool | None:
    if state.handled_by() != sli.handled_by or state.outcome_unknown():
        return None
    return state.resolved and not state.recontact_within_7d


def evaluate_time_to_escalation(
    sli: SliDefinition, state: ConversationState
) -> tuple[bool | None, int | None]:
    """(good, milliseconds from first risk signal to agent accepted)."""
    if state.risk_signal_ms is None:
        return None, None
    if state.agent_accepted_ms is None:
        if state.escalation_actions == {"apologise_and_follow_up"}:
            return None, None  # out-of-hours callback: no live handoff to time
        return False, None
    elapsed_ms = max(0, state.agent_accepted_ms - state.risk_signal_ms)
    return elapsed_ms <= sli.targets_ms_by_tier[state.labels.tier], elapsed_ms


def weight_of(sli: SliDefinition, state: ConversationState) -> float | None:
    if sli.weighting is None:
        return None
    return sli.weighting.weight(customer_value=state.customer_value, vulnerability=state.vulnerability)


__all__ = [
    "ESCALATING_ACTIONS", "ConversationState", "evaluate", "evaluate_containment",
    "evaluate_deflection", "evaluate_fcr", "evaluate_time_to_escalation", "weight_of",
]
