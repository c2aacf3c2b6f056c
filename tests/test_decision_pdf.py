"""Decision PDFs of six authorities in five languages, each read with no hints: one table row per
file of what the document states, read off its pypdf text; then the bar every text-bearing PDF
meets, the evidence of citations, hints, and bad input (real and made)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import NamedTuple

import pytest
from pypdf import PdfReader, PdfWriter

from parsers.decision_lang import fold
from parsers.decision_pdf import parse_decision_pdf
from parsers.errors import ParseError
from parsers.reconcile import from_decision
from schema.enforcement import DecisionHints, DecisionRecord, Outcome, PartyRole, Precision
from schema.ids import GDPR

SCANNED = "UK_ICO_2020-03-04_Cathay_Pacific_MPN.pdf"


class Row(NamedTuple):
    file: str
    lang: str
    authority: str
    country: str
    decided: str | None  # as the document states it; None: it states none
    case: str | None
    outcome: Outcome
    fine: tuple[int, str] | None  # minor units, currency
    pages: int
    cites: set[str]  # a subset of the GDPR provisions it cites, relative to the GDPR
    reason: tuple[str, ...] = ()  # words of the reason it cites none


ROWS = [
    Row("AT_DSB_2018-06-21_DSB-D122.844-0006-DSB-2018_Auskunft.pdf", "de", "authority/at/dsb", "AT", "2018-06-21",
        "DSB-D122.844/0006-DSB/2018", Outcome.ORDER, None, 7,
        {"art_15", "art_12/par_5/pnt_a", "art_57/par_1/pnt_f", "art_58/par_2/pnt_c", "art_77"}),
    Row("AT_DSB_2018-08-08_DSB-D084.133-0002-DSB-2018_DataBreach.pdf", "de", "authority/at/dsb", "AT", "2018-08-08",
        "DSB-D084.133/0002-DSB/2018", Outcome.ORDER, None, 6,
        {"art_4/pnt_12", "art_4/pnt_13", "art_33", "art_34", "art_58/par_2/pnt_e"}),
    Row("AT_DSB_2018-09-27_DSB-D550.084-0002-DSB-2018_Straferkenntnis_Dashcam.pdf", "de", "authority/at/dsb", "AT",
        "2018-09-27", "DSB-D550.084/0002-DSB/2018", Outcome.FINE, (30_000, "EUR"), 9,
        {"art_4/pnt_7", "art_5/par_1/pnt_a", "art_5/par_1/pnt_c", "art_6/par_1", "art_83/par_5/pnt_a"}),
    Row("AT_DSB_2018-11-30_DSB-D122.931-0003-DSB-2018_Cookies.pdf", "de", "authority/at/dsb", "AT", "2018-11-30",
        "DSB-D122.931/0003-DSB/2018", Outcome.DISMISSAL, None, 8,
        {"art_6/par_1/pnt_a", "art_7", "art_21", "art_57/par_1/pnt_f", "art_77/par_1"}),
    Row("AT_DSB_2018-12-18_DSB-D550.015-0003-DSB-2018_Ermahnung.pdf", "de", "authority/at/dsb", "AT", "2018-12-18",
        "D550.015/0003-DSB/2018", Outcome.REPRIMAND, None, 4,
        {"art_4/pnt_7", "art_5/par_1/pnt_a", "art_5/par_1/pnt_c", "art_6/par_1"}),
    Row("AT_DSB_2018-12-20_DSB-D550.037-0003-DSB-2018_Straferkenntnis.pdf", "de", "authority/at/dsb", "AT",
        "2018-12-20", "DSB-D550.037/0003-DSB/2018", Outcome.FINE, (220_000, "EUR"), 9,
        {"art_4/pnt_7", "art_5/par_1/pnt_a", "art_5/par_1/pnt_c", "art_6/par_1", "art_83/par_5/pnt_a"}),
    Row("AT_DSB_2019-07-11_DSB-D550.185-0002-DSB-2019_Straferkenntnis.pdf", "de", "authority/at/dsb", "AT",
        "2019-07-11", "DSB-D550.185/0002-DSB/2019", Outcome.FINE, (1_000_000, "EUR"), 9,
        {"art_4/pnt_7", "art_5/par_1/pnt_a", "art_5/par_1/pnt_b", "art_6/par_1", "art_83/par_5/pnt_a"}),
    Row("AT_DSB_2020-05-25_2020-0.191.240.pdf", "de", "authority/at/dsb", "AT", "2020-05-25", "2020-0.191.240",
        Outcome.DISMISSAL, None, 23, {"art_51/par_1", "art_57/par_1/pnt_f", "art_77/par_1", "art_9/par_2/pnt_i"}),
    # The AEPD dates a resolution in its PDF's title only; the signed text has no date.
    Row("ES_AEPD_E-03925-2020.pdf", "es", "authority/es/aepd", "ES", "2020-07-17", "E/03925/2020",
        Outcome.DISMISSAL, None, 12, {"art_9", "art_9/par_2/pnt_b", "art_13", "art_30", "art_35"}),
    # Ended by voluntary payment: 60,000 proposed, 48,000 paid.
    Row("ES_AEPD_PS-00009-2020.pdf", "es", "authority/es/aepd", "ES", "2020-07-28", "PS/00009/2020",
        Outcome.FINE, (4_800_000, "EUR"), 11, {"art_6/par_1", "art_58/par_2", "art_83/par_5/pnt_a"}),
    Row("ES_AEPD_PS-00114-2019.pdf", "es", "authority/es/aepd", "ES", "2020-07-16", "PS/00114/2019",
        Outcome.FINE, (5_500_000, "EUR"), 21, {"art_6/par_1", "art_58/par_2", "art_83/par_5/pnt_a"}),
    Row("ES_AEPD_PS-00145-2019.pdf", "es", "authority/es/aepd", "ES", "2020-07-21", "PS/00145/2019",
        Outcome.REPRIMAND, None, 16, {"art_13", "art_30", "art_35", "art_83/par_5"}),
    # The appeal annuls the 55,000 fine of PS/00114/2019 and ends it by payment of 44,000.
    Row("ES_AEPD_REPOSICION-PS-00114-2019.pdf", "es", "authority/es/aepd", "ES", "2020-09-08", "PS/00114/2019",
        Outcome.FINE, (4_400_000, "EUR"), 10, {"art_6/par_1", "art_77/par_2", "art_83/par_5/pnt_a"}),
    Row("ES_AEPD_TD-00007-2020.pdf", "es", "authority/es/aepd", "ES", "2020-06-02", "TD/00007/2020",
        Outcome.DISMISSAL, None, 9, {"art_17", "art_15", "art_22"}),
    Row("LU_CNPD_2020-04-03_Decision_8-2020.pdf", "fr", "authority/lu/cnpd", "LU", "2020-04-03",
        "Décision N° 8/2020", Outcome.OTHER, None, 2,
        {"art_42/par_5", "art_43/par_3", "art_58/par_3/pnt_e", "art_64/par_1/pnt_c"}),
    Row("LU_CNPD_2020-09-10_Deliberation_22-2020_avis_PL7645.pdf", "fr", "authority/lu/cnpd", "LU", "2020-09-10",
        "Délibération n° 22/2020", Outcome.OPINION, None, 4,
        {"art_57/par_1/pnt_e", "art_5/par_1/pnt_b", "art_5/par_1/pnt_e", "art_4/pnt_5"}),
    # An investigation report ("Onderzoeksrapport maart 2019") and a summary of a fining decision: neither
    # states the decision's date.
    Row("NL_AP_2019-07-16_rapport_HagaZiekenhuis.pdf", "nl", "authority/nl/ap", "NL", None, None,
        Outcome.FINDINGS, None, 22, {"art_32/par_1", "art_33/par_1", "art_34/par_1", "art_24/par_2", "art_4/pnt_7"}),
    Row("NL_AP_2019-12-04_onderzoek_vingerafdrukken_personeel.pdf", "nl", "authority/nl/ap", "NL", None, None,
        Outcome.FINE, (72_500_000, "EUR"), 4,
        {"art_9/par_1", "art_9/par_2/pnt_a", "art_9/par_2/pnt_g", "art_58/par_2/pnt_i", "art_83/par_5"}),
    Row("SE_Datainspektionen_2020-06-15_DI-2018-14593_beslut.pdf", "sv", "authority/se/imy", "SE", "2020-06-15",
        "DI-2018-14593", Outcome.FINE, (2_000_000, "SEK"), 19,
        {"art_5", "art_6", "art_13", "art_58/par_2/pnt_f", "art_83"}),
    Row("SE_Datainspektionen_2020-06-22_DI-2020-2278_beslut.pdf", "sv", "authority/se/imy", "SE", "2020-06-22",
        "DI-2020-2278", Outcome.DISMISSAL, None, 4, set(),
        ("lagen om belastningsregister", "brottsdatalagen", "not the GDPR")),
    Row("UK_ICO_2020-08-12_Koypo_Laboratories_MPN.pdf", "en", "authority/gb/ico", "GB", "2020-08-04", None,
        Outcome.FINE, (10_000_000, "GBP"), 18, set(), ("PECR", "the DPA 1998", "not the GDPR")),
]

# (file, [(name, legal form, role)]): the organisations the operative part names.
PARTIES = [
    ("AT_DSB_2018-06-21_DSB-D122.844-0006-DSB-2018_Auskunft.pdf", [("N*** Bank", "AG", PartyRole.RESPONDENT)]),
    ("AT_DSB_2020-05-25_2020-0.191.240.pdf",
     [("Bundesamt für Sicherheit im Gesundheitswesen", None, PartyRole.RESPONDENT)]),
    ("AT_DSB_2018-12-20_DSB-D550.037-0003-DSB-2018_Straferkenntnis.pdf", []),  # a private person
    ("ES_AEPD_PS-00009-2020.pdf", [("Vodafone España", "S.A.U.", PartyRole.RESPONDENT)]),
    ("ES_AEPD_PS-00114-2019.pdf", [("TELEFONICA DE ESPAÑA", "S.A.U.", None)]),
    ("ES_AEPD_E-03925-2020.pdf", [("ATOS IT SOLUTIONS AND SERVICES IBERIA", "S.L.", PartyRole.RESPONDENT)]),
    ("ES_AEPD_TD-00007-2020.pdf", [("GOOGLE", "LLC", PartyRole.RESPONDENT)]),
    ("NL_AP_2019-07-16_rapport_HagaZiekenhuis.pdf",
     [("stichting HagaZiekenhuis", None, PartyRole.CONTROLLER), ("stichting RHG", None, PartyRole.CONTROLLER)]),
    ("SE_Datainspektionen_2020-06-15_DI-2018-14593_beslut.pdf", [("BRF Gårdsbjörken", None, None)]),
    ("UK_ICO_2020-08-12_Koypo_Laboratories_MPN.pdf", [("Koypo Laboratories", "Limited", None)]),
]


@pytest.fixture(scope="module")
def pdfs(corpus: Path) -> Path:
    return corpus / "dpa" / "pdf"


@pytest.fixture(scope="module")
def records(pdfs: Path, gdpr_ids: frozenset[str]) -> dict[str, DecisionRecord]:
    return {path.name: parse_decision_pdf(path.read_bytes(), known_ids=gdpr_ids)
            for path in sorted(pdfs.glob("*.pdf")) if path.name != SCANNED}


def test_every_pdf_has_a_row(pdfs):
    assert {row.file for row in ROWS} | {SCANNED} == {path.name for path in pdfs.glob("*.pdf")}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.file[:40])
def test_what_the_document_states(records, row):
    record = records[row.file]
    assert (record.language, record.authority_id, record.country) == (row.lang, row.authority, row.country)
    assert record.decision_date.value == (dt.date.fromisoformat(row.decided) if row.decided else None)
    assert record.case_reference == row.case
    assert record.outcome is row.outcome
    assert (record.fine and (record.fine.amount_minor, record.fine.currency)) == row.fine
    assert record.pages == row.pages


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.file[:40])
def test_cited_provisions(records, row):
    record = records[row.file]
    cited = {citation.reference.target_id.removeprefix(f"{GDPR}/") for citation in record.cited}
    assert row.cites <= cited, f"not read: {sorted(row.cites - cited)}; reason: {record.no_citation_reason}"
    if not row.cites:
        assert not record.cited
        assert all(word in record.no_citation_reason for word in row.reason), record.no_citation_reason


@pytest.mark.parametrize(("file", "expected"), PARTIES, ids=lambda value: str(value)[:40])
def test_parties(records, file, expected):
    assert [(p.name, p.legal_form, p.role) for p in records[file].parties] == expected


def test_every_text_bearing_pdf_names_its_authority_country_and_citations_or_why_not(records):
    for name, record in records.items():
        assert record.authority_id and record.country, name
        assert record.cited or record.no_citation_reason, name


def test_no_date_the_document_does_not_state(pdfs, records):
    """A date is read from the document's text or title, as written there; a file's own dates
    (/ModDate, /CreationDate) are none."""
    for name, record in records.items():
        reader = PdfReader(pdfs / name)
        stated = fold(" ".join(page.extract_text() for page in reader.pages) + " " + str(reader.metadata.title))
        for date in (record.decision_date, record.publication_date):
            assert date.precision is Precision.UNKNOWN or (date.raw and date.raw in stated), (name, date)


def test_publication_dates_as_stated_else_unknown(records):
    haga = records["NL_AP_2019-07-16_rapport_HagaZiekenhuis.pdf"].publication_date
    assert (haga.value, haga.precision, haga.raw) == (dt.date(2019, 3, 1), Precision.MONTH, "maart 2019")
    # The fingerprint summary states no date; its file was last modified on 2020-04-30.
    summary = records["NL_AP_2019-12-04_onderzoek_vingerafdrukken_personeel.pdf"]
    assert summary.decision_date.precision is summary.publication_date.precision is Precision.UNKNOWN
    assert (summary.decision_date.value, summary.publication_date.value) == (None, None)


def test_a_publication_date_is_not_the_decision_date_of_the_graph(records):
    """The Haga report was published in March 2019: its decision was taken by then, not on then."""
    record = from_decision(records["NL_AP_2019-07-16_rapport_HagaZiekenhuis.pdf"], "r", "dpa_pdf", "0" * 64, "1",
                           frozenset())
    assert (record.decision_date, record.date_precision) == (None, Precision.UNKNOWN)


def test_citation_evidence_is_the_page_text(pdfs, records):
    """Each citation's span, in the text pypdf extracts from its page, is its matched text."""
    name = "AT_DSB_2018-12-20_DSB-D550.037-0003-DSB-2018_Straferkenntnis.pdf"
    pages = [page.extract_text() for page in PdfReader(pdfs / name).pages]
    record = records[name]
    for citation in record.cited:
        ref = citation.reference
        assert pages[citation.page - 1][ref.start:ref.end] == ref.text
        assert ref.source_id == record.id and ref.lang == "de"
    first = record.cited[0]
    assert (first.page, first.reference.text) == (1, "Art. 4 Z 7 der Verordnung (EU) 2016/679")


