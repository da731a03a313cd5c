"""Rows are masked before they exist: no raw identifier or PII value reaches Arrow."""

from __future__ import annotations

import pyarrow as pa

from lake.quality import RAW_PII
from lake.rows import RowBuilder
from lake.tables import TABLES
from topics.events import ConversationStarted, Event, SlotCollected

from .conftest import located


def test_interaction_rows_hold_tokens_and_masked_text_only(builder: RowBuilder, sim_events: list[Event]) -> None:
    table = builder.interactions(located(sim_events))
    assert table.schema == TABLES["interactions"].schema
    raw_values = {e.data.value for e in sim_events if isinstance(e.data, SlotCollected)}
    raw_values |= {e.data.customer_id for e in sim_events if isinstance(e.data, ConversationStarted)}
    strings = [v for c in table.columns if pa.types.is_string(c.type) for v in c.to_pylist() if v]
    leaked = [v for v in strings if any(raw in v for raw in raw_values)]
    assert leaked == [], f"{len(leaked)} cells hold a raw slot value or customer id"
    texts = [v for c in TABLES["interactions"].text_columns for v in table.column(c).to_pylist() if v]
    assert texts and not [v for v in texts if RAW_PII.search(v)], "a raw PII pattern survived masking"


def test_every_row_of_a_conversation_carries_its_customer_token(
    builder: RowBuilder, sim_events: list[Event]
) -> None:
    rows = builder.interactions(located(sim_events)).to_pylist()
    by_conv: dict[str, set[str | None]] = {}
    for row in rows:
        by_conv.setdefault(row["conversation_id"], set()).add(row["customer_token"])
    assert all(len(tokens) == 1 and None not in tokens for tokens in by_conv.values())
    assert all(t.startswith("tok:customer_id:") for tokens in by_conv.values() for t in tokens if t)


def test_slot_values_become_tokens_of_their_kind(builder: RowBuilder, sim_events: list[Event]) -> None:
    rows = [r for r in builder.interactions(located(sim_events)).to_pylist() if r["event_type"] == "cx.slot.collected"]
    expected_prefix = {"name": "tok:person:", "email": "tok:email:", "phone": "tok:phone:",
                       "card_number": "tok:credit_card:", "iban": "tok:iban:", "address": "tok:address:"}
    assert rows and all(r["slot_value"].startswith(expected_prefix[r["slot_kind"]]) for r in rows)
