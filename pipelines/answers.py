"""The JSON documents reads answer with, declared once: the command line's ``--format json`` prints them and
the HTTP service returns them (and publishes their schemas in its OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from kb_store.access import Clearance
from kb_store import DecisionPage, DecisionView, EnforcementFilter, Manifest, ProvisionView, Store, disk_usage


class ProvisionAnswer(ProvisionView):
    """``show``: a provision as of a date, and the snapshot it was read from."""

    snapshot: str


class DecisionsAnswer(BaseModel):
    """``enforcement``: one page of the decisions matching the filters, and how many match in all."""

    snapshot: str
    filters: dict[str, Any]  # the filters given, as given
    total: int
    offset: int
    count: int
    results: list[DecisionView]


class SnapshotSummary(BaseModel):
    """One line of ``snapshots list``."""

    id: str
    created: dt.datetime
    parent: str | None
    current: bool
    decisions: int
    provisions: int
    sources: int
    sources_kept: int
    bytes: int


class SnapshotAnswer(BaseModel):
    """A snapshot's manifest, as published (it never changes)."""

    snapshot: str
    manifest: Manifest


def provision_answer(view: ProvisionView, snapshot: str) -> ProvisionAnswer:
    return ProvisionAnswer(snapshot=snapshot, **dict(view))


def decisions_answer(page: DecisionPage, query: EnforcementFilter, snapshot: str) -> DecisionsAnswer:
    return DecisionsAnswer(snapshot=snapshot, filters=query.model_dump(mode="json", exclude_defaults=True),
                           total=page.total, offset=page.offset, count=len(page.results), results=page.results)


def snapshot_summaries(store: Store, reader: Clearance | None = None) -> list[SnapshotSummary]:
    """Every published snapshot, oldest first, the current one marked, as a reader of ``reader`` labels
    sees it (None: all of it)."""
    current = store.current_id()
    return [SnapshotSummary(id=m.id, created=m.created, parent=m.parent, current=m.id == current,
                            decisions=m.counts.get("Decision", 0), provisions=m.counts.get("Provision", 0),
                            sources=len(m.sources), sources_kept=len(m.kept), bytes=disk_usage(store, m.id, reader))
            for m in store.snapshots(reader)]
