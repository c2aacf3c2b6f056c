"""The enforcement side of the refresh, stage by stage: fine tables and decision documents become
source records, reconciled into decisions, and the graph tables that hold them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kb_store import Quarantined, SourceEntry
from parsers import PARSER_VERSION, cases
from parsers.cases import Cases
from parsers.normalise.articles import cited_provisions
from parsers.normalise.authorities import gazetteer
from parsers.reconcile import Reconciled, from_decision, from_fine_row, reconcile
from pipelines.parse_cache import ParseCache
from pipelines.progress import Reporter
from pipelines.raw_store import RawStore
from pipelines.sources import FineTable, SourceConfig
from pipelines.stages import Fetched, SourceUse, read_sources
from schema.enforcement import (AuthorityNode, Country, Decision, DecisionRecord, FineRecord, Outcome,
                                OrganisationNode, Precision, QuarantinedRow, SourceRecord)
from schema.graph import (AuthorityOf, EventOf, ImposedOn, Imposes, InCase, InCountry, IssuedBy, RecordCites,
                          RecordFrom)
from schema.law import Record, SourceDocument


class EnforcementRecords(Record):
    """Source records read from one kind of source, with what could not be read."""

    records: list[SourceRecord]
    citations: list[RecordCites]
    quarantined: list[Quarantined]
    quarantined_rows: list[QuarantinedRow]
    used: list[SourceUse]
    provisions_known: int  # the provisions citations could resolve to: none when no legal text is configured
    parsed: int = 0
    cached: int = 0


def read_fine_tables(config: SourceConfig, fetched: Fetched, previous: Mapping[str, SourceEntry], raw: RawStore,
                     cache: ParseCache, known_ids: frozenset[str], progress: Reporter) -> EnforcementRecords:
    """Every row of every fine table through its mapping; a table that cannot be read is quarantined whole."""
    read = read_sources(config.fine_tables, fetched, previous, raw, cache, known_ids, progress, "fines")
    records, citations, rows = [], [], []
    for table, result, doc in read.results:
        mapping = table.load_mapping()
        lang = mapping.fields.articles.lang if mapping.fields.articles else "en"
        for row in result.records:
            record = from_fine_row(row, doc.sha256, PARSER_VERSION)
            records.append(record)
            citations += _row_citations(record.id, row, known_ids, lang)
        rows += result.quarantined
    return EnforcementRecords(records=records, citations=citations, quarantined=read.quarantined,
                              quarantined_rows=rows, used=read.used, provisions_known=len(known_ids),
                              parsed=cache.parsed, cached=cache.reused)


def read_decisions(config: SourceConfig, fetched: Fetched, previous: Mapping[str, SourceEntry], raw: RawStore,
                   cache: ParseCache, known_ids: frozenset[str], progress: Reporter) -> EnforcementRecords:
    """Every decision document read; one that cannot be read (no text layer, encrypted …) is quarantined."""
    read = read_sources(config.decisions, fetched, previous, raw, cache, known_ids, progress, "decisions")
    records = [from_decision(document, doc.name, source.record_source, doc.sha256, PARSER_VERSION, known_ids)
               for source, document, doc in read.results]
    citations = [cite for _, document, doc in read.results for cite in _document_citations(doc.name, document, known_ids)]
    return EnforcementRecords(records=records, citations=citations, quarantined=read.quarantined,
                              quarantined_rows=[], used=read.used, provisions_known=len(known_ids),
                              parsed=cache.parsed, cached=cache.reused)


def _document_citations(record_id: str, doc: DecisionRecord, known_ids: frozenset[str]) -> list[RecordCites]:
    """Edges to the cited provisions the graph holds (none when no legal text is configured)."""
    return [RecordCites(record_id=record_id, provision_id=c.reference.target_id, matched_text=c.reference.text,
                        page=c.page, section=c.section, span_start=c.reference.start, span_end=c.reference.end)
            for c in doc.cited if c.reference.target_id in known_ids]


def _row_citations(record_id: str, row: FineRecord, known_ids: frozenset[str], lang: str) -> list[RecordCites]:
    """Each provision a row cites, with the article item that cites it as evidence."""
    cites: dict[str, RecordCites] = {}
    for item in row.articles_raw:
        for provision in cited_provisions([item], known_ids, lang):
            cites.setdefault(provision, RecordCites(record_id=record_id, provision_id=provision, matched_text=item))
    return list(cites.values())


def reconcile_records(config: SourceConfig, *sources: EnforcementRecords) -> Reconciled:
    """Decisions from every source's records; decision documents outrank tables, then config order."""
    rank = list(dict.fromkeys(d.record_source for d in config.decisions)) + [_source_name(t) for t in config.fine_tables]
    return reconcile([r for source in sources for r in source.records], rank)


