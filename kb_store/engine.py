"""The one module that talks to the graph engine (Kùzu 0.11). Everything else goes through ``Engine``.

Kept small on purpose so that a fork with the same API (and another file format) can be swapped in here.
Kùzu silently matches nothing when a ``$param`` is left unbound; ``execute`` refuses such a query.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kuzu

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(RuntimeError):
    """A query the adapter refuses to run, or one the engine rejected (the message holds the query)."""


def query_parameters(query: str) -> set[str]:
    """The ``$names`` a query uses, ignoring anything inside string literals."""
    return set(_PARAM.findall(_QUOTED.sub("", query)))


class Engine:
    """An open graph database: ``Engine(path)`` to write, ``Engine(path, read_only=True)`` to read."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"no graph database at {self.path}")
        self._db = kuzu.Database(str(self.path), read_only=read_only)
        self._conn = kuzu.Connection(self._db)

    def execute(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts, refusing unbound or unused parameters."""
        params = params or {}
        wanted = query_parameters(query)
        if missing := wanted - params.keys():
            raise QueryError(f"unbound parameter(s) {sorted(missing)} in: {query}")
        if unused := params.keys() - wanted:
            raise QueryError(f"parameter(s) {sorted(unused)} not used in: {query}")
        try:
            result = self._conn.execute(query, params)
        except RuntimeError as exc:
            raise QueryError(f"{exc} in: {query}") from exc
        names = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(names, result.get_next())))
        return rows

    def copy_from(self, table: str, parquet: Path) -> None:
        """Bulk-load a table from a Parquet file whose columns match the table's."""
        self.execute(f"COPY {table} FROM '{Path(parquet).as_posix()}'")

    def close(self) -> None:
        self._conn.close()
        self._db.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
