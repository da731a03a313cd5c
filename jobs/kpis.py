"""`loopline jobs kpis`: the authoritative KPIs, per day × intent × channel × segment × tier.

Each SLI of ``policies/slos.yaml`` is recomputed on the final data with its own parameters
(``min_csat``, ``missing_csat``, ``handled_by``, ``targets_ms_by_tier``, ``from_channels``,
``exclude_reasons``, weighting), plus the KPIs that have no SLI: time to safe escalation p50/p90,
escalation rate (overall, and by the trigger that escalated: each escalated conversation once) and agent-assist acceptance. Every KPI row carries
``good``/``total`` and the weighted counts: the SLI's own weighting where it has one, otherwise
customer value × vulnerability (the two weightings the definitions declare).

The ``kpis`` Delta table is replaced day by day (``event_date = D`` overwrite): running the job
twice gives the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa
from deltalake import write_deltalake

from jobs.exceptions import EmptyPeriodError
from jobs.facts import collect_facts, conversation_facts
from jobs.lakeio import Period, exists, scan
from jobs.tables import KPIS, KPIS_SCHEMA
from lake.tables import table_uri
from pipelines.catalogue import Catalogue, load_catalogue
from pipelines.slo.definitions import SliDefinition, SloDefinitions, Weighting, load_definitions

DIMENSIONS = ["event_date", "intent", "channel", "segment", "tier"]
ASSIST = "agent_assist_acceptance"
ESCALATION_RATE = "escalation_rate"
TTE_P = "time_to_safe_escalation_ms"


def _weight_expr(w: Weighting) -> pl.Expr:
    if w.by == "customer_value":
        return pl.min_horizontal(pl.lit(w.cap), 1.0 + pl.col("customer_value").clip(lower_bound=0.0) / w.scale)
    mapping = dict(w.weights)
    return pl.col("vulnerability").replace_strict(mapping, default=1.0, return_dtype=pl.Float64)


def default_weight(definitions: SloDefinitions) -> pl.Expr:
    """customer value × vulnerability, with the parameters the SLO definitions use."""
    expr = pl.lit(1.0)
    for sli in definitions.slis:
        if sli.weighting is not None:
            expr = expr * _weight_expr(sli.weighting)
    return expr


def _csat_ok(sli: SliDefinition) -> pl.Expr:
    missing = {"exclude": None, "good": True, "bad": False}[sli.missing_csat]
    return pl.when(pl.col("csat").is_null()).then(pl.lit(missing, pl.Boolean)).otherwise(pl.col("csat") >= sli.min_csat)


def sli_good(sli: SliDefinition) -> pl.Expr | None:
    """good (True/False) or null (not in the population), as ``pipelines/slo/slis.py`` rules."""
    escalated = pl.col("risk_at").is_not_null() | pl.col("accepted_at").is_not_null()
    if sli.kind == "containment":
        excluded = pl.col("triggers").list.set_intersection(sorted(sli.exclude_reasons)).list.len() > 0
        human = pl.col("accepted_at").is_not_null() | pl.col("resolved_by").is_in(["agent", "agent_with_assist"])
        out_of_pop = excluded | pl.col("outcome_unknown")
        if sli.population == "automated":
            out_of_pop = out_of_pop | escalated
        return (pl.when(out_of_pop).then(pl.lit(None, pl.Boolean))
                .when(~pl.col("resolved") | human).then(pl.lit(False)).otherwise(_csat_ok(sli)))
    if sli.kind == "deflection":
        in_pop = pl.col("deflected_from").is_in(sorted(sli.from_channels)) & (pl.col("deflected_from") != pl.col("channel"))
        return (pl.when(~in_pop.fill_null(False)).then(pl.lit(None, pl.Boolean))
                .when(~pl.col("resolved")).then(pl.lit(False)).otherwise(_csat_ok(sli)))
    if sli.kind == "first_contact_resolution":
        return (pl.when((pl.col("handled_by") != sli.handled_by) | pl.col("outcome_unknown"))
                .then(pl.lit(None, pl.Boolean)).otherwise(pl.col("resolved") & ~pl.col("recontact")))
    if sli.kind == "time_to_escalation":
        callback_only = pl.col("actions").list.sort() == pl.lit(["apologise_and_follow_up"], pl.List(pl.String))
        callback_only = callback_only & pl.col("requested_at").is_null()
        target = pl.col("tier").replace_strict(dict(enumerate(sli.targets_ms_by_tier)), return_dtype=pl.Int64)
        return (pl.when(pl.col("risk_at").is_null()).then(pl.lit(None, pl.Boolean))
                .when(pl.col("accepted_at").is_null())
                .then(pl.when(callback_only).then(pl.lit(None, pl.Boolean)).otherwise(pl.lit(False)))
                .otherwise(_elapsed_ms() <= target))
    return None  # decision latency: per decision, measured by the stream only


def _elapsed_ms() -> pl.Expr:
    return ((pl.col("accepted_at") - pl.col("risk_at")).dt.total_milliseconds()).clip(lower_bound=0)


def _agg(frame: pl.LazyFrame, kpi: str, good: pl.Expr, weight: pl.Expr, value: pl.Expr | None = None) -> pl.LazyFrame:
    rows = frame.select(*DIMENSIONS, good.alias("good"), weight.alias("w"),
                        (value if value is not None else pl.lit(None, pl.Float64)).alias("value"))
    rows = rows.filter(pl.col("good").is_not_null())
    return rows.group_by(DIMENSIONS).agg(
        pl.lit(kpi).alias("kpi"),
        pl.col("good").cast(pl.Float64).sum().alias("good"),
        pl.len().cast(pl.Float64).alias("total"),
        (pl.col("w") * pl.col("good").cast(pl.Float64)).sum().alias("weighted_good"),
        pl.col("w").sum().alias("weighted_total"),
        pl.col("value").quantile(0.5, "linear").alias("p50_ms"),
        pl.col("value").quantile(0.9, "linear").alias("p90_ms"),
    )


def kpi_frame(facts: pl.LazyFrame, *, definitions: SloDefinitions) -> pl.LazyFrame:
    """Every KPI row for the conversations of ``facts`` (lazy)."""
    facts = facts.with_columns(default_weight(definitions).alias("_w_default"))
    parts = []
    for sli in definitions.slis:
        good = sli_good(sli)
        if good is None:
            continue
        weight = _weight_expr(sli.weighting) if sli.weighting else pl.col("_w_default")
        value = _elapsed_ms().cast(pl.Float64) if sli.kind == "time_to_escalation" else None
        if value is not None:
            value = pl.when(pl.col("accepted_at").is_not_null() & pl.col("risk_at").is_not_null()).then(value)
        parts.append(_agg(facts, sli.name, good, weight, value))
    escalated = pl.col("actions").list.len() > 0
    parts.append(_agg(facts, ESCALATION_RATE, escalated, pl.col("_w_default")))
    per_trigger = facts.with_columns(pl.col("first_trigger").alias("trigger")).filter(
        pl.col("trigger").is_not_null())
    trigger_rows = (per_trigger.group_by([*DIMENSIONS, "trigger"])
                    .agg(pl.len().cast(pl.Float64).alias("good"), pl.col("_w_default").sum().alias("weighted_good")))
    totals = facts.group_by(DIMENSIONS).agg(pl.len().cast(pl.Float64).alias("total"),
                                           pl.col("_w_default").sum().alias("weighted_total"))
    codes = per_trigger.select("trigger").unique()
    every = totals.join(codes, how="cross").join(trigger_rows, on=[*DIMENSIONS, "trigger"], how="left")
    parts.append(every.with_columns(pl.col("good").fill_null(0.0), pl.col("weighted_good").fill_null(0.0)).select(
        *DIMENSIONS, pl.concat_str(pl.lit(ESCALATION_RATE + ":"), pl.col("trigger")).alias("kpi"),
        "good", "total", "weighted_good", "weighted_total",
        pl.lit(None, pl.Float64).alias("p50_ms"), pl.lit(None, pl.Float64).alias("p90_ms")))
    assist = facts.filter(pl.col("assist_shown") > 0)
    parts.append(assist.group_by(DIMENSIONS).agg(
        pl.lit(ASSIST).alias("kpi"),
        pl.col("assist_accepted").sum().cast(pl.Float64).alias("good"),
        pl.col("assist_shown").sum().cast(pl.Float64).alias("total"),
        (pl.col("assist_accepted") * pl.col("_w_default")).sum().alias("weighted_good"),
        (pl.col("assist_shown") * pl.col("_w_default")).sum().alias("weighted_total"),
        pl.lit(None, pl.Float64).alias("p50_ms"), pl.lit(None, pl.Float64).alias("p90_ms")))
    columns = [*DIMENSIONS, "kpi", "good", "total", "weighted_good", "weighted_total", "p50_ms", "p90_ms"]
    return pl.concat([p.select(columns) for p in parts], how="vertical_relaxed")


@dataclass
class KpiInputs:
    facts: Callable[[bool], pl.LazyFrame]  # hashed key? -> the period's conversation facts
    definitions: SloDefinitions


def load_inputs(root: str, period: Period, *, catalogue: Catalogue | None = None,
                definitions: SloDefinitions | None = None) -> KpiInputs:
    interactions = scan(root, "interactions")
    decisions = scan(root, "decisions") if exists(root, "decisions") else None
    escalations = scan(root, "escalations") if exists(root, "escalations") else None
    since, until = period.since.date(), period.until.date()
    in_period = ((pl.col("event_date") >= since) & (pl.col("event_date") < until)
                 if period.until.time() == datetime.min.time()
                 else (pl.col("event_date") >= since) & (pl.col("event_date") <= until))
    cat = catalogue or load_catalogue()

    def facts(hashed_key: bool) -> pl.LazyFrame:
        return conversation_facts(interactions, decisions, escalations, catalogue=cat,
                                  hashed_key=hashed_key).filter(in_period)

    return KpiInputs(facts, definitions or load_definitions())


def compute(root: str, period: Period, **kwargs: object) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kpi rows, conversation facts) for the days of ``period``."""
    inputs = load_inputs(root, period, **kwargs)  # type: ignore[arg-type]
    facts = collect_facts(inputs.facts)
    if facts.is_empty():
        raise EmptyPeriodError(f"no conversation ended in {period.describe()} in {table_uri(root, 'interactions')}")
    kpis = kpi_frame(facts.lazy(), definitions=inputs.definitions).collect().sort([*DIMENSIONS, "kpi"])
    return kpis, facts


