"""Records of enforcement: fines and decisions as tabular sources report them, the authorities that
issued them, and the rows a source could not give.

Countries are ISO 3166-1 alpha-2 codes: Greece is ``GR`` (not the EU's ``EL``), the United Kingdom is
``GB`` (not ``UK``), and Union bodies (EDPB, EDPS) take the exceptionally reserved ``EU``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from schema.law import CrossReference, Lang, Record

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"

    def last_day(self, first: dt.date | None) -> dt.date | None:
        """The last day of the period starting on ``first`` that a date of this precision names."""
        if first is None or self is Precision.UNKNOWN:
            return None
        if self is Precision.DAY:
            return first
        following = dt.date(first.year + 1, 1, 1) if self is Precision.YEAR or first.month == 12 else \
            dt.date(first.year, first.month + 1, 1)
        return following - dt.timedelta(days=1)


class PartialDate(Record):
    """A date known to a day, a month or a year; ``value`` is the first day of that period.

    ``raw`` is the text the source gave ("2018-09", "Unknown", "01/01/1970"), kept whatever was made of it.
    """

    value: dt.date | None = None
    precision: Precision
    raw: str = ""

    @model_validator(mode="after")
    def _value_iff_known(self) -> PartialDate:
        if (self.value is None) != (self.precision is Precision.UNKNOWN):
            raise ValueError("a date has a value exactly when its precision is known")
        return self


class Money(Record):
    """An amount in minor units of its ISO 4217 currency, with its reference value in euro.

    ``eur_rate`` is the reference rate used (units of ``currency`` per euro) and ``rate_date`` the day it
    was published; both are None for amounts in euro, whose ``eur_minor`` is the amount itself.
    """

    amount_minor: int = Field(ge=0)
    currency: CurrencyCode
    eur_minor: int | None = None
    eur_rate: Decimal | None = None
    rate_date: dt.date | None = None
    raw: str


class PartyRole(StrEnum):
    """The role a source gives a party of a decision. Complainants, data subjects and authorities are
    named in a decision but never its addressees, so never fined."""

    CONTROLLER = "controller"
    PROCESSOR = "processor"
    RESPONDENT = "respondent"
    COMPLAINANT = "complainant"
    DATA_SUBJECT = "data_subject"
    AUTHORITY = "authority"


_NOT_ADDRESSED = frozenset({PartyRole.COMPLAINANT, PartyRole.DATA_SUBJECT, PartyRole.AUTHORITY})


class Organisation(Record):
    """A fined or named party. ``name`` is as written, legal form split off into ``legal_form`` and a
    role marker ("Complainant: …") into ``role``; ``key`` is what two spellings of one organisation
    share (see ``parsers.normalise.organisations``)."""

    name: str
    legal_form: str | None = None
    key: str
    role: PartyRole | None = None



class FineRecord(Record):
    """One row of a tabular fine/decision source, validated and normalised, with its provenance.

    ``*_raw`` fields keep the source's text (after the source's declared cleaning, e.g. HTML stripped)
    next to what was made of it; ``authority_id`` is None when the gazetteer does not know the name.
    ``fined`` says whether the row reports a fine: True with an amount or of an amount it does not
    state, False when it says there was none, None when it does not tell.
    ``articles_raw`` are the cited-article items as text; ``articles`` the provision ids they resolve to.
    """

    source: str
    row_id: str
    case_id: str | None = None
    country: CountryCode | None = None
    authority_id: str | None = None
    authority_raw: str | None = None
    decision_date: PartialDate
    fine: Money | None = None
    fine_raw: str | None = None
    fined: bool | None = None
    organisations: list[Organisation] = []
    organisation_raw: str | None = None
    sector: str | None = None
    violation: str | None = None
    outcome: str | None = None
    articles_raw: list[str] = []
    articles: list[str] = []
    summary: str | None = None
    source_urls: list[str] = []
    licence: str
    attribution: str


class QuarantinedRow(Record):
    """A row that did not become a record: which one (``row_number`` counts data rows from 1), why,
    and the row itself as JSON text."""

    source: str
    row_number: int = Field(ge=1)
    row_id: str | None = None
    reason: str
    raw: str


class Authority(Record):
    """A data protection authority (or an EU body of them) as the gazetteer knows it.

    ``names`` are official names by ISO 639-1 language; ``subdivision`` is the ISO 3166-2 region of a
    regional authority (German Länder, Spanish autonomous communities); ``aliases`` are other
    renderings in use (English descriptions, region names) that identify it within its country.
    """

    id: str
    country: CountryCode
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
    name_en: str
    names: dict[str, str] = {}
    abbreviations: list[str] = []
    former_names: list[str] = []
    aliases: list[str] = []


# -- the enforcement graph ------------------------------------------------------------------------
class SourceRecord(Record):
    """One source's account of a decision or fine (a table row or a decision document), as loaded.

    Several of them describe one real decision: each keeps its own values, so disagreements between
    sources stay visible. ``articles`` are the provision ids its citations resolved to.
    """

    id: str
    source: str
    kind: str = Field(description="table_row or document")
    country: str | None = None
    authority_id: str | None = None
    authority_raw: str | None = None
    decision_date: dt.date | None = None
    date_precision: str = Precision.UNKNOWN.value
    date_raw: str = ""
    case_reference: str | None = None
    case_references: list[str] = Field(default=[], description=(
        "the references of known schemes its case reference and URLs state: 'aepd PS/00301/2019'"))
    outcome: str | None = None
    violation: str | None = None
    fine_minor: int | None = None
    fine_currency: str | None = None
    fine_eur_minor: int | None = None
    eur_rate: str | None = None
    rate_date: dt.date | None = None
    fined: bool | None = Field(default=None, description=(
        "whether it reports a fine, stated amount or not (True), none (False) or does not tell (None)"))
    organisations: list[str] = []
    organisation_keys: list[str] = []
    organisation_roles: list[str] = Field(default=[], description=(
        "the role of each organisation as its source states it (a PartyRole), '' where it states none"))
    articles: list[str] = []
    articles_raw: list[str] = []
    summary: str | None = None
    urls: list[str] = []
    licence: str
    attribution: str
    source_sha256: str
    parser_version: str
    access: str = "public"

    @property
    def fine(self) -> Money | None:
        """The fine the record states, as Money (None when it states none)."""
        if self.fine_minor is None or self.fine_currency is None:
            return None
        return Money(amount_minor=self.fine_minor, currency=self.fine_currency, eur_minor=self.fine_eur_minor,
                     eur_rate=Decimal(self.eur_rate) if self.eur_rate else None, rate_date=self.rate_date, raw="")

    @property
    def addressees(self) -> list[tuple[str, str]]:
        """(key, name) of the organisations the decision may be addressed to: not its complainants, data
        subjects or authorities (a record that states no roles addresses all it names)."""
        roles = self.organisation_roles or [""] * len(self.organisations)
        return [(key, name) for key, name, role in zip(self.organisation_keys, self.organisations, roles)
                if role not in _NOT_ADDRESSED]


class Decision(Record):
    """A real decision of an authority, reconciled from every source record that reports it.

    Its values are those of its most authoritative, most precise record; ``disagreements`` lists every
    field on which its records differ ("decision_date: cms_enforcementtracker/ETid-274 2020-04-30 ≠ …").
    """

    id: str
    country: str | None = None
    authority_id: str | None = None
    decision_date: dt.date | None = None
    date_precision: str = Precision.UNKNOWN.value
    case_reference: str | None = None
    outcome: str | None = None
    violation: str | None = None
    fine_eur_minor: int | None = None
    fined: bool | None = Field(default=None, description=(
        "a record reports a fine, stated amount or not (True); else one says there was none (False)"))
    summary: str | None = None
    sources: list[str]
    disagreements: list[str] = []
    known_since: dt.date | None = Field(default=None, description=(
        "the first day the decision is known to have been taken: the last day of its date's period, or for "
        "an undated one the day a document reporting it was fetched (all it is known to precede)"))
    access: str = "public"


class Fine(Record):
    id: str
    decision_id: str
    amount_minor: int
    currency: str
    eur_minor: int | None = None
    eur_rate: str | None = None
    rate_date: dt.date | None = None


class OrganisationNode(Record):
    """An organisation a decision concerns; ``key`` is the match key its spellings share."""

    id: str
    key: str
    name: str
    legal_form: str | None = None


class AuthorityNode(Record):
    id: str
    country: str
    name_en: str
    names: list[str] = Field(description="every official name, abbreviation and former name")


class Country(Record):
    code: str


# -- decision documents ---------------------------------------------------------------------------
class EventKind(StrEnum):
    """A procedural event of a case, in the order of its course, and what it does to the fine that
    stands: a notice of intent and a draft decision (a lead authority's, Art. 60 GDPR) announce one, a
    binding decision of the EDPB (Art. 65/66) tells the lead authority what to decide — none stands
    yet; a decision, a judgment and a reduction set it; an annulment ends it."""

    NOTICE_OF_INTENT = "notice_of_intent"
    DRAFT_DECISION = "draft_decision"
    BINDING_DECISION = "binding_decision"
    DECISION = "decision"
    JUDGMENT = "judgment"
    REDUCTION = "reduction"
    ANNULMENT = "annulment"


class CaseEvent(Record):
    """One event of a case, as the records in ``record_ids`` state it: by their own values (date,
    amount: ``evidence`` "") or in words of their summary (``evidence`` the matched text, ``spans``
    "start-end" in that summary). ``body`` is the authority's id for the authority's acts, the court
    as written for a court's; the amount is what the event sets the fine to."""

    id: str
    case_id: str
    kind: EventKind
    event_date: dt.date | None = None
    date_precision: str = Precision.UNKNOWN.value
    body: str | None = None
    amount_minor: int | None = None
    currency: CurrencyCode | None = None
    eur_minor: int | None = None
    record_ids: list[str]
    evidence: list[str]
    spans: list[str]
    access: str = "public"


class Case(Record):
    """The decisions of one matter (a notice of intent, the decision, the judgment on its appeal), by
    the rules in ``links`` that joined them ("" for a case of one decision)."""

    id: str
    country: str | None = None
    authority_id: str | None = None
    decision_ids: list[str]
    links: list[str] = []
    access: str = "public"


class DecisionFormat(StrEnum):
    PDF = "pdf"
    GDPRHUB_HTML = "gdprhub_html"


class Outcome(StrEnum):
    """What a decision does, by precedence: a decision that fines and orders is a fine; one that only
    reports an investigation's findings is ``findings``; an approval or anything else is ``other``.
    A document that says it is no decision (guidance, news, a speech, an interview) is ``not_a_decision``
    whatever amounts it mentions; one in a language without a decision grammar is ``unknown``."""

    NOT_A_DECISION = "not_a_decision"
    FINE = "fine"
    BAN = "ban"
    REPRIMAND = "reprimand"
    ORDER = "order"
    DISMISSAL = "dismissal"
    OPINION = "opinion"
    FINDINGS = "findings"
    OTHER = "other"
    UNKNOWN = "unknown"


class Citation(Record):
    """A provision a decision cites, with its evidence: ``reference`` spans the text of one PDF page
    (``page``, from 1, as pypdf extracts it) or of one section of an HTML page (``section``)."""

    page: int | None = Field(default=None, ge=1)
    section: str | None = None
    reference: CrossReference

    @model_validator(mode="after")
    def _page_or_section(self) -> Citation:
        if (self.page is None) == (self.section is None):
            raise ValueError("a citation is on a page or in a section, not both or neither")
        return self


class DecisionHints(Record):
    """What a source's configuration says of its documents: used where a document does not state it.
    ``authority`` is a gazetteer id or a name; ``source`` names the document."""

    source: str | None = None
    authority: str | None = None
    lang: Lang | None = None
    licence: str | None = None
    attribution: str | None = None


class DecisionRecord(Record):
    """One decision document (a PDF as an authority published it, or a GDPRhub case page), read.

    ``decision_date`` is the date the document gives the decision (a document that is not a decision:
    the date it is dated); ``publication_date`` the date it was published. Each is as the document
    states it, to the precision it states it, else unknown: a file's own dates are no statement.
    ``cited`` are the GDPR provisions the text cites; when there are none, ``no_citation_reason`` says
    why ("cites PECR and the DPA 1998, not the GDPR"). ``unread_reason`` says why the document's
    dates, outcome and fine were not read (no decision grammar for its language), exactly when its
    outcome is ``unknown``.
    """

    id: str
    source: str | None = None
    format: DecisionFormat
    language: Lang
    authority_id: str | None = None
    authority_raw: str | None = None
    country: CountryCode | None = None
    decision_date: PartialDate
    publication_date: PartialDate
    case_reference: str | None = None
    parties: list[Organisation] = []
    outcome: Outcome
    fine: Money | None = None
    cited: list[Citation] = []
    no_citation_reason: str | None = None
    pages: int | None = Field(default=None, ge=1)
    title: str | None = None
    summary: str | None = None
    licence: str | None = None
    attribution: str | None = None
    unread_reason: str | None = None

    @model_validator(mode="after")
    def _reason_iff_no_citation(self) -> DecisionRecord:
        if bool(self.cited) == (self.no_citation_reason is not None):
            raise ValueError("a decision states a reason exactly when it cites no provision")
        if (self.unread_reason is None) == (self.outcome is Outcome.UNKNOWN):
            raise ValueError("a decision states why it was not read exactly when its outcome is unknown")
        if self.fine is not None and self.outcome in (Outcome.NOT_A_DECISION, Outcome.UNKNOWN):
            raise ValueError(f"a document whose outcome is {self.outcome.value!r} imposes no fine")
        return self
