"""Reconciliation: the source records (table rows, decision documents) that report one real decision
become one ``Decision``, each record kept beside it with its own values.

Pure function over records. Records are only compared within a block (same country and resolved
authority; same country for case references and documents), and a group never holds two records of one
source, but where a table lists one decision twice: two rows with one reference of a numbering scheme,
one day and one fine (``Reconciled.listed_twice``). The rules, tried in this order, each merging the
groups of two records:

``same_case_reference``   a reference of a known scheme in common (read from the case reference field or a
                          URL: ``parsers.normalise.case_references``), or case references equal once reduced
                          to letters and digits, or one the other with a short prefix
                          ("DSB-D550.084/0002-DSB/2018", "D550.084/0002-DSB/2018");
``same_document_same_amount``  a document both link to (an address with a path, not a site's front
                          page), the same fine, dates near (as below), the only such record of each source;
``same_day_same_amount``  same authority, same decision day, same fine;
``same_day_unique``       same authority and day, the only record of each source that day, no
                          different fines, and where only one of them states a fine, an addressee in
                          common and the other not saying it fined an amount it does not know (a day's
                          one fine and one record without is as often two matters);
``same_amount_addressee`` same authority and fine (at least 1,000 EUR), dates near, an addressee in
                          common (``parsers.normalise.organisations.addressees_agree``), the only such
                          record of each source;
``same_amount_near_date`` same authority and fine (at least 1,000 EUR), dates near: at most 183 days
                          apart (trackers often date a fine by its publication) or one of them undated;
                          the only such record of each source;
``same_country_day_amount_organisation``  for a record that names no authority (its country has
                          several): same country, day and fine, and an addressee in common with a record
                          that names none either or names one of that country that the gazetteer knows.

Two fines are the same when equal in one currency, or across currencies when their values in euro (each
at the reference rate of its day) differ by at most 2%. Where one or both are conversions (in another
currency than the country's on the day: a euro amount of a forint fine), they contradict only beyond 5%,
as trackers round their conversions (``parsers.normalise.money``). No rule joins two groups that hold
records in conflict: references of one scheme with none in common (of a scheme whose numbers can
differ for one decision, ``conflicts = false``, never), or addressees that certainly differ
(``parsers.normalise.organisations.addressees_conflict``); each refusal is counted.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import combinations

from parsers._union_find import UnionFind
from parsers.normalise.case_references import case_references, numbers_conflict, scheme_of
from parsers.normalise.money import SAME_AMOUNT_TOLERANCE, amounts_contradict, local_currency, minor_digits, same_amount
from parsers.normalise.organisations import addressees_agree, addressees_conflict
from schema.enforcement import Decision, DecisionRecord, Fine, FineRecord, Outcome, Precision, SourceRecord
from schema.graph import ReportedBy
from schema.ids import act_of
from schema.law import Record

NEAR_DAYS = 183
MIN_NEAR_AMOUNT_MINOR = 1_000 * 10 ** minor_digits("EUR")
_MIN_REFERENCE = 6  # letters and digits: shorter references ("1/2019") are too common to match on
_REFERENCE_PREFIX = 8  # at most this many leading characters one reference may have more ("DSB-")
RULES = ("same_case_reference", "same_document_same_amount", "same_day_same_amount", "same_day_unique",
         "same_amount_addressee", "same_amount_near_date", "same_country_day_amount_organisation")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_SLUG = re.compile(r"[^a-z0-9]+")
_URL_PREFIX = re.compile(r"^[a-z]+://(?:www\.)?", re.IGNORECASE)
_PRECISION_RANK = {Precision.DAY: 0, Precision.MONTH: 1, Precision.YEAR: 2, Precision.UNKNOWN: 3}


class Reconciled(Record):
    decisions: list[Decision]
    fines: list[Fine]
    reported_by: list[ReportedBy]
    merges: dict[str, int]
    refused: dict[str, int]  # rule → matches not merged because the groups held records in conflict
    listed_twice: list[tuple[str, str]] = []  # rows of one table joined as one decision listed twice


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
    return Reconciled(decisions=decisions, fines=fines, reported_by=reported, merges=dict(groups.merges),
                      refused=dict(groups.refused), listed_twice=groups.listed_twice)


def from_fine_row(row: FineRecord, sha256: str, parser_version: str) -> SourceRecord:
    """A tabular source's row as a source record of the graph."""
    fine = row.fine
    named = [o for o in row.organisations if o.key]
    return SourceRecord(
        id=f"{row.source}/{row.row_id}", source=row.source, kind="table_row", country=row.country,
        authority_id=row.authority_id, authority_raw=row.authority_raw, decision_date=row.decision_date.value,
        date_precision=row.decision_date.precision, date_raw=row.decision_date.raw, case_reference=row.case_id,
        case_references=case_references(row.country, row.case_id, row.source_urls), outcome=row.outcome,
        violation=row.violation, fine_minor=fine.amount_minor if fine else None,
        fine_currency=fine.currency if fine else None, fine_eur_minor=fine.eur_minor if fine else None,
        eur_rate=str(fine.eur_rate) if fine and fine.eur_rate is not None else None,
        rate_date=fine.rate_date if fine else None, fined=row.fined, organisations=[o.name for o in named],
        organisation_keys=[o.key for o in named], organisation_roles=[o.role or "" for o in named],
        articles=row.articles,
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
        date_raw=date.raw, case_reference=doc.case_reference,
        case_references=case_references(doc.country, doc.case_reference, ()), outcome=doc.outcome.value,
        fine_minor=fine.amount_minor if fine else None, fine_currency=fine.currency if fine else None,
        fine_eur_minor=fine.eur_minor if fine else None,
        eur_rate=str(fine.eur_rate) if fine and fine.eur_rate is not None else None,
        rate_date=fine.rate_date if fine else None, organisations=[p.name for p in doc.parties if p.key],
        organisation_keys=[p.key for p in doc.parties if p.key],
        organisation_roles=[p.role or "" for p in doc.parties if p.key],
        articles=sorted({c.reference.target_id for c in doc.cited if c.reference.target_id in known_ids}),
        articles_raw=sorted({c.reference.text for c in doc.cited}), summary=doc.summary or doc.title,
        urls=[], licence=doc.licence or "", attribution=doc.attribution or "", source_sha256=sha256,
        parser_version=parser_version)


