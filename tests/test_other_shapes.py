"""A tracker of another shape (tests/data/other_shape_tracker.*), mapped as a user would, read and reconciled
with the real CMS tracker; and each misuse of such a mapping, by the reason it is quarantined with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from parsers.normalise.money import local_currency
from parsers.reconcile import from_fine_row, reconcile
from parsers.tabular import Mapping, TabularResult, load_mapping, parse_tabular
from schema.enforcement import FineRecord

DATA = Path(__file__).parent / "data"
MAPPING = Mapping.from_toml((DATA / "other_shape_tracker.toml").read_text(encoding="utf-8"))
GDPR = "eu/reg/2016/679"
CMS = "cms_enforcementtracker"


@pytest.fixture(scope="module")
def other(gdpr_ids: frozenset[str]) -> TabularResult:
    return parse_tabular((DATA / "other_shape_tracker.csv").read_bytes(), MAPPING, gdpr_ids)


@pytest.fixture(scope="module")
def cms(corpus: Path, gdpr_ids: frozenset[str]) -> TabularResult:
    return parse_tabular((corpus / "fines" / "cms_enforcementtracker_2024-03.json").read_bytes(), load_mapping(CMS),
                         gdpr_ids)


# row → (country, authority, decision date, precision, amount in minor units and currency, fined, articles)
ROWS = {
    "os-1": ("ES", None, "2020-08-06", "day", (3_000_00, "EUR"), True, ["art_12", "art_13"]),  # Spain: several
    "os-3": ("IT", "authority/it/garante", "2021-11-11", "day", (150_000_00, "EUR"), True, ["art_15"]),
    "os-4": ("FR", "authority/fr/cnil", "2019-01-21", "day", (50_000_000_00, "EUR"), True, ["art_6", "art_13", "art_14"]),
    "os-6": ("AT", "authority/at/dsb", "2021-01-01", "year", None, False, ["art_5/par_1/pnt_f", "art_32"]),  # "0"
    "os-7": ("DE", None, "2022-01-01", "year", None, True, ["art_5"]),  # "unknown": a fine of unstated amount
    "os-8": ("EU", "authority/eu/edpb", "2021-07-28", "day", None, False, ["art_12", "art_13", "art_14"]),  # "edpb"
    "os-9": ("HR", "authority/hr/azop", "2022-03-08", "day", (936_000_00, "HRK"), True, ["art_15/par_3"]),
    "os-10": ("HR", "authority/hr/azop", "2023-01-01", "year", (20_000_00, "EUR"), True,
              ["art_25/par_1", "art_32/par_1/pnt_b"]),  # the kuna's successor
}


@pytest.mark.parametrize("row_id", ROWS)
def test_a_row_of_another_shape_reads(other: TabularResult, row_id: str) -> None:
    country, authority, day, precision, fine, fined, articles = ROWS[row_id]
    record = {r.row_id: r for r in other.records}[row_id]
    assert (record.country, record.authority_id, record.authority_raw) == (country, authority, None)
    assert (record.decision_date.value, record.decision_date.precision) == (dt.date.fromisoformat(day), precision)
    assert (record.fine and (record.fine.amount_minor, record.fine.currency), record.fined) == (fine, fined)
    assert record.articles == [f"{GDPR}/{path}" for path in articles]


def test_every_row_of_another_shape_loads(other: TabularResult) -> None:
    assert (len(other.records), other.quarantined) == (10, [])
    assert {r.row_id: r.outcome for r in other.records}["os-6"] == "reprimand only"


# the other tracker's row → the CMS row of the same decision, and the rule that joined them
JOINED = {
    "os-1": ("ETid-364", "same_country_day_amount_organisation"),  # ETid-369 fines Just Landed 3,000 that day
    "os-2": ("ETid-365", "same_country_day_amount_organisation"),
    "os-3": ("ETid-976", "same_day_same_amount"),
    "os-4": ("ETid-23", "same_day_same_amount"),
    "os-5": ("ETid-25", "same_country_day_amount_organisation"),
    "os-9": ("ETid-1092", "same_day_same_amount"),  # HRK 936,000 and the tracker's EUR 124,245: 0.5% apart
    "os-10": ("ETid-1679", "same_amount_near_date"),  # undated in CMS
}


def test_rows_of_another_shape_reconcile_with_the_real_tracker(other: TabularResult, cms: TabularResult) -> None:
    records = [from_fine_row(row, "0" * 64, "test") for row in [*cms.records, *other.records]]
    result = reconcile(records, [CMS, MAPPING.source.name])
    rule = {r.record_id: r.rule for r in result.reported_by}
    found = {}
    for decision in result.decisions:
        ours = [s.removeprefix("other_shape_tracker/") for s in decision.sources if s.startswith("other_shape")]
        theirs = [s.removeprefix(f"{CMS}/") for s in decision.sources if s.startswith(CMS)]
        if ours:
            found[ours[0]] = (theirs[0], rule[decision.sources[0]]) if theirs else None
    assert found == {**dict.fromkeys(("os-6", "os-7", "os-8")), **JOINED}
    assert result.merges["same_country_day_amount_organisation"] == 3


def test_a_decision_says_whether_it_fined(other: TabularResult) -> None:
    result = reconcile([from_fine_row(row, "0" * 64, "test") for row in other.records], [MAPPING.source.name])
    fined = {d.sources[0].rsplit("/", 1)[1]: d.fined for d in result.decisions}
    assert (fined["os-6"], fined["os-7"], fined["os-8"], fined["os-1"]) == (False, True, False, True)
    assert {f.decision_id for f in result.fines} == {d.id for d in result.decisions if d.fined and d.fine_eur_minor}


@pytest.mark.parametrize("country, on, currency", [
    ("HR", dt.date(2022, 12, 31), "HRK"), ("HR", dt.date(2023, 1, 1), "EUR"), ("BG", dt.date(2025, 12, 31), "BGN"),
    ("BG", dt.date(2026, 1, 1), "EUR"), ("SK", dt.date(2019, 5, 1), "EUR"), ("NO", None, "NOK"), ("CH", None, "CHF"),
    ("LI", None, "CHF"), ("GB", None, "GBP"), ("DE", None, "EUR"), ("IS", None, "ISK"),
])
def test_a_country_s_currency_on_a_day(country: str, on: dt.date | None, currency: str) -> None:
    assert local_currency(country, on) == currency


# -- misuse ----------------------------------------------------------------------------------------------
def _one_row(country: str = "spain", date: str = "08/06/2020", amount: str = "3,000", articles: str = "6",
             mapping: Mapping = MAPPING, ids: frozenset[str] = frozenset()) -> FineRecord | str:
    data = f'ref,country,date,amount,organisation,outcome,articles\nx,{country},{date},"{amount}",Acme,fined,"{articles}"\n'
    result = parse_tabular(data.encode(), mapping, ids)
    return result.records[0] if result.records else result.quarantined[0].reason


MISUSES = [
    (dict(country="atlantis"),
     "country: unknown country 'atlantis': neither a country's name (parsers/data/countries.toml) nor an authority's"),
    (dict(country="cepd"),  # the French abbreviation of both the EDPB and the EDPS
     "country: unknown country 'cepd': it names 2 authorities (authority/eu/edpb, authority/eu/edps)"),
    (dict(articles="6, 6a"), "articles: 'Article 6a GDPR' cites no article of the acts loaded"),
    (dict(articles="six"), "articles: 'Article six GDPR' cites no article of the acts loaded"),
    (dict(amount="3,00,000"), "fine: amount '3,00,000' is not a number (thousands ',', decimal '.')"),
    (dict(amount="3.000,50"), "fine: amount '3.000,50' is not a number (thousands ',', decimal '.')"),
    (dict(amount="undisclosed"), "fine: amount 'undisclosed' is not a number: it has no digits"),
    (dict(amount="EUR 3,000 USD"), "fine: amount 'EUR 3,000 USD' names two currencies"),
    (dict(date="13/06/2020"), "decision_date: date '13/06/2020' matches none of the formats %m/%d/%Y, %Y"),
]


@pytest.mark.parametrize("row, reason", MISUSES, ids=[reason.split(":")[0] + repr(row) for row, reason in MISUSES])
def test_a_misuse_is_quarantined_with_what_is_wrong(gdpr_ids: frozenset[str], row: dict, reason: str) -> None:
    assert _one_row(**row, ids=gdpr_ids) == reason


def test_a_local_amount_without_a_country_is_quarantined_saying_so(gdpr_ids: frozenset[str]) -> None:
    text = (DATA / "other_shape_tracker.toml").read_text(encoding="utf-8")
    mapping = Mapping.from_toml(text.replace('country = { column = "country", required = true }\n', "")
                                .replace('authority = { from = "country" }', ""))
    assert _one_row(mapping=mapping, ids=gdpr_ids) == (
        "fine: amount '3,000' is in the currency of the row's country, and the row names none")


@pytest.mark.parametrize("authority, message", [
    ('{ from = "region" }', "Input should be 'country'"),
    ('{ from = "country", column = "country" }', "a field takes one origin, not column and from"),
])
def test_a_mapping_misusing_from_is_refused(authority: str, message: str) -> None:
    text = (DATA / "other_shape_tracker.toml").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Mapping.from_toml(text.replace('authority = { from = "country" }', f"authority = {authority}"))
