"""Point-in-time reads of a published graph: a provision as of a date, in a language."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from kb_store._mentions import provision_given
from kb_store.access import Role, clearance_of
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
    def open(cls, store_root: Path, snapshot: str | None = None, at: dt.datetime | None = None,
             role: Role | None = None) -> Reader:
        """``snapshot`` an id, or ``at`` a time (timezone-aware; naive means UTC); neither: the current one.
        ``role``: read what it may see alone (``kb_store.access``); None: everything."""
        if snapshot and at:
            raise ValueError("give a snapshot id or a time, not both")
        store = Store(store_root)
        if at is not None:
            snapshot = store.current_at(at if at.tzinfo else at.replace(tzinfo=dt.UTC))
        manifest, engine = store.open(snapshot, clearance_of(role))
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
        """The provision and everything below it in force, read level by level in a few queries (not a few
        per provision: an article with its paragraphs and points is a handful of queries, not seventy)."""
        args = {"lang": lang, "as_of": as_of}
        children = self._tree(provision_id, args)
        ids = [provision_id, *(child for level in children.values() for child in level)]
        versions = self._versions(ids, args)
        if provision_id not in versions:
            raise NotFound(self._why_not_found(provision_id, as_of, lang))
        sources = self._sources([row["version_id"] for row in versions.values()])
        cites, cited_by = (self._citations(ids, args, outgoing) for outgoing in (True, False))

        def view(node: str) -> ProvisionView:
            row = versions[node]
            return ProvisionView(id=node, lang=lang, as_of=as_of, **row, sources=sources.get(row["version_id"], []),
                                 children=[view(child) for child in children.get(node, [])],
                                 cites=cites.get(node, []), cited_by=cited_by.get(node, []))
        return view(provision_id)

    def _tree(self, provision_id: str, args: dict) -> dict[str, list[str]]:
        """Each provision's children with a wording in force, in order, from ``provision_id`` down."""
        children: dict[str, list[str]] = {}
        level = [provision_id]
        while level:
            rows = self._engine.execute(
                "MATCH (p:Provision)-[c:CONTAINS]->(child:Provision)-[:HAS_VERSION]->(v:Version) "
                f"WHERE list_contains($ids, p.id) AND {_IN_FORCE.format(x='v')} "
                "RETURN p.id AS parent, child.id AS id ORDER BY parent, c.ordinal, id", {"ids": level, **args})
            for row in rows:
                children.setdefault(row["parent"], []).append(row["id"])
            level = [row["id"] for row in rows]
        return children

    def _versions(self, ids: list[str], args: dict) -> dict[str, dict]:
        rows = self._engine.execute(
            f"MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE list_contains($ids, p.id) AND {_IN_FORCE.format(x='v')} "
            "RETURN p.id AS id, p.kind AS kind, p.number AS number, v.id AS version_id, v.heading AS heading, "
            "v.text AS text, v.valid_from AS valid_from, v.valid_to AS valid_to", {"ids": ids, **args})
        return {row.pop("id"): row for row in rows}

    def _citations(self, ids: list[str], args: dict, outgoing: bool) -> dict[str, list[Citation]]:
        pattern = "(p:Provision)-[c:CITES]->(other:Provision)" if outgoing else \
                  "(other:Provision)-[c:CITES]->(p:Provision)"
        rows = self._engine.execute(
            f"MATCH {pattern} WHERE list_contains($ids, p.id) AND {_IN_FORCE.format(x='c')} "
            "RETURN p.id AS provision, other.id AS id, c.matched_text AS matched_text, c.span_start AS span_start, "
            "c.span_end AS span_end, c.external AS external ORDER BY provision, id, span_start", {"ids": ids, **args})
        grouped: dict[str, list[Citation]] = {}
        for row in rows:
            grouped.setdefault(row.pop("provision"), []).append(Citation(**row))
        return grouped

    def _sources(self, version_ids: list[str]) -> dict[str, list[SourceRef]]:
        rows = self._engine.execute(
            "MATCH (v:Version)-[:STATED_IN]->(d:SourceDocument) WHERE list_contains($ids, v.id) RETURN v.id AS version, "
            "d.name AS name, d.url AS url, d.sha256 AS sha256, d.licence AS licence ORDER BY version, name",
            {"ids": version_ids})
        grouped: dict[str, list[SourceRef]] = {}
        for row in rows:
            grouped.setdefault(row.pop("version"), []).append(SourceRef(**row))
        return grouped

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