# -- grouping ----------------------------------------------------------------------------------------
class _Groups:
    """Union-find over records that refuses a union holding two records of one source, or two records
    in conflict."""

    def __init__(self, records: Sequence[SourceRecord]) -> None:
        self._sets = UnionFind(r.id for r in records)
        self._members = {r.id: [r] for r in records}
        self.rule = {r.id: "" for r in records}
        self.merges: Counter[str] = Counter({rule: 0 for rule in RULES})
        self.refused: Counter[str] = Counter({rule: 0 for rule in RULES})
        self.listed_twice: list[tuple[str, str]] = []

    def merge(self, left: SourceRecord, right: SourceRecord, rule: str) -> None:
        a, b = self._sets.root(left.id), self._sets.root(right.id)
        if a == b:
            return
        # No source twice in one group, but where a table lists one decision twice.
        one_source = [(x, y) for x in self._members[a] for y in self._members[b] if x.source == y.source]
        if not all(rule == "same_case_reference" and _listed_twice(x, y) for x, y in one_source):
            return
        if any(_in_conflict(x, y) for x in self._members[a] for y in self._members[b]):
            self.refused[rule] += 1
            return
        self.listed_twice += [(x.id, y.id) for x, y in one_source]
        kept, joined = self._sets.join(a, b)
        self._members[kept] += self._members.pop(joined)
        for record in (left, right):  # a record is reported as joined by the first rule that matched it
            self.rule[record.id] = self.rule[record.id] or rule
        self.merges[rule] += 1

    def members(self) -> list[list[SourceRecord]]:
        return [sorted(self._members[root], key=lambda r: r.id) for root in sorted(self._members)]


