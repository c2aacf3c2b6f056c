"""The refresh, stage by stage, as plain functions: the Dagster assets are thin wrappers over these.

fetch → parse → versions → references → tables → publish. A document that fails a stage is
quarantined with its reason and the refresh goes on with the rest; nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import TypeAdapter

from kb_store.store import CheckResult, Manifest, Quarantined, SourceEntry, Store, snapshot_id
from parsers import PARSER_VERSION
from parsers.errors import ParseError
from parsers.registry import Parsed, parse
from parsers.versions import DatedAct, DatedCorrigendum, LawVersions, build_versions
from parsers.xref import extract_references
from pipelines.fetch import Fetcher, FetchError
from pipelines.parse_cache import ParseCache, cache_key
from pipelines.progress import Reporter
from pipelines.raw_store import RawDocument, RawStore
from pipelines.sources import Document, SourceConfig
from schema.graph import Cites, Contains, HasVersion, StatedIn
from schema.ids import act_id, act_of, kind_of
from schema.enforcement import QuarantinedRow
from schema.law import CrossReference, ParsedAct, Provision, Record, SourceDocument

_PARSED = TypeAdapter(Parsed)
_CELEX = re.compile(r"^[03](\d{4})([RLD])(\d{4})")
_CELEX_TYPES = {"R": "Regulation", "L": "Directive", "D": "Decision"}


class Fetched(Record):
    documents: list[RawDocument]
    changed: list[str]
    quarantined: list[Quarantined]


class ParsedSources(Record):
    acts: list[DatedAct]
    corrigenda: list[DatedCorrigendum]
    quarantined: list[Quarantined]
    parsed: int
    cached: int


# -- fetch -----------------------------------------------------------------------------------
def fetch_sources(config: SourceConfig, raw: RawStore, fetcher: Fetcher, progress: Reporter) -> Fetched:
    """Fetch every configured document; a failed fetch falls back to the last copy in the raw store."""
    documents, changed, quarantined = [], [], []
    with progress.stage("fetch", len(config.sources)) as advance:
        for source in config.sources:
            try:
                result = fetcher.fetch(source)
            except FetchError as exc:
                previous = raw.latest(source.name)
                fallback = f"; kept the copy fetched {previous.fetched_at:%Y-%m-%d %H:%M}" if previous else ""
                quarantined.append(Quarantined(name=source.name, url=source.url, sha256=None, reason=f"{exc}{fallback}"))
                if previous:
                    documents.append(previous)
            else:
                documents.append(result.document)
                if result.changed:
                    changed.append(source.name)
            advance(source.name)
    return Fetched(documents=documents, changed=changed, quarantined=quarantined)


# -- parse -----------------------------------------------------------------------------------
def parse_sources(config: SourceConfig, fetched: Fetched, raw: RawStore, cache: ParseCache,
                  progress: Reporter) -> ParsedSources:
    """Parse every fetched legal text, reusing the cached parse of bytes already seen by this parser version."""
    acts, corrigenda, quarantined = [], [], list(fetched.quarantined)
    laws = {d.name: d for d in config.documents}
    docs = [doc for doc in fetched.documents if doc.name in laws]
    with progress.stage("parse", len(docs)) as advance:
        for doc in docs:
            source = laws[doc.name]
            try:
                result = cache.get(cache_key(doc.sha256, source.format), _PARSED,
                                   lambda: parse(source.format, raw.get(doc.sha256)))
                _check_matches_config(result, source)
                dated = _dated(result, doc, source)
            except ParseError as exc:
                quarantined.append(Quarantined(name=doc.name, url=doc.url, sha256=doc.sha256, reason=str(exc)))
            else:
                (acts if isinstance(dated, DatedAct) else corrigenda).append(dated)
            advance(doc.name)
    return ParsedSources(acts=acts, corrigenda=corrigenda, quarantined=quarantined, parsed=cache.parsed,
                         cached=cache.reused)


def celex_act_id(celex: str) -> str:
    """``32016R0679`` (or the consolidated ``02016R0679-…``) → ``eu/reg/2016/679``."""
    match = _CELEX.match(celex)
    if not match:
        raise ValueError(f"not a CELEX number of a regulation, directive or decision: {celex!r}")
    year, kind, number = match.groups()
    return act_id(_CELEX_TYPES[kind], year, number)


def _check_matches_config(result: Parsed, source: Document) -> None:
    expected = celex_act_id(source.celex)
    if result.act_id != expected:
        raise ParseError(f"the document is {result.act_id}, but the source config declares CELEX {source.celex} "
                         f"({expected}): check the URL or the celex of {source.name!r}")
    if result.lang != source.lang:
        raise ParseError(f"the document is in {result.lang!r}, but the source config declares {source.lang!r} "
                         f"for {source.name!r}")


def _dated(result: Parsed, doc: RawDocument, source: Document) -> DatedAct | DatedCorrigendum:
    valid_from = source.valid_from or result.document_date
    if valid_from is None:
        raise ParseError(f"{source.name!r} states no date: set valid_from for it in the source config")
    if isinstance(result, ParsedAct):
        return DatedAct(name=doc.name, act=result, sha256=doc.sha256, valid_from=valid_from)
    return DatedCorrigendum(name=doc.name, corrigendum=result, sha256=doc.sha256, valid_from=valid_from)


# -- versions and references ----------------------------------------------------------------------
def build_law(parsed: ParsedSources) -> LawVersions:
    return build_versions(parsed.acts, parsed.corrigenda)


def extract_cross_references(law: LawVersions, progress: Reporter) -> list[CrossReference]:
    """Cross-references read from every version's text, each tagged with the version it was read in."""
    known = frozenset(p.id for p in law.provisions)
    references = []
    with progress.stage("references", len(law.versions)) as advance:
        for version in law.versions:
            for ref in extract_references(version.provision_id, version.text, version.lang, known):
                references.append(ref.model_copy(update={"version_id": version.id}))
            advance(version.provision_id.rsplit("/", 1)[-1])
    return references


