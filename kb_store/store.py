"""A store directory: raw documents, cached parses, and the published graphs.

Layout::

    raw/                 content-addressed fetched bytes and their fetch records
    parsed/              parse results cached by (sha256, parser version): re-parsing needs no re-fetch
    graphs/<id>.kuzu     one graph database per published snapshot, never written after publishing
    graphs/<id>.json     its manifest
    CURRENT              the id of the current snapshot, replaced atomically

A graph is built under its final name but only becomes visible when ``CURRENT`` names it, so a reader
never opens a half-written graph and a crashed refresh leaves the previous snapshot current.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from kb_store.engine import Engine
from kb_store.load import create_graph
from schema.enforcement import QuarantinedRow
from schema.law import Record


class SourceEntry(Record):
    name: str
    sha256: str
    url: str


class Quarantined(Record):
    """A document left out of the graph, and why."""

    name: str
    url: str
    sha256: str | None
    reason: str


class CheckResult(Record):
    """One quality check of the refresh that built a snapshot. A failed ``warn`` check flags data to
    review (a publisher's own inconsistency); a failed ``error`` check, a refresh that fell short."""

    name: str
    passed: bool
    severity: Literal["error", "warn"] = "error"
    summary: str
    details: list[str]


class Manifest(Record):
    id: str
    created: dt.datetime
    parent: str | None
    sources: list[SourceEntry]
    counts: dict[str, int]
    checks: list[CheckResult]
    quarantined: list[Quarantined]
    quarantined_rows: list[QuarantinedRow] = []


def snapshot_id(sources: Iterable[SourceEntry], parser_version: str) -> str:
    """Same source bytes and parser version → same id: an unchanged refresh publishes nothing."""
    digest = hashlib.sha256(parser_version.encode())
    for source in sorted(sources, key=lambda s: s.name):
        digest.update(f"{source.name}\0{source.sha256}\n".encode())
    return digest.hexdigest()[:16]


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw_dir = self.root / "raw"
        self.parsed_dir = self.root / "parsed"
        self.graphs_dir = self.root / "graphs"

    def current(self) -> Manifest | None:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        return self.manifest(pointer.read_text().strip())

    def manifest(self, snapshot: str) -> Manifest:
        path = self.graphs_dir / f"{snapshot}.json"
        if not path.exists():
            raise FileNotFoundError(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        return Manifest.model_validate_json(path.read_text())

    def graph_path(self, snapshot: str) -> Path:
        return self.graphs_dir / f"{snapshot}.kuzu"

    def publish(self, manifest: Manifest, tables: Mapping[str, Iterable[BaseModel]]) -> Manifest:
        """Build the snapshot's graph, write its manifest, then make it current."""
        self.graphs_dir.mkdir(parents=True, exist_ok=True)
        path = self.graph_path(manifest.id)
        _remove(path)  # left over by a crashed build: never published, safe to drop
        counts = create_graph(path, tables)
        manifest = manifest.model_copy(update={"counts": {**manifest.counts, **counts}})
        _write_atomic(self.graphs_dir / f"{manifest.id}.json", manifest.model_dump_json(indent=2))
        _write_atomic(self.root / "CURRENT", manifest.id + "\n")
        return manifest

    def open_current(self) -> Engine:
        manifest = self.current()
        if manifest is None:
            raise FileNotFoundError(f"no published graph in {self.root}: run `lexgraph refresh --store {self.root}` first")
        return Engine(self.graph_path(manifest.id), read_only=True)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
