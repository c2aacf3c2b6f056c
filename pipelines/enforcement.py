"""The enforcement side of the refresh, stage by stage: fine tables and decision documents become
source records, reconciled into decisions, and the graph tables that hold them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import TypeAdapter

from kb_store.store import Quarantined
from parsers import PARSER_VERSION
from parsers.errors import ParseError
from parsers.normalise.articles import cited_provisions
from parsers.normalise.authorities import gazetteer
from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.decision_pdf import parse_decision_pdf
from parsers.reconcile import Reconciled, from_decision, from_fine_row, reconcile
from parsers.tabular import Mapping, TabularResult, load_mapping, parse_tabular
from pipelines.parse_cache import ParseCache, cache_key
from pipelines.progress import Reporter
from pipelines.raw_store import RawStore
from pipelines.sources import FineTable, SourceConfig
from pipelines.stages import Fetched
from schema.enforcement import (AuthorityNode, Country, DecisionHints, DecisionRecord, FineRecord, OrganisationNode,
                                QuarantinedRow,
                                SourceRecord)
from schema.graph import (AuthorityOf, ImposedOn, Imposes, InCountry, IssuedBy, RecordCites, RecordFrom)
from schema.law import Record


class EnforcementRecords(Record):
    """Source records read from one kind of source, with what could not be read."""

    records: list[SourceRecord]
    citations: list[RecordCites]
    quarantined: list[Quarantined]
    quarantined_rows: list[QuarantinedRow]
    parsed: int = 0
    cached: int = 0


_TABULAR = TypeAdapter(TabularResult)


def read_fine_tables(config: SourceConfig, fetched: Fetched, raw: RawStore, cache: ParseCache,
                     known_ids: frozenset[str], progress: Reporter) -> EnforcementRecords:
    """Every row of every fine table through its mapping; a table that cannot be read is quarantined whole."""
    tables = {t.name: t for t in config.fine_tables}
    docs = [doc for doc in fetched.documents if doc.name in tables]
    known_digest = _digest(known_ids)
    records, citations, quarantined, rows = [], [], [], []
    with progress.stage("fines", len(docs)) as advance:
        for doc in docs:
            try:
                mapping = _mapping(tables[doc.name])
                key = cache_key(doc.sha256, mapping.model_dump_json(), known_digest)
                result = cache.get(key, _TABULAR, lambda: parse_tabular(raw.get(doc.sha256), mapping, known_ids))
            except (ParseError, ValueError, OSError) as exc:
                quarantined.append(Quarantined(name=doc.name, url=doc.url, sha256=doc.sha256, reason=str(exc)))
            else:
                lang = mapping.fields.articles.lang if mapping.fields.articles else "en"
                for row in result.records:
                    record = from_fine_row(row, doc.sha256, PARSER_VERSION)
                    records.append(record)
                    citations += _row_citations(record.id, row, known_ids, lang)
                rows += result.quarantined
            advance(doc.name)
    return EnforcementRecords(records=records, citations=citations, quarantined=quarantined, quarantined_rows=rows,
                              parsed=cache.parsed, cached=cache.reused)


_DECISION = TypeAdapter(DecisionRecord)
_DECISION_PARSERS = {"decision_pdf": parse_decision_pdf, "gdprhub_html": parse_gdprhub_page}


def read_decisions(config: SourceConfig, fetched: Fetched, raw: RawStore, cache: ParseCache,
                   known_ids: frozenset[str], progress: Reporter) -> EnforcementRecords:
    """Every decision document read; one that cannot be read (no text layer, encrypted …) is quarantined."""
    configured = {d.name: d for d in config.decisions}
    docs = [doc for doc in fetched.documents if doc.name in configured]
    known_digest = _digest(known_ids)
    records, citations, quarantined = [], [], []
    with progress.stage("decisions", len(docs)) as advance:
        for doc in docs:
            source = configured[doc.name]
            hints = DecisionHints(source=doc.name, authority=source.authority, lang=source.lang,
                                  licence=source.licence, attribution=source.attribution)
            try:
                read = cache.get(cache_key(doc.sha256, source.format, hints.model_dump_json(), known_digest),
                                 _DECISION, lambda: _DECISION_PARSERS[source.format](
                                     raw.get(doc.sha256), hints, known_ids=known_ids))
            except ParseError as exc:
                quarantined.append(Quarantined(name=doc.name, url=doc.url, sha256=doc.sha256, reason=str(exc)))
            else:
                records.append(from_decision(read, doc.name, source.record_source, doc.sha256, PARSER_VERSION,
                                             known_ids))
                citations += _document_citations(doc.name, read, known_ids)
            advance(doc.name)
    return EnforcementRecords(records=records, citations=citations, quarantined=quarantined, quarantined_rows=[],
                              parsed=cache.parsed, cached=cache.reused)


def _document_citations(record_id: str, doc: DecisionRecord, known_ids: frozenset[str]) -> list[RecordCites]:
    """Edges to the cited provisions the graph holds (none when no legal text is configured)."""
    return [RecordCites(record_id=record_id, provision_id=c.reference.target_id, matched_text=c.reference.text,
                        page=c.page, section=c.section, span_start=c.reference.start, span_end=c.reference.end)
            for c in doc.cited if c.reference.target_id in known_ids]


def _digest(ids: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _mapping(table: FineTable) -> Mapping:
    if table.mapping.endswith(".toml"):
        return Mapping.from_toml(Path(table.mapping).read_text(encoding="utf-8"))
    return load_mapping(table.mapping)


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
    try:
        return _mapping(table).source.name
    except (ValueError, OSError):
        return table.name


def enforcement_tables(reconciled: Reconciled, sources: Iterable[EnforcementRecords]) -> dict[str, list[Record]]:
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
    }


def _organisations(members: Iterable[SourceRecord]) -> list[tuple[str, str]]:
    """(key, name) of each organisation the records name, the best-ranked record's spelling first."""
    named: dict[str, str] = {}
    for record in members:
        for key, name in zip(record.organisation_keys, record.organisations):
            named.setdefault(key, name)
    return list(named.items())
