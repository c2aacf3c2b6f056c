"""Reads that say what they did, on the real offline store: ``show`` and ``enforcement --cites`` take
the same provisions, countries and authorities are read or refused with a reason, pages say which rows
they hold, fines print with their currency's minor digits, CSV has one row per decision, and every
read names its snapshot. Each table row is an input and what the read must give for it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from kb_store.store import Store
from pipelines.cli import main as cli
from schema.ids import GDPR


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command (argparse's refusals included)."""
    try:
        code = cli(list(args))
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture, store: Path, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--store", str(store), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def every(capsys: pytest.CaptureFixture, store: Path, *args: str) -> dict:
    return run_json(capsys, store, "enforcement", *args, "--limit", "100000")


# -- provisions: the forms show and --cites both take --------------------------------------------------
# text as given → the provision it names, relative to the GDPR
PROVISIONS = [
    ("art_6", "art_6"),
    ("art_6/par_1", "art_6/par_1"),
    ("eu/reg/2016/679/art_6", "art_6"),
    ("Article 17", "art_17"),
    ("Art. 5(1)(f)", "art_5/par_1/pnt_f"),
    ("Artikel 6 DSGVO", "art_6"),
    ("article 6 du RGPD", "art_6"),
    ("Article 17 of the GDPR", "art_17"),
    ("Art. 83 Abs. 5 DSGVO", "art_83/par_5"),  # German: the English reading stops at "Art. 83"
    ("artículo 6 RGPD", "art_6"),
    ("art. 6 ust. 1 lit. a RODO", "art_6/par_1/pnt_a"),
    ("Recital 39", "rct_39"),
]


@pytest.mark.parametrize(("text", "expected"), PROVISIONS)
def test_show_and_cites_read_a_provision_alike(offline_store: Path, capsys: pytest.CaptureFixture, text: str,
                                               expected: str) -> None:
    assert run_json(capsys, offline_store, "show", text, "--as-of", "2021-03-01")["id"] == f"{GDPR}/{expected}"
    by_text, by_id = every(capsys, offline_store, "--cites", text), every(capsys, offline_store, "--cites", expected)
    assert by_text["filters"] == {"cites": text}
    assert [d["id"] for d in by_text["results"]] == [d["id"] for d in by_id["results"]]


@pytest.mark.parametrize("cited", ["art_6", "art_5/par_1/pnt_f", "art_17"])
def test_cites_keeps_the_decisions_citing_the_provision_or_below_it(offline_store: Path,
                                                                    capsys: pytest.CaptureFixture, cited: str) -> None:
    found, decisions = every(capsys, offline_store, "--cites", cited), every(capsys, offline_store)
    target = f"{GDPR}/{cited}"
    expected = {d["id"] for d in decisions["results"] if any(c == target or c.startswith(target + "/")
                                                             for c in d["cites"])}
    print(f"\n--cites {cited}: {found['total']} of {decisions['total']} decisions")
    assert 0 < found["total"] < decisions["total"]
    assert {d["id"] for d in found["results"]} == expected


# -- what is refused, with its reason ---------------------------------------------------------------------
FORMS = "art_6/par_1"  # the accepted forms every refusal of a provision shows begin with an id
# arguments → exit code, the words the message must hold
MISUSES = [
    (["show", "6"], 2, ["'6' is a bare number", "did you mean art_6 / Article 6"]),
    (["enforcement", "--cites", "6"], 2, ["'6' is a bare number", "did you mean art_6 / Article 6"]),
    (["enforcement", "--cites", "foo"], 2, ["'foo' names no provision the snapshot has", FORMS, "'Artikel 6 DSGVO'"]),
    (["show", "foo"], 2, ["'foo' names no provision the snapshot has", FORMS]),
    (["enforcement", "--cites", "eu/reg/2016/679/art_999"], 2, ["no provision eu/reg/2016/679/art_999", FORMS]),
    (["show", "art_6/par_9"], 2, ["no provision eu/reg/2016/679/art_6/par_9", "art_6 holds art_6/par_1, art_6/par_2"]),
    (["enforcement", "--cites", "Article 999"], 2, ["'Article 999' names no provision", FORMS]),
    (["enforcement", "--cites", "Articles 9 to 11"], 2, ["names 3 provisions (art_9, art_10, art_11)", "give one"]),
    (["enforcement", "--cites", "Article 6 of the ePrivacy Directive"], 2,
     ["'ePrivacy Directive' in 'Article 6 of the ePrivacy Directive' is not understood", "reads as art_6"]),
    (["enforcement", "--cites", "Article 6 foo"], 2, ["'foo' in 'Article 6 foo' is not understood"]),
    (["enforcement", "--country", "ZZ"], 2, ["no country 'ZZ'", "ES, Spain, España"]),
    (["enforcement", "--country", "Spian"], 2, ["no country 'Spian', closest: Spain (ES)"]),
    (["enforcement", "--authority", "Datatilsynet"], 2,
     ["'Datatilsynet' names 2 authorities", "Danish Data Protection Agency (authority/dk/datatilsynet, DK)",
      "Norwegian Data Protection Authority (authority/no/datatilsynet, NO)", "or its country"]),
    (["enforcement", "--authority", "LfDI"], 2, ["'LfDI' names 4 authorities", "(authority/de-bw/lfdi, DE)"]),
    (["enforcement", "--authority", "Ministry of Magic"], 2, ["no authority 'Ministry of Magic'", "'AEPD'"]),
    (["enforcement", "--authority", "Datainspektion"], 2, ["closest: Datainspektionen (authority/se/imy, SE)"]),
    (["enforcement", "--authority", "AEPD", "--country", "FR"], 2,
     ["no authority 'AEPD' in FR", "Spanish Data Protection Agency (authority/es/aepd, ES)"]),
    (["enforcement", "--authority", "authority/xx/nobody"], 2, ["no authority 'authority/xx/nobody'"]),
    (["enforcement", "--authority", "authority/es/aepd", "--country", "FR"], 2,
     ["authority/es/aepd is an authority of ES, not in FR"]),
    (["enforcement", "--limit", "0"], 2, ["--limit: '0' is not a whole number of 1 or more"]),
    (["enforcement", "--limit", "-5"], 2, ["--limit: '-5' is not a whole number of 1 or more"]),
    (["enforcement", "--offset", "-1"], 2, ["--offset: '-1' is not a whole number of 0 or more"]),
    (["show", "art_17", "--as-of", "2010-01-01"], 1, ["no en wording valid on 2010-01-01"]),
]


