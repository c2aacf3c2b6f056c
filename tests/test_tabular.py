"""The three real fine sources through their mappings, and bad input written inline."""

from __future__ import annotations

import collections
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from parsers.errors import ParseError
from parsers.normalise.articles import cited_provisions
from parsers.normalise.money import eur_rate
from parsers.tabular import Mapping, TabularResult, load_mapping, parse_tabular
from schema.enforcement import FineRecord, Precision
from schema.ids import GDPR

# source mapping → (file in the corpus, its number of data rows)
SOURCES = {
    "cms_enforcementtracker": ("cms_enforcementtracker_2024-03.json", 2225),
    "gdprhub_export": ("gdprhub_decisions_2024-03.csv", 3221),
    "privacyaffairs_violations": ("privacyaffairs_gdpr_violations_2020-08.tsv", 347),
}


@pytest.fixture(scope="module")
def parsed(corpus: Path, gdpr_ids: frozenset[str]) -> dict[str, TabularResult]:
    return {name: parse_tabular((corpus / "fines" / file).read_bytes(), load_mapping(name), gdpr_ids)
            for name, (file, _) in SOURCES.items()}


def by_row_id(result: TabularResult) -> dict[str, FineRecord]:
    return {record.row_id: record for record in result.records}


@pytest.mark.parametrize("name", SOURCES)
def test_every_row_is_a_record_or_quarantined_with_a_reason(parsed, name):
    result, rows = parsed[name], SOURCES[name][1]
    assert len(result.records) + len(result.quarantined) == rows
    numbered = sorted([*(q.row_number for q in result.quarantined),
                       *(number for number, _ in enumerate(result.records, start=1))])
    assert len(numbered) == rows
    assert all(q.reason and q.source == name for q in result.quarantined)
    assert len(result.records) >= 0.99 * rows
    assert len(by_row_id(result)) == len(result.records)


def test_coverage_per_source(parsed, capsys):
    """Prints, per source: rows loaded and quarantined, and the share of loaded records with each value."""
    header = ("source", "loaded", "quarantined", "authority*", "date", "amount", "article item", "article id")
    lines = ["{:<26} {:>7} {:>12} {:>11} {:>6} {:>7} {:>13} {:>11}".format(*header)]
    for name, result in parsed.items():
        records = result.records
        stated = [r for r in records if r.authority_raw and r.authority_id or _names_a_dpa(name, r)]
        shares = (
            sum(r.authority_id is not None for r in stated) / len(stated),
            sum(r.decision_date.precision is not Precision.UNKNOWN for r in records) / len(records),
            sum(r.fine is not None for r in records) / len(records),
            sum(bool(r.articles_raw) for r in records) / len(records),
            sum(bool(r.articles) for r in records) / len(records),
        )
        lines.append("{:<26} {:>7} {:>12} {:>11.1%} {:>6.1%} {:>7.1%} {:>13.1%} {:>11.1%}".format(
            name, len(records), len(result.quarantined), *shares))
        reasons = collections.Counter(q.reason for q in result.quarantined)
        lines += [f"    quarantined {count}×: {reason}" for reason, count in reasons.most_common()]
        unresolved = collections.Counter(r.authority_raw for r in stated if r.authority_id is None)
        lines += [f"    unresolved authority {count}×: {raw}" for raw, count in unresolved.most_common()]
    lines.append("* of records naming a data protection authority (GDPRhub rows decided by courts excluded)")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert all(result.records for result in parsed.values())


def _names_a_dpa(source: str, record: FineRecord) -> bool:
    return bool(record.authority_raw) and (source != "gdprhub_export" or record.authority_raw.startswith("DPA:"))


