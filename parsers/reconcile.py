"""Reconciliation: the source records (table rows, decision documents) that report one real decision
become one ``Decision``, each record kept beside it with its own values.

Pure function over records. Records are only compared within a block (same country and resolved
authority; same country for case references), and a group never holds two records of one source.
The rules, tried in this order, each merging the groups of two records:

``same_case_reference``   the case references are equal once reduced to letters and digits, or one is
                          the other with a short prefix ("DSB-D550.084/0002-DSB/2018", "D550.084/0002-DSB/2018");
``same_day_same_amount``  same authority, same decision day, same fine in euro;
``same_day_unique``       same authority and day, the only record of each source that day, and no
                          conflict (different fines, or organisations with nothing in common);
``same_amount_near_date`` same authority and fine in euro (at least 1,000 EUR), dates at most 183 days
                          apart (trackers often date a fine by its publication) or one of them undated,
                          the only such record of each source, and no conflict of organisations.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import combinations

from schema.enforcement import Decision, DecisionRecord, Fine, FineRecord, Outcome, Precision, SourceRecord
from schema.graph import ReportedBy
from schema.ids import act_of
from schema.law import Record

NEAR_DAYS = 183
MIN_NEAR_AMOUNT_MINOR = 1_000_00
_MIN_REFERENCE = 6  # letters and digits: shorter references ("1/2019") are too common to match on
_REFERENCE_PREFIX = 8  # at most this many leading characters one reference may have more ("DSB-")
RULES = ("same_case_reference", "same_day_same_amount", "same_day_unique", "same_amount_near_date")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_SLUG = re.compile(r"[^a-z0-9]+")
_PRECISION_RANK = {Precision.DAY: 0, Precision.MONTH: 1, Precision.YEAR: 2, Precision.UNKNOWN: 3}


class Reconciled(Record):
    decisions: list[Decision]
    fines: list[Fine]
    reported_by: list[ReportedBy]
    merges: dict[str, int]


def reconcile(records: Sequence[SourceRecord], source_rank: Sequence[str]) -> Reconciled:
    """Group ``records`` into decisions. ``source_rank`` orders sources from most to least
    authoritative; a decision takes its values from its best-ranked record that has them."""
    groups = _Groups(records)
    # A document that says it is no decision (an interview on the day of a fine) reports none.
    candidates = [r for r in records if r.outcome != Outcome.NOT_A_DECISION]
    for rule in RULES:
        for left, right in _candidates(rule, candidates):
            groups.merge(left, right, rule)
    rank = {source: i for i, source in enumerate(source_rank)}
    decisions, fines, reported = [], [], []
    for members in groups.members():
        members = sorted(members, key=lambda r: (rank.get(r.source, len(rank)), r.id))
        decision = _decision(members)
        decisions.append(decision)
        if fine := _fine(decision.id, members):
            fines.append(fine)
        reported += [ReportedBy(decision_id=decision.id, record_id=r.id, rule=groups.rule[r.id]) for r in members]
    return Reconciled(decisions=decisions, fines=fines, reported_by=reported, merges=dict(groups.merges))


def from_fine_row(row: FineRecord, sha256: str, parser_version: str) -> SourceRecord:
    """A tabular source's row as a source record of the graph."""
    fine = row.fine
    named = [o for o in row.organisations if o.key]
    return SourceRecord(
        id=f"{row.source}/{row.row_id}", source=row.source, kind="table_row", country=row.country,
        authority_id=row.authority_id, authority_raw=row.authority_raw, decision_date=row.decision_date.value,
        date_precision=row.decision_date.precision, date_raw=row.decision_date.raw, case_reference=row.case_id,
        outcome=row.outcome or row.violation, fine_minor=fine.amount_minor if fine else None,
        fine_currency=fine.currency if fine else None, fine_eur_minor=fine.eur_minor if fine else None,
        eur_rate=str(fine.eur_rate) if fine and fine.eur_rate is not None else None,
        rate_date=fine.rate_date if fine else None, organisations=[o.name for o in named],
        organisation_keys=[o.key for o in named], articles=row.articles,
        articles_raw=row.articles_raw, summary=row.summary, urls=row.source_urls, licence=row.licence,
        attribution=row.attribution, source_sha256=sha256, parser_version=parser_version)


