"""Cases: the decisions of one matter joined, with the procedural events their records state.

Pure function over reconciled decisions and their records. Each record reports one act by its own
values (date, fine) and may state others in its summary (``parsers.case_events``):

- a court's record (``courts.records`` in ``parsers/data/case_events.toml``) reports the court's judgment;
- a record whose fine is the amount its summary says a court reduced the fine to, or imposed, reports
  that event (the tracker dates and fines the matter as it stands), and the reduction's "from" amount
  is the authority's decision;
- a record without a fine whose summary states a notice of intent, and no final decision, reports
  the notice;
- any other record reports the authority's decision. A reduction that names no court and no date is
  the authority's own, inside its decision ("the original fine of EUR 3,000 was reduced to EUR 1,800"
  on voluntary payment): evidence of the decision, no event of its own.

Links, tried in order, each joining the cases of two decisions (counted in ``Cases.links``):

``reduction_of_decision``  a record states a court's reduction from an amount, and exactly one other
                           decision of the same authority, addressing the same organisation, imposed that
                           amount (``parsers.normalise.money.same_amount``) on or before the reduction;
``notice_then_decision``   a decision that is a notice of intent, and the one decision of the same
                           authority addressing the same organisation within ``NOTICE_YEARS`` after it;
``judgment_on_the_day``    a court's record of the day a case's record says a court ruled on it, in the
                           same country.

In a case, two events of one kind are one when their amounts agree (or one states none) and their
dates agree (or one is unknown, or one's month or year holds the other's day); a judgment and a
reduction of one day are one reduction. ``standing`` reads what stood on a date.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from parsers._union_find import UnionFind
from parsers.case_events import StatedEvent, stated_events
from parsers.normalise.money import same_amount
from parsers.normalise.organisations import addressees_agree
from schema.enforcement import Case, CaseEvent, Decision, EventKind, Money, Precision, SourceRecord
from schema.law import Record

LINKS = ("reduction_of_decision", "notice_then_decision", "judgment_on_the_day")
EDPB = "authority/eu/edpb"
NOTICE_YEARS = 3
_COURT_RULES = {EventKind.REDUCTION, EventKind.JUDGMENT, EventKind.ANNULMENT}
_SETS_FINE = {EventKind.DECISION, EventKind.JUDGMENT, EventKind.REDUCTION}
_ANNOUNCES = {EventKind.NOTICE_OF_INTENT, EventKind.DRAFT_DECISION, EventKind.BINDING_DECISION}
_KIND_ORDER = {kind: i for i, kind in enumerate(EventKind)}  # of events of one day: a notice comes first
_OPENS = _ANNOUNCES | {EventKind.DECISION}


class Cases(Record):
    cases: list[Case]
    events: list[CaseEvent]
    links: dict[str, int]


@dataclass
class _Event:
    """An event before it has a case: what one record says of it (by its own values or in words)."""

    kind: EventKind
    day: dt.date | None
    precision: Precision
    body: str | None
    amount: Money | None
    record_ids: list[str]
    evidence: list[str]
    spans: list[str]
    own: bool = False  # the act a record reports by its own values
    reduced: bool = False  # a decision known only as what a court's reduction was "from"

    @classmethod
    def stated(cls, event: StatedEvent, record: SourceRecord, amount: Money | None, body: str | None,
               kind: EventKind | None = None) -> _Event:
        date = event.event_date
        return cls(kind or event.kind, date.value if date else None, date.precision if date else Precision.UNKNOWN,
                   body, amount, [record.id], [event.text], [f"{event.start}-{event.end}"])

    @classmethod
    def by_values(cls, kind: EventKind, record: SourceRecord, body: str | None, amount: Money | None) -> _Event:
        return cls(kind, record.decision_date, Precision(record.date_precision), body, amount, [record.id], [""], [""],
                   own=True)

    def same_as(self, other: _Event) -> bool:
        kinds = {self.kind, other.kind}
        same_kind = len(kinds) == 1 or (kinds == {EventKind.JUDGMENT, EventKind.REDUCTION} and self.day == other.day)
        amounts = None in (self.amount, other.amount) or same_amount(self.amount, other.amount)
        return same_kind and amounts and _dates_agree(self, other)

    def absorb(self, other: _Event) -> None:
        """Take ``other``'s evidence, and what it knows better: a more precise date, an amount, a body."""
        if _PRECISION_RANK[other.precision] < _PRECISION_RANK[self.precision]:
            self.day, self.precision = other.day, other.precision
        if self.kind is EventKind.JUDGMENT and other.kind is EventKind.REDUCTION:
            self.kind = EventKind.REDUCTION
        self.amount = self.amount or other.amount
        self.body = self.body or other.body
        self.own = self.own or other.own
        self.reduced = self.reduced and other.reduced
        self.record_ids += other.record_ids
        self.evidence += other.evidence
        self.spans += other.spans


