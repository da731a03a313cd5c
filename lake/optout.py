"""Training opt-out (``cx.customer.preference``): batch jobs that train or tune models read the lake
through :func:`training_interactions`, which drops every row of a customer whose latest preference
is ``training_opt_out = true``. The mark is the boolean column ``training_opt_out`` on the
preference rows, keyed by ``customer_token``; conversations are attributed through their
``cx.conversation.started`` row, so rows of the same conversation without a token are excluded too.

>>> import polars as pl
>>> from datetime import datetime, timezone
>>> t = lambda h: datetime(2026, 3, 2, h, tzinfo=timezone.utc)
>>> rows = pl.LazyFrame({
...     "event_id": ["p1", "s1", "m1", "s2", "m2"],
...     "event_type": ["cx.customer.preference", "cx.conversation.started", "cx.message.received",
...                    "cx.conversation.started", "cx.message.received"],
...     "conversation_id": ["c1", "c1", "c1", "c2", "c2"],
...     "customer_token": ["tok:a", "tok:a", None, "tok:b", None],
...     "training_opt_out": [True, None, None, None, None],
...     "event_time": [t(1), t(1), t(2), t(1), t(2)]})
>>> sorted(training_interactions(rows).collect()["event_id"].to_list())
['m2', 's2']
"""

from __future__ import annotations

import polars as pl

PREFERENCE = "cx.customer.preference"
STARTED = "cx.conversation.started"


def opted_out(interactions: pl.LazyFrame) -> pl.LazyFrame:
    """customer_token of every customer whose latest preference is an opt-out."""
    return (
        interactions.filter(pl.col("event_type") == PREFERENCE)
        .sort("event_time")
        .group_by("customer_token")
        .agg(pl.col("training_opt_out").last())
        .filter(pl.col("training_opt_out"))
        .select("customer_token")
    )


def training_interactions(interactions: pl.LazyFrame) -> pl.LazyFrame:
    """``interactions`` without the rows of opted-out customers (and their conversations)."""
    excluded = opted_out(interactions)
    conversations = (
        interactions.filter(pl.col("event_type") == STARTED)
        .join(excluded, on="customer_token", how="semi")
        .select("conversation_id")
        .unique()
    )
    return (
        interactions.join(excluded, on="customer_token", how="anti", nulls_equal=False)
        .join(conversations, on="conversation_id", how="anti")
    )


def scan_interactions(root: str) -> pl.LazyFrame:
    """The interactions table as a polars lazy frame."""
    return pl.scan_delta(f"{root.rstrip('/')}/interactions")