def from_decision(doc: DecisionRecord, record_id: str, source: str, sha256: str, parser_version: str,
                  known_ids: frozenset[str]) -> SourceRecord:
    """A decision document as a source record of the graph; it cites the ``known_ids`` its text names."""
    fine = doc.fine
    date = doc.decision_date  # a publication date bounds the decision's, it is not its date
    return SourceRecord(
        id=record_id, source=source, kind="document", country=doc.country, authority_id=doc.authority_id,
        authority_raw=doc.authority_raw, decision_date=date.value, date_precision=date.precision,
        date_raw=date.raw, case_reference=doc.case_reference, outcome=doc.outcome.value,
        fine_minor=fine.amount_minor if fine else None, fine_currency=fine.currency if fine else None,
        fine_eur_minor=fine.eur_minor if fine else None,
        eur_rate=str(fine.eur_rate) if fine and fine.eur_rate is not None else None,
        rate_date=fine.rate_date if fine else None, organisations=[p.name for p in doc.parties if p.key],
        organisation_keys=[p.key for p in doc.parties if p.key],
        articles=sorted({c.reference.target_id for c in doc.cited if c.reference.target_id in known_ids}),
        articles_raw=sorted({c.reference.text for c in doc.cited}), summary=doc.summary or doc.title,
        urls=[], licence=doc.licence or "", attribution=doc.attribution or "", source_sha256=sha256,
        parser_version=parser_version)


# -- grouping ----------------------------------------------------------------------------------------
class _Groups:
    """Union-find over records that refuses a union holding two records of one source."""

    def __init__(self, records: Sequence[SourceRecord]) -> None:
        self._parent = {r.id: r.id for r in records}
        self._records = {r.id: r for r in records}
        self._sources = {r.id: {r.source} for r in records}
        self.rule = {r.id: "" for r in records}
        self.merges: Counter[str] = Counter({rule: 0 for rule in RULES})

    def _root(self, record_id: str) -> str:
        while self._parent[record_id] != record_id:
            self._parent[record_id] = record_id = self._parent[self._parent[record_id]]
        return record_id

    def merge(self, left: SourceRecord, right: SourceRecord, rule: str) -> None:
        a, b = self._root(left.id), self._root(right.id)
        if a == b or self._sources[a] & self._sources[b]:
            return
        a, b = min(a, b), max(a, b)  # the root is the smaller id, whatever the order of discovery
        self._parent[b] = a
        self._sources[a] |= self._sources.pop(b)
        for record in (left, right):  # a record is reported as joined by the first rule that matched it
            self.rule[record.id] = self.rule[record.id] or rule
        self.merges[rule] += 1

    def members(self) -> list[list[SourceRecord]]:
        groups: dict[str, list[SourceRecord]] = defaultdict(list)
        for record_id in sorted(self._parent):
            groups[self._root(record_id)].append(self._records[record_id])
        return list(groups.values())


