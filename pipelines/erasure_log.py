"""The erasure log, ``erasure.jsonl`` under the store: what ``lexgraph forget`` erased and when, by the
sha256 of the bytes erased, never the content; and the sources it keeps out of later refreshes.

A line per event, appended and fsynced:

- ``forget``: the sources named (a source's name, or a ``[[decision_folder]]``'s for each of its
  documents), when, by whom and why. Written before anything is erased: from then on no refresh reads them;
- ``erased``: what that forget removed: the sha256 of the bytes, the cached parses, and per snapshot
  whether it was rebuilt without them (and its new id) or dropped, and why;
- ``undo``: the sources that later refreshes may fetch again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kb_store import Manifest
from kb_store.store import append_durably, user_name
from pipelines.sources import SourceConfig, load_config

ERASURE_LOG = "erasure.jsonl"


class Fate(StrEnum):
    """What became of a snapshot that held an erased source."""

    REBUILT = "rebuilt"  # built again from its other sources, under a new id
    DROPPED = "dropped"  # removed: it could not be built again without the source


class SnapshotErased(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    snapshot: str
    fate: Fate
    rebuilt_as: str | None = None
    current: bool = False  # it was the current snapshot; its rebuild is current now
    reason: str = ""


class ErasureEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: dt.datetime
    action: Literal["forget", "erased", "undo"]
    sources: list[str]
    by: str
    reason: str = ""
    sha256: list[str] = []  # of the bytes erased
    parses: int = 0  # cached parse files removed
    snapshots: list[SnapshotErased] = []


@dataclass(frozen=True)
class Forgotten:
    """The sources kept out of refreshes: a name stands for that source and, being a folder's, for every
    document of the folder (named ``<folder>.<file>``)."""

    names: frozenset[str] = field(default_factory=frozenset)

    def covers(self, source: str) -> bool:
        return source in self.names or source.split(".", 1)[0] in self.names

    def __bool__(self) -> bool:
        return bool(self.names)


def read_log(store: Path) -> list[ErasureEntry]:
    try:
        lines = (Path(store) / ERASURE_LOG).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [ErasureEntry.model_validate_json(line) for line in lines if line.strip()]


def forgotten(store: Path) -> Forgotten:
    """The sources forgotten in ``store`` and not undone since."""
    names: set[str] = set()
    for entry in read_log(store):
        if entry.action == "forget":
            names |= set(entry.sources)
        elif entry.action == "undo":
            names -= set(entry.sources)
    return Forgotten(frozenset(names))


def append(store: Path, entry: ErasureEntry) -> None:
    append_durably(Path(store) / ERASURE_LOG, entry.model_dump_json() + "\n")


def entry(action: Literal["forget", "erased", "undo"], sources: list[str], **fields: object) -> ErasureEntry:
    return ErasureEntry(at=dt.datetime.now(dt.UTC), action=action, sources=sources, by=user_name(), **fields)


def without_forgotten(config: SourceConfig, gone: Forgotten) -> SourceConfig:
    return config.keeping(lambda source: not gone.covers(source.name)) if gone else config


def forgotten_listed(config: Path, store: Path) -> list[str]:
    """The sources ``config`` lists that ``store`` has forgotten: those a refresh leaves out."""
    gone = forgotten(store)
    return [s.name for s in load_config(config).sources if gone.covers(s.name)] if gone else []


def unforgotten(manifest: Manifest | None, gone: Forgotten) -> Manifest | None:
    """``manifest`` without the forgotten sources: what a refresh compares with, so that a source left out
    on purpose is not a source lost."""
    if manifest is None or not gone:
        return manifest
    return manifest.keeping(lambda source: not gone.covers(source.name))
