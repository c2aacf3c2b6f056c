"""Enforcement reads: decisions and their fines, filtered by country, authority, organisation, cited
provision and date, each with its sources and the provisions it cites."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kb_store._mentions import authority_given, country_given, provision_given
from kb_store.cases import CaseView, cases_of
from kb_store.engine import Engine
from parsers.normalise import match_key


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
    outcome: str | None  # what the decision did: "Upheld", "fine", "reprimand" …
    violation: str | None  # the tracker's type of infringement, kept apart from the outcome
    case_reference: str | None
    fine: FineView | None
    organisations: list[str]
    cites: list[str]
    disagreements: list[str]
    sources: list[RecordView]
    case: CaseView | None = None  # as it stood on the filter's as_of, when it names one


class EnforcementFilter(BaseModel):
    country: str | None = None
    authority: str | None = None
    organisation: str | None = None
    cites: str | None = None
    after: dt.date | None = None
    before: dt.date | None = None
    fined: bool = False
    as_of: dt.date | None = None  # only decisions known by then, each with its case as it stood


class DecisionPage(BaseModel):
    """The decisions matching a filter from ``offset`` on, and how many match in all."""

    total: int
    offset: int
    results: list[DecisionView]


def find_decisions(engine: Engine, query: EnforcementFilter, known: frozenset[str], limit: int | None = None,
                   offset: int = 0) -> DecisionPage:
    """Up to ``limit`` (default: all) of the decisions matching every given filter from ``offset`` on,
    by date then id. ``after``/``before`` are exclusive; ``country`` is a code or a name ("ES", "Spain");
    ``cites`` is a provision of ``known`` as ``provision_given`` reads it, and matches it and everything
    below it. A filter naming nothing, or several things, is refused with ``NotUnderstood``."""
    if (limit is not None and limit < 1) or offset < 0:
        raise ValueError(f"a limit is 1 or more and an offset 0 or more, not {limit} and {offset}")
    where, params = _conditions(query, known)
    paging = {"offset": offset} | ({} if limit is None else {"limit": limit})
    match = "MATCH (d:Decision) " + (f"WHERE {' AND '.join(where)} " if where else "")
    (counted,) = engine.execute(match + "RETURN count(d) AS total", params)
    if offset >= counted["total"]:  # nothing to read; and Kùzu 0.11 crashes on ORDER BY … SKIP 50000 LIMIT 50
        return DecisionPage(total=counted["total"], offset=offset, results=[])
    rows = engine.execute(
        match + "OPTIONAL MATCH (d)-[:ISSUED_BY]->(a:Authority) OPTIONAL MATCH (d)-[:IMPOSES]->(f:Fine) "
        "RETURN d.id AS id, d.country AS country, d.authority_id AS authority_id, a.name_en AS authority, "
        "d.decision_date AS decision_date, d.date_precision AS date_precision, d.outcome AS outcome, "
        "d.violation AS violation, "
        "d.case_reference AS case_reference, d.disagreements AS disagreements, f.amount_minor AS amount_minor, "
        "f.currency AS currency, f.eur_minor AS eur_minor, f.eur_rate AS eur_rate, f.rate_date AS rate_date "
        "ORDER BY decision_date, id SKIP $offset" + (" LIMIT $limit" if "limit" in paging else ""), params | paging)
    ids = [row["id"] for row in rows]
    records, organisations = _records(engine, ids), _organisations(engine, ids)
    cases = cases_of(engine, ids, query.as_of) if query.as_of else {}
    return DecisionPage(total=counted["total"], offset=offset, results=[DecisionView(
        **{k: row[k] for k in ("id", "country", "authority_id", "authority", "decision_date", "date_precision",
                               "outcome", "violation", "case_reference", "disagreements")},
        fine=FineView(**{k: row[k] for k in FineView.model_fields}) if row["amount_minor"] is not None else None,
        organisations=organisations.get(row["id"], []), sources=records.get(row["id"], []),
        case=cases.get(row["id"]), cites=sorted({a for r in records.get(row["id"], []) for a in r.articles})) for row in rows])


def _conditions(query: EnforcementFilter, known: frozenset[str]) -> tuple[list[str], dict]:
    where, params = [], {}
    if query.country:
        where.append("d.country = $country")
        params["country"] = country_given(query.country)
    if query.authority:
        where.append("d.authority_id = $authority")
        params["authority"] = authority_given(query.authority, params.get("country"))
    if query.after:
        where.append("d.decision_date > $after")
        params["after"] = query.after
    if query.before:
        where.append("d.decision_date < $before")
        params["before"] = query.before
    if query.as_of:  # a decision known to have been taken by then (``Decision.known_since``)
        where.append("d.known_since <= $as_of")
        params["as_of"] = query.as_of
    if query.fined:
        where.append("d.fined")  # a fine of an amount no source states is a fine
    if query.organisation:
        where.append("EXISTS { MATCH (d)-[:IMPOSED_ON]->(o:Organisation) WHERE o.key CONTAINS $organisation }")
        params["organisation"] = match_key(query.organisation)
    if query.cites:
        where.append("EXISTS { MATCH (d)-[:REPORTED_BY]->(:SourceRecord)-[:RECORD_CITES]->(p:Provision) "
                     "WHERE p.id = $cited OR starts_with(p.id, $cited_below) }")
        params["cited"] = provision_given(query.cites, known)
        params["cited_below"] = params["cited"] + "/"
    return where, params


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
