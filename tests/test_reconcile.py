"""The reconciliation rules, one table row each: which records end up as one decision, and why."""

from __future__ import annotations

import datetime as dt

import pytest

from parsers.normalise.case_references import case_references
from parsers.normalise.organisations import organisation
from parsers.reconcile import reconcile
from pipelines.checks import records_reconciled
from schema.enforcement import SourceRecord

DSB = "authority/at/dsb"
GARANTE = "authority/it/garante"
NAIH = "authority/hu/naih"
DATATILSYNET = "authority/no/datatilsynet"
AEPD = "authority/es/aepd"
PRESS = "https://www.dsb.gv.at/"
DOCWEB = "https://www.garanteprivacy.it/web/guest/home/docweb/-/docweb-display/docweb/"


def record(source: str, row: str, day: str | None = "2018-09-27", eur: int | None = 300_00,
           authority: str | None = DSB, precision: str = "day", ref: str | None = None,
           organisations: tuple[str, ...] = (), urls: tuple[str, ...] = (), stated: tuple[int, str] | None = None,
           summary: str | None = None, authority_raw: str | None = None, country: str | None = None,
           fined: bool | None = None) -> SourceRecord:
    """A record of ``authority``'s country fining ``eur`` (as ``stated``: minor units and currency, if not euro)."""
    country = country or (authority.split("/")[1].upper() if authority else "AT")
    minor, currency = stated or (eur, "EUR")
    parties = [organisation(name) for name in organisations]
    return SourceRecord(id=f"{source}/{row}", source=source, kind="table_row", country=country, authority_id=authority,
                        decision_date=dt.date.fromisoformat(day) if day else None,
                        date_precision=precision if day else "unknown", case_reference=ref,
                        case_references=case_references(country, ref, urls), urls=list(urls),
                        fine_minor=minor if eur is not None else None, fine_currency=currency if eur is not None else None,
                        fine_eur_minor=eur, organisations=[p.name for p in parties],
                        organisation_keys=[p.key for p in parties], organisation_roles=[p.role or "" for p in parties],
                        fined=fined, summary=summary, authority_raw=authority_raw, licence="l", attribution="a", source_sha256="0" * 64, parser_version="1")


