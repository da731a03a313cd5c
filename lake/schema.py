"""Additive-only schema evolution: compare a table's stored schema with its declaration.

New nullable columns are added; anything else (a dropped column, a changed type, a column that
became required) is refused with an error naming the table, the column and both types.

>>> import pyarrow as pa
>>> old = pa.schema([pa.field("id", pa.string(), nullable=False)])
>>> new = pa.schema([pa.field("id", pa.string(), nullable=False), pa.field("score", pa.float64())])
>>> [f.name for f in added_fields(old, new, table="t")]
['score']
>>> added_fields(old, pa.schema([pa.field("id", pa.int64(), nullable=False)]), table="t")
Traceback (most recent call last):
...
lake.exceptions.SchemaEvolutionError: table t: column id changed type from PrimitiveType("string") to PrimitiveType("long"); only new nullable columns are allowed
"""

from __future__ import annotations

import pyarrow as pa
from deltalake import Schema

from lake.exceptions import SchemaEvolutionError


def _delta_fields(schema: pa.Schema | Schema) -> dict[str, tuple[str, bool]]:
    delta = schema if isinstance(schema, Schema) else Schema.from_arrow(schema)
    return {f.name: (str(f.type), bool(f.nullable)) for f in delta.fields}


def added_fields(stored: pa.Schema | Schema, declared: pa.Schema, *, table: str) -> list[pa.Field]:
    """The declared fields missing from ``stored`` (all nullable); raise on any other difference."""
    have = _delta_fields(stored)
    want = _delta_fields(declared)
    for name, (type_, nullable) in have.items():
        if name not in want:
            raise SchemaEvolutionError(
                f"table {table}: column {name} ({type_}) is stored but no longer declared; "
                f"dropping a column is not an additive change"
            )
        want_type, want_nullable = want[name]
        if want_type != type_:
            raise SchemaEvolutionError(
                f"table {table}: column {name} changed type from {type_} to {want_type}; "
                f"only new nullable columns are allowed"
            )
        if nullable and not want_nullable:
            raise SchemaEvolutionError(
                f"table {table}: column {name} would become required (nullable=False); "
                f"only new nullable columns are allowed"
            )
    added = [declared.field(name) for name in want if name not in have]
    for f in added:
        if not f.nullable:
            raise SchemaEvolutionError(
                f"table {table}: new column {f.name} is required (nullable=False); "
                f"a new column must be nullable so existing rows stay valid"
            )
    return added