def test_decision_ids_are_readable_and_distinct(records):
    ids = {record.id for record in records.values()}
    assert len(ids) == len(records)
    assert records["ES_AEPD_REPOSICION-PS-00114-2019.pdf"].id == "decision/es/aepd/ps-00114-2019/2020-09-08"
    assert records["ES_AEPD_PS-00114-2019.pdf"].id == "decision/es/aepd/ps-00114-2019/2020-07-16"


def test_summary_is_the_operative_part(records):
    summary = records["AT_DSB_2018-12-18_DSB-D550.015-0003-DSB-2018_Ermahnung.pdf"].summary
    assert "Es wird jedoch von der Verhängung einer Strafe abgesehen" in summary
    assert records["ES_AEPD_PS-00145-2019.pdf"].summary.startswith("PRIMERO: IMPONER")


def test_hints_fill_in_what_the_document_does_not_say(pdfs, gdpr_ids):
    data = (pdfs / "NL_AP_2019-12-04_onderzoek_vingerafdrukken_personeel.pdf").read_bytes()
    hints = DecisionHints(source="ap.vingerafdrukken", authority="Autoriteit Persoonsgegevens", lang="nl",
                          licence="public sector information", attribution="Autoriteit Persoonsgegevens")
    record = parse_decision_pdf(data, hints, known_ids=gdpr_ids)
    assert (record.source, record.licence, record.attribution) == (hints.source, hints.licence, hints.attribution)
    assert record.authority_id == "authority/nl/ap"
    assert record.id == "decision/nl/ap/ap-vingerafdrukken"


