"""An engine-neutral, ordered dump of a graph: every table's rows as JSON lines, sorted.

Two graphs are the same graph exactly when their dumps are equal, whatever the engine's internal ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kb_store.engine import Engine
from schema.graph import NODE_TABLES, REL_TABLES, columns


def ordered_rows(engine: Engine) -> Iterator[str]:
    keys = {table.name: table.key for table in NODE_TABLES}
    for table in NODE_TABLES:
        names = [name for name, _ in columns(table.record)]
        yield from _dump(engine, table.name, f"MATCH (n:{table.name})", [f"n.{n}" for n in names], names)
    for rel in REL_TABLES:
        names = [name for name, _ in columns(rel.record, skip=rel.end_fields)]
        (src, src_field), (dst, dst_field) = rel.source, rel.target
        expressions = [f"a.{keys[src]}", f"b.{keys[dst]}", *(f"r.{n}" for n in names)]
        yield from _dump(engine, rel.name, f"MATCH (a:{src})-[r:{rel.name}]->(b:{dst})", expressions,
                         [src_field, dst_field, *names])


def _dump(engine: Engine, table: str, match: str, expressions: list[str], names: list[str]) -> Iterator[str]:
    aliases = [f"c{i}" for i in range(len(expressions))]
    returns = ", ".join(f"{e} AS {a}" for e, a in zip(expressions, aliases))
    lines = (json.dumps({"table": table, **{n: row[a] for n, a in zip(names, aliases)}},
                        default=str, ensure_ascii=False, sort_keys=True)
             for row in engine.execute(f"{match} RETURN {returns}"))
    yield from sorted(lines)
