"""The refresh, stage by stage, as plain functions: the Dagster assets are thin wrappers over these.

fetch → parse → versions → references → tables → publish. A document that fails a stage is
quarantined with its reason and the refresh goes on with the rest; nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from kb_store import CheckResult, Manifest, Quarantined, SourceEntry, Store
from kb_store.crash import crash_point
from parsers import PARSER_VERSION
from parsers.errors import ParseError
from parsers.registry import Parsed
from parsers.versions import DatedAct, DatedCorrigendum, LawVersions, build_versions
from parsers.xref import extract_many
from pipelines.fetch import Fetcher, FetchError
from pipelines.parse_cache import ParseCache
from pipelines.progress import Reporter
from pipelines.raw_store import RawDocument, RawStore
from pipelines.source_kinds import fingerprint, parse_ahead, parser_digest, read, snapshot_id, source_kind
from pipelines.sources import Document, FineTable, Source, SourceConfig
from pipelines.workers import run_parts
from schema.graph import Cites, Contains, HasVersion, StatedIn
from schema.ids import act_id, act_of, kind_of
from schema.enforcement import QuarantinedRow
from schema.law import CrossReference, ParsedAct, Provision, Record, SourceDocument

_CELEX = re.compile(r"^[03](\d{4})([RLD])(\d{4})")
_CELEX_TYPES = {"R": "reg", "L": "dir", "D": "dec"}  # CELEX sector-3 type letter -> act id type


class SourceUse(Record):
    """A source as a refresh used it: the copy read, how many records it gave, and why an earlier copy
    stands in for the one just fetched (``kept``), if it does."""

    name: str
    document: RawDocument
    records: int
    kept: str | None = None


class Fetched(Record):
    documents: list[RawDocument]
    changed: list[str]
    quarantined: list[Quarantined]
    kept: dict[str, str] = {}  # source name → why its copy is an earlier one


class ParsedSources(Record):
    acts: list[DatedAct]
    corrigenda: list[DatedCorrigendum]
    quarantined: list[Quarantined]
    used: list[SourceUse]
    parsed: int
    cached: int


# -- fetch -----------------------------------------------------------------------------------
def fetch_sources(config: SourceConfig, raw: RawStore, fetcher: Fetcher, previous: Mapping[str, SourceEntry],
                  progress: Reporter, refetch: bool = False) -> Fetched:
    """Fetch every configured document. A failed fetch falls back to the copy the current snapshot holds
    (else the last copy fetched). Validators are sent only for bytes a snapshot holds: bytes fetched but
    never published (they did not parse, or a check stopped them) are fetched again whole, so a bad body
    is never answered 304 for ever."""
    documents, changed, quarantined, kept = [], [], [], {}
    with progress.stage("fetch", len(config.sources)) as advance:
        for source in config.sources:
            held, latest = previous.get(source.name), raw.latest(source.name)
            conditional = not refetch and held is not None and latest is not None and latest.sha256 == held.sha256
            try:
                result = fetcher.fetch(source, conditional=conditional)
            except FetchError as exc:
                copy = (raw.find(source.name, held.sha256) if held else None) or latest
                fallback = f"; kept the copy fetched {copy.fetched_at:%Y-%m-%d %H:%M}" if copy else ""
                quarantined.append(Quarantined(name=source.name, url=source.url, sha256=None, reason=f"{exc}{fallback}"))
                if copy:
                    documents.append(copy)
                    kept[source.name] = f"fetch failed: {exc}"
            else:
                documents.append(result.document)
                if result.changed:
                    changed.append(source.name)
            advance(source.name)
    return Fetched(documents=documents, changed=changed, quarantined=quarantined, kept=kept)


def unchanged_since(config: SourceConfig, fetched: Fetched, current: Manifest | None) -> bool:
    """Every source fetched, each with the bytes the current snapshot holds (or the very bytes it
    quarantined), under the same config: the refresh would make the current snapshot again."""
    if current is None or fetched.quarantined:
        return False
    docs = {doc.name: doc.sha256 for doc in fetched.documents}
    held = {entry.name for entry in current.sources}
    known_bad = {(q.name, q.sha256) for q in current.quarantined}
    if held - docs.keys() or any(s.name not in held and (s.name, docs[s.name]) not in known_bad for s in config.sources):
        return False
    return snapshot_id((s.name, fingerprint(s, docs[s.name])) for s in config.sources if s.name in held) == current.id


# -- read ------------------------------------------------------------------------------------
class Read(NamedTuple):
    """What one stage read: (entry, record, the copy it came from) per source, and the rest."""

    results: list[tuple[Any, Any, RawDocument]]
    used: list[SourceUse]
    quarantined: list[Quarantined]


def read_sources(entries: Sequence[Source], fetched: Fetched, previous: Mapping[str, SourceEntry], raw: RawStore,
                 cache: ParseCache, known_ids: frozenset[str], progress: Reporter, stage: str,
                 accept: Callable[[Any, Any, RawDocument], Any] = lambda entry, record, doc: record) -> Read:
    """Each entry's record read from its fetched copy (``accept`` may refuse it with a ParseError). A copy
    that cannot be read is quarantined with the reason, and the copy the current snapshot holds stands in
    for it: a source never loses its data to one bad fetch."""
    def attempt(entry: Source, copy: RawDocument, kept: str | None) -> tuple[SourceUse, Any]:
        parsed = read(entry, copy.sha256, raw, cache, known_ids)
        use = SourceUse(name=entry.name, document=copy, records=source_kind(entry).size(parsed), kept=kept)
        return use, accept(entry, parsed, copy)

    docs = {doc.name: doc for doc in fetched.documents}
    present = [entry for entry in entries if entry.name in docs]
    parse_ahead([(entry, docs[entry.name].sha256) for entry in present], raw, cache, known_ids, progress, stage)
    results, used, quarantined = [], [], []
    with progress.stage(stage, len(present)) as advance:
        for entry in present:
            doc = docs[entry.name]
            try:
                use, record = attempt(entry, doc, fetched.kept.get(entry.name))
            except ParseError as exc:
                use, record = _stand_in(entry, doc, previous.get(entry.name), raw, attempt, exc)
                kept = f"; kept the copy fetched {use.document.fetched_at:%Y-%m-%d %H:%M}" if use else ""
                quarantined.append(Quarantined(name=entry.name, url=entry.url, sha256=doc.sha256, reason=f"{exc}{kept}"))
            if use is not None:
                results.append((entry, record, use.document))
                used.append(use)
            advance(entry.name)
    return Read(results, used, quarantined)


def _stand_in(entry: Source, doc: RawDocument, held: SourceEntry | None, raw: RawStore,
              attempt: Callable[[Source, RawDocument, str], tuple[SourceUse, Any]],
              error: ParseError) -> tuple[SourceUse | None, Any]:
    """The copy the current snapshot holds, read in place of ``doc``; (None, None) when there is none."""
    earlier = raw.find(entry.name, held.sha256) if held and held.sha256 != doc.sha256 else None
    if earlier is None:
        return None, None
    try:
        return attempt(entry, earlier, f"unreadable: {error}")
    except ParseError:  # the earlier copy no longer reads either (a parser change): nothing to keep
        return None, None


# -- parse -----------------------------------------------------------------------------------
def parse_sources(config: SourceConfig, fetched: Fetched, previous: Mapping[str, SourceEntry], raw: RawStore,
                  cache: ParseCache, progress: Reporter) -> ParsedSources:
    """Parse every fetched legal text, reusing the cached parse of bytes already seen by this parser version."""
    read_ = read_sources(config.documents, fetched, previous, raw, cache, frozenset(), progress, "parse", _dated)
    dated = [record for _, record, _ in read_.results]
    return ParsedSources(acts=[d for d in dated if isinstance(d, DatedAct)],
                         corrigenda=[d for d in dated if isinstance(d, DatedCorrigendum)],
                         quarantined=list(fetched.quarantined) + read_.quarantined, used=read_.used,
                         parsed=cache.parsed, cached=cache.reused)


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


def _dated(source: Document, result: Parsed, doc: RawDocument) -> DatedAct | DatedCorrigendum:
    """The parse dated, once it is known to be the act and language the config declares."""
    _check_matches_config(result, source)
    crash_point("parse")
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
    """Cross-references read from every version's text, each tagged with the version it was read in.
    The languages are read side by side (``pipelines.workers``); the result is in the versions' order."""
    known = frozenset(p.id for p in law.provisions)
    texts: dict[str, list[tuple[str, str]]] = {}
    for version in law.versions:
        texts.setdefault(version.lang, []).append((version.provision_id, version.text))
    keys = {lang: _references_key(lang, of_lang, known) for lang, of_lang in texts.items()}
    parts = {lang: (lang, of_lang, known) for lang, of_lang in texts.items() if keys[lang] not in _READ_REFERENCES}
    with progress.stage("references", len(parts)) as advance:
        for lang, references in run_parts(extract_many, parts):
            _READ_REFERENCES[keys[lang]] = references
            advance(lang)
    # a language's references, a list per version
    in_order: dict[str, Iterator[list[CrossReference]]] = {lang: iter(_READ_REFERENCES[key]) for lang, key in keys.items()}
    while len(_READ_REFERENCES) > _REMEMBERED_LANGUAGES:
        _READ_REFERENCES.pop(next(iter(_READ_REFERENCES)))
    return [ref.model_copy(update={"version_id": version.id})
            for version in law.versions for ref in next(in_order[version.lang])]


