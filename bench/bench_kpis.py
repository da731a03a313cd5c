"""`make bench`: the KPI job (polars lazy frames over Delta) vs the same KPIs in DuckDB over the same
Parquet files (the tables' active files), same run, same data: >= 5 million synthetic events.
The polars side is the job's own path (``jobs.kpis.compute``: facts, then KPI rows, sorted); writing
the ``kpis`` table is left out of both sides.

The events are generated vectorised (polars): 250,000 conversations × 20 events with channels,
segments, values, intents, escalations, agent pick-ups, assist suggestions, outcomes and late
CSATs. Both engines compute per day × intent × channel × segment × tier: containment quality,
deflection with satisfaction, FCR (bot / agent / agent with assist), time to safe escalation
(rate, p50, p90), escalation rate, escalation rate by trigger and agent-assist acceptance; the
bench checks that their totals agree before timing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime

import duckdb
import polars as pl
from deltalake import DeltaTable, write_deltalake

from jobs.kpis import compute
from jobs.lakeio import Period
from pipelines.catalogue import load_catalogue

CONVERSATIONS = 250_000
SLOTS = ("cx.conversation.started", "cx.message.received", "cx.intent.detected", "cx.message.received",
         "cx.bot.responded", "cx.message.received", "cx.bot.responded", "cx.slot.collected",
         "cx.message.received", "cx.bot.responded", "cx.message.received", "cx.bot.responded",
         "cx.escalation.requested", "cx.agent.accepted", "cx.agent.assist", "cx.agent.assist",
         "cx.message.received", "cx.message.received", "cx.conversation.ended", "cx.outcome.recorded")
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def generate(root: str, conversations: int = CONVERSATIONS) -> int:
    catalogue = load_catalogue()
    intents = [i.name for i in catalogue.intents]
    n = conversations
    h = lambda salt: (pl.col("c").hash(salt) % 1_000_000).cast(pl.Float64) / 1_000_000  # noqa: E731
    conv = pl.DataFrame({"c": pl.arange(0, n, eager=True)}).with_columns(
        pl.format("conv-{}", pl.col("c")).alias("conversation_id"),
        (pl.lit(T0) + pl.duration(seconds=pl.col("c") * 2)).alias("start"),
        pl.when(h(1) < 0.4).then(pl.lit("voice")).when(h(1) < 0.8).then(pl.lit("chat"))
          .when(h(1) < 0.95).then(pl.lit("messaging")).otherwise(pl.lit("email")).alias("channel"),
        pl.when(h(2) < 0.62).then(pl.lit("standard")).when(h(2) < 0.84).then(pl.lit("premium"))
          .when(h(2) < 0.95).then(pl.lit("business")).otherwise(pl.lit("vip")).alias("segment"),
        (h(3) * 20_000).alias("customer_value"),
        pl.when(h(4) < 0.05).then(pl.lit("potential")).when(h(4) < 0.08).then(pl.lit("confirmed"))
          .otherwise(pl.lit("none")).alias("vulnerability"),
        pl.lit(pl.Series(intents)).gather((pl.col("c").hash(5) % len(intents)).cast(pl.Int64)).alias("intent"),
        (0.3 + 0.7 * h(6)).alias("confidence"),
        (h(7) < 0.45).alias("escalated"),
        (h(8) < 0.85).alias("resolved"),
        pl.when(h(9) < 0.7).then((1 + (h(10) * 5).floor()).cast(pl.Int32)).alias("csat"),
        (h(11) < 0.1).alias("recontact"),
        pl.when(h(12) < 0.15).then(pl.lit("voice")).alias("deflected"),
        (h(13) < 0.6).alias("assist"),
        (h(14) < 0.65).alias("assist_ok"),
        (h(15) < 0.3).alias("late"),
        (60 + h(16) * 800).alias("wait_s"),
    )
    slots = pl.DataFrame({"slot": list(range(len(SLOTS))), "template": list(SLOTS)})
    esc_only = {"cx.escalation.requested", "cx.agent.accepted", "cx.agent.assist"}
    ev = conv.join(slots, how="cross").with_columns(
        pl.when(pl.col("template").is_in(list(esc_only)) & ~pl.col("escalated")).then(pl.lit("cx.message.received"))
          .when((pl.col("template") == "cx.agent.assist") & ~pl.col("assist")).then(pl.lit("cx.message.received"))
          .otherwise(pl.col("template")).alias("event_type"))
    t = pl.col("event_type")
    time_s = (pl.when(t == "cx.outcome.recorded").then(
                  pl.when(pl.col("late")).then(pl.lit(200 + 3 * 3600)).otherwise(pl.lit(230)))
              .when(t == "cx.agent.accepted").then(130 + pl.col("wait_s"))
              .otherwise(pl.col("slot") * 10 + pl.when(pl.col("slot") > 13).then(pl.col("wait_s")).otherwise(0)))
    first = t == "cx.conversation.started"
    out = ev.select(
        pl.format("{}-{}", pl.col("conversation_id"), pl.col("slot")).alias("event_id"), "event_type",
        "conversation_id",
        (pl.col("start") + pl.duration(milliseconds=(time_s * 1000).cast(pl.Int64))).alias("event_time"),
        pl.when(first).then(pl.col("channel")).alias("channel"),
        pl.when(first).then(pl.col("segment")).alias("segment"),
        pl.when(first).then(pl.col("customer_value")).alias("customer_value"),
        pl.when(first).then(pl.col("vulnerability")).alias("vulnerability"),
        pl.when(t == "cx.intent.detected").then(pl.col("intent")).alias("intent"),
        pl.when(t == "cx.intent.detected").then(pl.col("confidence")).alias("confidence"),
        pl.when(t == "cx.conversation.ended").then(pl.when(pl.col("escalated")).then(pl.lit("agent"))
                                                   .otherwise(pl.lit("customer"))).alias("ended_by"),
        pl.when(t == "cx.outcome.recorded").then(pl.col("resolved")).alias("resolved"),
        pl.when((t == "cx.outcome.recorded") & pl.col("resolved")).then(
            pl.when(~pl.col("escalated")).then(pl.lit("bot")).when(pl.col("assist") & pl.col("assist_ok"))
            .then(pl.lit("agent_with_assist")).otherwise(pl.lit("agent"))).alias("resolved_by"),
        pl.when(t == "cx.outcome.recorded").then(pl.col("csat")).alias("csat"),
        pl.when(t == "cx.outcome.recorded").then(pl.col("recontact")).alias("recontact_within_7d"),
        pl.when((t == "cx.outcome.recorded") & (pl.col("channel") != "voice")).then(pl.col("deflected"))
          .alias("deflected_from_channel"),
        pl.when(t == "cx.agent.assist").then(
            pl.when(pl.col("slot") == 14).then(pl.lit("shown")).when(pl.col("assist_ok")).then(pl.lit("accepted"))
            .otherwise(pl.lit("rejected"))).alias("assist_action"),
    ).with_columns(pl.col("event_time").dt.date().alias("event_date"))
    write_deltalake(f"{root}/interactions", out.to_arrow(), partition_by=["event_date"])
    reasons = ["policy_high_risk", "human_request", "sentiment", "latency_spike", "rephrase"]
    decisions = conv.select(
        pl.format("d-{}", pl.col("c")).alias("decision_id"), "conversation_id",
        (pl.col("start") + pl.duration(seconds=20)).alias("event_time"),
        pl.lit("active").alias("mode"),
        pl.when(pl.col("escalated")).then(pl.lit("handoff")).otherwise(pl.lit("automate")).alias("action"),
        pl.when(pl.col("escalated")).then(pl.concat_list(
            pl.lit(pl.Series(reasons)).gather((pl.col("c").hash(17) % len(reasons)).cast(pl.Int64))))
          .otherwise(pl.lit([], pl.List(pl.String))).alias("reason_codes"),
    ).with_columns(pl.col("event_time").dt.date().alias("event_date"))
    write_deltalake(f"{root}/decisions", decisions.to_arrow(), partition_by=["event_date"])
    return out.height


def polars_kpis(root: str) -> pl.DataFrame:
    """What `loopline jobs kpis` computes (every day of the lake), before it writes the table."""
    kpis, _facts = compute(root, Period.parse(None, None))
    return kpis


DUCKDB_SQL = """
WITH i AS (SELECT * FROM read_parquet($interactions, hive_partitioning = true)),
tiers AS (SELECT * FROM (VALUES {tiers}) t(intent, tier)),
per AS (
  SELECT conversation_id,
    first(channel) FILTER (event_type = 'cx.conversation.started') AS channel,
    first(segment) FILTER (event_type = 'cx.conversation.started') AS segment,
    first(customer_value) FILTER (event_type = 'cx.conversation.started') AS customer_value,
    first(vulnerability) FILTER (event_type = 'cx.conversation.started') AS vulnerability,
    arg_max(intent, event_time) FILTER (event_type = 'cx.intent.detected') AS intent,
    min(event_time) FILTER (event_type = 'cx.conversation.ended') AS ended_at,
    arg_max(ended_by, event_time) FILTER (event_type = 'cx.conversation.ended') AS ended_by,
    max(event_time) AS last_at,
    bool_or(event_type = 'cx.outcome.recorded') AS has_outcome,
    arg_max(resolved, event_time) FILTER (event_type = 'cx.outcome.recorded') AS resolved,
    arg_max(resolved_by, event_time) FILTER (event_type = 'cx.outcome.recorded' AND resolved_by IS NOT NULL) AS resolved_by,
    arg_max(csat, event_time) FILTER (event_type = 'cx.outcome.recorded' AND csat IS NOT NULL) AS csat,
    coalesce(bool_or(recontact_within_7d) FILTER (event_type = 'cx.outcome.recorded'), false) AS recontact,
    arg_max(deflected_from_channel, event_time) FILTER (event_type = 'cx.outcome.recorded' AND deflected_from_channel IS NOT NULL) AS deflected_from,
    min(event_time) FILTER (event_type = 'cx.agent.accepted') AS accepted_at,
    count(*) FILTER (assist_action = 'shown') AS assist_shown,
    count(*) FILTER (assist_action = 'accepted') AS assist_accepted,
    min(event_time) FILTER (event_type = 'cx.escalation.requested') AS requested_at
  FROM i GROUP BY conversation_id),