# -- graph -----------------------------------------------------------------------------------
def law_tables(law: LawVersions, references: list[CrossReference]) -> dict[str, list[Record]]:
    """The law's nodes and edges, by table name."""
    versions = {v.id: v for v in law.versions}
    resolved = [r for r in references if r.target_id]
    provisions = {p.id: p for p in law.provisions}
    for ref in resolved:  # provisions of other acts are cited but not loaded: a bare node to point at
        if ref.target_id not in provisions:
            provisions[ref.target_id] = Provision(id=ref.target_id, act_id=act_of(ref.target_id),
                                                  kind=kind_of(ref.target_id), ordinal=len(provisions),
                                                  source_sha256=[], parser_version=PARSER_VERSION)
    return {
        "Provision": list(provisions.values()),
        "Version": law.versions,
        "CONTAINS": [Contains(parent_id=p.parent_id, child_id=p.id, ordinal=p.ordinal)
                     for p in law.provisions if p.parent_id],
        "HAS_VERSION": [HasVersion(provision_id=v.provision_id, version_id=v.id) for v in law.versions],
        "STATED_IN": [StatedIn(version_id=v.id, sha256=sha) for v in law.versions for sha in v.source_sha256],
        "CITES": [_cites(ref, versions[ref.version_id]) for ref in resolved],
    }


def source_documents(fetched: Fetched, tables: dict[str, list[Record]]) -> list[SourceDocument]:
    """The fetched documents some loaded node comes from (a quarantined document has none)."""
    used = {sha for name in ("Provision", "Version") for row in tables.get(name, ()) for sha in row.source_sha256}
    used |= {row.source_sha256 for row in tables.get("SourceRecord", ())}
    # Two sources serving the same bytes are one document: the first by name stands for both.
    unique = {doc.sha256: doc for doc in sorted(fetched.documents, key=lambda d: d.name, reverse=True)}
    return [_source_document(doc) for sha, doc in sorted(unique.items()) if sha in used]


def publish(store: Store, fetched: Fetched, tables: dict[str, list[Record]], checks: list[CheckResult],
            quarantined: list[Quarantined], quarantined_rows: list[QuarantinedRow]) -> tuple[Manifest, bool]:
    """Publish a new snapshot unless the current one was built from the same bytes; returns (manifest, published).
    With no source fetched at all there is nothing to publish: the current snapshot stays, and the error says why."""
    if not fetched.documents:
        reasons = "; ".join(f"{q.name}: {q.reason}" for q in quarantined) or "the source config lists none"
        raise RuntimeError(f"no source could be fetched, nothing published ({reasons})")
    sources = [SourceEntry(name=d.name, sha256=d.sha256, url=d.url) for d in fetched.documents]
    snapshot = snapshot_id(sources, PARSER_VERSION)
    current = store.current()
    if current is not None and current.id == snapshot:
        return current, False
    manifest = Manifest(id=snapshot, created=dt.datetime.now(dt.UTC), parent=current.id if current else None,
                        sources=sorted(sources, key=lambda s: s.name), counts={}, checks=checks,
                        quarantined=quarantined, quarantined_rows=quarantined_rows)
    return store.publish(manifest, tables), True


def _source_document(doc: RawDocument) -> SourceDocument:
    return SourceDocument(sha256=doc.sha256, name=doc.name, url=doc.url, format=doc.format, lang=doc.lang,
                          fetched_at=doc.fetched_at.replace(tzinfo=None), licence=doc.licence,
                          attribution=doc.attribution)


def _cites(ref: CrossReference, version) -> Cites:
    return Cites(source_id=ref.source_id, target_id=ref.target_id, lang=ref.lang, version_id=version.id,
                 valid_from=version.valid_from, valid_to=version.valid_to, span_start=ref.start,
                 span_end=ref.end, matched_text=ref.text, external=ref.external,
                 source_sha256=version.source_sha256, parser_version=PARSER_VERSION)
