"""Dagster resources: where the store lives, which sources to read, how to fetch, where progress goes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

from dagster import ConfigurableResource, get_dagster_logger
from pydantic import PrivateAttr

from kb_store import SourceEntry, Store
from pipelines import stages
from pipelines.erasure_log import Forgotten, forgotten, without_forgotten
from pipelines.fetch import Fetcher
from pipelines.parse_cache import ParseCache
from pipelines.progress import LogReporter, Reporter, RichReporter
from pipelines.raw_store import RawStore
from pipelines.sources import DEFAULT_CONFIG, SourceConfig, load_config
from pipelines.stages import Fetched


class StoreResource(ConfigurableResource):
    """The store directory: raw bytes, cached parses, published graphs."""

    root: str = ".store"

    def store(self) -> Store:
        return Store(Path(self.root))

    def raw(self) -> RawStore:
        return RawStore(self.store().raw_dir)

    def parse_cache(self) -> ParseCache:
        return ParseCache(self.store().parsed_dir)

    def previous(self) -> dict[str, SourceEntry]:
        """The sources of the current snapshot, by name: what a source that fails now falls back to."""
        current = self.store().current()
        return {source.name: source for source in current.sources} if current else {}


class SourcesResource(ConfigurableResource):
    """The source config file (TOML) listing the documents to fetch, loaded and validated once, without
    the sources ``lexgraph forget`` erased from ``store`` (until ``forget --undo``)."""

    path: str = str(DEFAULT_CONFIG)
    store: str = ""
    _config: SourceConfig | None = PrivateAttr(default=None)

    def load(self) -> SourceConfig:
        if self._config is None:
            self._config = without_forgotten(load_config(Path(self.path)), self.forgotten())
        return self._config

    def forgotten(self) -> Forgotten:
        return forgotten(Path(self.store)) if self.store else Forgotten()

    def config_sha256(self) -> str:
        return hashlib.sha256(Path(self.path).read_bytes()).hexdigest()


class RefreshOptions(ConfigurableResource):
    """What a person allows one refresh: fetch everything whole again (``refetch``), drop the current
    snapshot's sources that the config no longer lists (``accept_removed``), publish tables that shrank
    sharply (``accept_shrink``: their names)."""

    refetch: bool = False
    accept_removed: bool = False
    accept_shrink: list[str] = []
    prefetched: str = ""  # the fetch this refresh already made, as JSON: the run reads it instead of fetching again
    rebuild: str = ""  # an older snapshot rebuilt without an erased source, as JSON (stages.Rebuild): CURRENT stays


class HttpResource(ConfigurableResource):
    """Fetch limits: timeouts in seconds, attempts per document, largest accepted body, documents of one
    host that may fail to connect before the rest of that host's are skipped."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 4
    backoff: float = 1.0
    max_bytes: int = 50 * 1024 * 1024
    host_failures: int = 1  # a document's attempts are already repeated failures

    def fetcher(self, raw: RawStore) -> Fetcher:
        return Fetcher(raw, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                       attempts=self.attempts, backoff=self.backoff, max_bytes=self.max_bytes,
                       host_failures=self.host_failures)


class ProgressResource(ConfigurableResource):
    """Where progress goes: ``log``, a line per item in the run's log; ``bar``, bars on the terminal."""

    display: Literal["log", "bar"] = "log"

    def reporter(self) -> Reporter:
        return RichReporter() if self.display == "bar" else LogReporter(get_dagster_logger("lexgraph"))


def default_resources() -> dict[str, ConfigurableResource]:
    """Resources for ``dagster dev``: the store and config come from LEXGRAPH_STORE / LEXGRAPH_CONFIG."""
    return {
        "store": StoreResource(root=os.environ.get("LEXGRAPH_STORE", ".store")),
        "sources": SourcesResource(path=os.environ.get("LEXGRAPH_CONFIG", str(DEFAULT_CONFIG)),
                                   store=os.environ.get("LEXGRAPH_STORE", ".store")),
        "http": HttpResource(),
        "options": RefreshOptions(),
        "progress": ProgressResource(),
    }


def fetch_sources(sources: SourceConfig, store: StoreResource, http: HttpResource, progress: ProgressResource,
                  refetch: bool = False) -> Fetched:
    """Every source of ``sources`` fetched into ``store``'s raw store, each falling back to the copy its
    current snapshot holds: the fetch of a refresh, whether ``lexgraph refresh`` or a Dagster run makes it."""
    raw = store.raw()
    with http.fetcher(raw) as fetcher:
        return stages.fetch_sources(sources, raw, fetcher, store.previous(), progress.reporter(), refetch=refetch)