d AS (
  SELECT conversation_id, min(event_time) AS decision_risk_at, list(DISTINCT action) AS actions,
         arg_min(reason_codes[1], event_time) AS first_trigger,
         flatten(list(reason_codes)) AS triggers
  FROM read_parquet($decisions, hive_partitioning = true)
  WHERE mode = 'active' AND action IN ('handoff', 'apologise_and_follow_up') AND len(reason_codes) > 0
  GROUP BY conversation_id),
f AS (
  SELECT p.conversation_id,
    CASE WHEN t.tier IS NULL THEN 'other' ELSE p.intent END AS intent, coalesce(t.tier, 3) AS tier,
    coalesce(p.channel, 'other') AS channel, coalesce(p.segment, 'other') AS segment,
    coalesce(p.customer_value, 0.0) AS customer_value, coalesce(p.vulnerability, 'none') AS vulnerability,
    coalesce(p.resolved, false) AS resolved, p.resolved_by, p.csat, p.recontact, p.deflected_from,
    p.accepted_at, p.assist_shown, p.assist_accepted, p.requested_at,
    least(d.decision_risk_at, p.requested_at) AS risk_at,
    coalesce(d.actions, []) AS actions, coalesce(d.triggers, []) AS triggers, d.first_trigger,
    (NOT p.has_outcome AND NOT (p.ended_at IS NULL OR p.ended_by = 'timeout')) AS outcome_unknown,
    CASE WHEN coalesce(p.resolved, false) AND p.resolved_by IS NOT NULL THEN p.resolved_by
         WHEN p.accepted_at IS NULL THEN 'bot' WHEN p.assist_accepted > 0 THEN 'agent_with_assist'
         ELSE 'agent' END AS handled_by,
    CAST(coalesce(p.ended_at, p.last_at) AS DATE) AS event_date,
    least(10.0, 1.0 + greatest(p.customer_value, 0.0) / 1000.0)
      * CASE coalesce(p.vulnerability, 'none') WHEN 'potential' THEN 2.0 WHEN 'confirmed' THEN 4.0 ELSE 1.0 END AS w
  FROM per p LEFT JOIN tiers t USING (intent) LEFT JOIN d USING (conversation_id)),
