"""Residue verifier: does anything of a subject remain under a directory?

Every file is scanned as raw bytes (UTF-8 and JSON-escaped forms of each needle). Parquet files are
also opened with pyarrow — compressed pages hide raw bytes — and every column value, every column
statistic (min/max) and the key-value metadata are checked. A hit names the file and where it was
found, and the needle by its index and a short hash, never the value.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "_delta_log").mkdir()
>>> _ = (root / "_delta_log" / "0.json").write_text('{"stats": "ann@example.org"}')
>>> [(r.path.name, r.where, r.needle_index) for r in find_residue(root, ["ann@example.org", "bob"])]
[('0.json', 'bytes', 0)]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


@dataclass(frozen=True, slots=True)
class Residue:
    path: Path
    where: str  # bytes | parquet-value | parquet-statistics | parquet-metadata | parquet-unreadable
    needle_index: int
    needle_hash: str  # sha256 prefix: lets an operator tell needles apart without seeing them
    column: str = ""


def _hash(needle: str) -> str:
    return hashlib.sha256(needle.encode()).hexdigest()[:12]


def _byte_forms(needle: str) -> list[bytes]:
    forms = {needle.encode("utf-8"), json.dumps(needle)[1:-1].encode("ascii")}
    return [f for f in forms if f]


def _scan_parquet(path: Path, needles: list[str]) -> list[Residue]:
    out: list[Residue] = []
    try:
        pf = pq.ParquetFile(path)
        table = pf.read()
    except (pa.ArrowException, OSError):
        return [Residue(path, "parquet-unreadable", -1, "")]
    meta = pf.metadata
    kv = pf.schema_arrow.metadata or {}
    kv_text = b"\n".join(k + b"=" + v for k, v in kv.items())
    found: set[tuple[str, int, str]] = set()
    for i, needle in enumerate(needles):
        for form in _byte_forms(needle):
            if form in kv_text:
                found.add(("parquet-metadata", i, ""))
    for rg in range(meta.num_row_groups):
        group = meta.row_group(rg)
        for c in range(group.num_columns):
            col = group.column(c)
            stats = col.statistics
            if stats is None or not stats.has_min_max:
                continue
            for value in (stats.min, stats.max):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                for i, needle in enumerate(needles):
                    if needle in text:
                        found.add(("parquet-statistics", i, col.path_in_schema))
    for name in table.column_names:
        column = table.column(name)
        flat = column
        # nested values (structs, lists) are compared on their JSON-ish string form
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            try:
                flat = pc.cast(column, pa.string())
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                flat = pa.chunked_array(
                    [pa.array([str(v) for v in column.to_pylist()], pa.string())]
                )
        for i, needle in enumerate(needles):
            hits = pc.sum(pc.cast(pc.match_substring(flat, needle), pa.int64())).as_py()
            if hits:
                found.add(("parquet-value", i, name))
    for where, i, col_name in sorted(found):
        out.append(Residue(path, where, i, _hash(needles[i]), col_name))
    return out


def find_residue(root: Path, needles: list[str]) -> list[Residue]:
    """Every place under ``root`` where one of ``needles`` is still readable."""
    needles = [n for n in needles if n]
    forms = [(i, _byte_forms(n)) for i, n in enumerate(needles)]
    out: list[Residue] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for i, fs in forms:
            if any(f in data for f in fs):
                out.append(Residue(path, "bytes", i, _hash(needles[i])))
        if path.suffix == ".parquet" or data[:4] == b"PAR1":
            out.extend(_scan_parquet(path, needles))
    return out
