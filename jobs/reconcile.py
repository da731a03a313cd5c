"""Reconcile the batch KPIs with the stream's ``slo_windows``: every difference with its cause.

The stream decides each conversation ``outcome_wait_ms`` after it ended and drops to
``cx.late.v1`` what arrives once the watermark has passed ``grace_ms``; the batch sees the final
data. Per SLI and day, the difference in population (``total``) splits into:

* ``late_outcome`` — conversations whose outcome (and CSAT) arrived after the stream's wait: the
  stream left them out (outcome unknown) or judged them without CSAT;
* ``residual`` — the rest: late events (delivered after the watermark passed: ``cx.late.v1``),
  conversations still open when the stream stopped, and, for time to safe escalation, the
  stream's clock starting at an earlier soft risk signal of the handoff (same population).
"""

from __future__ import annotations

import polars as pl

from jobs.kpis import sli_good
from pipelines.slo.definitions import SloDefinitions

CAUSES = {
    "late_outcome": "late CSAT / outcome: arrived after the stream's outcome wait, so the stream left the "
                    "conversation out or judged it without CSAT",
    "residual": "late events (after the watermark: cx.late.v1) or conversations still open in the stream",
}


def stream_counts(slo_windows: pl.LazyFrame, *, definitions: SloDefinitions) -> pl.LazyFrame:
    """good/total per SLI and day from the stream's finest tumbling windows (no double counting)."""
    tumbling = [w.size_ms for w in definitions.stream.windows if w.size_ms == w.hop_ms]
    size_ms = min(tumbling) if tumbling else min(w.size_ms for w in definitions.stream.windows)
    return (slo_windows.filter(pl.col("window_ms") == size_ms)
            .with_columns(pl.col("window_start").dt.date().alias("event_date"))
            .group_by("sli", "event_date")
            .agg(pl.col("good").sum().alias("stream_good"), pl.col("total").sum().alias("stream_total")))


def reconcile(facts: pl.DataFrame, kpis: pl.DataFrame, slo_windows: pl.LazyFrame | None, *,
              definitions: SloDefinitions) -> pl.DataFrame:
    wait = pl.duration(milliseconds=definitions.stream.outcome_wait_ms)
    late = (pl.col("outcome_at") > pl.col("ended_at") + wait).fill_null(False)
    parts = []
    for sli in definitions.slis:
        good = sli_good(sli)
        if good is None:
            continue
        outcome_based = sli.kind in ("containment", "deflection", "first_contact_resolution")
        parts.append(facts.lazy().filter(good.is_not_null()).group_by("event_date").agg(
            pl.lit(sli.name).alias("sli"),
            (late.sum() if outcome_based else pl.lit(0)).cast(pl.Float64).alias("late_outcome")))
    late_counts = pl.concat(parts).collect() if parts else pl.DataFrame()
    names = [s.name for s in definitions.slis]
    batch = (kpis.filter(pl.col("kpi").is_in(names)).group_by("kpi", "event_date")
             .agg(pl.col("good").sum().alias("batch_good"), pl.col("total").sum().alias("batch_total"))
             .rename({"kpi": "sli"}))
    if slo_windows is None:
        stream = pl.DataFrame(schema={"sli": pl.String, "event_date": pl.Date, "stream_good": pl.Float64,
                                      "stream_total": pl.Float64})
    else:
        stream = stream_counts(slo_windows, definitions=definitions).collect()
        days = batch["event_date"].unique().to_list()
        stream = stream.filter(pl.col("event_date").is_in(days))
    out = (batch.join(stream, on=["sli", "event_date"], how="full", coalesce=True)
           .join(late_counts, on=["sli", "event_date"], how="left")
           .with_columns(pl.col("batch_good", "batch_total", "stream_good", "stream_total", "late_outcome")
                         .fill_null(0.0)))
    return (out.with_columns(
                (pl.col("batch_total") - pl.col("stream_total")).alias("diff_total"),
                (pl.col("batch_good") - pl.col("stream_good")).alias("diff_good"))
            .with_columns((pl.col("diff_total") - pl.col("late_outcome")).alias("residual"),
                          (pl.col("batch_good") / pl.col("batch_total")).alias("batch_rate"),
                          (pl.col("stream_good") / pl.col("stream_total")).alias("stream_rate"))
            .with_columns(pl.when(pl.col("batch_total") == 0).then(pl.lit("stream only (per-decision SLI)"))
                          .when((pl.col("diff_total") == 0) & (pl.col("diff_good") == 0)).then(pl.lit("equal"))
                          .when(pl.col("late_outcome") > 0).then(pl.lit(CAUSES["late_outcome"]))
                          .otherwise(pl.lit(CAUSES["residual"])).alias("cause"))
            .sort("event_date", "sli"))