def _candidates(rule: str, records: Sequence[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """The pairs a rule matches, found through indexes so that the cost grows with the records, not
    with their pairs."""
    if rule == "same_case_reference":
        yield from _same_reference(records)
    elif rule == "same_day_same_amount":
        for group in _blocks(records, by_day=True, fined=True):
            yield from _same_fine_pairs(group)
    elif rule == "same_day_unique":
        for group in _blocks(records, by_day=True, fined=False):
            counts = Counter(r.source for r in group)
            alone = [r for r in group if counts[r.source] == 1]
            yield from (pair for pair in _across_sources(alone) if not _fines_differ(*pair)
                        and (not _fine_stated_by_one(*pair) or _unstated_fine_may_be(*pair)))
    elif rule == "same_country_day_amount_organisation":
        for group in _blocks(records, by_day=True, fined=True, by_country=True):
            yield from ((a, b) for a, b in _same_fine_pairs(group) if not (a.authority_id and b.authority_id)
                        and _addressees_agree(a, b))
    elif rule == "same_document_same_amount":
        for group in _by_document(records):
            yield from _unique_partners([(a, b) for a, b in _across_sources(group)
                                         if a.fine and b.fine and _same_fine(a, b) and _near(a, b)])
    else:
        agreeing = rule == "same_amount_addressee"
        for group in _blocks(records, by_day=False, fined=True):
            yield from _unique_partners([(a, b) for a, b in _near_fine_pairs(group)
                                         if not agreeing or _addressees_agree(a, b)])


def _near_fine_pairs(by_euro: list[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """The pairs of records of different sources with the same fine and dates near (``_near``), among
    records sorted by euro value. Dated records are only compared within spans of ``NEAR_DAYS`` next to
    each other, so that the cost grows with the records of a span, not with all of an authority's."""
    spans: dict[int, list[SourceRecord]] = defaultdict(list)
    for r in by_euro:
        spans[_span(r) if r.decision_date else -1].append(r)
    undated = spans.pop(-1, [])
    for span, these in spans.items():
        with_next = sorted(these + spans.get(span + 1, []), key=_by_euro)
        yield from ((a, b) for a, b in _same_fine_pairs(with_next) if _near(a, b) and span in (_span(a), _span(b)))
    euros = [r.fine_eur_minor for r in by_euro]
    for record in undated:  # near any date: compared with every record of about its fine
        low = bisect.bisect_left(euros, record.fine_eur_minor / (1 + SAME_AMOUNT_TOLERANCE))
        high = bisect.bisect_right(euros, record.fine_eur_minor * (1 + SAME_AMOUNT_TOLERANCE))
        yield from ((record, other) for other in by_euro[low:high] if other.source != record.source
                    and (other.decision_date or other.id > record.id) and _same_fine(record, other))


def _span(record: SourceRecord) -> int:
    return record.decision_date.toordinal() // NEAR_DAYS


def _by_euro(record: SourceRecord) -> tuple[int, str]:
    return record.fine_eur_minor or 0, record.id


def _unique_partners(pairs: list[tuple[SourceRecord, SourceRecord]]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """The pairs whose records are each the only one of their source to pair with the other."""
    partners = Counter((r.id, other.source) for a, b in pairs for r, other in ((a, b), (b, a)))
    return ((a, b) for a, b in pairs if partners[(a.id, b.source)] == partners[(b.id, a.source)] == 1)


def _by_document(records: Sequence[SourceRecord]) -> Iterator[list[SourceRecord]]:
    """Records of one country that link one document (an address with a path, not a site's front page)."""
    grouped: dict[tuple, list[SourceRecord]] = defaultdict(list)
    for r in records:
        for url in {_document_address(url) for url in r.urls} - {None}:
            grouped[(r.country, url)].append(r)
    return (group for group in grouped.values() if len(group) > 1)


def _document_address(url: str) -> str | None:
    """``https://www.a.eu/x/y.pdf#p2`` → ``a.eu/x/y.pdf``; ``None`` for a site's front page."""
    address = _URL_PREFIX.sub("", url.strip().split("#", 1)[0]).rstrip("/").lower()
    return address if "/" in address or "?" in address else None


def _blocks(records: Sequence[SourceRecord], by_day: bool, fined: bool,
            by_country: bool = False) -> Iterator[list[SourceRecord]]:
    """Records of one authority (``by_country``: of one country, naming no authority or a known one) and
    decision day with a fine (of at least ``MIN_NEAR_AMOUNT_MINOR`` when not by day), sorted by their
    fine in euro."""
    grouped: dict[tuple, list[SourceRecord]] = defaultdict(list)
    for r in records:
        day = r.decision_date if r.date_precision == Precision.DAY else None
        # A body the gazetteer does not know (a court) is no authority to leave out.
        located = r.country and (r.authority_id or not r.authority_raw) if by_country else r.authority_id and r.country
        if not located or (by_day and day is None):
            continue
        if fined and (r.fine_eur_minor is None or (not by_day and r.fine_eur_minor < MIN_NEAR_AMOUNT_MINOR)):
            continue
        grouped[(r.country if by_country else r.authority_id, day if by_day else None)].append(r)
    return (sorted(group, key=_by_euro) for group in grouped.values() if len(group) > 1)


def _same_fine_pairs(by_euro: list[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """The pairs of records of different sources with the same fine, among records sorted by euro value."""
    for i, low in enumerate(by_euro):
        for high in by_euro[i + 1:]:
            if high.fine_eur_minor > low.fine_eur_minor * (1 + SAME_AMOUNT_TOLERANCE):
                break
            if low.source != high.source and _same_fine(low, high):
                yield low, high


def _fines_differ(left: SourceRecord, right: SourceRecord) -> bool:
    return left.fine is not None and right.fine is not None and amounts_contradict(
        left.fine, right.fine, _imposed_in(left, right))


def _same_fine(left: SourceRecord, right: SourceRecord) -> bool:
    if left.fine_currency == right.fine_currency:  # same_amount's own first test, 35× faster without Money
        return left.fine_minor == right.fine_minor
    return same_amount(left.fine, right.fine)


def _imposed_in(left: SourceRecord, right: SourceRecord) -> str | None:
    """The currency of the records' country on the day (an amount in another is a conversion)."""
    return left.country and local_currency(left.country, left.decision_date or right.decision_date)


def _fine_stated_by_one(left: SourceRecord, right: SourceRecord) -> bool:
    """Whether one record states a fine and the other none (a fine of 0 states none)."""
    return bool(left.fine_minor) != bool(right.fine_minor)


def _fined_unstated(record: SourceRecord) -> bool:
    """Whether ``record`` says there was a fine but not how much."""
    return record.fined is True and not record.fine_minor


def _unstated_fine_may_be(left: SourceRecord, right: SourceRecord) -> bool:
    """For a record that states a fine and one that does not: an addressee in common, and the other not
    saying there was a fine of an amount it does not know (a tracker that knew of that fine and not its
    amount is as often reporting another fine of that day)."""
    silent = right if left.fine_minor else left
    return _addressees_agree(left, right) and not _fined_unstated(silent)


def _addressees_agree(left: SourceRecord, right: SourceRecord) -> bool:
    return addressees_agree([name for _, name in left.addressees], [name for _, name in right.addressees])


def _across_sources(group: list[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    return ((a, b) for a, b in combinations(group, 2) if a.source != b.source)


def _near(left: SourceRecord, right: SourceRecord) -> bool:
    dates = left.decision_date, right.decision_date
    return None in dates or abs((dates[0] - dates[1]).days) <= NEAR_DAYS


def _same_reference(records: Sequence[SourceRecord]) -> Iterator[tuple[SourceRecord, SourceRecord]]:
    """A scheme's reference in common; or equal references, or one the other with up to
    ``_REFERENCE_PREFIX`` leading characters more."""
    by_scheme: dict[tuple, list[SourceRecord]] = defaultdict(list)
    by_reference: dict[tuple, list[SourceRecord]] = defaultdict(list)
    for r in records:
        for reference in r.case_references:
            by_scheme[(r.country, reference)].append(r)
        if r.case_reference and len(ref := _NOT_ALNUM.sub("", r.case_reference.upper())) >= _MIN_REFERENCE:
            by_reference[(r.country, ref)].append(r)
    for group in by_scheme.values():
        yield from ((a, b) for a, b in combinations(group, 2) if a.source != b.source or _listed_twice(a, b))
    for (country, ref), group in by_reference.items():
        yield from _across_sources(group)
        for cut in range(1, min(_REFERENCE_PREFIX, len(ref) - _MIN_REFERENCE) + 1):
            for shorter in by_reference.get((country, ref[cut:]), ()):
                yield from ((r, shorter) for r in group if r.source != shorter.source)


def _listed_twice(left: SourceRecord, right: SourceRecord) -> bool:
    """Two rows of one table with a reference in common that numbers one decision, the same day and the
    same fine: one decision listed twice. (Rows of one procedure on different days are its decisions:
    the fine and the appeal against it, or its court's ruling.)"""
    return (left.kind == right.kind == "table_row" and left.date_precision == right.date_precision == Precision.DAY
            and left.decision_date == right.decision_date and left.fine_minor == right.fine_minor
            and left.fine_currency == right.fine_currency
            and any(numbers_conflict(ref) for ref in set(left.case_references) & set(right.case_references)))


def _in_conflict(left: SourceRecord, right: SourceRecord) -> bool:
    """References of one scheme with none in common, or addressees that certainly differ."""
    return _references_conflict(left, right) or addressees_conflict(
        [name for _, name in left.addressees], [name for _, name in right.addressees])


def _references_conflict(left: SourceRecord, right: SourceRecord) -> bool:
    schemes = {scheme_of(ref) for ref in left.case_references if numbers_conflict(ref)} & {
        scheme_of(ref) for ref in right.case_references}
    return any(not {ref for ref in left.case_references if scheme_of(ref) == scheme}
               & {ref for ref in right.case_references if scheme_of(ref) == scheme} for scheme in schemes)


# -- the reconciled decision -------------------------------------------------------------------------
def _decision(members: list[SourceRecord]) -> Decision:
    """Values from the best-ranked record that has them; the date from the most precise one."""
    best = members[0]
    dated = min(members, key=lambda r: _PRECISION_RANK[Precision(r.date_precision)])

    def first(field: str):
        return next((getattr(r, field) for r in members if getattr(r, field) is not None), None)

    authority = (first("authority_id") or "authority/unknown").rsplit("/", 1)[-1]
    fined = True if any(r.fined or r.fine_minor is not None for r in members) else \
        False if any(r.fined is False for r in members) else None
    day = dated.decision_date.isoformat() if dated.decision_date else "undated"
    return Decision(
        # Named after its best record, which no other decision holds: unique and stable across refreshes.
        id=f"decision/{(first('country') or 'xx').lower()}/{authority}/{day}/{_SLUG.sub('-', best.id.lower()).strip('-')}",
        country=first("country"), authority_id=first("authority_id"), decision_date=dated.decision_date,
        date_precision=dated.date_precision, case_reference=first("case_reference"), outcome=first("outcome"), violation=first("violation"),
        fine_eur_minor=first("fine_eur_minor"), fined=fined, summary=first("summary"), sources=[r.id for r in members],
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
    "outcome": lambda r: r.outcome,
    "violation": lambda r: r.violation,
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