_PRECISION_RANK = {Precision.DAY: 0, Precision.MONTH: 1, Precision.YEAR: 2, Precision.UNKNOWN: 3}


def _dates_agree(a: _Event, b: _Event) -> bool:
    if a.day is None or b.day is None:
        return True
    coarse, fine = sorted((a, b), key=lambda e: -_PRECISION_RANK[e.precision])
    last = coarse.precision.last_day(coarse.day)
    return coarse.day <= fine.day <= last if last else True


@cache
def _court_records() -> list[re.Pattern[str]]:
    data = tomllib.loads((files("parsers") / "data" / "case_events.toml").read_text(encoding="utf-8"))
    return [re.compile(pattern) for pattern in data["courts"]["records"]]


def _court_of(record: SourceRecord) -> str | None:
    """The court a record's issuing body names, if it is a court's."""
    for pattern in _court_records():
        if record.authority_id is None and (match := pattern.match(record.authority_raw or "")):
            return match["court"].strip()
    return None


# -- what each decision's records say ------------------------------------------------------------------
@dataclass
class _Decision:
    decision: Decision
    events: list[_Event]
    addressees: list[str]
    court: str | None  # the court whose judgment it is

    def act(self, kind: EventKind) -> _Event | None:
        """The decision's own act of ``kind``, as its records report it by their values."""
        return next((e for e in self.events if e.kind is kind and e.own), None)


def _record_events(record: SourceRecord) -> list[_Event]:
    """The act the record reports by its own values, and the events its summary states."""
    stated = stated_events(record.summary, record.decision_date)
    fine, authority = record.fine, record.authority_id
    events: list[_Event] = []
    reported: StatedEvent | None = None
    if court := _court_of(record):
        annulled = any(e.kind is EventKind.ANNULMENT for e in stated)
        events.append(_Event.by_values(EventKind.ANNULMENT if annulled else EventKind.JUDGMENT, record, court, fine))
    elif reported := next((e for e in reversed(stated) if e.kind in _COURT_RULES and e.court and fine
                           and e.amount and same_amount(e.amount, fine)), None):
        own = _Event.stated(reported, record, fine, reported.court)
        own.own, own.day = True, own.day or record.decision_date
        own.precision = own.precision if reported.event_date else Precision(record.date_precision)
        events.append(own)
    elif not fine or not fine.amount_minor:
        notice = next((e for e in stated if e.kind is EventKind.NOTICE_OF_INTENT), None)
        final = any(e.kind is EventKind.DECISION for e in stated)
        kind = EventKind.NOTICE_OF_INTENT if notice and not final else EventKind.DECISION
        events.append(_Event.by_values(kind, record, authority, notice.amount if kind is EventKind.NOTICE_OF_INTENT and notice
                                 else (fine if fine and fine.amount_minor else None)))
        if notice and kind is EventKind.NOTICE_OF_INTENT:
            events[-1].evidence[-1], events[-1].spans[-1] = notice.text, f"{notice.start}-{notice.end}"
            reported = notice
    else:
        events.append(_Event.by_values(EventKind.DECISION, record, authority, fine))
    for event in stated:
        if event is reported:
            continue
        if event.kind is EventKind.REDUCTION and not event.court and not event.event_date:
            # the authority's own reduction inside its decision: evidence of it
            events[0].evidence.append(event.text)
            events[0].spans.append(f"{event.start}-{event.end}")
            events[0].record_ids.append(record.id)
            continue
        events.append(_Event.stated(event, record, event.amount, _body(event, authority)))
        if event.original is not None and event.kind in _COURT_RULES:
            events.append(_reduced_from(event, record))
    if reported is not None and reported.original is not None and reported.kind in _COURT_RULES:
        events.append(_reduced_from(reported, record))
    return events