@pytest.mark.parametrize(("args", "code", "words"), MISUSES)
def test_a_misuse_is_refused_with_its_reason(offline_store: Path, capsys: pytest.CaptureFixture, args: list[str],
                                             code: int, words: list[str]) -> None:
    exit_code, out, err = run(capsys, *args, "--store", str(offline_store))
    print(f"\n{err}")
    assert exit_code == code and not out
    for word in words:
        assert word in err
    if "--limit" not in args and "--offset" not in args:  # argparse refuses those before any snapshot is read
        assert f"(snapshot {Store(offline_store).current_id()})" in err


# -- countries and authorities read -----------------------------------------------------------------------
COUNTRIES = [("ES", "ES"), ("es", "ES"), ("Spain", "ES"), ("España", "ES"), ("the Netherlands", "NL"),
             ("Österreich", "AT"), ("UK", "GB"), ("EL", "GR"), ("Ísland", "IS")]


@pytest.mark.parametrize(("text", "code"), COUNTRIES)
def test_a_country_is_read_by_code_or_name(offline_store: Path, capsys: pytest.CaptureFixture, text: str,
                                          code: str) -> None:
    found = every(capsys, offline_store, "--country", text)
    assert found["total"] > 0 and {d["country"] for d in found["results"]} == {code}
    assert found["total"] == every(capsys, offline_store, "--country", code)["total"]


AUTHORITIES = [(["Datatilsynet", "--country", "NO"], "authority/no/datatilsynet"),
               (["Datatilsynet", "--country", "Denmark"], "authority/dk/datatilsynet"),
               (["Datainspektionen"], "authority/se/imy"), (["IMY"], "authority/se/imy"),
               (["authority/es/aepd"], "authority/es/aepd"), (["cnil"], "authority/fr/cnil")]


@pytest.mark.parametrize(("args", "authority"), AUTHORITIES)
def test_an_authority_is_read_by_name_or_id(offline_store: Path, capsys: pytest.CaptureFixture, args: list[str],
                                           authority: str) -> None:
    found = every(capsys, offline_store, "--authority", *args)
    assert found["total"] > 0 and {d["authority_id"] for d in found["results"]} == {authority}