def test_cms_row_etid_3(parsed):
    record = by_row_id(parsed["cms_enforcementtracker"])["ETid-3"]
    assert (record.country, record.authority_id, record.authority_raw) == (
        "AT", "authority/at/dsb", "Austrian Data Protection Authority (dsb)")
    assert (record.decision_date.value, record.decision_date.precision) == (dt.date(2018, 9, 27), Precision.DAY)
    assert (record.fine.amount_minor, record.fine.currency, record.fine.eur_minor, record.fine.raw) == (
        30_000, "EUR", 30_000, "300")
    assert [o.name for o in record.organisations] == ["Private car owner"]
    assert record.articles_raw == ["Art. 5 (1) a) GDPR", "Art. 6 GDPR"]
    assert record.articles == [f"{GDPR}/art_5/par_1/pnt_a", f"{GDPR}/art_6"]
    assert record.source_urls == ["https://www.ris.bka.gv.at/Dokumente/Dsk/DSBT_20180927_DSB_D550_084_0002_DSB_2018_00/"
                                  "DSBT_20180927_DSB_D550_084_0002_DSB_2018_00.pdf"]
    assert (record.sector, record.violation, record.summary) == (
        "Individuals and Private Associations", "Insufficient legal basis for data processing",
        "A Dashcam was unlawfully used.")
    assert record.licence.startswith("no licence to redistribute") and "CMS" in record.attribution


def test_cms_partial_dates_unknown_amounts_and_lists(parsed):
    records = by_row_id(parsed["cms_enforcementtracker"])
    assert records["ETid-2"].decision_date.model_dump() == dict(value=dt.date(2018, 1, 1), precision="year", raw="2018")
    months = [r.decision_date for r in records.values() if r.decision_date.precision is Precision.MONTH]
    assert months and all(d.value.day == 1 and len(d.raw) == 7 for d in months)
    unknown = [r for r in records.values() if r.decision_date.raw == "Unknown"]
    assert unknown and all(r.decision_date.value is None for r in unknown)
    in_words = [r for r in records.values() if r.fine_raw and r.fine_raw.startswith("Fine in")]
    assert in_words and all(r.fine is None and r.fined for r in in_words)  # a fine of an amount not stated
    intended = [r for r in records.values() if r.fine_raw == "Only intention to issue fine"]
    assert len(intended) == 6 and all(r.fine is None and r.fined is False for r in intended)
    assert all(r.fined for r in records.values() if r.fine)
    assert len(records["ETid-2225"].source_urls) == 2
    assert records["ETid-4"].articles_raw == [
        "Art. 5 (1) a) GDPR", "Art. 5 (1) c) GDPR", "Art. 6 (1) GDPR", "Art. 13 GDPR"]
    assert records["ETid-1"].country == "AT" and records["ETid-2225"].country == "BE"


def test_gdprhub_fine_in_lei_has_its_euro_value_with_the_rate_used(parsed):
    records = by_row_id(parsed["gdprhub_export"])
    undated = records["1"]  # "10000 RON", no decision date: the latest rate
    assert (undated.country, undated.authority_id) == ("RO", "authority/ro/anspdcp")
    assert undated.decision_date.precision is Precision.UNKNOWN
    assert (undated.fine.amount_minor, undated.fine.currency, undated.fine.raw) == (1_000_000, "RON", "10000 RON")
    latest = eur_rate("RON", None)
    assert (undated.fine.eur_rate, undated.fine.rate_date, undated.fine.eur_minor) == (
        *latest, round(Decimal(1_000_000) / latest[0]))
    dated = [r for r in records.values() if r.fine and r.fine.currency == "RON" and r.decision_date.value]
    assert dated and all(r.fine.rate_date <= r.decision_date.value for r in dated)
    assert all(r.fine.eur_minor == r.fine.amount_minor for r in records.values() if r.fine and r.fine.currency == "EUR")


