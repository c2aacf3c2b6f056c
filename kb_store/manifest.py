"""What a published snapshot says about itself: its sources, counts, checks and what it left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from kb_store.access import PUBLIC, Clearance, clearance
from schema.enforcement import QuarantinedRow
from schema.law import Record


class SourceEntry(Record):
    """One configured source as the snapshot holds it. ``fingerprint`` covers every input that determines
    what the source contributes (bytes, parse options, config fields, parser version); ``kept`` says why
    an earlier copy (fetched at ``fetched_at``) stands in, when this refresh could not fetch or read it."""

    name: str
    kind: str
    sha256: str
    url: str
    licence: str
    fetched_at: dt.datetime
    fingerprint: str
    mapping_sha256: str | None = None
    records: int
    kept: str | None = None
    access: str = PUBLIC
    field_access: dict[str, str] = {}  # a fine table's fields that carry a label of their own


class Quarantined(Record):
    """A document left out of the graph, and why."""

    name: str
    url: str
    sha256: str | None
    reason: str


class CheckResult(Record):
    """One quality check of the refresh that built a snapshot. A failed ``warn`` check flags data to
    review (a publisher's own inconsistency); a failed ``error`` check, a refresh that fell short, and
    nothing is published."""

    name: str
    passed: bool
    severity: Literal["error", "warn"] = "error"
    summary: str
    details: list[str]

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == "error"


class Manifest(Record):
    id: str
    created: dt.datetime
    parent: str | None
    config_sha256: str | None = None
    sources: list[SourceEntry]
    counts: dict[str, int]
    checks: list[CheckResult]
    quarantined: list[Quarantined]
    quarantined_rows: list[QuarantinedRow] = []

    def keeping(self, keep: Callable[[SourceEntry], bool]) -> Manifest:
        """The manifest of the sources ``keep`` accepts alone: what a guard compares a refresh with."""
        return self.model_copy(update={"sources": [s for s in self.sources if keep(s)]})

    @property
    def labels(self) -> Clearance:
        """Every access label its sources carry: each set of them but the whole is a view of its own."""
        return clearance(label for s in self.sources for label in (s.access, *s.field_access.values()))

    @property
    def kept(self) -> list[SourceEntry]:
        """Sources standing in with an earlier copy."""
        return [s for s in self.sources if s.kept]


class PointerMove(Record):
    """One move of ``CURRENT``: a refresh publishing, or a person promoting an older snapshot."""

    at: dt.datetime
    action: Literal["publish", "promote"]
    previous: str | None
    current: str
    by: str
    reason: str = ""
