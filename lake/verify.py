"""The exactly-once verifier: does a table hold every expected key exactly once?

>>> report = compare(["a", "b", "b", "x"], expected={"a", "b", "c"})
>>> report.line("interactions")
'interactions: expected 3, rows 4, distinct 3, duplicated 1, missing 1, unexpected 1 -> FAILED'
>>> compare(["a"], expected={"a"}).ok
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from lake.tables import TableDef, table_uri


@dataclass
class VerifyReport:
    expected: int
    rows: int
    distinct: int
    duplicated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.duplicated or self.missing or self.unexpected)

    def line(self, table: str) -> str:
        verdict = "ALL-RECORDS-DELIVERED" if self.ok else "FAILED"
        return (f"{table}: expected {self.expected}, rows {self.rows}, distinct {self.distinct}, "
                f"duplicated {len(self.duplicated)}, missing {len(self.missing)}, "
                f"unexpected {len(self.unexpected)} -> {verdict}")


def compare(keys: Iterable[str], *, expected: set[str]) -> VerifyReport:
    counts = Counter(keys)
    return VerifyReport(
        expected=len(expected), rows=sum(counts.values()), distinct=len(counts),
        duplicated=sorted(k for k, n in counts.items() if n > 1),
        missing=sorted(expected - counts.keys()),
        unexpected=sorted(counts.keys() - expected),
    )


def table_keys(root: str, table: TableDef, *, storage_options: dict[str, str] | None = None) -> list[str]:
    """Every key value in the table's current snapshot (empty when the table does not exist)."""
    try:
        dt = DeltaTable(table_uri(root, table.name), storage_options=storage_options)
    except TableNotFoundError:
        return []
    return dt.to_pyarrow_table(columns=[table.key]).column(table.key).to_pylist()


def verify_table(root: str, table: TableDef, *, expected: set[str]) -> VerifyReport:
    return compare(table_keys(root, table), expected=expected)