CASES = [
    # (what, records, groups expected as sets of record ids, the rule that joined them)
    ("same reference, one with a prefix",
     [record("a", "1", ref="DSB-D550.084/0002-DSB/2018", day=None), record("b", "1", ref="D550.084/0002-DSB/2018", eur=None)],
     [{"a/1", "b/1"}], "same_case_reference"),
    ("same day and fine", [record("a", "1"), record("b", "1")], [{"a/1", "b/1"}], "same_day_same_amount"),
    ("same day, one undisclosed fine, alone that day, one addressee",
     [record("a", "1", organisations=("Acme GmbH",)), record("b", "1", eur=None, organisations=("ACME",))],
     [{"a/1", "b/1"}], "same_day_unique"),
    ("same day, one fine and one record without, no addressee in common: as often two matters",
     [record("a", "1"), record("b", "1", eur=None)], [{"a/1"}, {"b/1"}], None),
    ("same day, one fine and one record of a fine of unknown amount: another of that day's fines",
     [record("a", "1", organisations=("Acme",)), record("b", "1", eur=None, organisations=("Acme",), fined=True)],
     [{"a/1"}, {"b/1"}], None),
    ("same day, neither states a fine, alone that day", [record("a", "1", eur=None), record("b", "1", eur=None)],
     [{"a/1", "b/1"}], "same_day_unique"),
    ("same day, two of one source that day: not unique",
     [record("a", "1"), record("a", "2", eur=500_00), record("b", "1", eur=None)],
     [{"a/1"}, {"a/2"}, {"b/1"}], None),
    ("same day, different fines: a conflict", [record("a", "1"), record("b", "1", eur=400_00)],
     [{"a/1"}, {"b/1"}], None),
    ("same day, organisations with nothing in common",
     [record("a", "1", eur=None, organisations=("acme",)), record("b", "1", eur=None, organisations=("globex",))],
     [{"a/1"}, {"b/1"}], None),
    ("same fine, decided and published 148 days apart",
     [record("a", "1", day="2019-12-04", eur=725_000_00), record("b", "1", day="2020-04-30", eur=725_000_00)],
     [{"a/1", "b/1"}], "same_amount_near_date"),
    ("same fine, one undated", [record("a", "1", day=None, eur=725_000_00), record("b", "1", eur=725_000_00)],
     [{"a/1", "b/1"}], "same_amount_near_date"),
    ("same fine, a year apart", [record("a", "1", day="2019-01-02", eur=725_000_00),
                                 record("b", "1", day="2020-04-30", eur=725_000_00)], [{"a/1"}, {"b/1"}], None),
    ("same small fine, different days: too common to match",
     [record("a", "1", day="2019-01-02"), record("b", "1", day="2019-01-03")], [{"a/1"}, {"b/1"}], None),
    ("another authority", [record("a", "1"), record("b", "1", authority="authority/de/bfdi")], [{"a/1"}, {"b/1"}], None),
    ("never two records of one source", [record("a", "1"), record("a", "2"), record("b", "1")],
     [{"a/1", "b/1"}, {"a/2"}], "same_day_same_amount"),
    # A reference read from a URL; the Garante's ETid-212/213: same day and fine, each its own measure.
    ("a docweb number in a URL is the reference in the other's field",
     [record("a", "1", authority=GARANTE, urls=(DOCWEB + "9269629",)), record("b", "1", authority=GARANTE, ref="9269629", day="2020-01-24")],
     [{"a/1", "b/1"}], "same_case_reference"),
    ("same day and fine, docweb numbers that differ: two measures",
     [record("a", "212", authority=GARANTE, urls=(DOCWEB + "9269629",), organisations=("Azienda Ospedaliera di Verona",)),
      record("a", "213", authority=GARANTE, urls=(DOCWEB + "9269618",), organisations=("Sapienza Università di Roma",)),
      record("b", "2285", authority=GARANTE, ref="9269618", organisations=('University "La Sapienza" Rome',)),
      record("b", "2286", authority=GARANTE, ref="9269629", organisations=("Integrated University Hospital of Verona",))],
     [{"a/212", "b/2286"}, {"a/213", "b/2285"}], "same_case_reference"),
    ("a URL naming the other measure's number: its addressee conflicts, so it stays alone",
     [record("a", "1", authority=GARANTE, ref="9269629", organisations=("Azienda Ospedaliera di Verona",)),
      record("c", "264", authority=GARANTE, urls=(DOCWEB + "9269629",), organisations=("Sapienza Università di Roma",))],
     [{"a/1"}, {"c/264"}], None),
    ("same day and fine, addressees with nothing in common", [record("a", "1", organisations=("Caixabank",)),
                                                             record("b", "1", organisations=("BANKIA",))],
     [{"a/1"}, {"b/1"}], None),
    ("same day and fine, one addressee written as an abbreviation",
     [record("a", "1", organisations=("Istituto Nazionale Previdenza Sociale",)), record("b", "1", organisations=("INPS",))],
     [{"a/1", "b/1"}], "same_day_same_amount"),
    ("a complainant is no addressee to conflict with",
     [record("a", "1", organisations=("Acme",)), record("b", "1", organisations=("Complainant: Max Mustermann", "Acme AG"))],
     [{"a/1", "b/1"}], "same_day_same_amount"),
    ("the same fine stated in two currencies, 0.2% apart in euro",
     [record("a", "1", eur=22_046_000_00), record("b", "1", eur=22_003_410_00, stated=(20_000_000_00, "GBP"))],
     [{"a/1", "b/1"}], "same_day_same_amount"),
    ("fines in two currencies 8% apart in euro: two fines",
     [record("a", "1", eur=22_046_000_00), record("b", "1", eur=20_300_000_00, stated=(18_400_000_00, "GBP"))],
     [{"a/1"}, {"b/1"}], None),
    ("one currency: equal or not, whatever the euro",
     [record("a", "1", eur=300_01, stated=(300_00, "GBP")), record("b", "1", eur=300_00, stated=(300_00, "GBP"))],
     [{"a/1", "b/1"}], "same_day_same_amount"),
    # A fine in euro of a country of another currency is a tracker's conversion.
    ("two conversions to euro of one forint fine, 1.4% apart: no different fines",
     [record("a", "1", authority=NAIH, eur=290_00), record("b", "1", authority=NAIH, eur=286_00)],
     [{"a/1", "b/1"}], "same_day_unique"),
    ("two fines in euro of a euro country, 1.4% apart: two fines",
     [record("a", "1", eur=290_00), record("b", "1", eur=286_00)], [{"a/1"}, {"b/1"}], None),
    ("a conversion rounded as written (EUR 20,000 for NOK 200,000 at EUR 20,747): no different fines",
     [record("a", "1", authority=DATATILSYNET, eur=20_000_00), record("b", "1", authority=DATATILSYNET,
                                                                      eur=20_747_00, stated=(200_000_00, "NOK"))],
     [{"a/1", "b/1"}], "same_day_unique"),
    ("a conversion rounding cannot explain (EUR 20,000 for EUR 23,900): different fines",
     [record("a", "1", authority=DATATILSYNET, eur=20_000_00), record("b", "1", authority=DATATILSYNET,
                                                                      eur=23_900_00, stated=(230_000_00, "NOK"))],
     [{"a/1"}, {"b/1"}], None),
    # A document both link to.
    ("the same document and fine, 100 days apart",
     [record("a", "1", day="2019-01-02", eur=80_000_00, urls=(PRESS + "pm-2019.pdf",)),
      record("b", "1", day="2019-04-12", eur=80_000_00, urls=("http://dsb.gv.at/pm-2019.pdf#page=2",))],
     [{"a/1", "b/1"}], "same_document_same_amount"),
    ("a site's front page is no document in common",
     [record("a", "1", day="2019-01-02", eur=80_000, urls=(PRESS,)), record("b", "1", day="2019-04-12", eur=80_000, urls=(PRESS,))],
     [{"a/1"}, {"b/1"}], None),
    ("one document, two fines of that amount in one source: no telling which",
     [record("a", "1", day="2019-01-02", eur=800_00, urls=(PRESS + "pm.pdf",)),
      record("a", "2", day="2019-03-02", eur=800_00, urls=(PRESS + "pm.pdf",)),
      record("b", "1", day="2019-04-12", eur=800_00, urls=(PRESS + "pm.pdf",))],
     [{"a/1"}, {"a/2"}, {"b/1"}], None),
    ("same fine and addressee, the one of each source among fines of that amount",
     [record("a", "1", day="2020-01-02", eur=10_000_00, organisations=("NANDIVALE S.L.",)),
      record("a", "2", day="2020-02-02", eur=10_000_00, organisations=("Globex",)),
      record("b", "1", day="2020-01-30", eur=10_000_00, organisations=("Nandivale",))],
     [{"a/1", "b/1"}, {"a/2"}], "same_amount_addressee"),
    # A table that lists one decision twice.
    ("two rows of one table with one procedure number, day and fine: one decision listed twice",
     [record("a", "1", authority=AEPD, ref="PS/00292/2019"), record("b", "209", authority=AEPD, ref="PS/00292/2019"),
      record("b", "270", authority=AEPD, ref="PS/00292/2019")], [{"a/1", "b/209", "b/270"}], "same_case_reference"),
    ("a table that lists one decision twice, alone", [record("b", "209", authority=AEPD, ref="PS/00292/2019"),
                                                      record("b", "270", authority=AEPD, ref="PS/00292/2019")],
     [{"b/209", "b/270"}], "same_case_reference"),
    ("two rows of one table with one procedure number on two days: the fine and the appeal against it",
     [record("a", "1", authority=AEPD, ref="PS/00212/2019"), record("b", "1", authority=AEPD, ref="PS/00212/2019"),
      record("b", "2", authority=AEPD, ref="PS/00212/2019", day="2020-02-28")], [{"a/1", "b/1"}, {"b/2"}],
     "same_case_reference"),
    # Spain has several authorities: a record of a table without an authority column names none.
    ("no authority: same country, day, fine and organisation",
     [record("a", "1", authority="authority/es/aepd", organisations=("Grow Beats S.L.",)),
      record("b", "1", authority=None, country="ES", organisations=("GROW BEATS SL",))],
     [{"a/1", "b/1"}], "same_country_day_amount_organisation"),
    ("no authority: same country, day and fine, no organisation in common",
     [record("a", "1", authority="authority/es/aepd", organisations=("Just Landed S.L.",)),
      record("b", "1", authority=None, country="ES", organisations=("GROW BEATS SL",))], [{"a/1"}, {"b/1"}], None),
    ("no authority: same country, day and fine, no organisation named",
     [record("a", "1", authority="authority/es/aepd"), record("b", "1", authority=None, country="ES")],
     [{"a/1"}, {"b/1"}], None),
    ("a court the gazetteer does not know is no record without an authority",
     [record("a", "1", authority="authority/es/aepd", organisations=("Acme",)),
      record("b", "1", authority=None, country="ES", authority_raw="Court: Audiencia Nacional", organisations=("Acme",))],
     [{"a/1"}, {"b/1"}], None),
    ("no authority: another country", [record("a", "1", authority="authority/es/aepd", organisations=("Acme",)),
                                       record("b", "1", authority=None, country="PT", organisations=("Acme",))],
     [{"a/1"}, {"b/1"}], None),
]