def _source_name(table: FineTable) -> str:
    """Records of a table carry its mapping's source name (cms_enforcementtracker …)."""
    return table.load_mapping().source.name


def build_cases(reconciled: Reconciled, *sources: EnforcementRecords) -> Cases:
    """The decisions joined into cases, with the events their records state."""
    return cases.build_cases(reconciled.decisions, {r.id: r for source in sources for r in source.records})


def enforcement_tables(reconciled: Reconciled, built: Cases, sources: Iterable[EnforcementRecords]
                       ) -> dict[str, list[Record]]:
    """The enforcement nodes and edges, by table name."""
    sources = list(sources)
    records = {r.id: r for source in sources for r in source.records}
    authorities = list(gazetteer().authorities.values())
    organisations: dict[str, OrganisationNode] = {}
    imposed_on = []
    for decision in reconciled.decisions:
        for key, name in _organisations(records[rid] for rid in decision.sources):
            node = organisations.setdefault(key, OrganisationNode(id=f"organisation/{key.replace(' ', '-')}",
                                                                  key=key, name=name))
            imposed_on.append(ImposedOn(decision_id=decision.id, organisation_id=node.id))
    countries = {a.country for a in authorities} | {d.country for d in reconciled.decisions if d.country}
    return {
        "Country": [Country(code=code) for code in sorted(countries)],
        "Authority": [AuthorityNode(id=a.id, country=a.country, name_en=a.name_en,
                                    names=sorted({*a.names.values(), *a.abbreviations, *a.former_names}))
                      for a in authorities],
        "Organisation": list(organisations.values()),
        "Decision": reconciled.decisions,
        "Fine": reconciled.fines,
        "SourceRecord": list(records.values()),
        "AUTHORITY_OF": [AuthorityOf(authority_id=a.id, country=a.country) for a in authorities],
        "ISSUED_BY": [IssuedBy(decision_id=d.id, authority_id=d.authority_id)
                      for d in reconciled.decisions if d.authority_id],
        "IN_COUNTRY": [InCountry(decision_id=d.id, country=d.country) for d in reconciled.decisions if d.country],
        "IMPOSES": [Imposes(decision_id=f.decision_id, fine_id=f.id) for f in reconciled.fines],
        "IMPOSED_ON": imposed_on,
        "REPORTED_BY": reconciled.reported_by,
        "RECORD_FROM": [RecordFrom(record_id=r.id, sha256=r.source_sha256) for r in records.values()],
        "RECORD_CITES": [c for source in sources for c in source.citations],
        "EnforcementCase": built.cases,
        "CaseEvent": built.events,
        "IN_CASE": [InCase(decision_id=d, case_id=c.id) for c in built.cases for d in c.decision_ids],
        "EVENT_OF": [EventOf(event_id=e.id, case_id=e.case_id) for e in built.events],
    }


def with_known_since(decisions: list[Decision], records: Iterable[SourceRecord],
                     documents: Iterable[SourceDocument]) -> list[Decision]:
    """Each decision with the day it is known to have been taken by (see ``Decision.known_since``); a
    document that says it is no decision is never one, so never known as one."""
    fetched = {doc.sha256: doc.fetched_at.date() for doc in documents}
    record_fetched = {r.id: fetched.get(r.source_sha256) for r in records}
    return [d if d.outcome == Outcome.NOT_A_DECISION else d.model_copy(update={
                "known_since": Precision(d.date_precision).last_day(d.decision_date)
                or min(filter(None, (record_fetched[r] for r in d.sources)), default=None)})
            for d in decisions]


def _organisations(members: Iterable[SourceRecord]) -> list[tuple[str, str]]:
    """(key, name) of each organisation the records address (not a complainant or a data subject), the
    best-ranked record's spelling first."""
    named: dict[str, str] = {}
    for record in members:
        for key, name in record.addressees:
            named.setdefault(key, name)
    return list(named.items())
