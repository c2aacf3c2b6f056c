"""GDPRhub case pages: one table row per page of what its infobox states, the GDPR provisions its
relevant-law list cites, and the summary's citations with their evidence; then bad input."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from pydantic import ValidationError

from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.errors import ParseError
from schema.enforcement import Citation, DecisionRecord, Outcome, Precision
from schema.ids import GDPR
from schema.law import CrossReference


class Row(NamedTuple):
    page: str  # the file name between "gdprhub_" and ".html"
    authority: str
    country: str
    decided: str | None
    published: str | None
    case: str
    outcome: Outcome
    fine: tuple[int, str] | None
    parties: list[str]
    law: set[str]  # the relevant-law list, relative to the GDPR


ROWS = [
    Row("AEPD_Spain_-_PS_00001_2021", "authority/es/aepd", "ES", None, "2022-02-01", "PS-00001-2021", Outcome.FINE,
        (394_000_000, "EUR"), ["VODAFONE ESPAÑA"], {"art_5/par_1/pnt_f", "art_5/par_2"}),
    Row("APD_GBA_Belgium_-_37_2020", "authority/be/apd-gba", "BE", "2020-06-14", None, "37/2020", Outcome.FINE,
        (60_000_000, "EUR"), ["Google"], {"art_17"}),
    Row("AP_The_Netherlands_-_Boete_vingerafdrukken_personeel", "authority/nl/ap", "NL", "2019-12-04", None,
        "Boete vingerafdrukken personeel", Outcome.FINE, (72_500_000, "EUR"), [],
        {"art_9/par_1", "art_9/par_2/pnt_a", "art_9/par_2/pnt_g"}),
    Row("BlnBDI_Berlin_-_632.276_521.11692_591.616", "authority/de-be/blnbdi", "DE", "2022-05-19", None,
        "632.276, 521.11692, 591.616", Outcome.FINE, (100_000, "EUR"), [], {"art_6/par_1"}),
    Row("CNIL_France_-_SAN-2019-001", "authority/fr/cnil", "FR", "2019-01-21", "2019-01-22", "SAN-2019-001",
        Outcome.FINE, (5_000_000_000, "EUR"), ["Google", "noyb", "La Quadrature du Net"],
        {"art_4/pnt_11", "art_6/par_1/pnt_a", "art_7", "art_12", "art_13"}),
    Row("CNIL_France_-_SAN-2020-012", "authority/fr/cnil", "FR", "2020-12-07", "2020-12-10", "SAN-2020-012",
        Outcome.FINE, (10_000_000_000, "EUR"), ["Google Ireland", "Google"],
        {"art_4/pnt_7", "art_26/par_1", "art_56", "art_60"}),
    Row("CNIL_France_-_SAN-2023-018", "authority/fr/cnil", "FR", "2023-12-12", "2023-12-19", "SAN-2023-018",
        Outcome.FINE, (500_000, "EUR"), ["Commune de KOUROU (Municipality of KOUROU)"],
        {"art_31", "art_37/par_1/pnt_a"}),
    Row("CNPD_Portugal_-_Deliberacao_2021_1569", "authority/pt/cnpd", "PT", "2021-12-21", "2022-01-14",
        "Deliberação/2021/1569", Outcome.FINE, (125_000_000, "EUR"), [],
        {"art_5/par_1/pnt_a", "art_5/par_1/pnt_c", "art_5/par_1/pnt_e", "art_9/par_1", "art_13", "art_83/par_7",
         "art_83/par_3", "art_35/par_3/pnt_b"}),
    Row("DPC_Ireland_-_IN-20-7-1", "authority/ie/dpc", "IE", "2021-08-20", None, "IN-20-7-1", Outcome.FINE,
        (150_000, "EUR"), ["MOVE Ireland"], {"art_5/par_1/pnt_f", "art_32/par_1"}),
    Row("DPC_Ireland_-_IN-21-9-1", "authority/ie/dpc", "IE", "2023-09-01", None, "IN-21-9-1", Outcome.FINE,
        (34_500_000_000, "EUR"), ["TikTok"],
        {"art_5/par_1/pnt_a", "art_5/par_1/pnt_f", "art_24", "art_25", "art_60", "art_63"}),
    # GDPRhub gives no decision date, only when it published the page.
    Row("DPC_Ireland_-_Meta__View-as__feature", "authority/ie/dpc", "IE", None, "2024-12-17",
        'Meta "View-as" feature', Outcome.FINE, (25_100_000_000, "EUR"), ["Meta Platforms Ireland"],
        {"art_25", "art_33"}),
    Row("Datatilsynet_Denmark_-_Danske_Bank", "authority/dk/datatilsynet", "DK", "2022-04-05", None, "Danske Bank",
        Outcome.FINE, (1_000_000_000, "DKK"), ["Danske Bank"], {"art_5/par_1/pnt_a", "art_5/par_1/pnt_e"}),
    # Binding decisions of the EDPB impose no fine themselves; the authorities concerned are no parties.
    Row("EDPB_-_Binding_Decision_1_2020_-_Twitter", "authority/eu/edpb", "EU", "2020-11-09", None, "1/2021",
        Outcome.OTHER, None, [],
        {"art_4/pnt_24", "art_5/par_1/pnt_f", "art_28", "art_33/par_1", "art_33/par_5", "art_60/par_4",
         "art_65/par_1/pnt_a"}),
    Row("EDPB_-_Binding_Decision_1_2021_-_WhatsApp", "authority/eu/edpb", "EU", "2021-07-28", "2021-09-01",
        "Binding decision 1/2021 on the dispute arisen on the draft decision of the Irish Supervisory Authority "
        "regarding WhatsApp Ireland under Article 65(1)(a) GDPR", Outcome.OTHER, None, ["WhatsApp Ireland"],
        {"art_4/pnt_24", "art_5/par_1/pnt_a", "art_12", "art_13", "art_14", "art_65/par_1/pnt_a", "art_83"}),
    Row("Garante_per_la_protezione_dei_dati_personali_Italy_-_10029424", "authority/it/garante", "IT", "2024-06-06",
        None, "10029424", Outcome.FINE, (641_963_100, "EUR"), ["Eni Plenitude S.p.A. Società Benefit"],
        {"art_5/par_1/pnt_f", "art_5/par_1/pnt_a", "art_5/par_2", "art_6/par_1/pnt_a", "art_24", "art_25", "art_28"}),
    # The page is 10085455; the infobox's case number is 10085432.
    Row("Garante_per_la_protezione_dei_dati_personali_Italy_-_10085455", "authority/it/garante", "IT", "2024-12-20",
        "2024-12-20", "10085432", Outcome.FINE, (1_500_000_000, "EUR"), ["OpenAI"],
        {"art_5", "art_6", "art_8", "art_13", "art_14", "art_33", "art_55", "art_56"}),
    Row("Garante_per_la_protezione_dei_dati_personali_Italy_-_9269618", "authority/it/garante", "IT", "2020-01-23",
        None, "9269618", Outcome.FINE, (3_000_000, "EUR"), ['University "La Sapienza" Rome'],
        {"art_5/par_1/pnt_f", "art_32", "art_33"}),
    Row("ICO_UK_-_Monetary_Penalty_Notice_to_Easylife_Limited", "authority/gb/ico", "GB", "2022-10-04", None,
        "Monetary Penalty Notice to Easylife Limited", Outcome.FINE, (135_000_000, "GBP"), ["Easylife"],
        {"art_5/par_1/pnt_a", "art_6", "art_9", "art_13"}),
    Row("IMY_Sweden_-_DI-2019-3375", "authority/se/imy", "SE", "2021-06-07", "2021-06-08", "DI-2019-3375",
        Outcome.FINE, (1_200_000_000, "SEK"), ["MedHelp"],
        {"art_5/par_1/pnt_f", "art_5/par_1/pnt_a", "art_5/par_1", "art_6/par_3", "art_9/par_1", "art_9/par_3",
         "art_12", "art_13", "art_32/par_1"}),
]


@pytest.fixture(scope="module")
def html(corpus: Path) -> Path:
    return corpus / "dpa" / "html"


@pytest.fixture(scope="module")
def records(html: Path, gdpr_ids: frozenset[str]) -> dict[str, DecisionRecord]:
    return {path.stem.removeprefix("gdprhub_"): parse_gdprhub_page(path.read_bytes(), known_ids=gdpr_ids)
            for path in sorted(html.glob("*.html"))}


def test_every_page_has_a_row(records):
    assert {row.page for row in ROWS} == set(records)


def date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.page[:40])
def test_what_the_infobox_states(records, row):
    record = records[row.page]
    assert (record.authority_id, record.country, record.language) == (row.authority, row.country, "en")
    assert (record.decision_date.value, record.publication_date.value) == (date(row.decided), date(row.published))
    assert record.case_reference == row.case
    assert record.outcome is row.outcome
    assert (record.fine and (record.fine.amount_minor, record.fine.currency)) == row.fine
    assert [party.name for party in record.parties] == row.parties
    law = {c.reference.target_id.removeprefix(f"{GDPR}/") for c in record.cited if c.section == "Relevant Law"}
    assert law == row.law


def test_fingerprint_fine_matches_the_authority_s_own_summary(records):
    """The same AP decision as the PDF summary ``NL_AP_2019-12-04_onderzoek_vingerafdrukken_personeel.pdf``."""
    record = records["AP_The_Netherlands_-_Boete_vingerafdrukken_personeel"]
    assert (record.fine.amount_minor, record.fine.currency, record.fine.raw) == (72_500_000, "EUR", "725000 EUR")
    assert record.decision_date.raw == "04.12.2019"


def test_fines_in_other_currencies_have_a_euro_value(records):
    danske = records["Datatilsynet_Denmark_-_Danske_Bank"].fine
    assert (danske.rate_date, danske.eur_minor) == (dt.date(2022, 4, 5), round(1_000_000_000 / danske.eur_rate))


def test_dates_as_written(records):
    sapienza = records["Garante_per_la_protezione_dei_dati_personali_Italy_-_9269618"]
    assert (sapienza.decision_date.value, sapienza.decision_date.raw) == (dt.date(2020, 1, 23), "23. 01. 2020")
    assert sapienza.publication_date.precision is Precision.UNKNOWN


def test_summary_citations_with_their_section(records):
    """The English summary is read too; a citation's text is in the summary, under a heading of the page."""
    for name, record in records.items():
        summary = [c for c in record.cited if c.section != "Relevant Law"]
        assert all(c.reference.text in record.summary for c in summary), name
    holding = records["AP_The_Netherlands_-_Boete_vingerafdrukken_personeel"]
    assert {c.section for c in holding.cited} == {"Relevant Law", "Holding"}
    assert "English Machine Translation" not in (records["IMY_Sweden_-_DI-2019-3375"].summary or "")
    assert not any(c.section == "Comment" for record in records.values() for c in record.cited)