@pytest.mark.parametrize("what, records, expected, rule", CASES, ids=[c[0] for c in CASES])
def test_rule(what: str, records: list[SourceRecord], expected: list[set[str]], rule: str | None) -> None:
    result = reconcile(records, ["a", "b"])
    assert sorted(map(sorted, (set(d.sources) for d in result.decisions))) == sorted(map(sorted, expected))
    joined = {r.rule for r in result.reported_by if r.rule}
    assert joined == ({rule} if rule else set())


def test_a_refused_merge_is_counted_by_rule() -> None:
    result = reconcile([record("a", "1", organisations=("Caixabank",)), record("b", "1", organisations=("BANKIA",))],
                       ["a", "b"])
    assert result.refused["same_day_same_amount"] == 1 and sum(result.merges.values()) == 0


def test_a_decision_takes_the_best_source_and_lists_disagreements() -> None:
    result = reconcile([record("tracker", "9", day="2020-04-30", eur=725_000_00),
                        record("document", "1", day="2019-12-04", eur=725_000_00)], ["document", "tracker"])
    (decision,) = result.decisions
    assert decision.decision_date == dt.date(2019, 12, 4) and decision.sources[0] == "document/1"
    assert decision.id == "decision/at/dsb/2019-12-04/document-1"
    assert decision.disagreements == ["decision_date: document/1 2019-12-04 ≠ tracker/9 2020-04-30"]
    (fine,) = result.fines
    assert fine.amount_minor == 725_000_00 and fine.decision_id == decision.id


def test_the_reconciliation_check_passes_a_table_s_listing_twice_and_fails_any_other_source_twice() -> None:
    rows = [record("a", "1", authority=AEPD, ref="PS/00292/2019"), record("b", "209", authority=AEPD, ref="PS/00292/2019"),
            record("b", "270", authority=AEPD, ref="PS/00292/2019")]
    result = reconcile(rows, ["a", "b"])
    assert result.listed_twice == [("b/209", "b/270")] or result.listed_twice == [("b/270", "b/209")]
    assert records_reconciled(result).passed
    (decision,) = result.decisions
    doubled = result.model_copy(update={"listed_twice": []})
    check = records_reconciled(doubled)
    assert not check.passed and f"{decision.id}: two records of one source" in check.details