# The references read in this process, by what determines them: a process that builds several graphs of
# one law (a snapshot's views, a test's refreshes) reads each language once. Memory only, never on disk.
_READ_REFERENCES: dict[str, list[list[CrossReference]]] = {}
_REMEMBERED_LANGUAGES = 48


def _references_key(lang: str, texts: list[tuple[str, str]], known: frozenset[str]) -> str:
    digest = hashlib.sha256(f"{parser_digest()}|{lang}".encode())
    for provision_id, text in texts:
        digest.update(f"\x00{provision_id}\x01{text}".encode())
    digest.update("\x02".join(sorted(known)).encode())
    return digest.hexdigest()


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


def source_documents(config: SourceConfig, used: Iterable[SourceUse],
                     tables: dict[str, list[Record]]) -> list[SourceDocument]:
    """The documents some loaded node comes from (a quarantined document has none)."""
    held = {sha for name in ("Provision", "Version") for row in tables.get(name, ()) for sha in row.source_sha256}
    held |= {row.source_sha256 for row in tables.get("SourceRecord", ())}
    # Two sources serving the same bytes are one document: the first by name stands for both.
    unique = {use.document.sha256: use for use in sorted(used, key=lambda u: u.name, reverse=True)}
    return [_source_document(config[use.name], use.document) for sha, use in sorted(unique.items()) if sha in held]


