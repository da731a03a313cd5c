"""Data-quality gates: one great-expectations suite per lake table.

Each suite checks: keys present and unique (no duplicate event ids), enums valid, probabilities in
[0, 1], event time sane (after 2000-01-01, not more than a day ahead), tokens instead of
identifiers, and **no raw PII pattern in any text column** (e-mail, card-like or phone-like digit
runs, US SSN, IBAN; digits inside ``tok:…`` tokens do not count). Results carry counts only, never
the offending values (``partial_unexpected_count`` 0), so neither the summary nor Data Docs repeat PII.

>>> bool(RAW_PII.search("write to ann@example.org")), bool(RAW_PII.search("card 4111 1111 1111 1111"))
(True, True)
>>> bool(RAW_PII.search("mail tok:email:14670f76eb8a0607b074, order <NUMBER>, value: 12345"))
False
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from lake.exceptions import QualityError
from lake.maintenance import open_table
from lake.tables import TABLES, TableDef

log = logging.getLogger(__name__)

#: Raw PII shapes. Digit runs preceded by a word character or ':' (inside tokens, ids) are ignored.
PII_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "card_or_phone": r"(?<![\w:-])\+?\d(?:[ ().-]{0,2}\d){9,18}(?![\w])",
    "us_ssn": r"(?<![\w:])\d{3}-\d{2}-\d{4}(?![\w])",
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
}
RAW_PII = re.compile("|".join(f"(?:{p})" for p in PII_PATTERNS.values()))
TOKEN_PATTERN = r"^tok:[a-z_]+:[0-9a-f]{8,64}$"
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Check:
    table: str
    expectation: str
    column: str
    success: bool
    unexpected: int | None = None


@dataclass
class QualityReport:
    checks: list[Check] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    docs_index: Path | None = None

    @property
    def success(self) -> bool:
        return all(c.success for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.success]

    def summary_lines(self) -> list[str]:
        lines = []
        for table, rows in self.rows.items():
            mine = [c for c in self.checks if c.table == table]
            failed = [c for c in mine if not c.success]
            lines.append(f"{table}: {rows} rows, {len(mine) - len(failed)}/{len(mine)} expectations passed")
            lines.extend(f"  FAILED {c.expectation}({c.column}): {c.unexpected} unexpected" for c in failed)
        lines.append(f"data docs: {self.docs_index}" if self.docs_index else "data docs: not written")
        lines.append("QUALITY PASSED" if self.success else f"QUALITY FAILED ({len(self.failures())} expectations)")
        return lines


def expectations(table: TableDef, *, now: datetime) -> list[Any]:
    """The suite of ``table`` as great-expectations expectation objects."""
    import great_expectations as gx

    e = gx.expectations
    out: list[Any] = [
        e.ExpectColumnValuesToNotBeNull(column=table.key),
        e.ExpectColumnValuesToBeUnique(column=table.key),
        e.ExpectColumnValuesToNotBeNull(column=table.time_column),
        e.ExpectColumnValuesToBeBetween(
            column="event_time_epoch_s", min_value=int(EARLIEST.timestamp()),
            max_value=int((now + timedelta(days=1)).timestamp()),
        ),
    ]
    for column, allowed in table.enums.items():
        out.append(e.ExpectColumnValuesToBeInSet(column=column, value_set=list(allowed)))
    for column in table.probabilities:
        out.append(e.ExpectColumnValuesToBeBetween(column=column, min_value=0.0, max_value=1.0))
    for f in table.schema:
        if f.name.endswith("_token"):
            out.append(e.ExpectColumnValuesToMatchRegex(column=f.name, regex=TOKEN_PATTERN))
    for column in table.text_columns:
        out.append(e.ExpectColumnValuesToNotMatchRegex(column=column, regex=RAW_PII.pattern))
    return out


def _frame(root: str, table: TableDef, storage_options: dict[str, str] | None) -> pd.DataFrame:
    dt = open_table(root, table, storage_options=storage_options)
    wanted = [table.key, table.time_column, *table.enums, *table.probabilities, *table.text_columns,
              *(f.name for f in table.schema if f.name.endswith("_token"))]
    columns = list(dict.fromkeys(wanted))
    if dt is None:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        frame["event_time_epoch_s"] = pd.Series(dtype="int64")
        return frame
    data = dt.to_pyarrow_table(columns=columns)
    frame = data.to_pandas()
    frame["event_time_epoch_s"] = data.column(table.time_column).cast("int64").to_numpy() // 1_000_000
    return frame


def run_quality(
    root: str,
    *,
    docs_dir: Path,
    tables: list[TableDef] | None = None,
    now: datetime | None = None,
    storage_options: dict[str, str] | None = None,
) -> QualityReport:
    """Validate each table with its suite; write Data Docs under ``docs_dir``."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # offline: no usage statistics
    import great_expectations as gx

    now = now or datetime.now(UTC)
    report = QualityReport()
    try:
        context = gx.get_context(mode="file", project_root_dir=str(docs_dir))
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}  # type: ignore[assignment]
        source = context.data_sources.add_or_update_pandas("lake")
        definitions = []
        frames: dict[str, pd.DataFrame] = {}
        for table in tables or list(TABLES.values()):
            frames[table.name] = _frame(root, table, storage_options)
            report.rows[table.name] = len(frames[table.name])
            with contextlib.suppress(LookupError, ValueError):  # re-runs in the same folder
                source.delete_asset(table.name)
            batch = source.add_dataframe_asset(table.name).add_batch_definition_whole_dataframe("all")
            suite = gx.ExpectationSuite(name=f"lake.{table.name}", expectations=expectations(table, now=now))
            suite = context.suites.add_or_update(suite)
            definitions.append((table.name, context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"lake.{table.name}", data=batch, suite=suite))))
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
        for name, definition in definitions:
            result = definition.run(batch_parameters={"dataframe": frames[name]}, result_format=result_format)
            for r in result.results:
                cfg = r.expectation_config
                report.checks.append(Check(
                    table=name, expectation=cfg.type if cfg else "?",
                    column=str(cfg.kwargs.get("column", "")) if cfg else "",
                    success=bool(r.success), unexpected=(r.result or {}).get("unexpected_count"),
                ))
        context.build_data_docs()
        sites = context.get_docs_sites_urls()
        if sites and sites[0].get("site_url"):
            report.docs_index = Path(str(sites[0]["site_url"]).removeprefix("file://"))
    except (gx.exceptions.GreatExpectationsError, ValueError, KeyError) as exc:
        raise QualityError(f"quality run over {root} failed: {exc}") from exc
    return report