def test_licence_and_attribution_from_the_page(records):
    record = records["CNIL_France_-_SAN-2019-001"]
    assert record.licence == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert "GDPRhub" in record.attribution and record.title == "CNIL (France) - SAN-2019-001"
    assert record.id == "decision/fr/cnil/san-2019-001/2019-01-21"


BAD = [
    ("empty", b"", "empty document"),
    ("blank", b"  \n", "empty document"),
    ("another page", b"<html><body><p>Privacy policy</p></body></html>", "not a GDPRhub case page: no infobox"),
    ("a PDF", b"%PDF-1.7\n%%EOF", "not a GDPRhub case page: no infobox"),
]


@pytest.mark.parametrize(("case", "data", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_input_says_what_is_wrong(case, data, message):
    with pytest.raises(ParseError, match=message):
        parse_gdprhub_page(data)


@pytest.mark.parametrize(("written", "spoilt", "message"), [
    (b"1500 EUR", b"1500 XYZ", "fine '1500 XYZ' is not an amount: unknown currency 'XYZ'"),
    (b"20.08.2021", b"20.13.2021", "date '20.13.2021' matches none of the formats %d.%m.%Y"),
])
def test_an_unreadable_infobox_value_is_an_error(html, written, spoilt, message):
    page = (html / "gdprhub_DPC_Ireland_-_IN-20-7-1.html").read_bytes()
    assert written in page
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_gdprhub_page(page.replace(written, spoilt))


def test_records_state_a_reason_exactly_when_they_cite_nothing():
    reference = CrossReference(source_id="decision/x", target_id=f"{GDPR}/art_6", lang="en", start=0, end=9,
                               text="Article 6")
    base = {"id": "decision/x", "format": "pdf", "language": "en", "outcome": "other",
            "decision_date": {"precision": "unknown"}, "publication_date": {"precision": "unknown"}}
    with pytest.raises(ValidationError, match="reason exactly when"):
        DecisionRecord(**base)
    with pytest.raises(ValidationError, match="reason exactly when"):
        DecisionRecord(**base, cited=[Citation(page=1, reference=reference)], no_citation_reason="none")
    with pytest.raises(ValidationError, match="on a page or in a section"):
        Citation(page=1, section="Holding", reference=reference)
