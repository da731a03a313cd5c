"""One row per conversation with everything the KPIs need (polars lazy frames over the lake).

Rules follow the SLI definitions of ``pipelines/slo/slis.py`` (the stream's meaning), but on the
final data: the last outcome and CSAT however late they came, every event however late it was
delivered. Labels as in the stream: the last detected intent (``"other"`` and tier 3 when it is
not in the catalogue or none was detected), channel and segment from ``cx.conversation.started``.
The day of a conversation is the day it ended (the stream stamps outcomes with the end time), or
of its last event when it never ended.

The risk signal is the first escalating decision with reasons (active mode) or the first
``cx.escalation.requested`` — the definition written in ``policies/slos.yaml``. ``first_trigger``
is the first reason code of the first escalating decision: why the conversation went to a person
(``triggers`` holds every code, for the SLIs' ``exclude_reasons``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import polars as pl

from pipelines.catalogue import Catalogue

log = logging.getLogger(__name__)

ESCALATING = ("handoff", "apologise_and_follow_up")
OTHER = "other"
_KEY = "_conversation_key"  # 64-bit hash of the conversation id
_ID_MAX = "_conversation_id_max"  # differs from conversation_id only if two ids share a hash

_T = pl.col("event_type")
_TIME = pl.col("event_time")
_FACT_TYPES = ("cx.conversation.started", "cx.intent.detected", "cx.conversation.ended", "cx.outcome.recorded",
               "cx.agent.accepted", "cx.agent.assist", "cx.escalation.requested")
_COLUMNS = ("conversation_id", "event_type", "event_time", "channel", "segment", "customer_value",
            "vulnerability", "intent", "ended_by", "resolved", "resolved_by", "csat", "recontact_within_7d",
            "deflected_from_channel", "assist_action")


def conversation_facts(
    interactions: pl.LazyFrame, decisions: pl.LazyFrame | None, escalations: pl.LazyFrame | None,
    *, catalogue: Catalogue, hashed_key: bool = False,
) -> pl.LazyFrame:
    """Per conversation facts (lazy). ``hashed_key`` groups and joins on a 64-bit hash of the
    conversation id (about a third cheaper than on the string) and keeps two check columns:
    use it through :func:`collect_facts`, which proves no two ids shared a hash."""
    names = set(interactions.collect_schema().names())
    cols = [c for c in _COLUMNS if c in names]
    lf = interactions.select(cols)
    if "deflected_from_channel" not in names:  # a lake written before the column was added
        lf = lf.with_columns(pl.lit(None, pl.String).alias("deflected_from_channel"))
    # one small aggregation per event type (each reads ~1/20 of the rows), joined on the
    # conversation: much cheaper than filtered aggregations over every row of every group
    key = _KEY if hashed_key else "conversation_id"
    if hashed_key:
        lf = lf.with_columns(pl.col("conversation_id").hash().alias(_KEY))
        per = lf.group_by(key).agg(pl.col("conversation_id").min(), pl.col("conversation_id").max().alias(_ID_MAX),
                                   _TIME.max().alias("last_at"))
        lf = lf.drop("conversation_id")
    else:
        per = lf.group_by(key).agg(_TIME.max().alias("last_at"))
    lf = lf.filter(_T.is_in(_FACT_TYPES))  # messages and bot turns carry no fact but the last time

    def of(kind: str) -> pl.LazyFrame:  # rows of one event type, oldest first
        return lf.filter(kind == _T).sort(_TIME)

    def last_non_null(rows: pl.LazyFrame, col: str, alias: str | None = None) -> pl.LazyFrame:
        return rows.filter(pl.col(col).is_not_null()).group_by(key).agg(pl.col(col).last().alias(alias or col))

    outcome_rows = of("cx.outcome.recorded")
    parts = [
        lf.filter(_T == "cx.conversation.started").group_by(key).agg(
            pl.col("channel").first(), pl.col("segment").first(), pl.col("customer_value").first(),
            pl.col("vulnerability").first()),
        of("cx.intent.detected").group_by(key).agg(pl.col("intent").last()),
        of("cx.conversation.ended").group_by(key).agg(_TIME.first().alias("ended_at"), pl.col("ended_by").last()),
        outcome_rows.group_by(key).agg(
            pl.lit(True).alias("has_outcome"), _TIME.last().alias("outcome_at"), pl.col("resolved").last(),
            pl.col("recontact_within_7d").any().alias("recontact")),
        last_non_null(outcome_rows, "resolved_by"),
        last_non_null(outcome_rows, "csat"),
        last_non_null(outcome_rows, "deflected_from_channel", "deflected_from"),
        lf.filter(_T == "cx.agent.accepted").group_by(key).agg(_TIME.min().alias("accepted_at")),
        lf.filter(_T == "cx.agent.assist").group_by(key).agg(
            (pl.col("assist_action") == "shown").sum().alias("assist_shown"),
            (pl.col("assist_action") == "accepted").sum().alias("assist_accepted")),
        lf.filter(_T == "cx.escalation.requested").group_by(key).agg(_TIME.min().alias("requested_at")),
    ]
    for part in parts:
        per = per.join(part, on=key, how="left")
    per = per.with_columns(pl.col("has_outcome").fill_null(False),
                           pl.col("assist_shown", "assist_accepted").fill_null(0))
    tiers = pl.LazyFrame({"intent": list(catalogue.by_name),
                          "tier": [i.tier for i in catalogue.intents]},
                         schema={"intent": pl.String, "tier": pl.Int32})
    per = (per.join(tiers, on="intent", how="left")
              .with_columns(
                  pl.when(pl.col("tier").is_null()).then(pl.lit(OTHER)).otherwise(pl.col("intent")).alias("intent"),
                  pl.col("tier").fill_null(3),
                  pl.col("channel").fill_null(OTHER), pl.col("segment").fill_null(OTHER),
                  pl.col("customer_value").fill_null(0.0), pl.col("vulnerability").fill_null("none"),
                  pl.col("resolved").fill_null(False), pl.col("recontact").fill_null(False)))
    per = per.join(_escalating(decisions, escalations), on="conversation_id", how="left")
    abandoned = pl.col("ended_at").is_null() | (pl.col("ended_by") == "timeout")
    risk = pl.min_horizontal("decision_risk_at", "requested_at")
    handled = (pl.when(pl.col("resolved") & pl.col("resolved_by").is_not_null()).then(pl.col("resolved_by"))
                 .when(pl.col("accepted_at").is_null()).then(pl.lit("bot"))
                 .when(pl.col("assist_accepted") > 0).then(pl.lit("agent_with_assist"))
                 .otherwise(pl.lit("agent")))
    return per.with_columns(
        risk.alias("risk_at"),
        abandoned.alias("abandoned"),
        (~pl.col("has_outcome") & ~abandoned).alias("outcome_unknown"),
        handled.alias("handled_by"),
        pl.coalesce("ended_at", "last_at").dt.date().alias("event_date"),
        pl.col("actions").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("triggers").fill_null(pl.lit([], pl.List(pl.String))),
    )


def collect_facts(build: Callable[[bool], pl.LazyFrame]) -> pl.DataFrame:
    """Collect ``build(hashed_key=True)``; if two conversation ids ever shared a 64-bit hash (the
    min and max id of a key group differ), collect ``build(False)`` on the string key instead.
    Either way the result is the same frame, without the check columns."""
    facts = build(True).collect()
    if facts.is_empty() or bool((facts["conversation_id"] == facts[_ID_MAX]).all()):
        return facts.drop(_KEY, _ID_MAX)
    log.warning("two conversation ids share a 64-bit hash: facts recomputed on the string key")
    return build(False).collect()


def _escalating(decisions: pl.LazyFrame | None, escalations: pl.LazyFrame | None) -> pl.LazyFrame:
    """Per conversation: first escalating decision time, escalating actions, trigger codes."""
    empty = pl.LazyFrame(schema={"conversation_id": pl.String, "decision_risk_at": pl.Datetime("us", "UTC"),
                                 "actions": pl.List(pl.String), "triggers": pl.List(pl.String),
                                 "first_trigger": pl.String})
    if decisions is None:
        return empty
    esc = (decisions.filter((pl.col("mode") == "active") & pl.col("action").is_in(ESCALATING)
                            & (pl.col("reason_codes").list.len() > 0))
           .group_by("conversation_id")
           .agg(_TIME.min().alias("decision_risk_at"), pl.col("action").unique().alias("actions"),
                pl.col("reason_codes").list.explode(keep_nulls=False, empty_as_null=False).unique().alias("d_triggers"),
                pl.col("reason_codes").sort_by(_TIME).first().list.first().alias("first_trigger")))
    if escalations is not None:
        trig = (escalations.filter(pl.col("mode") == "active").group_by("conversation_id")
                .agg(pl.col("trigger_codes").list.explode(keep_nulls=False, empty_as_null=False).unique().alias("e_triggers")))
        esc = esc.join(trig, on="conversation_id", how="full", coalesce=True).with_columns(
            pl.concat_list(pl.col("d_triggers").fill_null([]), pl.col("e_triggers").fill_null([]))
            .list.unique().list.sort().alias("triggers")).drop("d_triggers", "e_triggers")
    else:
        esc = esc.rename({"d_triggers": "triggers"})
    return esc.select("conversation_id", "decision_risk_at", "actions", "triggers", "first_trigger")