def test_gdprhub_rows(parsed):
    records = by_row_id(parsed["gdprhub_export"])
    parties = records["2"]  # "Medical Service s.r.l.\nC.B. Sistemi s.r.l."
    assert [(o.name, o.legal_form) for o in parties.organisations] == [
        ("Medical Service", "s.r.l."), ("C.B. Sistemi", "s.r.l.")]
    assert parties.articles_raw == ["Article 5(1)(f) GDPR", "Article 9(1) GDPR", "Article 32 GDPR"]
    assert parties.articles == [f"{GDPR}/art_5/par_1/pnt_f", f"{GDPR}/art_9/par_1", f"{GDPR}/art_32"]
    assert (parties.case_id, parties.outcome) == ("9973790", "Complaint → Upheld")
    courts = [r for r in records.values() if r.authority_raw and r.authority_raw.startswith("Court:")]
    assert courts and all(r.authority_id is None for r in courts)
    assert records["6"].fine.currency == "GBP" and records["6"].decision_date.value == dt.date(2023, 12, 7)


def test_gdprhub_quarantine(parsed):
    reasons = {q.row_number: q.reason for q in parsed["gdprhub_export"].quarantined}
    assert reasons[10] == "fine: amount '2.000 EUR' has 3 decimals, EUR has 2"
    assert reasons[1888] == reasons[2959] == "country: no value in \"'-\""


def test_privacyaffairs_rows(parsed):
    records = by_row_id(parsed["privacyaffairs_violations"])
    unknown = [r for r in records.values() if r.decision_date.raw == "01/01/1970"]
    assert len(unknown) == 15
    assert all(r.decision_date.precision is Precision.UNKNOWN and r.decision_date.value is None for r in unknown)
    first = records["1"]
    assert (first.country, first.authority_id, first.fine.amount_minor) == ("PL", "authority/pl/uodo", 938_000)
    assert first.decision_date.value == dt.date(2019, 10, 18)
    # the three rows whose quoted cells hold a tab
    assert records["129"].articles_raw == ["Art. 32 GDPR"]
    assert (records["250"].organisations[0].name, records["250"].organisations[0].legal_form) == (
        "Aegean Marine Petroleum Network", "Inc.")
    assert records["270"].articles_raw == ["Art. 5 GDPR", "Art. 6 GDPR"]
    assert records["2"].articles_raw == ["Art. 12 GDPR", "Art. 13 GDPR", "Art. 5 (1) c) GDPR", "Art. 6 GDPR"]
    assert records["2"].articles == [f"{GDPR}/art_12", f"{GDPR}/art_13", f"{GDPR}/art_5/par_1/pnt_c", f"{GDPR}/art_6"]
    summaries = [r.summary for r in records.values() if r.summary]
    assert not any("&#" in summary for summary in summaries) and any("’" in summary for summary in summaries)


def test_privacyaffairs_quarantine(parsed):
    reasons = {q.row_id: q.reason for q in parsed["privacyaffairs_violations"].quarantined}
    assert reasons == {
        "89": "authority: 'Data Protection Authority' names no authority of DE in the gazetteer",
        "229": "authority: 'Private person' names no authority of ES in the gazetteer",  # columns swapped
    }


# -- bad input -----------------------------------------------------------------------------------------

NO_IDS: frozenset[str] = frozenset()

SMALL_CSV_MAPPING = """
[source]
name = "small"
licence = "test"
attribution = "test"

[format]
kind = "csv"

[fields]
row_id = { column = "id" }
country = { column = "country" }
fine = { column = "price", currency = "EUR", thousands = "," }
summary = { column = "note" }
"""


def test_a_csv_missing_a_mapped_column_is_quarantined_whole_naming_the_column():
    data = b"id,country,amount,note\n1,Austria,300,\n"
    message = r"column 'price' \(field fine\) is not in the header: 'id', 'country', 'amount', 'note'"
    with pytest.raises(ParseError, match=message):
        parse_tabular(data, Mapping.from_toml(SMALL_CSV_MAPPING), NO_IDS)


