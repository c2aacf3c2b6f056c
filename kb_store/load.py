"""Bulk load: records → one Parquet file per table (the snapshot's engine-neutral export) → ``COPY FROM``.
Row order is fixed for determinism, so the same records always give the same files and the same graph."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from kb_store.crash import crash_point
from kb_store.engine import Engine
from schema.graph import NODE_TABLES, REL_TABLES, NodeTable, RelTable, columns, ddl, index_statements

_ARROW = {"STRING": pa.string(), "INT64": pa.int64(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}


def _arrow_type(kind: str) -> pa.DataType:
    return pa.list_(_arrow_type(kind[:-2])) if kind.endswith("[]") else _ARROW[kind]


def _arrow_table(table: NodeTable | RelTable, rows: list[BaseModel]) -> pa.Table:
    """The table's columns in DDL order; a relationship's two end keys come first, as COPY wants."""
    if isinstance(table, RelTable):
        ends = list(table.end_fields)
        cols = [(name, "STRING") for name in ends] + columns(table.record, skip=table.end_fields)
    else:
        cols = columns(table.record)
    data = {name: [getattr(row, name) for row in rows] for name, _ in cols}
    return pa.table(data, schema=pa.schema([(name, _arrow_type(kind)) for name, kind in cols]))


def _sorted(rows: Iterable[BaseModel]) -> list[BaseModel]:
    return sorted(rows, key=lambda row: row.model_dump_json())


def write_tables(folder: Path, tables: Mapping[str, Iterable[BaseModel]]) -> dict[str, int]:
    """One Parquet file per table (empty tables too: the export is complete), rows sorted; returns row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in (*NODE_TABLES, *REL_TABLES):
        rows = _sorted(tables.get(table.name, ()))
        counts[table.name] = len(rows)
        pq.write_table(_arrow_table(table, rows), folder / f"{table.name}.parquet", compression="zstd")
        crash_point("export")
    return counts


def import_tables(path: Path, folder: Path) -> None:
    """Create a new graph database at ``path`` from an export written by ``write_tables``."""
    with Engine(path) as engine:
        for statement in ddl():
            engine.execute(statement)
        for table in (*NODE_TABLES, *REL_TABLES):
            parquet = folder / f"{table.name}.parquet"
            if pq.read_metadata(parquet).num_rows:
                engine.copy_from(table.name, parquet)
                crash_point("graph_build")
        for statement in index_statements():
            engine.execute(statement)


def create_graph(path: Path, tables: Mapping[str, Iterable[BaseModel]]) -> dict[str, int]:
    """Create a new graph database at ``path`` holding ``tables`` (table name → records); return row counts."""
    with tempfile.TemporaryDirectory(prefix="lexgraph-load-") as tmp:
        counts = write_tables(Path(tmp), tables)
        import_tables(path, Path(tmp))
    return counts


def insert_row_by_row(path: Path, tables: Mapping[str, Iterable[BaseModel]]) -> None:
    """The same graph as ``create_graph``, one CREATE per row: the baseline the bulk load is measured against."""
    with Engine(path) as engine:
        for statement in ddl():
            engine.execute(statement)
        for table in NODE_TABLES:
            names = [name for name, _ in columns(table.record)]
            query = f"CREATE (:{table.name} {{{', '.join(f'{n}: ${n}' for n in names)}}})"
            for row in tables.get(table.name, ()):
                engine.execute(query, {n: getattr(row, n) for n in names})
        for rel in REL_TABLES:
            (src, src_key), (dst, dst_key) = rel.source, rel.target
            names = [name for name, _ in columns(rel.record, skip=rel.end_fields)]
            keys = {t.name: t.key for t in NODE_TABLES}
            props = ", ".join(f"{n}: ${n}" for n in names)
            query = (f"MATCH (a:{src} {{{keys[src]}: $a}}), (b:{dst} {{{keys[dst]}: $b}}) "
                     f"CREATE (a)-[:{rel.name} {{{props}}}]->(b)")
            for row in tables.get(rel.name, ()):
                engine.execute(query, {"a": getattr(row, src_key), "b": getattr(row, dst_key),
                                       **{n: getattr(row, n) for n in names}})