def source_entries(config: SourceConfig, used: Iterable[SourceUse]) -> list[SourceEntry]:
    """What the snapshot holds of each source, in config order (the order reconciliation ranks them in)."""
    by_name = {use.name: use for use in used}
    return [_entry(source, by_name[source.name]) for source in config.sources if source.name in by_name]


def _entry(source: Source, use: SourceUse) -> SourceEntry:
    mapping = source.mapping_json() if isinstance(source, FineTable) else None
    # A kept copy came from where it was fetched then, which the graph records, not from today's url.
    as_held = source.model_copy(update={"url": use.document.url})
    return SourceEntry(name=source.name, kind=source.format, sha256=use.document.sha256, url=use.document.url,
                       licence=source.licence, fetched_at=use.document.fetched_at,
                       fingerprint=fingerprint(as_held, use.document.sha256), records=use.records, kept=use.kept,
                       access=source.access, field_access=getattr(source, "field_access", {}),
                       mapping_sha256=hashlib.sha256(mapping.encode()).hexdigest() if mapping else None)


class Rebuild(Record):
    """An older snapshot built again without an erased source (``lexgraph forget``): the new one keeps its
    creation time and parent, and is built beside it without becoming current."""

    of: str
    created: dt.datetime
    parent: str | None


class PublishRefused(RuntimeError):
    """A check that guards publication failed: nothing was published, the current snapshot stays."""

    def __init__(self, failed: list[CheckResult]) -> None:
        super().__init__("; ".join(f"{c.name}: {c.summary}" for c in failed))
        self.failed = failed


