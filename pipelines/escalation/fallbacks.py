"""Safe fallbacks for decisions that do not simply automate: a clarifying question naming the top
competing intents, approved knowledge-base articles, an honest "I'm not sure — let me get someone",
a callback offer for asynchronous channels and out of hours. Also the business-hours rule.

>>> from pipelines.escalation.policy import load_policy
>>> from datetime import datetime, timezone
>>> policy = load_policy()
>>> monday_10 = int(datetime(2026, 1, 5, 10, tzinfo=timezone.utc).timestamp() * 1000)
>>> in_business_hours(policy, monday_10, "Europe/London"), in_business_hours(policy, monday_10, "Pacific/Auckland")
(True, False)
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.escalation.kb import KnowledgeBase
from pipelines.escalation.policy import Policy
from pipelines.escalation.state import Intent
from topics.outputs import KbArticleRef


def in_business_hours(policy: Policy, t_ms: int, timezone: str | None) -> bool:
    """Is the human team open at ``t_ms`` in the conversation's local time zone?"""
    local = datetime.fromtimestamp(t_ms / 1000, tz=UTC).astimezone(policy.tz(timezone))
    hours = policy.weekly_hours.get(local.weekday())
    if hours is None:
        return False
    opens, closes = hours
    return opens <= local.time().replace(tzinfo=None) < closes


def _describe(policy: Policy, name: str) -> str:
    if name in policy.catalogue:
        description = policy.catalogue[name].description
        if description:
            return description[0].lower() + description[1:]
    return name.replace("_", " ")


def clarify_question(policy: Policy, intent: Intent) -> str:
    """The clarifying question naming the predicted intent and its top competitors."""
    names = [intent.name] + [a for a, _ in sorted(intent.alternatives, key=lambda x: -x[1]) if a != intent.name]
    options = [_describe(policy, n) for n in dict.fromkeys(names)][: max(2, policy.clarify_top_k)]
    joined = options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
    template = policy.messages.get("clarify", "Is this about {options}?")
    return template.replace("{options}", joined)


def safe_fallback(
    policy: Policy, *, action: str, intent: Intent, channel: str, text: str, kb: KnowledgeBase | None
) -> tuple[str, str, list[KbArticleRef]]:
    """(message, fallback kind, KB articles) for a non-escalating decision."""
    articles: list[KbArticleRef] = []
    if kb is not None and action in ("clarify", "draft_only") and policy.kb_max_articles:
        articles = kb.suggest(text or _describe(policy, intent.name), intent=intent.name,
                              k=policy.kb_max_articles, min_similarity=policy.kb_min_similarity)
    if action == "clarify":
        return clarify_question(policy, intent), "clarify_question", articles
    if action == "draft_only":
        message = policy.messages.get("draft", "")
        if channel in policy.async_channels:
            message = f"{message} {policy.messages.get('callback', '')}".strip()
            return message, "callback_offer", articles
        return message, "draft", articles
    return "", "", articles


def escalation_message(policy: Policy, *, action: str, channel: str) -> tuple[str, str]:
    """The honest handoff line, or apologise + follow up (with a callback offer)."""
    if action == "apologise_and_follow_up":
        text = f"{policy.messages.get('follow_up', '')} {policy.messages.get('callback', '')}".strip()
        return text, "follow_up"
    text = policy.messages.get("not_sure", "")
    if channel in policy.async_channels:
        return f"{text} {policy.messages.get('callback', '')}".strip(), "callback_offer"
    return text, "not_sure"