def _body(event: StatedEvent, authority: str | None) -> str | None:
    """Who an event is by: the court of a court's, the EDPB for a binding decision, else the authority."""
    if event.kind in _COURT_RULES:
        return event.court
    return EDPB if event.kind is EventKind.BINDING_DECISION else authority


def _reduced_from(event: StatedEvent, record: SourceRecord) -> _Event:
    """The authority's decision a court's reduction was from: its amount, not its date."""
    decided = _Event.stated(event, record, event.original, record.authority_id, kind=EventKind.DECISION)
    decided.day, decided.precision, decided.reduced = None, Precision.UNKNOWN, True
    return decided


def _read(decision: Decision, records: Mapping[str, SourceRecord]) -> _Decision:
    """A decision's events: the act its records report by their values — one decision, on its reconciled
    date, with its best-ranked record's fine, however its records date it — and what they state."""
    members = [records[rid] for rid in decision.sources]
    events: list[_Event] = []
    decided: _Event | None = None
    for record in members:
        for event in _record_events(record):
            if event.own and event.kind is EventKind.DECISION:
                decided = _as_decided(decided, event, decision)
            else:
                _add(events, [event])
    if decided:
        _add(events, [decided])
    addressees = [name for record in members for _, name in record.addressees]
    court = next(filter(None, map(_court_of, members)), None)
    return _Decision(decision, events, addressees, court)


def _as_decided(decided: _Event | None, event: _Event, decision: Decision) -> _Event:
    if decided is None:
        event.day, event.precision = decision.decision_date, Precision(decision.date_precision)
        return event
    decided.amount = decided.amount or event.amount
    decided.record_ids += event.record_ids
    decided.evidence += event.evidence
    decided.spans += event.spans
    return decided


def _add(events: list[_Event], new: Iterable[_Event]) -> None:
    for event in new:
        same = next((e for e in events if e.same_as(event)), None)
        if same:
            same.absorb(event)
        else:
            events.append(event)


