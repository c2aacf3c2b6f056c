"""Parse results kept on disk under a key naming everything that determines them
(``pipelines.source_kinds.parse_key``), so that a refresh re-parses only what changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter


class ParseCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parsed = self.reused = 0

    def get(self, key: str, adapter: TypeAdapter, parse: Callable[[], Any]) -> Any:
        """The cached result under ``key``, else ``parse()`` stored under it."""
        path = self.root / f"{key}.json"
        if path.exists():
            try:
                cached = adapter.validate_json(path.read_bytes())
            except ValueError:  # cut short by a crash before it reached the disk: parse again
                pass
            else:
                self.reused += 1
                return cached
        result = parse()
        self.parsed += 1
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(adapter.dump_json(result))
        tmp.replace(path)
        return result
