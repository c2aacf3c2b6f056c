"""Point-in-time reads of a published graph: a provision as of a date, in a language."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from kb_store._mentions import provision_given
from kb_store.engine import Engine
from kb_store.enforcement import DecisionPage, EnforcementFilter, find_decisions
from kb_store.manifest import Manifest
from kb_store.store import Store

_IN_FORCE = "{x}.lang = $lang AND {x}.valid_from <= $as_of AND ({x}.valid_to IS NULL OR {x}.valid_to > $as_of)"


class NotFound(LookupError):
    """No such provision, or no wording of it in that language on that date."""


class Citation(BaseModel):
    id: str
    matched_text: str
    span_start: int
    span_end: int
    external: bool


class SourceRef(BaseModel):
    name: str
    url: str
    sha256: str
    licence: str


class ProvisionView(BaseModel):
    id: str
    kind: str
    number: str | None
    lang: str
    as_of: dt.date
    heading: str | None
    text: str
    valid_from: dt.date
    valid_to: dt.date | None
    version_id: str
    sources: list[SourceRef]
    children: list[ProvisionView]
    cites: list[Citation]
    cited_by: list[Citation]


class Reader:
    """Reads one published snapshot of a store, read-only: the current one, a named one, or the one that
    was current at a given time. ``snapshot`` names it; every read answers from it alone."""

    def __init__(self, engine: Engine, manifest: Manifest) -> None:
        self._engine = engine
        self.manifest = manifest

    @property
    def snapshot(self) -> str:
        return self.manifest.id

    @classmethod
    def open(cls, store_root: Path, snapshot: str | None = None, at: dt.datetime | None = None) -> Reader:
        """``snapshot`` an id, or ``at`` a time (timezone-aware; naive means UTC); neither: the current one."""
        if snapshot and at:
            raise ValueError("give a snapshot id or a time, not both")
        store = Store(store_root)
        if at is not None:
            snapshot = store.current_at(at if at.tzinfo else at.replace(tzinfo=dt.UTC))
        manifest, engine = store.open(snapshot)
        return cls(engine, manifest)

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def show(self, provision: str, as_of: dt.date, lang: str) -> ProvisionView:
        """The wording valid on ``as_of`` in ``lang`` of the provision named by an id or a citation as
        written ("art_17/par_1", "Article 17", "Artikel 6 DSGVO": see ``provision_given``), with its
        children, what it cites and what cites it (both as read in the wordings valid on that date)."""
        return self._view(provision_given(provision, self._provision_ids), as_of, lang)

    def decisions(self, query: EnforcementFilter, limit: int | None = None, offset: int = 0) -> DecisionPage:
        """Up to ``limit`` (default: all) of the decisions and fines matching ``query`` from ``offset`` on,
        with how many match in all (see ``kb_store.enforcement``)."""
        return find_decisions(self._engine, query, self._provision_ids, limit, offset)

    @cached_property
    def _provision_ids(self) -> frozenset[str]:
        return frozenset(row["id"] for row in self._engine.execute("MATCH (p:Provision) RETURN p.id AS id"))

    def _view(self, provision_id: str, as_of: dt.date, lang: str) -> ProvisionView:
        args = {"id": provision_id, "lang": lang, "as_of": as_of}
        rows = self._engine.execute(
            f"MATCH (p:Provision {{id: $id}})-[:HAS_VERSION]->(v:Version) WHERE {_IN_FORCE.format(x='v')} "
            "RETURN p.kind AS kind, p.number AS number, v.id AS version_id, v.heading AS heading, "
            "v.text AS text, v.valid_from AS valid_from, v.valid_to AS valid_to", args)
        if not rows:
            raise NotFound(self._why_not_found(provision_id, as_of, lang))
        (row,) = rows
        return ProvisionView(
            id=provision_id, lang=lang, as_of=as_of, **row,
            sources=self._sources(row["version_id"]),
            children=[self._view(child, as_of, lang) for child in self._children(provision_id, as_of, lang)],
            cites=self._citations(provision_id, args, outgoing=True),
            cited_by=self._citations(provision_id, args, outgoing=False))

    def _children(self, provision_id: str, as_of: dt.date, lang: str) -> list[str]:
        rows = self._engine.execute(
            "MATCH (p:Provision {id: $id})-[c:CONTAINS]->(child:Provision)-[:HAS_VERSION]->(v:Version) "
            f"WHERE {_IN_FORCE.format(x='v')} RETURN child.id AS id ORDER BY c.ordinal, child.id",
            {"id": provision_id, "as_of": as_of, "lang": lang})
        return [row["id"] for row in rows]

    def _citations(self, provision_id: str, args: dict, outgoing: bool) -> list[Citation]:
        pattern = "(p:Provision {id: $id})-[c:CITES]->(other:Provision)" if outgoing else \
                  "(other:Provision)-[c:CITES]->(p:Provision {id: $id})"
        rows = self._engine.execute(
            f"MATCH {pattern} WHERE {_IN_FORCE.format(x='c')} "
            "RETURN other.id AS id, c.matched_text AS matched_text, c.span_start AS span_start, "
            "c.span_end AS span_end, c.external AS external ORDER BY id, span_start", args)
        return [Citation(**row) for row in rows]

    def _sources(self, version_id: str) -> list[SourceRef]:
        rows = self._engine.execute(
            "MATCH (:Version {id: $id})-[:STATED_IN]->(d:SourceDocument) RETURN d.name AS name, d.url AS url, "
            "d.sha256 AS sha256, d.licence AS licence ORDER BY name", {"id": version_id})
        return [SourceRef(**row) for row in rows]

    def _why_not_found(self, provision_id: str, as_of: dt.date, lang: str) -> str:
        rows = self._engine.execute(
            "MATCH (p:Provision {id: $id}) OPTIONAL MATCH (p)-[:HAS_VERSION]->(v:Version) "
            "RETURN v.lang AS lang, v.valid_from AS valid_from ORDER BY valid_from", {"id": provision_id})
        dates = [r["valid_from"].isoformat() for r in rows if r["lang"] == lang]
        if not dates:
            langs = sorted({r["lang"] for r in rows if r["lang"]})
            return f"{provision_id} has no wording in {lang!r} (languages: {', '.join(langs) or 'none'})"
        return f"{provision_id} has no {lang} wording valid on {as_of.isoformat()} (wordings from: {', '.join(dates)})"


def render_markdown(view: ProvisionView) -> str:
    """A provision as Markdown: title, wording, children nested, then citations and sources."""
    until = view.valid_to.isoformat() if view.valid_to else "…"
    title = view.id + (f" — {view.heading}" if view.heading else "")
    lines = [f"# {title}", "", f"_{view.lang}, as of {view.as_of.isoformat()}: wording valid "
             f"{view.valid_from.isoformat()} – {until}_", ""]
    if view.text:
        lines += [view.text, ""]
    lines += _child_lines(view.children, depth=0)
    for section, citations in (("Cites", view.cites), ("Cited by", view.cited_by)):
        lines += ["", f"## {section}", *(f"- {c.id} — “{c.matched_text}”" for c in citations)]
        if not citations:
            lines.append("- (none)")
    lines += ["", "## Sources", *(f"- {s.name}: {s.url} (sha256 {s.sha256[:12]}…, {s.licence})" for s in view.sources)]
    return "\n".join(lines) + "\n"


def _child_lines(children: list[ProvisionView], depth: int) -> list[str]:
    lines = []
    for child in children:
        label = child.id.rsplit("/", 1)[-1] + (f" — {child.heading}" if child.heading else "")
        lines.append(f"{'  ' * depth}- **{label}** {child.text}".rstrip())
        lines += _child_lines(child.children, depth + 1)
    return lines