class Part(NamedTuple):
    """What a snapshot's graph, or one of its views, is built of (``pipelines.views``)."""

    entries: list[SourceEntry]
    tables: dict[str, list[Record]]
    checks: list[CheckResult]
    quarantined: list[Quarantined]
    quarantined_rows: list[QuarantinedRow]


def publish(store: Store, config_sha256: str, whole: Part, rebuild: Rebuild | None = None,
            views: Mapping[str, Part] | None = None) -> tuple[Manifest, bool]:
    """Make the snapshot of ``whole.entries`` current unless it already is; returns (manifest, published).
    ``views``: the graphs of what readers of fewer labels see, by view key, built beside it.
    ``rebuild``: build it in place of an older snapshot instead, leaving CURRENT where it is.

    Nothing is published when a check at error severity failed (in the graph or in any view), or when no
    source could be read at all. A snapshot of the same sources built before is made current again."""
    views = views or {}
    if not whole.entries:
        reasons = "; ".join(f"{q.name}: {q.reason}" for q in whole.quarantined) or "the source config lists none"
        raise RuntimeError(f"no source could be fetched or read, nothing published ({reasons})")
    if failed := [check for part in (whole, *views.values()) for check in part.checks if check.blocks]:
        raise PublishRefused(failed)
    snapshot = snapshot_id((entry.name, entry.fingerprint) for entry in whole.entries)
    with store.writer(wait=True):
        current = store.current()
        if rebuild is None and current is not None and current.id == snapshot:
            return current, False
        created, parent = (rebuild.created, rebuild.parent) if rebuild else \
            (dt.datetime.now(dt.UTC), current.id if current else None)

        def manifest(part: Part) -> Manifest:
            return Manifest(id=snapshot, created=created, parent=parent, config_sha256=config_sha256,
                            sources=part.entries, counts={}, checks=part.checks, quarantined=part.quarantined,
                            quarantined_rows=part.quarantined_rows)

        built = {key: (manifest(part), part.tables) for key, part in views.items()}
        if rebuild is not None:
            return store.build(manifest(whole), whole.tables, built), True
        return store.publish(manifest(whole), whole.tables, built), True


def _source_document(source: Source, doc: RawDocument) -> SourceDocument:
    """The bytes as fetched, under the terms the config states now (a licence corrected in the config
    applies to bytes fetched before the correction)."""
    return SourceDocument(sha256=doc.sha256, name=doc.name, url=doc.url, format=doc.format, lang=doc.lang,
                          fetched_at=doc.fetched_at.replace(tzinfo=None), licence=source.licence,
                          attribution=source.attribution)


def _cites(ref: CrossReference, version) -> Cites:
    return Cites(source_id=ref.source_id, target_id=ref.target_id, lang=ref.lang, version_id=version.id,
                 valid_from=version.valid_from, valid_to=version.valid_to, span_start=ref.start,
                 span_end=ref.end, matched_text=ref.text, external=ref.external,
                 source_sha256=version.source_sha256, parser_version=PARSER_VERSION)
