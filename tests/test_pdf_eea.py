"""Documents of the Bulgarian, Hungarian, Slovak and Italian authorities (``dpa/pdf_eea``), each read
with no hints and held to what its row of the folder's MANIFEST.tsv says it is: its date (to the
precision it is printed), authority, country, outcome, fine and the GDPR provisions it cites. Only the
Bulgarian ones are decisions; the others must come out as not decisions, with no fine. Then PDFs made
here: a decision in a language without a decision grammar, and one that states no date."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from parsers.decision_pdf import parse_decision_pdf
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code
from parsers.normalise.money import minor_digits
from parsers.reconcile import from_decision, reconcile
from pipelines.checks import decision_documents_read
from pipelines.enforcement import EnforcementRecords
from schema.enforcement import DecisionHints, DecisionRecord, Outcome, Precision, SourceRecord
from schema.ids import GDPR
from tests.conftest import CORPUS


class Expected(NamedTuple):
    """What a manifest row states of its document, in the terms of a record."""

    lang: str
    authority: str | None
    country: str | None
    date: dt.date
    precision: Precision
    outcome: Outcome
    fine: tuple[int, str] | None  # minor units, currency
    cites: frozenset[str] | None  # relative to the GDPR; None: the manifest lists none


_PRINTED_TO_THE_MONTH = re.compile(r"only (\d{4}-\d{2}) is printed")
_OUTCOME = re.compile(r"outcome: (\w+)")
_FINE = re.compile(r"\(([A-Z]{3}) ([\d,]+)")
_CITED = re.compile(r"GDPR articles cited(?: \(normalised\))?: ([^;]*)")
_ARTICLE = re.compile(r"\s*(\d+)((?:\(\w+\))*)(?:-\((\w)\))?")
_RECITALS = re.compile(r"and recitals ([\d,]+)")


def _expected(row: dict[str, str], gdpr_ids: frozenset[str]) -> Expected:
    what = row["what_it_is"]
    name, _, country_name = row["authority"].rpartition(", ")
    country = country_code(country_name)
    month = _PRINTED_TO_THE_MONTH.search(what)
    fine = _FINE.search(what)
    return Expected(
        lang=row["language"], authority=gazetteer().resolve(name, country),
        country=country,
        date=dt.date.fromisoformat(f"{month[1]}-01" if month else row["decision_date"]),
        precision=Precision.MONTH if month else Precision.DAY,
        outcome=Outcome.NOT_A_DECISION if "NOT a decision" in what else Outcome(_OUTCOME.search(what)[1]),
        fine=(int(fine[2].replace(",", "")) * 10 ** minor_digits(fine[1]), fine[1]) if fine else None,
        cites=_cited(_CITED.search(what)[1], gdpr_ids))


def _cited(listed: str, gdpr_ids: frozenset[str]) -> frozenset[str] | None:
    """``"6(1)(c),37(1)(a)-(c),89 and recitals 32,78"`` → the GDPR ids, each resolved against the GDPR's
    own structure (Article 4's "(1)" is a point, Article 6's a paragraph)."""
    if listed.strip() == "none":
        return None
    ids: set[str] = set()
    for item in listed.split(","):
        match = _ARTICLE.match(item)
        if match is None:
            break
        ids |= _article_ids(match[1], re.findall(r"\((\w+)\)", match[2]), match[3], gdpr_ids)
        if item[match.end():].strip():  # the list ends in words: "57(1)(f) only", "89 and recitals …"
            break
    if recitals := _RECITALS.search(listed):
        ids |= {f"rct_{number}" for number in recitals[1].split(",")}
    return frozenset(ids)


def _article_ids(article: str, parts: list[str], last: str | None, gdpr_ids: frozenset[str]) -> set[str]:
    """One provision, or a range of points ("37(1)(a)-(c)")."""
    if not parts:
        return {f"art_{article}"}
    ends = [parts[-1]] if last is None else [chr(c) for c in range(ord(parts[-1]), ord(last) + 1)]
    return {_provision(article, [*parts[:-1], end], gdpr_ids) for end in ends}


def _provision(article: str, parts: list[str], gdpr_ids: frozenset[str]) -> str:
    path = f"art_{article}"
    for depth, part in enumerate(parts):
        kinds = ("par", "pnt") if depth == 0 and part.isdigit() else ("pnt",)
        path = next((f"{path}/{kind}_{part}" for kind in kinds if f"{GDPR}/{path}/{kind}_{part}" in gdpr_ids),
                    None) or pytest.fail(f"the manifest lists {article}({')('.join(parts)}), no GDPR provision")
    return path


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "dpa" / "pdf_eea" / "MANIFEST.tsv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))


FILES = [Path(row["file"]).name for row in _manifest()]


@pytest.fixture(scope="module")
def eea(corpus: Path) -> Path:
    return corpus / "dpa" / "pdf_eea"


@pytest.fixture(scope="module")
def manifest(gdpr_ids: frozenset[str]) -> dict[str, Expected]:
    return {Path(row["file"]).name: _expected(row, gdpr_ids) for row in _manifest()}


@pytest.fixture(scope="module")
def records(eea: Path, gdpr_ids: frozenset[str]) -> dict[str, DecisionRecord]:
    return {path.name: parse_decision_pdf(path.read_bytes(), known_ids=gdpr_ids) for path in sorted(eea.glob("*.pdf"))}


def test_every_pdf_has_a_manifest_row(eea):
    assert sorted(FILES) == sorted(path.name for path in eea.glob("*.pdf"))


@pytest.mark.parametrize("file", FILES)
def test_what_the_manifest_says_it_is(records, manifest, file):
    expected, record = manifest[file], records[file]
    assert (record.language, record.authority_id, record.country) == (expected.lang, expected.authority,
                                                                      expected.country)
    assert (record.decision_date.value, record.decision_date.precision) == (expected.date, expected.precision)
    assert record.outcome is expected.outcome
    assert (record.fine and (record.fine.amount_minor, record.fine.currency)) == expected.fine


# Provisions the manifest lists that the text does not let a reader attribute to the GDPR, and why.
UNREAD = {
    "BG_CPDP_2019-01-11_PPN-01-481-2018.pdf": {
        "art_58/par_2/pnt_i": "each of its three mentions, 'по чл. 58 пар. 2, буква „и”', names no act, and the "
                              "decision cites national law (ЗЗЛД, АПК) as often: the act is not guessed"},
    "BG_CPDP_2019-09-03_PPN-01-30-2019.pdf": {
        "art_6/par_1": "its one mention is 'чл. 6, §. 1 от Реглам ента': the PDF's text splits the word naming the act"},
}


@pytest.mark.parametrize("file", FILES)
def test_the_gdpr_provisions_it_cites(records, manifest, file):
    expected, record = manifest[file], records[file]
    cited = {citation.reference.target_id.removeprefix(f"{GDPR}/") for citation in record.cited}
    if expected.cites is None:
        assert not cited, record.cited
    else:
        unread = set(UNREAD.get(file, {}))
        assert expected.cites - unread <= cited, f"not read: {sorted(expected.cites - cited)}; {record.no_citation_reason}"
        assert unread <= expected.cites - cited, f"listed as unread, but read: {sorted(unread & cited)}"


def test_what_is_not_a_decision_has_no_fine_whatever_amounts_it_names(records, manifest):
    """The GDPR's maximum ("20.000.000 euro") in a speech, a fine reported in an interview ("50 mila
    euro"), a journalist's "pokuta až do 20 miliónov eur": none is a fine."""
    not_decisions = [name for name, expected in manifest.items() if expected.outcome is Outcome.NOT_A_DECISION]
    assert len(not_decisions) == 12
    for name in not_decisions:
        assert (records[name].outcome, records[name].fine) == (Outcome.NOT_A_DECISION, None), name


