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
from functools import cached_property

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
from pipelines.sources import Source, SourceConfig
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

    @cached_property  # the guards and publishing both read them
    def entries(self) -> list[SourceEntry]:
        return stages.source_entries(self.config, self.used)

    def checks(self) -> list[CheckResult]:
        return checks.run_all(self.parsed, self.law, self.references, self.documents, self.fines, self.reconciled)

    def part(self, guards: list[CheckResult]) -> stages.Part:
        """What publishing builds of it, with the guards that compared its sources with the current ones."""
        return stages.Part(self.entries, self.tables(), self.checks() + guards, self.quarantined,
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
        """The stages run again over what ``visible`` labels show of ``whole``'s sources. What it shows
        whole is taken as read: the law when none of it is hidden, and then the decision documents or the
        tables when none of them is (nor any of a table's fields)."""
        config = seen_config(whole.config, visible)
        parsed, law, references = whole.parsed, whole.law, whole.references
        documents, fines = whole.documents, whole.fines
        law_hidden = not _same(config.documents, whole.config.documents)
        if law_hidden:
            parsed = stages.parse_sources(config, self.fetched, self.previous, self.raw, self.cache, self.progress)
            law = stages.build_law(parsed)
            references = stages.extract_cross_references(law, self.progress)
        known = frozenset(p.id for p in law.provisions)
        reading = (config, self.fetched, self.previous, self.raw, self.cache, known, self.progress)
        if law_hidden or not _same(config.decisions, whole.config.decisions):
            documents = enforcement.read_decisions(*reading)
        if law_hidden or not _same(config.fine_tables, whole.config.fine_tables):
            fines = enforcement.read_fine_tables(*reading)
        reconciled = enforcement.reconcile_records(config, documents, fines)
        cases = enforcement.build_cases(reconciled, documents, fines)
        return View(visible, Contents(config, parsed, law, references, documents, fines, reconciled, cases))

    def views(self, whole: Contents) -> list[View]:
        return [self.view(whole, visible) for visible in views_of(whole.config.labels)]


def _same(seen: list[Source], whole: list[Source]) -> bool:
    """Every source of ``whole`` seen, as it is (a table seen whole is the very entry)."""
    return len(seen) == len(whole) and all(a is b for a, b in zip(seen, whole))


def seen_config(config: SourceConfig, visible: Clearance) -> SourceConfig:
    """The sources a reader of ``visible`` labels sees, each as it sees it (fine tables without the fields
    labelled otherwise)."""
    return config.keeping(lambda source: source.access in visible, lambda table: table.seen_with(visible))


def seen_in(current: Manifest | None, visible: Clearance) -> Manifest | None:
    """What a reader of ``visible`` labels saw of the current snapshot: the sources a guard compares with."""
    return current.keeping(lambda source: source.access in visible) if current else None


def _labelled(tables: dict[str, list[Record]], by_sha256: dict[str, set[str]]) -> dict[str, list[Record]]:
    """Each node that has an ``access`` field given the labels of the documents it comes from ("," between
    several: any of them shows it); a decision, a case and an event those of their records."""
    if all(labels == {PUBLIC} for labels in by_sha256.values()):
        return tables  # every node is public already

    def joined(labels: Iterable[str], among: Mapping[str, str]) -> str:
        """The labels of the ``labels`` keys in ``among``, as one ``access`` value."""
        return ",".join(sorted({one for key in labels for one in among.get(key, PUBLIC).split(",")}))

    documents = {sha: ",".join(sorted(labels)) for sha, labels in by_sha256.items()}
    records = {r.id: joined([r.source_sha256], documents) for r in tables["SourceRecord"]}
    decisions = {d.id: joined(d.sources, records) for d in tables["Decision"]}
    labels = {
        "Provision": lambda p: joined(p.source_sha256, documents),
        "Version": lambda v: joined(v.source_sha256, documents),
        "SourceDocument": lambda d: documents.get(d.sha256, PUBLIC), "SourceRecord": lambda r: records[r.id],
        "Decision": lambda d: decisions[d.id], "CaseEvent": lambda e: joined(e.record_ids, records),
        "EnforcementCase": lambda c: joined(c.decision_ids, decisions),
    }
    return {name: [row.model_copy(update={"access": labels[name](row)}) for row in rows] if name in labels else rows
            for name, rows in tables.items()}