def test_csv_rows_with_bom_quotes_line_breaks_and_bad_cells():
    data = ('\ufeffid,country,price,note\n'
            '1,Austria,300,"first line\nsecond, ""quoted"" line"\n'
            '2,Atlantis,300,\n'
            '3,Austria\n'
            '1,Austria,5,\n'
            '4,Österreich,"1,000.50",\n').encode()
    result = parse_tabular(data, Mapping.from_toml(SMALL_CSV_MAPPING), NO_IDS)
    assert [(r.row_id, r.country, r.fine.amount_minor, r.summary) for r in result.records] == [
        ("1", "AT", 30_000, 'first line second, "quoted" line'), ("4", "AT", 100_050, None)]
    assert [(q.row_number, q.row_id, q.reason) for q in result.quarantined] == [
        (2, "2", "country: unknown country 'Atlantis': neither a country's name (parsers/data/countries.toml) "
                   "nor an authority's"),
        (3, None, "row has 2 cells, the header has 4"),
        (4, "1", "row_id: '1' repeats row 1"),
    ]


def cms_row(etid: int, amount: str) -> list[str]:
    return ["", f"ETid-{etid}", "<img src='./flags/flag_austria.png' alt='AUSTRIA'><br />AUSTRIA",
            "Austrian Data Protection Authority (dsb)", "2018-12-09", amount, "Betting place",
            "Industry and Commerce", "Art. 13 GDPR", "Insufficient fulfilment of information obligations",
            "Video surveillance was not sufficiently marked.",
            "<a class='blau' href='https://www.dsb.gv.at/x.pdf' target='_blank'>link</a>", ""]


def test_a_json_row_with_an_unreadable_amount_is_quarantined_and_the_others_kept():
    data = json.dumps({"data": [cms_row(1, "4,800"), cms_row(2, "4,8OO"), cms_row(3, "Unknown")]}).encode()
    result = parse_tabular(data, load_mapping("cms_enforcementtracker"), NO_IDS)
    assert [(r.row_id, r.fine and r.fine.amount_minor) for r in result.records] == [
        ("ETid-1", 480_000), ("ETid-3", None)]
    [bad] = result.quarantined
    assert (bad.row_number, bad.row_id) == (2, "ETid-2")
    assert bad.reason == "fine: amount '4,8OO' is not a number (thousands ',', decimal '')"
    assert json.loads(bad.raw) == cms_row(2, "4,8OO")


def test_a_json_row_too_short_for_the_mapping_is_quarantined():
    data = json.dumps({"data": [cms_row(1, "300"), ["", "ETid-2", "AUSTRIA"]]}).encode()
    [bad] = parse_tabular(data, load_mapping("cms_enforcementtracker"), NO_IDS).quarantined
    assert bad.reason == "row has 3 cells, the mapping reads 12"


@pytest.mark.parametrize("data, message", [
    (b'{"data": [["", "ETid-1", ', r"malformed JSON: Expecting value at line 1, column 26"),
    (b'{"data": [["", "ETid-1"]]', r"malformed JSON: Expecting ',' delimiter at line 1, column 26"),
    (b'{"rows": []}', r"no list of rows at 'data'"),
    (b"", "empty input"),
    (b'{"data": [["\xff"]]}', "malformed JSON: not UTF-8"),
])
def test_a_json_document_that_cannot_be_read_raises_a_specific_error(data, message):
    with pytest.raises(ParseError, match=message):
        parse_tabular(data, load_mapping("cms_enforcementtracker"), NO_IDS)


def test_a_csv_that_is_not_in_its_encoding_raises_a_specific_error():
    with pytest.raises(ParseError, match=r"not utf-8-sig: byte 0xe9 at offset 17"):
        parse_tabular("id,country,price\né,Austria,1\n".encode("latin-1"), Mapping.from_toml(SMALL_CSV_MAPPING),
                      NO_IDS)


