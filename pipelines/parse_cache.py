"""Parse results kept on disk under a key naming everything that determines them
(``pipelines.source_kinds.parse_key``), so that a refresh re-parses only what changed."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

_KEYED = re.compile(r"^[0-9a-f]{64}-")  # a key of today's form: the parsed bytes' sha256 first


class ParseCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parsed = self.reused = 0
        self._ahead: set[str] = set()  # parsed by workers for this refresh: parsed, not reused, when read

    def has(self, key: str) -> bool:
        return self._path(key).exists()

    def get(self, key: str, adapter: TypeAdapter, parse: Callable[[], Any]) -> Any:
        """The cached result under ``key``, else ``parse()`` stored under it."""
        path = self._path(key)
        if path.exists():
            try:
                cached = adapter.validate_json(path.read_bytes())
            except ValueError:  # cut short by a crash before it reached the disk: parse again
                pass
            else:
                if key in self._ahead:
                    self._ahead.discard(key)
                    self.parsed += 1
                else:
                    self.reused += 1
                return cached
        result = parse()
        self.parsed += 1
        self.put(key, adapter, result)
        return result

    def put(self, key: str, adapter: TypeAdapter, result: Any) -> None:
        """Store ``result`` under ``key``, whole or not at all."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._path(key).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(adapter.dump_json(result))
        tmp.replace(self._path(key))

    def parsed_ahead(self, key: str) -> None:
        """Count ``key``, stored by a worker of this refresh, as parsed when it is read."""
        self._ahead.add(key)

    def forget(self, sha256s: set[str]) -> int:
        """Remove every parse of the bytes ``sha256s``, and every file under a key of an earlier form (no
        key names them any more, and nothing tells whose bytes they hold); returns how many went."""
        if not self.root.is_dir():
            return 0
        gone = [path for path in self.root.iterdir()
                if not _KEYED.match(path.name) or path.name.split("-", 1)[0] in sha256s]
        for path in gone:
            path.unlink()
        return len(gone)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"
