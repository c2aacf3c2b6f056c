"""What goes into a snapshot: its graph's tables, and one view per set of access labels a reader may see.

A view is the graph the same stages build from the sources its labels let a reader see, with the fields
a reader may not see left out of their mappings, over the same fetched copies (their parses come from the
cache). It is built whole, not filtered from the full graph, because what the graph derives from several
sources (which records are one decision, its date, its case) depends on which sources are seen: a role's
reads then equal those of a store whose config never held what it may not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb_store import CheckResult, Manifest, Quarantined, SourceEntry
from kb_store.access import PUBLIC, Clearance, views_of
from parsers.cases import Cases
from parsers.reconcile import Reconciled
from parsers.versions import LawVersions
from pipelines import checks, enforcement, stages
from pipelines.enforcement import EnforcementRecords
from pipelines.parse_cache import ParseCache
from pipelines.progress import Reporter
from pipelines.raw_store import RawStore
from pipelines.sources import SourceConfig
from schema.enforcement import QuarantinedRow
from schema.law import CrossReference, Record


@dataclass(frozen=True)
class Contents:
    """Everything the stages made of one set of sources: what a snapshot's graph or one view is built from."""

    config: SourceConfig
    parsed: stages.ParsedSources
    law: LawVersions
    references: list[CrossReference]
    documents: EnforcementRecords
    fines: EnforcementRecords
    reconciled: Reconciled
    cases: Cases

    @property
    def used(self) -> list[stages.SourceUse]:
        return self.parsed.used + self.documents.used + self.fines.used

    @property
    def quarantined(self) -> list[Quarantined]:
        return self.parsed.quarantined + self.documents.quarantined + self.fines.quarantined

    @property
    def quarantined_rows(self) -> list[QuarantinedRow]:
        return self.fines.quarantined_rows

    def entries(self) -> list[SourceEntry]:
        return stages.source_entries(self.config, self.used)

    def checks(self) -> list[CheckResult]:
        return checks.run_all(self.parsed, self.law, self.references, self.documents, self.fines, self.reconciled)

    def part(self, guards: list[CheckResult]) -> stages.Part:
        """What publishing builds of it, with the guards that compared its sources with the current ones."""
        return stages.Part(self.entries(), self.tables(), self.checks() + guards, self.quarantined,
                           self.quarantined_rows)

    def tables(self) -> dict[str, list[Record]]:
        """The graph's nodes and edges by table name, each labelled with the access of its sources."""
        tables = {**stages.law_tables(self.law, self.references),
                  **enforcement.enforcement_tables(self.reconciled, self.cases, [self.documents, self.fines])}
        tables["SourceDocument"] = stages.source_documents(self.config, self.used, tables)
        tables["Decision"] = enforcement.with_known_since(tables["Decision"], tables["SourceRecord"],
                                                          tables["SourceDocument"])
        return _labelled(tables, self._labels_by_sha256())

    def _labels_by_sha256(self) -> dict[str, set[str]]:
        labels: dict[str, set[str]] = {}
        for use in self.used:
            labels.setdefault(use.document.sha256, set()).add(self.config[use.name].access)
        return labels


@dataclass(frozen=True)
class View:
    """One view of a snapshot: the labels it shows, and what it holds."""

    visible: Clearance
    contents: Contents


class Reads:
    """How the stages read sources (the store's raw copies, its parse cache, the current snapshot's
    copies as stand-ins), for building views over a refresh's fetch."""

    def __init__(self, fetched: stages.Fetched, previous: Mapping[str, SourceEntry], raw: RawStore,
                 cache: ParseCache, progress: Reporter) -> None:
        self.fetched, self.previous, self.raw, self.cache, self.progress = fetched, previous, raw, cache, progress

    def view(self, whole: Contents, visible: Clearance) -> View:
        """The stages run again over what ``visible`` labels show of ``whole``'s sources. The law is read
        again only when some of it is hidden; decisions and tables, always (their parses are cached)."""
        config = seen_config(whole.config, visible)
        parsed, law, references = whole.parsed, whole.law, whole.references
        if len(config.documents) < len(whole.config.documents):
            parsed = stages.parse_sources(config, self.fetched, self.previous, self.raw, self.cache, self.progress)
            law = stages.build_law(parsed)
            references = stages.extract_cross_references(law, self.progress)
        known = frozenset(p.id for p in law.provisions)
        reading = (config, self.fetched, self.previous, self.raw, self.cache, known, self.progress)
        documents, fines = enforcement.read_decisions(*reading), enforcement.read_fine_tables(*reading)
        reconciled = enforcement.reconcile_records(config, documents, fines)
        cases = enforcement.build_cases(reconciled, documents, fines)
        return View(visible, Contents(config, parsed, law, references, documents, fines, reconciled, cases))

    def views(self, whole: Contents) -> list[View]:
        return [self.view(whole, visible) for visible in views_of(whole.config.labels)]


def seen_config(config: SourceConfig, visible: Clearance) -> SourceConfig:
    """The sources a reader of ``visible`` labels sees, each as it sees it (fine tables without the fields
    labelled otherwise)."""
    # A copy, not a new config: validating the tables again would read their whole mappings back.
    return config.model_copy(update={
        "documents": [d for d in config.documents if d.access in visible],
        "decisions": [d for d in config.decisions if d.access in visible],
        "fine_tables": [t.seen_with(visible) for t in config.fine_tables if t.access in visible]})


def seen_in(current: Manifest | None, visible: Clearance) -> Manifest | None:
    """What a reader of ``visible`` labels saw of the current snapshot: the sources a guard compares with."""
    if current is None:
        return None
    return current.model_copy(update={"sources": [s for s in current.sources if s.access in visible]})


def _labelled(tables: dict[str, list[Record]], by_sha256: dict[str, set[str]]) -> dict[str, list[Record]]:
    """Each node that has an ``access`` field given the labels of the documents it comes from ("," between
    several: any of them shows it); a decision, a case and an event those of their records."""
    if all(labels == {PUBLIC} for labels in by_sha256.values()):
        return tables  # every node is public already
    def label(shas: Iterable[str]) -> str:
        return ",".join(sorted({lab for sha in shas for lab in by_sha256.get(sha, ())})) or PUBLIC

    records = {r.id: label([r.source_sha256]) for r in tables["SourceRecord"]}

    def of_records(ids: Iterable[str]) -> str:
        return ",".join(sorted({lab for rid in ids for lab in records.get(rid, PUBLIC).split(",")}))

    decisions = {d.id: of_records(d.sources) for d in tables["Decision"]}
    labels = {
        "Provision": lambda p: label(p.source_sha256), "Version": lambda v: label(v.source_sha256),
        "SourceDocument": lambda d: label([d.sha256]), "SourceRecord": lambda r: records[r.id],
        "Decision": lambda d: decisions[d.id], "CaseEvent": lambda e: of_records(e.record_ids),
        "EnforcementCase": lambda c: ",".join(sorted({lab for d in c.decision_ids for lab in decisions[d].split(",")})),
    }
    return {name: [row.model_copy(update={"access": labels[name](row)}) for row in rows] if name in labels else rows
            for name, rows in tables.items()}