def test_json_rows_as_objects_with_paths_and_a_currency_column():
    mapping = Mapping.from_toml("""
[source]
name = "objects"
licence = "test"
attribution = "test"
[format]
kind = "json"
rows = "result.items"
[fields]
row_id = { column = "id", template = "X-{value}" }
country = { column = "where.country" }
fine = { column = "fine.amount", currency_column = "fine.currency", thousands = " ", decimal = "," }
sector = { value = "Public sector" }
""")
    data = json.dumps({"result": {"items": [
        {"id": 7, "where": {"country": "Sverige"}, "fine": {"amount": "12 000 000", "currency": "SEK"}},
        {"id": 8, "where": {"country": "Norge"}},
    ]}}).encode()
    first, second = parse_tabular(data, mapping, NO_IDS).records
    assert (first.row_id, first.country, first.fine.amount_minor, first.fine.currency) == (
        "X-7", "SE", 1_200_000_000, "SEK")
    assert (second.row_id, second.country, second.fine, second.sector) == ("X-8", "NO", None, "Public sector")
    with pytest.raises(ParseError, match=r"path 'fine.amount' \(field fine\) is in no row"):
        parse_tabular(json.dumps({"result": {"items": [{"id": 1, "where": {"country": "IS"}}]}}).encode(), mapping,
                      NO_IDS)


@pytest.mark.parametrize("fields, message", [
    ('row_id = { column = "id" }\norganisation = { column = "x" }', "organisation"),
    ('row_id = { column = "id", clean = ["xml"] }', "no cleaner xml: cleaners are html, entities, hrefs"),
    ('row_id = { column = "id" }\narticles = { column = "a", separator = "|" }', "matches the empty string"),
    ('row_id = { column = "id" }\nfine = { column = "f", currency = "XYZ" }', "unknown currency 'XYZ'"),
    ('row_id = { column = "id" }\nfine = { column = "f", thousands = ".", decimal = "." }', "also a thousands"),
    ('row_id = { column = "id" }\ndecision_date = { column = "d", formats = ["%H"] }', "no day, month or year"),
    ('row_id = { column = "id", template = "{id}" }', "only {value} and {row}"),
    ('row_id = { template = "row {value}" }', "needs a column, a value, or a template of {row}"),
])
def test_a_mapping_with_a_mistake_is_refused(fields, message):
    text = f'[source]\nname = "m"\nlicence = "l"\nattribution = "a"\n[format]\nkind = "csv"\n[fields]\n{fields}\n'
    with pytest.raises(ValidationError, match=message):
        Mapping.from_toml(text)


@pytest.mark.parametrize("items, cited", [
    (["Art. 5 (1) f) GDPR"], ["art_5/par_1/pnt_f"]),
    (["Article 4(11) GDPR"], ["art_4/pnt_11"]),  # Article 4 has points, no paragraphs
    (["Art. 15 GDPR Art. 24 GDPR", "Art. 15 GDPR"], ["art_15", "art_24"]),
    (["Art. 83 (5) a) GDPR", "Art. 58 (2) i) GDPR"], ["art_83/par_5/pnt_a", "art_58/par_2/pnt_i"]),
    (["Art. 2-ter Codice della privacy", "Art. 21 LSSI"], []),  # other laws are not the GDPR's articles
    (["Art. 99 (9) GDPR"], []),  # no such provision
    (["Art. 6 (3) b) GDPR GDPR"], ["art_6/par_3/pnt_b"]),  # the act itself is no article
])
def test_cited_provisions(gdpr_ids, items, cited):
    assert cited_provisions(items, gdpr_ids) == [f"{GDPR}/{path}" for path in cited]


def test_a_row_whose_articles_the_citation_grammar_fails_on_is_quarantined(monkeypatch):
    def failing(citing_id, text, lang, known_ids):
        raise KeyError("gdpr gdpr")

    monkeypatch.setattr("parsers.normalise.articles.extract_references", failing)
    row = cms_row(1, "300")
    row[8] = "Art. 6 (3) b) GDPR GDPR GDPR"  # an item no other test reads: answers are cached by item
    data = json.dumps({"data": [row, [*row[:1], "ETid-2", *row[2:8], "", *row[9:]]]}).encode()
    result = parse_tabular(data, load_mapping("cms_enforcementtracker"), NO_IDS)
    assert [r.row_id for r in result.records] == ["ETid-2"]
    assert result.quarantined[0].reason == (
        "articles: the citation grammar fails on 'Art. 6 (3) b) GDPR GDPR GDPR' (KeyError: 'gdpr gdpr')")
