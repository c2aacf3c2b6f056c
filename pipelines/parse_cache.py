"""Parse results kept on disk by what determines them (source bytes, format or mapping, parser version),
so that a refresh re-parses only what changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from parsers import PARSER_VERSION


def cache_key(*parts: str) -> str:
    """A file name for the parse of ``parts`` (sha256 of the bytes, format, …) by this parser version."""
    return hashlib.sha256("\0".join((*parts, PARSER_VERSION)).encode()).hexdigest()


class ParseCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parsed = self.reused = 0

    def get(self, key: str, adapter: TypeAdapter, parse: Callable[[], Any]) -> Any:
        """The cached result under ``key``, else ``parse()`` stored under it."""
        path = self.root / f"{key}.json"
        if path.exists():
            self.reused += 1
            return adapter.validate_json(path.read_bytes())
        result = parse()
        self.parsed += 1
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(adapter.dump_json(result))
        tmp.replace(path)
        return result