g AS (
  SELECT *,
    CASE WHEN list_has_any(triggers, ['policy_high_risk', 'policy_low_confidence', 'vulnerable_customer'])
              OR outcome_unknown OR risk_at IS NOT NULL OR accepted_at IS NOT NULL THEN NULL
         WHEN NOT resolved OR accepted_at IS NOT NULL OR resolved_by IN ('agent', 'agent_with_assist') THEN false
         WHEN csat IS NULL THEN true ELSE csat >= 4 END AS containment,  -- missing_csat: good
    CASE WHEN deflected_from IS NULL OR deflected_from <> 'voice' OR deflected_from = channel THEN NULL
         WHEN NOT resolved THEN false WHEN csat IS NULL THEN NULL ELSE csat >= 4 END AS deflection,
    CASE WHEN outcome_unknown THEN NULL ELSE resolved AND NOT recontact END AS fcr,
    CASE WHEN risk_at IS NULL THEN NULL
         WHEN accepted_at IS NULL THEN CASE WHEN actions = ['apologise_and_follow_up'] AND requested_at IS NULL THEN NULL ELSE false END
         ELSE greatest(epoch_ms(accepted_at) - epoch_ms(risk_at), 0) <= [600000, 420000, 300000, 300000][tier + 1] END AS tte,
    CASE WHEN accepted_at IS NOT NULL AND risk_at IS NOT NULL
         THEN CAST(greatest(epoch_ms(accepted_at) - epoch_ms(risk_at), 0) AS DOUBLE) END AS tte_ms,
    least(10.0, 1.0 + greatest(customer_value, 0.0) / 1000.0) AS w_value,
    CASE vulnerability WHEN 'potential' THEN 2.0 WHEN 'confirmed' THEN 4.0 ELSE 1.0 END AS w_vuln
  FROM f),