def write_kpis(root: str, kpis: pl.DataFrame, *, computed_at: datetime | None = None) -> list[date]:
    """Replace the days of ``kpis`` in the ``kpis`` table (idempotent per day)."""
    stamp = computed_at or datetime.now(UTC)
    data = kpis.with_columns(pl.lit(stamp).cast(pl.Datetime("us", "UTC")).alias("computed_at"),
                             pl.col("tier").cast(pl.Int32)).select([f.name for f in KPIS_SCHEMA])
    arrow: pa.Table = data.to_arrow().cast(KPIS_SCHEMA)
    days = sorted(set(kpis["event_date"].to_list()))
    uri = table_uri(root, KPIS)
    if not exists(root, KPIS):
        write_deltalake(uri, arrow, mode="append", partition_by=["event_date"])
        return days
    listed = ", ".join(f"'{d.isoformat()}'" for d in days)
    write_deltalake(uri, arrow, mode="overwrite", predicate=f"event_date IN ({listed})")
    return days


def totals(kpis: pl.DataFrame) -> pl.DataFrame:
    """One row per KPI over every dimension: rate, weighted rate, total."""
    return (kpis.group_by("kpi").agg(pl.col("good").sum(), pl.col("total").sum(),
                                    pl.col("weighted_good").sum(), pl.col("weighted_total").sum())
            .with_columns((pl.col("good") / pl.col("total")).alias("rate"),
                          (pl.col("weighted_good") / pl.col("weighted_total")).alias("weighted_rate"))
            .sort("kpi"))
