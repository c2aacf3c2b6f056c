"""Enforcement reads: decisions and their fines, filtered by country, authority, organisation, cited
provision and date, each with its sources and the provisions it cites."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kb_store._mentions import provisions_named
from kb_store.engine import Engine
from parsers.normalise import match_key
from parsers.normalise.authorities import gazetteer


class FineView(BaseModel):
    amount_minor: int
    currency: str
    eur_minor: int | None
    eur_rate: str | None
    rate_date: dt.date | None


class RecordView(BaseModel):
    """One source's account of the decision, with its own values."""

    id: str
    source: str
    rule: str
    decision_date: dt.date | None
    date_precision: str
    fine_minor: int | None
    fine_currency: str | None
    organisations: list[str]
    articles: list[str]
    urls: list[str]
    licence: str
    attribution: str


class DecisionView(BaseModel):
    id: str
    country: str | None
    authority_id: str | None
    authority: str | None
    decision_date: dt.date | None
    date_precision: str
    outcome: str | None
    case_reference: str | None
    fine: FineView | None
    organisations: list[str]
    cites: list[str]
    disagreements: list[str]
    sources: list[RecordView]


class EnforcementFilter(BaseModel):
    country: str | None = None
    authority: str | None = None
    organisation: str | None = None
    cites: str | None = None
    after: dt.date | None = None
    before: dt.date | None = None
    fined: bool = False


def find_decisions(engine: Engine, query: EnforcementFilter) -> list[DecisionView]:
    """Decisions matching every given filter, by date then id. ``after``/``before`` are exclusive;
    ``cites`` is a citation as people write it ("Art. 6", "Article 5(1)(f) GDPR") and matches the
    provision and everything below it."""
    where, params = _conditions(engine, query)
    rows = engine.execute(
        "MATCH (d:Decision) " + (f"WHERE {' AND '.join(where)} " if where else "") +
        "OPTIONAL MATCH (d)-[:ISSUED_BY]->(a:Authority) OPTIONAL MATCH (d)-[:IMPOSES]->(f:Fine) "
        "RETURN d.id AS id, d.country AS country, d.authority_id AS authority_id, a.name_en AS authority, "
        "d.decision_date AS decision_date, d.date_precision AS date_precision, d.outcome AS outcome, "
        "d.case_reference AS case_reference, d.disagreements AS disagreements, f.amount_minor AS amount_minor, "
        "f.currency AS currency, f.eur_minor AS eur_minor, f.eur_rate AS eur_rate, f.rate_date AS rate_date "
        "ORDER BY decision_date, id", params)
    ids = [row["id"] for row in rows]
    records, organisations = _records(engine, ids), _organisations(engine, ids)
    return [DecisionView(
        **{k: row[k] for k in ("id", "country", "authority_id", "authority", "decision_date", "date_precision",
                               "outcome", "case_reference", "disagreements")},
        fine=FineView(**{k: row[k] for k in FineView.model_fields}) if row["amount_minor"] is not None else None,
        organisations=organisations.get(row["id"], []), sources=records.get(row["id"], []),
        cites=sorted({a for r in records.get(row["id"], []) for a in r.articles})) for row in rows]


def _conditions(engine: Engine, query: EnforcementFilter) -> tuple[list[str], dict]:
    where, params = [], {}
    if query.country:
        where.append("d.country = $country")
        params["country"] = query.country.upper()
    if query.authority:
        where.append("d.authority_id = $authority")
        params["authority"] = _authority_id(query.authority, params.get("country"))
    if query.after:
        where.append("d.decision_date > $after")
        params["after"] = query.after
    if query.before:
        where.append("d.decision_date < $before")
        params["before"] = query.before
    if query.fined:
        where.append("EXISTS { MATCH (d)-[:IMPOSES]->(:Fine) }")
    if query.organisation:
        where.append("EXISTS { MATCH (d)-[:IMPOSED_ON]->(o:Organisation) WHERE o.key CONTAINS $organisation }")
        params["organisation"] = match_key(query.organisation)
    if query.cites:
        where.append("EXISTS { MATCH (d)-[:REPORTED_BY]->(:SourceRecord)-[:RECORD_CITES]->(p:Provision) "
                     "WHERE p.id = $cited OR starts_with(p.id, $cited_below) }")
        params["cited"] = _provision_id(engine, query.cites)
        params["cited_below"] = params["cited"] + "/"
    return where, params


def _authority_id(name: str, country: str | None) -> str:
    """An authority id as given, or the one authority the gazetteer knows by that name."""
    if name.startswith("authority/"):
        return name
    found = gazetteer().resolve(name, country)
    if found is None:
        raise LookupError(f"no authority {name!r}" + (f" in {country}" if country else "") +
                          ": give a name, abbreviation or id the gazetteer knows (e.g. 'AEPD', 'authority/es/aepd')")
    return found


def _provision_id(engine: Engine, citation: str) -> str:
    """The provision a citation names: "Art. 6" → ``eu/reg/2016/679/art_6`` (the GDPR unless another act is named)."""
    if citation.startswith("eu/"):
        return citation
    known = frozenset(row["id"] for row in engine.execute("MATCH (p:Provision) RETURN p.id AS id"))
    named = provisions_named(citation, "en", known)
    if not named:
        raise LookupError(f"{citation!r} names no provision in the graph: write e.g. 'Art. 6', 'Article 5(1)(f)'")
    return named[0].id


def _records(engine: Engine, ids: list[str]) -> dict[str, list[RecordView]]:
    rows = engine.execute(
        "MATCH (d:Decision)-[r:REPORTED_BY]->(s:SourceRecord) WHERE list_contains($ids, d.id) "
        "RETURN d.id AS decision, s.id AS id, s.source AS source, r.rule AS rule, s.decision_date AS decision_date, "
        "s.date_precision AS date_precision, s.fine_minor AS fine_minor, s.fine_currency AS fine_currency, "
        "s.organisations AS organisations, s.articles AS articles, s.urls AS urls, s.licence AS licence, "
        "s.attribution AS attribution ORDER BY decision, id", {"ids": ids})
    grouped: dict[str, list[RecordView]] = {}
    for row in rows:
        grouped.setdefault(row.pop("decision"), []).append(RecordView(**row))
    return grouped


def _organisations(engine: Engine, ids: list[str]) -> dict[str, list[str]]:
    rows = engine.execute("MATCH (d:Decision)-[:IMPOSED_ON]->(o:Organisation) WHERE list_contains($ids, d.id) "
                          "RETURN d.id AS decision, o.name AS name ORDER BY decision, name", {"ids": ids})
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row["decision"], []).append(row["name"])
    return grouped


def render_decisions(decisions: list[DecisionView]) -> str:
    """Decisions as a Markdown table, one row each, with the sources that report them."""
    lines = [f"{len(decisions)} decisions", "",
             "| date | country | authority | organisations | fine | cites | sources |", "|---|---|---|---|---|---|---|"]
    for d in decisions:
        day = f"{d.decision_date.isoformat()} ({d.date_precision})" if d.decision_date else "unknown"
        fine = f"{d.fine.amount_minor / 100:,.2f} {d.fine.currency}" if d.fine else ""
        cites = ", ".join(c.split("/", 4)[-1] for c in d.cites)
        lines.append(f"| {day} | {d.country or ''} | {d.authority or ''} | {'; '.join(d.organisations)} | {fine} "
                     f"| {cites} | {', '.join(r.id for r in d.sources)} |")
    return "\n".join(lines) + "\n"