# -- PDFs made here -------------------------------------------------------------------------------
# What a file's metadata says of its dates; no document here states it.
_FILE_DATE = "D:20200430103220+02'00'"


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF of ``lines`` in Helvetica (Windows-1252 text), with /ModDate and /CreationDate."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    stream = ("BT /F1 10 Tf 14 TL 40 800 Td " + " ".join(f"({line}) '" for line in escaped) + " ET").encode("cp1252")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               f"<< /ModDate ({_FILE_DATE}) /CreationDate ({_FILE_DATE}) >>".encode()]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


TURKISH = [
    "Kisisel Verileri Koruma Kurulu, veri sorumlusu hakkinda yapilan sikayet üzerine inceleme baslatmis",
    "ve veri sorumlusunun kisisel verileri hukuka aykiri olarak isledigi tespit edilmistir. Kurul, 12 Mart",
    "2020 tarihli toplantisinda veri sorumlusuna 50.000 TL idari para cezasi verilmesine karar vermistir.",
]
MALTESE = [
    "Il-Kummissarju ghall-Informazzjoni u l-Protezzjoni tad-Data, wara li kkunsidra l-ilment imressaq",
    "mill-ilmentatur kontra l-kontrollur, iddecieda li l-ilment huwa gustifikat u li l-kontrollur kiser",
    "l-obbligi tieghu taht l-Artikolu 6 tar-Regolament (UE) 2016/679. Il-kontrollur ghandu jhassar id-data.",
]


