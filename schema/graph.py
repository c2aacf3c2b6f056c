"""The graph's tables, each declared by the record it stores; the Kùzu DDL is generated from them.

A node table names its record and primary key; a relationship table names its record and the two
fields that hold the ids of its ends. Column types follow the records' type hints, so adding a field
to a record adds the column.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel

from schema.enforcement import (AuthorityNode, Case, CaseEvent, Country, Decision, Fine, OrganisationNode,
                                SourceRecord)
from schema.law import Provision, ProvisionVersion, Record, SourceDocument


class Contains(Record):
    parent_id: str
    child_id: str
    ordinal: int


class HasVersion(Record):
    provision_id: str
    version_id: str


class StatedIn(Record):
    version_id: str
    sha256: str


class Cites(Record):
    """A resolved cross-reference, as read from one version's text."""

    source_id: str
    target_id: str
    lang: str
    version_id: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    span_start: int
    span_end: int
    matched_text: str
    external: bool
    source_sha256: list[str]
    parser_version: str


class IssuedBy(Record):
    decision_id: str
    authority_id: str


class InCountry(Record):
    decision_id: str
    country: str


class AuthorityOf(Record):
    authority_id: str
    country: str


class Imposes(Record):
    decision_id: str
    fine_id: str


class ImposedOn(Record):
    decision_id: str
    organisation_id: str


class ReportedBy(Record):
    """A source record's account of a decision; ``rule`` is how reconciliation joined it ("" if alone)."""

    decision_id: str
    record_id: str
    rule: str


class InCase(Record):
    decision_id: str
    case_id: str


class EventOf(Record):
    event_id: str
    case_id: str


class RecordFrom(Record):
    record_id: str
    sha256: str


class RecordCites(Record):
    """A provision a source record cites, with the evidence: the text matched, and for a document the
    page (PDF) or section (HTML) and the span in its text."""

    record_id: str
    provision_id: str
    matched_text: str
    page: int | None = None
    section: str | None = None
    span_start: int | None = None
    span_end: int | None = None


@dataclass(frozen=True)
class FtsIndex:
    """A full-text index (Kùzu's built-in FTS: BM25 over the stemmed words of ``fields``)."""

    table: str
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class NodeTable:
    name: str
    record: type[BaseModel]
    key: str


@dataclass(frozen=True)
class RelTable:
    name: str
    record: type[BaseModel]
    source: tuple[str, str]  # (node table, field holding its key)
    target: tuple[str, str]

    @property
    def end_fields(self) -> tuple[str, str]:
        return self.source[1], self.target[1]


NODE_TABLES = (
    NodeTable("Provision", Provision, "id"),
    NodeTable("Version", ProvisionVersion, "id"),
    NodeTable("SourceDocument", SourceDocument, "sha256"),
    NodeTable("Country", Country, "code"),
    NodeTable("Authority", AuthorityNode, "id"),
    NodeTable("Organisation", OrganisationNode, "id"),
    NodeTable("Decision", Decision, "id"),
    NodeTable("Fine", Fine, "id"),
    NodeTable("SourceRecord", SourceRecord, "id"),
    NodeTable("EnforcementCase", Case, "id"),  # "Case" is a word of Cypher
    NodeTable("CaseEvent", CaseEvent, "id"),
)
REL_TABLES = (
    RelTable("CONTAINS", Contains, ("Provision", "parent_id"), ("Provision", "child_id")),
    RelTable("HAS_VERSION", HasVersion, ("Provision", "provision_id"), ("Version", "version_id")),
    RelTable("STATED_IN", StatedIn, ("Version", "version_id"), ("SourceDocument", "sha256")),
    RelTable("CITES", Cites, ("Provision", "source_id"), ("Provision", "target_id")),
    RelTable("ISSUED_BY", IssuedBy, ("Decision", "decision_id"), ("Authority", "authority_id")),
    RelTable("IN_COUNTRY", InCountry, ("Decision", "decision_id"), ("Country", "country")),
    RelTable("AUTHORITY_OF", AuthorityOf, ("Authority", "authority_id"), ("Country", "country")),
    RelTable("IMPOSES", Imposes, ("Decision", "decision_id"), ("Fine", "fine_id")),
    RelTable("IMPOSED_ON", ImposedOn, ("Decision", "decision_id"), ("Organisation", "organisation_id")),
    RelTable("REPORTED_BY", ReportedBy, ("Decision", "decision_id"), ("SourceRecord", "record_id")),
    RelTable("RECORD_FROM", RecordFrom, ("SourceRecord", "record_id"), ("SourceDocument", "sha256")),
    RelTable("RECORD_CITES", RecordCites, ("SourceRecord", "record_id"), ("Provision", "provision_id")),
    RelTable("IN_CASE", InCase, ("Decision", "decision_id"), ("EnforcementCase", "case_id")),
    RelTable("EVENT_OF", EventOf, ("CaseEvent", "event_id"), ("EnforcementCase", "case_id")),
)

# What a question's words find (kb_store.prompt): decisions whose summaries resemble it (precedent), and
# wordings of the law that use its words.
FTS_INDEXES = (FtsIndex("Decision", "decision_summary", ("summary",)),
               FtsIndex("Version", "version_text", ("heading", "text")))

# The layout a snapshot's database is built in (tables, indexes): part of the snapshot id, so that a
# store built before a layout change is rebuilt rather than read with a missing index.
GRAPH_FORMAT = "6"

_SCALARS: dict[type, str] = {str: "STRING", int: "INT64", bool: "BOOLEAN", float: "DOUBLE",
                             dt.date: "DATE", dt.datetime: "TIMESTAMP"}


def column_type(annotation: object) -> str:
    """The Kùzu type of a record field: ``str | None`` → STRING, ``list[str]`` → STRING[] …"""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return column_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return column_type(inner)
    if origin is list:
        return column_type(typing.get_args(annotation)[0]) + "[]"
    if origin is typing.Literal:
        return column_type(type(typing.get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "STRING"
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"no graph column type for {annotation!r}")


def columns(record: type[BaseModel], skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(name, column_type(field.annotation)) for name, field in record.model_fields.items()
            if name not in skip]


def index_statements() -> list[str]:
    """Statements creating every index; run after the tables are loaded."""
    return [f"CALL CREATE_FTS_INDEX('{i.table}', '{i.name}', {list(i.fields)!r})" for i in FTS_INDEXES]


def ddl() -> list[str]:
    """CREATE statements for every table, nodes first."""
    statements = []
    for table in NODE_TABLES:
        cols = ", ".join(f"{name} {kind}" for name, kind in columns(table.record))
        statements.append(f"CREATE NODE TABLE {table.name}({cols}, PRIMARY KEY({table.key}))")
    for rel in REL_TABLES:
        cols = "".join(f", {name} {kind}" for name, kind in columns(rel.record, skip=rel.end_fields))
        statements.append(f"CREATE REL TABLE {rel.name}(FROM {rel.source[0]} TO {rel.target[0]}{cols})")
    return statements