def _candidates(rule: str, records: Sequence[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """The pairs a rule matches, found through indexes so that the cost grows with the records, not
    with their pairs."""
    if rule == "same_case_reference":
        yield from _same_reference(records)
        return
    for group in _groups(records, rule):
        if rule == "same_day_same_amount":
            yield from _across_sources(group)
        else:  # only the record of each source that is alone in the group may match
            counts = Counter(r.source for r in group)
            alone = [r for r in group if counts[r.source] == 1]
            near = _same_day_pairs if rule == "same_day_unique" else _near_pairs
            yield from (pair for pair in _across_sources(alone) if near(*pair))


def _groups(records: Sequence[SourceRecord], rule: str) -> Iterator[list[SourceRecord]]:
    """Records of one authority sharing what the rule compares: the day, the day and fine, or the fine."""
    grouped: dict[tuple, list[SourceRecord]] = defaultdict(list)
    for r in records:
        if not (r.authority_id and r.country):
            continue
        day = r.decision_date if r.date_precision == Precision.DAY else None
        if rule == "same_day_same_amount" and day and r.fine_eur_minor is not None:
            grouped[(r.authority_id, day, r.fine_eur_minor)].append(r)
        elif rule == "same_day_unique" and day:
            grouped[(r.authority_id, day)].append(r)
        elif rule == "same_amount_near_date" and (r.fine_eur_minor or 0) >= MIN_NEAR_AMOUNT_MINOR:
            grouped[(r.authority_id, r.fine_eur_minor)].append(r)
    return (group for group in grouped.values() if len(group) > 1)


def _across_sources(group: list[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    return ((a, b) for a, b in combinations(group, 2) if a.source != b.source)


def _same_day_pairs(left: SourceRecord, right: SourceRecord) -> bool:
    return not _conflict(left, right)


def _near_pairs(left: SourceRecord, right: SourceRecord) -> bool:
    dates = left.decision_date, right.decision_date
    near = None in dates or abs((dates[0] - dates[1]).days) <= NEAR_DAYS
    return near and not _organisations_conflict(left, right)


def _same_reference(records: Sequence[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """Equal references, or one the other with up to ``_REFERENCE_PREFIX`` leading characters more."""
    by_reference: dict[tuple, list[SourceRecord]] = defaultdict(list)
    for r in records:
        if r.case_reference and len(ref := _NOT_ALNUM.sub("", r.case_reference.upper())) >= _MIN_REFERENCE:
            by_reference[(r.country, ref)].append(r)
    for (country, ref), group in by_reference.items():
        yield from _across_sources(group)
        for cut in range(1, min(_REFERENCE_PREFIX, len(ref) - _MIN_REFERENCE) + 1):
            for shorter in by_reference.get((country, ref[cut:]), ()):
                yield from ((r, shorter) for r in group if r.source != shorter.source)


def _conflict(left: SourceRecord, right: SourceRecord) -> bool:
    amounts = left.fine_eur_minor, right.fine_eur_minor
    return (None not in amounts and amounts[0] != amounts[1]) or _organisations_conflict(left, right)


def _organisations_conflict(left: SourceRecord, right: SourceRecord) -> bool:
    return bool(left.organisation_keys and right.organisation_keys
                and not set(left.organisation_keys) & set(right.organisation_keys))


# -- the reconciled decision -------------------------------------------------------------------------
def _decision(members: list[SourceRecord]) -> Decision:
    """Values from the best-ranked record that has them; the date from the most precise one."""
    best = members[0]
    dated = min(members, key=lambda r: _PRECISION_RANK[Precision(r.date_precision)])

    def first(field: str):
        return next((getattr(r, field) for r in members if getattr(r, field) is not None), None)

    authority = (first("authority_id") or "authority/unknown").rsplit("/", 1)[-1]
    day = dated.decision_date.isoformat() if dated.decision_date else "undated"
    return Decision(
        # Named after its best record, which no other decision holds: unique and stable across refreshes.
        id=f"decision/{(first('country') or 'xx').lower()}/{authority}/{day}/{_SLUG.sub('-', best.id.lower()).strip('-')}",
        country=first("country"), authority_id=first("authority_id"), decision_date=dated.decision_date,
        date_precision=dated.date_precision, case_reference=first("case_reference"), outcome=first("outcome"),
        fine_eur_minor=first("fine_eur_minor"), summary=first("summary"), sources=[r.id for r in members],
        disagreements=_disagreements(members))


def _fine(decision_id: str, members: list[SourceRecord]) -> Fine | None:
    record = next((r for r in members if r.fine_minor is not None), None)
    if record is None:
        return None
    return Fine(id=f"{decision_id}/fine", decision_id=decision_id, amount_minor=record.fine_minor,
                currency=record.fine_currency, eur_minor=record.fine_eur_minor, eur_rate=record.eur_rate,
                rate_date=record.rate_date)


_COMPARED = {
    "country": lambda r: r.country,
    "authority": lambda r: r.authority_id,
    "decision_date": lambda r: r.decision_date.isoformat() if r.date_precision == Precision.DAY else None,
    "fine_eur": lambda r: r.fine_eur_minor,
    "case_reference": lambda r: r.case_reference,
    "organisations": lambda r: ", ".join(sorted(r.organisation_keys)) or None,
    "articles": lambda r: ", ".join(a.removeprefix(act_of(a) + "/") for a in sorted(r.articles)) or None,
}


def _disagreements(members: list[SourceRecord]) -> list[str]:
    """``field: record value ≠ record value …`` for each field whose stated values differ."""
    found = []
    for field, value in _COMPARED.items():
        stated = [(r.id, value(r)) for r in members if value(r) is not None]
        if len({v for _, v in stated}) > 1:
            found.append(f"{field}: " + " ≠ ".join(f"{rid} {v}" for rid, v in stated))
    return found
