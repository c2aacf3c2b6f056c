"""Cases as they stood on a date: the decisions of one matter, the events known by then with their
evidence, and the fine that stood (``parsers.cases.standing``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kb_store.engine import Engine
from parsers.cases import standing
from schema.enforcement import CaseEvent, EventKind


class EventView(BaseModel):
    kind: EventKind
    event_date: dt.date | None
    date_precision: str
    body: str | None
    amount_minor: int | None
    currency: str | None
    eur_minor: int | None
    record_ids: list[str]
    evidence: list[str]


class CaseView(BaseModel):
    """A case as of ``as_of``: its events known by then (an undated one is listed, its date unknown), and
    the event whose fine stood then (None: no fine stood, or none is known to have)."""

    id: str
    as_of: dt.date
    country: str | None
    authority_id: str | None
    decision_ids: list[str]
    links: list[str]
    events: list[EventView]
    standing: EventView | None


_CASES = (
    "MATCH (d:Decision)-[:IN_CASE]->(c:EnforcementCase) WHERE d.id IN $ids "
    "MATCH (e:CaseEvent)-[:EVENT_OF]->(c) "
    "RETURN DISTINCT c.id AS case_id, c.country AS country, c.authority_id AS authority_id, "
    "c.decision_ids AS decision_ids, c.links AS links, e.id AS id, e.kind AS kind, e.event_date AS event_date, "
    "e.date_precision AS date_precision, e.body AS body, e.amount_minor AS amount_minor, e.currency AS currency, "
    "e.eur_minor AS eur_minor, e.record_ids AS record_ids, e.evidence AS evidence, e.spans AS spans ORDER BY id"
)


def cases_of(engine: Engine, decision_ids: list[str], as_of: dt.date) -> dict[str, CaseView]:
    """The case of each decision (by decision id) as it stood on ``as_of``."""
    rows = engine.execute(_CASES, {"ids": decision_ids})
    events: dict[str, list[CaseEvent]] = {}
    heads: dict[str, dict] = {}
    for row in rows:
        heads.setdefault(row["case_id"], row)
        events.setdefault(row["case_id"], []).append(CaseEvent(case_id=row["case_id"], **{
            k: row[k] for k in CaseEvent.model_fields if k in row and k != "case_id"}))
    views = {case_id: _view(heads[case_id], case_events, as_of) for case_id, case_events in events.items()}
    return {decision: view for view in views.values() for decision in view.decision_ids if decision in decision_ids}


def _view(head: dict, events: list[CaseEvent], as_of: dt.date) -> CaseView:
    known = [e for e in events if e.event_date is None or e.event_date <= as_of]
    stood = standing(known, as_of)
    return CaseView(id=head["case_id"], as_of=as_of, country=head["country"], authority_id=head["authority_id"],
                    decision_ids=head["decision_ids"], links=head["links"],
                    events=[_event(e) for e in known], standing=_event(stood) if stood else None)


def _event(event: CaseEvent) -> EventView:
    return EventView(**{k: getattr(event, k) for k in EventView.model_fields})