# -- pages ------------------------------------------------------------------------------------------------
def test_a_bare_read_shows_the_first_fifty_and_says_how_many_match(offline_store: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    with Store(offline_store).open_current() as engine:
        (row,) = engine.execute("MATCH (d:Decision) RETURN count(d) AS n")
    code, out, _ = run(capsys, "enforcement", "--store", str(offline_store))
    lines = out.splitlines()
    assert code == 0 and lines[0] == f"showing 1–50 of {row['n']:,}; --limit/--offset for more"
    assert sum(line.startswith("| ") for line in lines) == 1 + 50  # the header, then a row per decision


# Spanish decisions, a page of them: limit, offset (of how many match) → the page's first line
PAGES = [
    (10, lambda total: 20, lambda total: f"showing 21–30 of {total:,}; --limit/--offset for more"),
    (50, lambda total: total - 3, lambda total: f"showing {total - 2:,}–{total:,} of {total:,}"),
    (50, lambda total: total + 5, lambda total: f"showing none of {total:,}: --offset {total + 5:,} is past the last"),
    (50, lambda total: 99999, lambda total: f"showing none of {total:,}: --offset 99,999 is past the last"),
]


@pytest.mark.parametrize(("limit", "offset", "first_line"), PAGES)
def test_a_page_says_which_rows_it_holds(offline_store: Path, capsys: pytest.CaptureFixture, limit: int,
                                         offset: Callable[[int], int], first_line: Callable[[int], str]) -> None:
    spanish = every(capsys, offline_store, "--country", "ES")
    total = spanish["total"]
    args = ["enforcement", "--country", "ES", "--limit", str(limit), "--offset", str(offset(total))]
    code, out, _ = run(capsys, *args, "--store", str(offline_store))
    assert code == 0 and out.splitlines()[0] == first_line(total)
    page = run_json(capsys, offline_store, *args)
    assert (page["total"], page["offset"], page["count"]) == (total, offset(total), len(page["results"]))
    assert page["results"] == spanish["results"][offset(total):offset(total) + limit]


# -- fines with their currency's digits, and CSV --------------------------------------------------------------
# a country's fines in a currency → the digits of its minor units (ISO 4217): 1,300,000 ISK, not 13,000.00 ISK
FINES = [("IS", "ISK", 0), ("ES", "EUR", 2), ("GB", "GBP", 2)]


@pytest.mark.parametrize(("country", "currency", "digits"), FINES)
def test_a_fine_prints_with_its_currency_s_minor_digits(offline_store: Path, capsys: pytest.CaptureFixture,
                                                        country: str, currency: str, digits: int) -> None:
    args = ["enforcement", "--country", country, "--fined", "--limit", "100000"]
    page = run_json(capsys, offline_store, *args)
    _, md, _ = run(capsys, *args, "--store", str(offline_store))
    _, out, _ = run(capsys, *args, "--store", str(offline_store), "--format", "csv")
    md_rows = [line for line in md.splitlines() if line.startswith("| ")][1:]
    csv_rows = list(csv.DictReader(io.StringIO(out)))
    assert len(md_rows) == len(csv_rows) == page["count"]
    fines = [(d["fine"]["amount_minor"], md_row, csv_row)
             for d, md_row, csv_row in zip(page["results"], md_rows, csv_rows)
             if d["fine"] and d["fine"]["currency"] == currency]  # a fine of unstated amount has none
    for minor, md_row, csv_row in fines:
        whole, part = divmod(minor, 10**digits)
        decimals = f".{part:0{digits}}" if digits else ""
        assert f"| {whole:,}{decimals} {currency} |" in md_row
        assert (csv_row["fine_amount"], csv_row["fine_currency"]) == (f"{whole}{decimals}", currency)
    print(f"\n{len(fines)} fines in {currency} of {page['count']} in {country}")
    assert fines


MINOR_DIGITS = {"ISK": 0, "EUR": 2}  # ISO 4217


def test_csv_has_a_header_and_one_row_per_decision(offline_store: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["enforcement", "--country", "IS", "--limit", "20", "--offset", "5", "--store", str(offline_store)]
    code, out, err = run(capsys, *args, "--format", "csv")
    page = run_json(capsys, offline_store, *args[:-2])
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    assert code == 0 and reader.fieldnames[:2] == ["snapshot", "id"] and {
        "decision_date", "date_precision", "country", "authority_id", "authority", "outcome", "case_reference",
        "organisations", "fine_amount", "fine_currency", "fine_eur", "cites", "sources"} <= set(reader.fieldnames)
    assert [row["id"] for row in rows] == [d["id"] for d in page["results"]] and len(rows) == 20
    assert err.startswith(f"showing 6–25 of {page['total']:,}")
    for row, decision in zip(rows, page["results"]):
        assert row["snapshot"] == page["snapshot"] and row["cites"] == "; ".join(decision["cites"])
        if fine := decision["fine"]:
            assert Decimal(row["fine_amount"]).scaleb(MINOR_DIGITS[fine["currency"]]) == fine["amount_minor"]
            assert Decimal(row["fine_eur"]).scaleb(2) == fine["eur_minor"]
        else:
            assert row["fine_amount"] == row["fine_currency"] == row["fine_eur"] == ""


# -- every read names its snapshot ------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "fmt"), [(["show", "Article 17"], "md"), (["show", "Article 17"], "json"),
                                           (["enforcement", "--cites", "art_17"], "md"),
                                           (["enforcement", "--cites", "art_17"], "json"),
                                           (["enforcement", "--cites", "art_17"], "csv")])
def test_every_read_names_its_snapshot(offline_store: Path, capsys: pytest.CaptureFixture, args: list[str],
                                       fmt: str) -> None:
    snapshot = Store(offline_store).current_id()
    code, out, err = run(capsys, *args, "--store", str(offline_store), "--format", fmt)
    assert code == 0
    named = {"md": lambda: out.rstrip().endswith(f"_snapshot {snapshot}_"),
             "json": lambda: json.loads(out)["snapshot"] == snapshot,
             "csv": lambda: {row["snapshot"] for row in csv.DictReader(io.StringIO(out))} == {snapshot}
             and f"(snapshot {snapshot})" in err}
    assert named[fmt]()