# -- linking decisions into cases ----------------------------------------------------------------------
class _Joined:
    """Decisions joined into cases, with the link rules that joined each, and each rule's count."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._sets = UnionFind(ids)
        self.rule: dict[str, list[str]] = defaultdict(list)
        self.links: Counter[str] = Counter({rule: 0 for rule in LINKS})

    def root(self, i: str) -> str:
        return self._sets.root(i)

    def join(self, a: str, b: str, rule: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            kept, joined = self._sets.join(ra, rb)
            self.rule[kept] += self.rule.pop(joined, []) + [rule]
            self.links[rule] += 1


def _links(read: Sequence[_Decision]) -> Iterable[tuple[str, str, str]]:
    by_authority: dict[str, list[_Decision]] = defaultdict(list)
    court_days: dict[tuple[str | None, dt.date], list[_Decision]] = defaultdict(list)
    for d in read:
        if d.decision.authority_id:
            by_authority[d.decision.authority_id].append(d)
        if d.court and d.decision.decision_date and d.decision.date_precision == Precision.DAY:
            court_days[(d.decision.country, d.decision.decision_date)].append(d)
    for d in read:
        authority = d.decision.authority_id
        for event in d.events:
            if event.kind in _COURT_RULES and event.body and event.day and event.precision is Precision.DAY \
                    and not d.court:
                for court in court_days.get((d.decision.country, event.day), []):
                    yield d.decision.id, court.decision.id, "judgment_on_the_day"
            if not (authority and event.reduced and event.amount):
                continue
            # an undated decision a reduction was "from": the other decision that imposed that amount
            imposed = [o for o in by_authority[authority] if o is not d and _imposed(o, event.amount, d)]
            if len(imposed) == 1:
                yield d.decision.id, imposed[0].decision.id, "reduction_of_decision"
        notice = d.act(EventKind.NOTICE_OF_INTENT)
        if authority and notice and notice.day:
            later = [o for o in by_authority[authority] if o is not d and _decides_after(o, notice.day)
                     and addressees_agree(d.addressees, o.addressees)]
            if len(later) == 1:
                yield d.decision.id, later[0].decision.id, "notice_then_decision"


def _imposed(other: _Decision, amount: Money, reducing: _Decision) -> bool:
    act = other.act(EventKind.DECISION)
    until = next((e.day for e in reducing.events if e.kind in _COURT_RULES and e.day), None)
    return bool(act and act.amount and same_amount(act.amount, amount) and act.day
                and (until is None or act.day <= until) and addressees_agree(other.addressees, reducing.addressees))


def _decides_after(other: _Decision, day: dt.date) -> bool:
    act = other.act(EventKind.DECISION)
    return bool(act and act.day and day < act.day <= day.replace(year=day.year + NOTICE_YEARS))


# -- the cases -----------------------------------------------------------------------------------------
def build_cases(decisions: Sequence[Decision], records: Mapping[str, SourceRecord]) -> Cases:
    """Every decision in one case; the cases, their events, and each link rule's count."""
    read = [_read(d, records) for d in decisions]
    joined = _Joined(d.decision.id for d in read)
    order = {rule: i for i, rule in enumerate(LINKS)}
    for a, b, rule in sorted(_links(read), key=lambda link: (order[link[2]], link[0], link[1])):
        joined.join(a, b, rule)
    members: dict[str, list[_Decision]] = defaultdict(list)
    for d in read:
        members[joined.root(d.decision.id)].append(d)
    cases, events = [], []
    for root, group in sorted(members.items()):
        case_id = f"case/{root.removeprefix('decision/')}"
        merged: list[_Event] = []
        for d in group:
            _add(merged, d.events)
        first = min((d.decision for d in group), key=lambda d: d.id)
        cases.append(Case(id=case_id, country=first.country, authority_id=first.authority_id,
                          decision_ids=sorted(d.decision.id for d in group), links=sorted(joined.rule.get(root, []))))
        events += [_case_event(case_id, i, e) for i, e in enumerate(_in_order(merged), start=1)]
    return Cases(cases=cases, events=events, links=dict(joined.links))


def _in_order(events: list[_Event]) -> list[_Event]:
    """By date; an undated notice or decision first, an undated court's event last (the course of a case)."""
    def when(event: _Event) -> dt.date:
        return event.day or (dt.date.min if event.kind in _OPENS else dt.date.max)
    return sorted(events, key=lambda e: (when(e), _KIND_ORDER[e.kind]))


def _case_event(case_id: str, number: int, event: _Event) -> CaseEvent:
    amount = event.amount
    return CaseEvent(id=f"{case_id}/event-{number}", case_id=case_id, kind=event.kind, event_date=event.day,
                     date_precision=event.precision.value, body=event.body,
                     amount_minor=amount.amount_minor if amount else None, currency=amount.currency if amount else None,
                     eur_minor=amount.eur_minor if amount else None, record_ids=event.record_ids,
                     evidence=event.evidence, spans=event.spans)


def standing(events: Sequence[CaseEvent], on: dt.date) -> CaseEvent | None:
    """The event whose fine stood on ``on``: the last one known by then (by the last day of its date's
    period) that set or ended a fine (an annulment: none stands). An undated decision stands only until
    the first dated event; an undated court's event is listed with its case, but cannot say what stood
    when."""
    dated = sorted((e for e in events if e.event_date and e.kind not in _ANNOUNCES
                    and _first_day_known(e) <= on), key=lambda e: e.event_date)
    if dated:
        return dated[-1]
    undated = [e for e in events if e.event_date is None and e.kind in _SETS_FINE]
    later = [e for e in events if e.event_date and e.kind not in _ANNOUNCES]
    return undated[-1] if undated and later else None


def _first_day_known(event: CaseEvent) -> dt.date:
    """The day an event is known to have happened by: the last day of its date's period."""
    return Precision(event.date_precision).last_day(event.event_date) or event.event_date
