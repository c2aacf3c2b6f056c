"""The one module that talks to the graph engine (Kùzu 0.11). Everything else goes through ``Engine``.

Kept small on purpose so that a fork with the same API (and another file format) can be swapped in here.
Kùzu silently matches nothing when a ``$param`` is left unbound; ``execute`` refuses such a query.

A read-only engine prepares each statement once and keeps it (the most recent ``_PREPARED``): Kùzu 0.11
plans a query again on every ``execute(query, params)`` and keeps some memory each time, which a
long-running reader (the HTTP service) cannot afford; a kept statement is neither re-planned nor grows.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

import kuzu

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_PREPARED = 512  # statements kept per read-only engine: the reads' queries are a few dozen texts


class QueryError(RuntimeError):
    """A query the adapter refuses to run, or one the engine rejected (the message holds the query)."""


def query_parameters(query: str) -> set[str]:
    """The ``$names`` a query uses, ignoring anything inside string literals."""
    return set(_PARAM.findall(_QUOTED.sub("", query)))


def _kind(value: Any) -> str:
    """A parameter's type as far as planning cares: a list's by its first item (an empty list has none)."""
    if isinstance(value, list | tuple):
        return f"list[{type(value[0]).__name__ if value else ''}]"
    return type(value).__name__


class Engine:
    """An open graph database: ``Engine(path)`` to write, ``Engine(path, read_only=True)`` to read."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"no graph database at {self.path}")
        self._db = kuzu.Database(str(self.path), read_only=read_only)
        self._conn = kuzu.Connection(self._db)
        self._prepared: OrderedDict[tuple, kuzu.PreparedStatement] = OrderedDict()
        self._prepared_lock = threading.Lock()

    def execute(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts, refusing unbound or unused parameters."""
        params = params or {}
        wanted = query_parameters(query)
        if missing := wanted - params.keys():
            raise QueryError(f"unbound parameter(s) {sorted(missing)} in: {query}")
        if unused := params.keys() - wanted:
            raise QueryError(f"parameter(s) {sorted(unused)} not used in: {query}")
        try:
            result = self._conn.execute(self._statement(query, params) if self.read_only else query, params)
        except RuntimeError as exc:
            raise QueryError(f"{exc} in: {query}") from exc
        names = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(names, result.get_next())))
        return rows

    def _statement(self, query: str, params: dict[str, Any]) -> kuzu.PreparedStatement:
        """The query prepared for parameters of these types (Kùzu types them when it prepares)."""
        key = (query, *sorted((name, _kind(value)) for name, value in params.items()))
        with self._prepared_lock:
            if (statement := self._prepared.get(key)) is not None:
                self._prepared.move_to_end(key)
                return statement
        with warnings.catch_warnings():  # prepare is deprecated in favour of execute, which re-plans every time
            warnings.simplefilter("ignore", DeprecationWarning)
            statement = self._conn.prepare(query, params)
        if not statement.is_success():
            raise QueryError(f"{statement.get_error_message()} in: {query}")
        with self._prepared_lock:
            self._prepared[key] = statement
            if len(self._prepared) > _PREPARED:
                self._prepared.popitem(last=False)
        return statement

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
