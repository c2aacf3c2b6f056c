"""Enforcement in the graph, on the real corpus: every row loaded or quarantined, cited provisions,
reconciliation across sources, and reads through the query API and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from kb_store import EnforcementFilter, Reader
from kb_store.store import Store
from pipelines.cli import main as cli
from pipelines.enforcement import with_known_since
from pipelines.refresh import Outcome, RefreshFailed, refresh
from schema.enforcement import Decision
from schema.law import SourceDocument

ROWS = {"cms_enforcementtracker": 2225, "gdprhub_export": 3221, "privacyaffairs_violations": 347}


def rows(store: Path, query: str, **params) -> list[dict]:
    with Store(store).open_current() as engine:
        return engine.execute(query, params)


def test_every_row_is_loaded_or_quarantined(offline_store: Path) -> None:
    loaded = Counter({r["source"]: r["n"] for r in rows(
        offline_store, "MATCH (s:SourceRecord) WHERE s.kind = 'table_row' RETURN s.source AS source, count(*) AS n")})
    quarantined = Counter(q.source for q in Store(offline_store).current().quarantined_rows)
    decisions = rows(offline_store, "MATCH (d:Decision) RETURN count(*) AS n")[0]["n"]
    print(f"\n{'source':<28}{'rows':>6}{'loaded':>8}{'quarantined':>13}")
    for source, expected in ROWS.items():
        print(f"{source:<28}{expected:>6}{loaded[source]:>8}{quarantined[source]:>13}")
        assert loaded[source] + quarantined[source] == expected
        assert loaded[source] >= 0.99 * expected
    print(f"{sum(ROWS.values())} rows → {decisions} decisions after reconciliation")
    assert decisions < sum(loaded.values())


@pytest.mark.parametrize("source, bar", [("cms_enforcementtracker", 0.95), ("gdprhub_export", 0.90),
                                         ("privacyaffairs_violations", 0.90)])
def test_rows_listing_articles_reach_a_gdpr_provision(offline_store: Path, source: str, bar: float) -> None:
    (counts,) = rows(offline_store,
                     "MATCH (s:SourceRecord) WHERE s.source = $source AND size(s.articles_raw) > 0 "
                     "OPTIONAL MATCH (s)-[:RECORD_CITES]->(p:Provision) WHERE p.act_id = 'eu/reg/2016/679' "
                     "WITH s, count(p) AS cited RETURN count(*) AS listing, sum(CASE WHEN cited > 0 THEN 1 ELSE 0 END) AS citing",
                     source=source)
    share = counts["citing"] / counts["listing"]
    print(f"\n{source}: {counts['citing']} of {counts['listing']} rows listing articles cite a GDPR provision ({share:.1%})")
    assert share >= bar


def _decision_of(store: Path, record_id: str) -> dict:
    (found,) = rows(store, "MATCH (d:Decision)-[:REPORTED_BY]->(:SourceRecord {id: $id}) "
                           "MATCH (d)-[:REPORTED_BY]->(s:SourceRecord) RETURN d.id AS id, collect(s.id) AS sources, "
                           "d.disagreements AS disagreements", id=record_id)
    return found


@pytest.mark.parametrize("etid, pdf", [
    ("ETid-3", "dpa_pdf.at_dsb_2018-09-27_dsb-d550.084-0002-dsb-2018_straferkenntnis_dashcam"),
    ("ETid-4", "dpa_pdf.at_dsb_2018-12-20_dsb-d550.037-0003-dsb-2018_straferkenntnis"),
])
def test_an_austrian_dsb_decision_is_one_node_with_the_tracker_row_and_the_pdf(offline_store: Path, etid: str,
                                                                               pdf: str) -> None:
    decision = _decision_of(offline_store, f"cms_enforcementtracker/{etid}")
    assert f"cms_enforcementtracker/{etid}" in decision["sources"]
    assert any(s.startswith(pdf) for s in decision["sources"]), decision


def test_the_dutch_fingerprint_case_is_one_case_with_all_its_sources(offline_store: Path) -> None:
    decision = _decision_of(offline_store, "cms_enforcementtracker/ETid-274")
    print("\n", decision)
    assert any(s.startswith("gdprhub.gdprhub_ap_the_netherlands_-_boete_vingerafdrukken_personeel")
               for s in decision["sources"])
    assert any(s.startswith("dpa_pdf.nl_ap_2019-12-04_onderzoek_vingerafdrukken_personeel") for s in decision["sources"])
    assert any(d.startswith("decision_date:") for d in decision["disagreements"])  # 2019-12-04 ≠ 2020-04-30


@pytest.mark.parametrize("etid, organisation, docweb, gdprhub", [
    ("ETid-212", "Azienda Ospedaliero Universitaria Integrata di Verona (Hospital)", "9269629", "gdprhub_export/2286"),
    ("ETid-213", "Sapienza Università di Roma", "9269618", "gdprhub_export/2285"),
])
def test_two_garante_measures_of_one_day_and_amount_keep_their_own_organisation_and_docweb(
        offline_store: Path, etid: str, organisation: str, docweb: str, gdprhub: str) -> None:
    """CMS ETid-212/213: same day, same EUR 30,000, two measures; each joins the GDPRhub row of its docweb."""
    decision = _decision_of(offline_store, f"cms_enforcementtracker/{etid}")
    assert gdprhub in decision["sources"], decision
    (row,) = rows(offline_store, "MATCH (d:Decision {id: $id})-[:REPORTED_BY]->(s:SourceRecord) "
                                 "WHERE s.source = 'cms_enforcementtracker' RETURN s.organisations AS organisations, "
                                 "s.case_references AS refs", id=decision["id"])
    assert row["organisations"] == [organisation] and row["refs"] == [f"garante-docweb {docweb}"]
    # No record of the other measure joined it. (Docweb numbers alone do not keep them apart: a decision
    # and its newsletter have two; privacyaffairs/264's URL names the Verona measure's, its facts are
    # Sapienza's.)
    other_measure = {"cms_enforcementtracker/ETid-212", "gdprhub_export/2286", "cms_enforcementtracker/ETid-213",
                     "gdprhub_export/2285"} - {f"cms_enforcementtracker/{etid}", gdprhub}
    assert not other_measure & set(decision["sources"]), decision


def test_no_decision_fines_its_complainant_or_data_subject(offline_store: Path) -> None:
    named = rows(offline_store, "MATCH (d:Decision)-[:REPORTED_BY]->(s:SourceRecord) "
                                "RETURN d.id AS decision, s.organisation_keys AS keys, s.organisation_roles AS roles")
    not_addressed = {(r["decision"], key) for r in named for key, role in zip(r["keys"], r["roles"])
                     if role in ("complainant", "data_subject", "authority")}
    addressed = {(r["decision"], key) for r in named for key, role in zip(r["keys"], r["roles"])
                 if role not in ("complainant", "data_subject", "authority")}
    fined = {(r["decision"], r["key"]) for r in rows(
        offline_store, "MATCH (d:Decision)-[:IMPOSED_ON]->(o:Organisation) RETURN d.id AS decision, o.key AS key")}
    assert len(not_addressed) > 20, "the corpus names complainants and data subjects"
    assert not fined & (not_addressed - addressed)


def _spanish_fines_before_2020_citing_article_6(fines: Path) -> set[str]:
    """Read straight from the source files, without the project's parsers."""
    expected = set()
    for row in json.loads((fines / "cms_enforcementtracker_2024-03.json").read_text())["data"]:
        year = re.match(r"(\d{4})", row[4] or "")
        fine = int(re.sub(r"\D", "", row[5]) or 0)
        if "SPAIN" in row[2] and year and int(year.group(1)) < 2020 and fine and re.search(r"Art\. ?6\b", row[8]):
            expected.add(f"cms_enforcementtracker/{row[1]}")
    with (fines / "privacyaffairs_gdpr_violations_2020-08.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            month, day, year = row["date"].split("/")
            if row["name"].strip() == "Spain" and "1970" != year and int(year) < 2020 and int(row["price"] or 0) \
                    and re.search(r"Art\.? ?6\b", row["article_violated"]):
                expected.add(f"privacyaffairs_violations/{row['id']}")
    return expected


def test_fines_in_spain_before_2020_citing_article_6(offline_store: Path, corpus: Path) -> None:
    expected = _spanish_fines_before_2020_citing_article_6(corpus / "fines")
    with Reader.open(offline_store) as reader:
        found = reader.decisions(EnforcementFilter(country="ES", cites="Art. 6", before=dt.date(2020, 1, 1),
                                                   fined=True)).results
    reported = {r.id for d in found for r in d.sources}
    print(f"\n{len(expected)} tracker rows expected, {len(found)} decisions found, reported by {len(reported)} records")
    assert len(expected) >= 10
    assert expected <= reported, sorted(expected - reported)
    for decision in found:
        assert decision.country == "ES" and decision.fine is not None and decision.decision_date < dt.date(2020, 1, 1)
        assert any(c == "eu/reg/2016/679/art_6" or c.startswith("eu/reg/2016/679/art_6/") for c in decision.cites)


def test_enforcement_cli_gives_a_results_list(offline_store: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["enforcement", "--authority", "Datainspektionen", "--country", "SE", "--store", str(offline_store),
                "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == len(out["results"]) > 0
    assert {d["authority_id"] for d in out["results"]} == {"authority/se/imy"}
    first = out["results"][0]
    assert {"id", "decision_date", "fine", "sources", "cites", "organisations"} <= first.keys()


BAD_TABLES = {
    # name: (mapping, bytes from the real file, words the reason must hold)
    "csv_missing_column": ("gdprhub_export",
                           lambda f: (f / "gdprhub_decisions_2024-03.csv").read_bytes().replace(b"Jurisdiction", b"Land", 1),
                           "Jurisdiction"),
}


def test_a_bad_row_is_quarantined_and_a_bad_table_keeps_its_last_good_copy(tmp_path: Path, corpus: Path) -> None:
    fines = corpus / "fines"
    cms = json.loads((fines / "cms_enforcementtracker_2024-03.json").read_text())
    cms["data"][2][5] = "4,8OO"  # ETid-3's amount, unparseable
    (tmp_path / "cms.json").write_text(json.dumps(cms))
    gdprhub = tmp_path / "gdprhub.csv"
    gdprhub.write_bytes((fines / "gdprhub_decisions_2024-03.csv").read_bytes())
    config = tmp_path / "bad.toml"
    config.write_text("\n".join(
        f'[[fine_table]]\nname = "{name}"\npath = "{path}"\nmapping = "{mapping}"\nlicence = "test"\nattribution = "test"\n'
        for name, path, mapping in [("cms", tmp_path / "cms.json", "cms_enforcementtracker"),
                                    ("gdprhub", gdprhub, "gdprhub_export")]))
    first = refresh(config, tmp_path / "store")
    (row,) = [row for row in first.manifest.quarantined_rows if row.source == "cms_enforcementtracker"]
    assert row.row_id == "ETid-3" and "4,8OO" in row.reason

    gdprhub.write_bytes(gdprhub.read_bytes().replace(b"Jurisdiction", b"Land", 1))
    second = refresh(config, tmp_path / "store")
    (table,) = second.quarantined
    assert table.name == "gdprhub" and "Jurisdiction" in table.reason and "kept the copy fetched" in table.reason
    assert second.outcome == Outcome.KEPT and [use.name for use in second.kept] == ["gdprhub"]
    assert second.kept[0].kept.startswith("unreadable: ")
    assert second.kept[0].document.sha256 == first.manifest.sources[1].sha256
    # The kept copy and the unchanged table are the snapshot published before: nothing new to publish.
    assert not second.published and second.manifest.id == first.manifest.id
    loaded = rows(tmp_path / "store", "MATCH (s:SourceRecord) RETURN count(*) AS n")[0]["n"]
    assert loaded == (2225 - 1) + first.manifest.sources[1].records


def test_a_table_unreadable_from_the_start_publishes_nothing(tmp_path: Path, corpus: Path) -> None:
    missing = (corpus / "fines" / "gdprhub_decisions_2024-03.csv").read_bytes().replace(b"Jurisdiction", b"Land", 1)
    (tmp_path / "gdprhub.csv").write_bytes(missing)
    config = tmp_path / "bad.toml"
    config.write_text(f'[[fine_table]]\nname = "gdprhub"\npath = "{tmp_path / "gdprhub.csv"}"\n'
                      'mapping = "gdprhub_export"\nlicence = "test"\nattribution = "test"\n')
    with pytest.raises(RefreshFailed) as failed:
        refresh(config, tmp_path / "store")
    (check,) = failed.value.failed
    assert check.name == "fine_rows_read" and "no copy of: gdprhub" in check.summary
    assert any("Jurisdiction" in line for line in check.details)
    assert Store(tmp_path / "store").current_id() is None


def test_bad_decision_documents_are_quarantined_and_the_rest_loads(tmp_path: Path, corpus: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    pdfs, folder = corpus / "dpa" / "pdf", tmp_path / "decisions"
    folder.mkdir()
    good = (pdfs / "AT_DSB_2018-09-27_DSB-D550.084-0002-DSB-2018_Straferkenntnis_Dashcam.pdf").read_bytes()
    (folder / "good.pdf").write_bytes(good)
    (folder / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (folder / "scanned.pdf").write_bytes((pdfs / "UK_ICO_2020-03-04_Cathay_Pacific_MPN.pdf").read_bytes())
    writer = PdfWriter(clone_from=PdfReader(folder / "good.pdf"))
    writer.encrypt("secret")
    writer.write(folder / "encrypted.pdf")
    law = corpus / "eurlex" / "gdpr_02016R0679_formex_consolidated_en.xml"
    config = tmp_path / "decisions.toml"
    config.write_text(
        f'[[document]]\nname = "gdpr"\ncelex = "02016R0679-20160504"\nlang = "en"\nformat = "formex_consolidated"\n'
        f'path = "{law}"\nlicence = "l"\nattribution = "a"\n\n'
        f'[[decision_folder]]\nname = "dpa"\npath = "{folder}"\nlicence = "l"\nattribution = "a"\n')
    report = refresh(config, tmp_path / "store")
    reasons = {q.name: q.reason for q in report.manifest.quarantined}
    assert set(reasons) == {"dpa.truncated", "dpa.encrypted", "dpa.scanned"}
    assert "truncated" in reasons["dpa.truncated"]
    assert "encrypted" in reasons["dpa.encrypted"] and "password" in reasons["dpa.encrypted"]
    assert "no text layer" in reasons["dpa.scanned"]
    (loaded,) = rows(tmp_path / "store", "MATCH (s:SourceRecord) RETURN s.id AS id, s.authority_id AS authority, "
                                         "s.fine_minor AS fine, size(s.articles) AS cited")
    assert loaded == {"id": "dpa.good", "authority": "authority/at/dsb", "fine": 300_00, "cited": loaded["cited"]}
    assert loaded["cited"] > 0


def test_two_sources_serving_the_same_bytes_are_one_document(tmp_path: Path, corpus: Path) -> None:
    pdf = corpus / "dpa" / "pdf" / "AT_DSB_2018-09-27_DSB-D550.084-0002-DSB-2018_Straferkenntnis_Dashcam.pdf"
    config = tmp_path / "twice.toml"
    config.write_text("".join(f'[[decision]]\nname = "{name}"\npath = "{pdf}"\nlicence = "l"\nattribution = "a"\n\n'
                              for name in ("first", "second")))
    report = refresh(config, tmp_path / "store")
    assert report.published and not report.manifest.quarantined
    found = rows(tmp_path / "store", "MATCH (s:SourceRecord)-[:RECORD_FROM]->(d:SourceDocument) "
                                     "RETURN s.id AS record, d.name AS document ORDER BY record")
    assert found == [{"record": "first", "document": "first"}, {"record": "second", "document": "first"}]


@pytest.mark.parametrize(("outcome", "date", "precision", "known_since"), [
    ("fine", dt.date(2019, 3, 1), "month", dt.date(2019, 3, 31)),  # the last day of its date's period
    ("fine", None, "unknown", dt.date(2024, 3, 5)),  # undated: known only since its report was fetched
    ("not_a_decision", dt.date(2019, 3, 1), "day", None),  # a speech is never a decision known since a day
])
def test_a_decision_is_known_since_its_date_or_its_fetch(outcome: str, date: dt.date | None, precision: str,
                                                       known_since: dt.date | None) -> None:
    decision = Decision(id="decision/it/gpdp/x", decision_date=date, date_precision=precision, outcome=outcome,
                        sources=["dpa_pdf/x"])
    record = SimpleNamespace(id="dpa_pdf/x", source_sha256="0" * 64)
    document = SourceDocument(sha256="0" * 64, name="dpa_pdf.x", url="file:///x.pdf", format="decision_pdf",
                              fetched_at=dt.datetime(2024, 3, 5, 12), licence="l", attribution="a")
    [known] = with_known_since([decision], [record], [document])
    assert known.known_since == known_since