def test_a_language_without_a_decision_grammar_is_read_for_nothing_it_would_guess(pdfs, gdpr_ids):
    """Dutch text said to be Turkish: no Dutch (nor any other) grammar reads its dates, outcome or fine."""
    data = (pdfs / "NL_AP_2019-12-04_onderzoek_vingerafdrukken_personeel.pdf").read_bytes()
    record = parse_decision_pdf(data, DecisionHints(lang="tr"), known_ids=gdpr_ids)
    assert record.language == "tr" and record.outcome is Outcome.UNKNOWN and record.fine is None
    assert record.decision_date.precision is record.publication_date.precision is Precision.UNKNOWN
    assert record.unread_reason.startswith("no decision grammar for 'tr', the language its lang hint says")
    assert record.no_citation_reason == "no citation grammar for 'tr' yet: its citations of the GDPR are not read"


def test_without_known_ids_citations_are_taken_as_stated(pdfs):
    record = parse_decision_pdf((pdfs / "AT_DSB_2018-12-18_DSB-D550.015-0003-DSB-2018_Ermahnung.pdf").read_bytes())
    assert f"{GDPR}/art_6/par_1" in {citation.reference.target_id for citation in record.cited}


# -- bad input ----------------------------------------------------------------------------------
def encrypted(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD = [
    ("empty", lambda data: b"", "empty document: 0 bytes"),
    ("not a PDF", lambda data: b"<!DOCTYPE html><html><body>Decision</body></html>", "not a PDF: no %PDF- header"),
    ("cut in half", lambda data: data[: len(data) // 2], "truncated PDF: no %%EOF marker"),
    ("cut, end marker kept", lambda data: data[: len(data) // 2] + b"\n%%EOF\n", "truncated or corrupt PDF"),
    ("encrypted", encrypted, "encrypted PDF: its text cannot be read without the password"),
]


@pytest.mark.parametrize(("case", "spoil", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_input_says_what_is_wrong(pdfs, case, spoil, message):
    data = (pdfs / "AT_DSB_2018-12-18_DSB-D550.015-0003-DSB-2018_Ermahnung.pdf").read_bytes()
    with pytest.raises(ParseError) as error:
        parse_decision_pdf(spoil(data))
    assert str(error.value).startswith(message)


def test_scanned_pdf_has_no_text_layer(pdfs):
    with pytest.raises(ParseError) as error:
        parse_decision_pdf((pdfs / SCANNED).read_bytes())
    assert str(error.value) == "no text layer: 23 pages of scanned images; OCR is not supported"


def test_a_pdf_encrypted_for_permissions_only_is_read(pdfs):
    data = (pdfs / "AT_DSB_2018-12-18_DSB-D550.015-0003-DSB-2018_Ermahnung.pdf").read_bytes()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    assert parse_decision_pdf(out.getvalue()).outcome is Outcome.REPRIMAND