k AS (
  SELECT event_date, intent, channel, segment, tier, 'containment_quality' AS kpi, containment AS good, w_value AS w, NULL::DOUBLE AS v FROM g WHERE containment IS NOT NULL
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'deflection_satisfaction', deflection, w, NULL FROM g WHERE deflection IS NOT NULL
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'fcr_bot', fcr, w, NULL FROM g WHERE fcr IS NOT NULL AND handled_by = 'bot'
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'fcr_agent', fcr, w, NULL FROM g WHERE fcr IS NOT NULL AND handled_by = 'agent'
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'fcr_agent_assist', fcr, w, NULL FROM g WHERE fcr IS NOT NULL AND handled_by = 'agent_with_assist'
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'time_to_safe_escalation', tte, w_vuln, tte_ms FROM g WHERE tte IS NOT NULL
  UNION ALL SELECT event_date, intent, channel, segment, tier, 'escalation_rate', len(actions) > 0, w, NULL FROM g),
agg AS (
  SELECT event_date, intent, channel, segment, tier, kpi, sum(CAST(good AS DOUBLE)) AS good, count(*)::DOUBLE AS total,
         sum(w * CAST(good AS DOUBLE)) AS weighted_good, sum(w) AS weighted_total,
         quantile_cont(v, 0.5) AS p50_ms, quantile_cont(v, 0.9) AS p90_ms
  FROM k GROUP BY ALL),
groups AS (SELECT event_date, intent, channel, segment, tier, count(*)::DOUBLE AS total, sum(w) AS weighted_total FROM g GROUP BY ALL),
codes AS (SELECT DISTINCT first_trigger AS trigger FROM g WHERE first_trigger IS NOT NULL),
trig AS (SELECT event_date, intent, channel, segment, tier, first_trigger AS trigger, count(*)::DOUBLE AS good, sum(w) AS weighted_good
         FROM g WHERE first_trigger IS NOT NULL GROUP BY ALL),