def test_a_decision_in_a_language_without_a_decision_grammar_gets_no_invented_date():
    record = parse_decision_pdf(_pdf(TURKISH))
    assert (record.language, record.outcome, record.fine) == ("tr", Outcome.UNKNOWN, None)
    assert record.decision_date.precision is record.publication_date.precision is Precision.UNKNOWN
    assert record.unread_reason.startswith("no decision grammar for 'tr', the language CLD2 identifies")


def test_a_maltese_decision_that_states_no_date_has_an_unknown_date():
    record = parse_decision_pdf(_pdf(MALTESE), DecisionHints(authority="authority/mt/idpc"))
    assert (record.language, record.authority_id, record.country) == ("mt", "authority/mt/idpc", "MT")
    assert (record.decision_date.value, record.decision_date.precision) == (None, Precision.UNKNOWN)
    assert (record.publication_date.value, record.publication_date.precision) == (None, Precision.UNKNOWN)


def _checked(record: DecisionRecord) -> tuple[bool, list[str]]:
    source = from_decision(record, "decisions.made_here", "decisions", "0" * 64, "test", frozenset())
    result = decision_documents_read(EnforcementRecords(records=[source], citations=[], quarantined=[],
                                                        quarantined_rows=[], used=[], provisions_known=0))
    return result.passed, result.details


def test_a_document_naming_neither_authority_nor_country_fails_the_check_with_the_hints_that_fix_it():
    passed, details = _checked(parse_decision_pdf(_pdf(TURKISH)))
    assert not passed
    assert details[0].startswith("decisions.made_here: neither its authority nor its country can be read")
    assert 'authority = "' in details[0] and 'lang = "' in details[0] and "[[decision]]" in details[0]
    passed, _ = _checked(parse_decision_pdf(_pdf(TURKISH), DecisionHints(authority="authority/mt/idpc")))
    assert passed


def test_a_document_that_is_no_decision_is_never_taken_for_the_decision_of_its_day(eea, records):
    """The Garante fined someone on 2 July 2020, the day of an interview of its President: the
    interview stays a record of its own."""
    interview = from_decision(records["IT_GPDP_2020-07-02_docweb-9432471_intervista.pdf"], "dpa_eea.interview",
                              "dpa_eea", "0" * 64, "test", frozenset())
    fine = SourceRecord(id="tracker/1", source="tracker", kind="table_row", country="IT",
                        authority_id="authority/it/garante", decision_date=dt.date(2020, 7, 2),
                        date_precision=Precision.DAY, fine_minor=1_500_000, fine_currency="EUR",
                        fine_eur_minor=1_500_000, licence="l", attribution="a", source_sha256="1" * 64,
                        parser_version="test")
    assert interview.decision_date == fine.decision_date and interview.authority_id == fine.authority_id
    reconciled = reconcile([interview, fine], ["dpa_eea", "tracker"])
    assert sorted(d.sources for d in reconciled.decisions) == [["dpa_eea.interview"], ["tracker/1"]]
