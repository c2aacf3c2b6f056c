"""Dagster resources: where the store lives, which sources to read, how to fetch, where progress goes."""

from __future__ import annotations

import os
from pathlib import Path

from typing import Literal

from dagster import ConfigurableResource, get_dagster_logger

from kb_store.store import Store
from pipelines.fetch import Fetcher
from pipelines.parse_cache import ParseCache
from pipelines.progress import LogReporter, Reporter, RichReporter
from pipelines.raw_store import RawStore
from pipelines.sources import DEFAULT_CONFIG, SourceConfig, load_config


class StoreResource(ConfigurableResource):
    """The store directory: raw bytes, cached parses, published graphs."""

    root: str = ".store"

    def store(self) -> Store:
        return Store(Path(self.root))

    def raw(self) -> RawStore:
        return RawStore(self.store().raw_dir)

    def parse_cache(self) -> ParseCache:
        return ParseCache(self.store().parsed_dir)


class SourcesResource(ConfigurableResource):
    """The source config file (TOML) listing the documents to fetch."""

    path: str = str(DEFAULT_CONFIG)

    def load(self) -> SourceConfig:
        return load_config(Path(self.path))


class HttpResource(ConfigurableResource):
    """Fetch limits: timeouts in seconds, attempts per document, largest accepted body."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 4
    backoff: float = 1.0
    max_bytes: int = 50 * 1024 * 1024

    def fetcher(self, raw: RawStore) -> Fetcher:
        return Fetcher(raw, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                       attempts=self.attempts, backoff=self.backoff, max_bytes=self.max_bytes)


class ProgressResource(ConfigurableResource):
    """Where progress goes: ``log``, a line per item in the run's log; ``bar``, bars on the terminal."""

    display: Literal["log", "bar"] = "log"

    def reporter(self) -> Reporter:
        return RichReporter() if self.display == "bar" else LogReporter(get_dagster_logger("lexgraph"))


def default_resources() -> dict[str, ConfigurableResource]:
    """Resources for ``dagster dev``: the store and config come from LEXGRAPH_STORE / LEXGRAPH_CONFIG."""
    return {
        "store": StoreResource(root=os.environ.get("LEXGRAPH_STORE", ".store")),
        "sources": SourcesResource(path=os.environ.get("LEXGRAPH_CONFIG", str(DEFAULT_CONFIG))),
        "http": HttpResource(),
        "progress": ProgressResource(),
    }