by_trigger AS (
  SELECT gr.event_date, gr.intent, gr.channel, gr.segment, gr.tier, 'escalation_rate:' || c.trigger AS kpi,
         coalesce(t.good, 0) AS good, gr.total, coalesce(t.weighted_good, 0) AS weighted_good, gr.weighted_total,
         NULL::DOUBLE AS p50_ms, NULL::DOUBLE AS p90_ms
  FROM groups gr CROSS JOIN codes c LEFT JOIN trig t ON t.event_date = gr.event_date AND t.intent = gr.intent
    AND t.channel = gr.channel AND t.segment = gr.segment AND t.tier = gr.tier AND t.trigger = c.trigger),
assist AS (
  SELECT event_date, intent, channel, segment, tier, 'agent_assist_acceptance' AS kpi,
         sum(assist_accepted)::DOUBLE AS good, sum(assist_shown)::DOUBLE AS total,
         sum(assist_accepted * w) AS weighted_good, sum(assist_shown * w) AS weighted_total,
         NULL::DOUBLE AS p50_ms, NULL::DOUBLE AS p90_ms
  FROM g WHERE assist_shown > 0 GROUP BY ALL)
SELECT * FROM agg UNION ALL SELECT * FROM by_trigger UNION ALL SELECT * FROM assist
"""


def duckdb_kpis(root: str, con: duckdb.DuckDBPyConnection) -> list[tuple]:
    catalogue = load_catalogue()
    tiers = ", ".join(f"('{i.name}', {i.tier})" for i in catalogue.intents)
    return con.execute(DUCKDB_SQL.format(tiers=tiers), {
        "interactions": DeltaTable(f"{root}/interactions").file_uris(),
        "decisions": DeltaTable(f"{root}/decisions").file_uris(),
    }).fetchall()


def _totals_polars(frame: pl.DataFrame) -> dict[str, tuple[float, float]]:
    t = frame.group_by("kpi").agg(pl.col("good").sum(), pl.col("total").sum())
    return {r[0]: (round(r[1], 6), round(r[2], 6)) for r in t.iter_rows()}


def _totals_duckdb(rows: list[tuple]) -> dict[str, tuple[float, float]]:
    out: dict[str, list[float]] = {}
    for r in rows:
        acc = out.setdefault(r[5], [0.0, 0.0])
        acc[0] += r[6] or 0.0
        acc[1] += r[7] or 0.0
    return {k: (round(v[0], 6), round(v[1], 6)) for k, v in out.items()}


def run(*, repeats: int = 5, conversations: int = CONVERSATIONS) -> list[dict]:
    with tempfile.TemporaryDirectory() as root:
        events = generate(root, conversations)
        con = duckdb.connect()
        p_rows = polars_kpis(root)
        d_rows = duckdb_kpis(root, con)
        agree = _totals_polars(p_rows) == _totals_duckdb(d_rows)
        if not agree:
            raise AssertionError(f"polars and DuckDB disagree: {_totals_polars(p_rows)} vs {_totals_duckdb(d_rows)}")
        p_times, d_times = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            polars_kpis(root)
            p_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            duckdb_kpis(root, con)
            d_times.append(time.perf_counter() - started)
        con.close()
    return [{
        "name": f"KPI job over {events / 1e6:.1f} M events ({conversations:,} conversations)",
        "unit": "s", "loopline": statistics.median(p_times), "baseline": statistics.median(d_times),
        "baseline_name": "DuckDB SQL, same KPIs, same Parquet files (Delta active files)",
        "higher_is_better": False, "goal": "time ≤ 1.5× DuckDB's (ratio ≥ 0.67×)",
        "notes": f"{p_rows.height:,} KPI rows; totals of every KPI equal in both engines",
    }]


if __name__ == "__main__":
    for row in run(repeats=1, conversations=20_000):
        print(row)
