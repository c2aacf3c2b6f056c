"""Snapshots over time, on the real corpus: what a second vintage of enforcement data changes (the diff),
what each snapshot knew (reads by id), going back to an earlier one (promote), and retention (prune)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb_store import Manifest, Store, prune_plan
from pipelines.cli import main as cli
from pipelines.refresh import refresh
from tests.test_store import HOLD_LOCK

LAW = ('[[document]]\nname = "gdpr"\ncelex = "02016R0679-20160504"\nlang = "en"\nformat = "formex_consolidated"\n'
       'path = "{corpus}/eurlex/gdpr_02016R0679_formex_consolidated_en.xml"\nlicence = "l"\nattribution = "a"\n\n')
TABLE = ('[[fine_table]]\nname = "{name}"\npath = "{corpus}/fines/{file}"\nmapping = "{mapping}"\n'
         'licence = "l"\nattribution = "a"\n\n')
PRIVACYAFFAIRS = {"name": "privacyaffairs", "file": "privacyaffairs_gdpr_violations_2020-08.tsv",
                  "mapping": "privacyaffairs_violations"}
CMS = {"name": "cms", "file": "cms_enforcementtracker_2024-03.json", "mapping": "cms_enforcementtracker"}


@dataclass(frozen=True)
class Vintages:
    store: Path
    a: str  # privacyaffairs 2020-08 and the GDPR
    b: str  # the same with the CMS tracker 2024-03 added, ranked first


@pytest.fixture(scope="module")
def vintages(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Vintages:
    root = tmp_path_factory.mktemp("vintages")
    ids = []
    for name, tables in (("a", [PRIVACYAFFAIRS]), ("b", [CMS, PRIVACYAFFAIRS])):  # the first listed ranks first
        config = root / f"{name}.toml"
        config.write_text("".join(TABLE.format(corpus=corpus, **t) for t in tables) + LAW.format(corpus=corpus))
        report = refresh(config, root / "store")
        assert report.published
        ids.append(report.manifest.id)
    return Vintages(root / "store", *ids)


@pytest.fixture
def own_store(vintages: Vintages, tmp_path: Path) -> Path:
    """A copy of the two snapshots' store, for a test that writes to it."""
    return Path(shutil.copytree(vintages.store, tmp_path / "store"))


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def examples(diff: dict) -> dict[str, list[dict]]:
    return {t["table"]: t["examples"] for t in diff["tables"] if t["examples"]}


# -- diff ----------------------------------------------------------------------------------------------
def test_the_second_vintage_adds_decisions_and_renames_those_cms_reports_too(vintages: Vintages,
                                                                             capsys: pytest.CaptureFixture) -> None:
    diff = run_json(capsys, "snapshots", "diff", vintages.a, vintages.b, "--store", str(vintages.store),
                    "--examples", "3000")
    assert (diff["a"], diff["b"]) == (vintages.a, vintages.b)
    tables = {t["table"]: t for t in diff["tables"]}
    print("\n" + "\n".join(f"{t['table']:<14}{t['added']:>6} added{t['removed']:>4} removed{t['changed']:>5} changed "
                           f"({t['rekeyed']} re-keyed)" for t in diff["tables"] if t["added"] or t["changed"]))
    records, decisions, fines = tables["SourceRecord"], tables["Decision"], tables["Fine"]
    assert (records["added"], records["removed"], records["changed"]) == (2225, 0, 0)
    # No decision of A is lost: those CMS reports too are named after the CMS record now, which ranks first.
    assert decisions["removed"] == 0 and decisions["changed"] == decisions["rekeyed"] > 0
    assert decisions["rows_b"] == decisions["rows_a"] + decisions["added"]
    assert fines["rekeyed"] == decisions["rekeyed"]  # every decision of A had a fine; it follows its decision
    changed = [e for e in examples(diff)["Decision"] if e["change"] == "changed"]
    assert len(changed) == decisions["changed"]
    for example in changed:
        fields = {f["field"]: f for f in example["fields"]}
        assert example["key"] == [fields["id"]["new"]] and "/cms-enforcementtracker-etid-" in fields["id"]["new"]
        assert set(fields["sources"]["old"]) < set(fields["sources"]["new"])  # a CMS record joined it
    redated = [e for e in changed if any(f["field"] == "decision_date" for f in e["fields"])]
    assert redated, "CMS dates some decisions differently (merged by amount, dates up to 183 days apart)"
    _, engine = Store(vintages.store).open(vintages.b)
    with engine:
        for example in (e for e in examples(diff)["Fine"] if e["change"] == "changed"):
            fields = {f["field"]: f for f in example["fields"]}
            assert {"id", "decision_id"} <= fields.keys() <= {"id", "decision_id", "amount_minor", "eur_minor"}
            if "amount_minor" in fields:  # a CMS record joined, and it ranks first: one of the same case
                # reference, or stating another conversion of a fine in a currency not the euro
                joined = engine.execute("MATCH (d:Decision)-[r:REPORTED_BY]->(s:SourceRecord) WHERE d.id = $id "
                                        "RETURN s.source AS source, s.fine_minor AS fine, r.rule AS rule",
                                        {"id": fields["decision_id"]["new"]})
                cms = [r for r in joined if r["source"] == "cms_enforcementtracker"]
                assert [r["fine"] for r in cms] == [fields["amount_minor"]["new"]], joined
    assert [(s["name"], s["change"]) for s in diff["sources"]] == [("cms", "added")]
    assert "records_reconciled" in {c["name"] for c in diff["checks"]}


def test_1and1_telecom_the_reduced_fine_joins_the_case_of_the_decision(vintages: Vintages,
                                                                      capsys: pytest.CaptureFixture) -> None:
    """privacyaffairs (2020-08) knows the BfDI's EUR 9,550,000 of 2019-12-09; CMS (2024-03) only the
    EUR 900,000 the Bonn court set on 2020-11-11. Reconciliation does not join them (other amount, dates
    eleven months apart): B adds a decision, A's stays as it was, and B's case of A's decision now holds
    both, with the court's reduction."""
    def diff(grep: str) -> dict[str, list[dict]]:
        return examples(run_json(capsys, "snapshots", "diff", vintages.a, vintages.b, "--store",
                                 str(vintages.store), "--grep", grep))

    (record,) = diff("1&1")["SourceRecord"]
    assert record["change"] == "added" and record["key"] == ["cms_enforcementtracker/ETid-128"]
    assert (record["values"]["decision_date"], record["values"]["fine_minor"]) == ("2020-11-11", 900_000_00)
    added = diff("de/bfdi/2020-11-11/")
    (decision,), (fine,) = added["Decision"], added["Fine"]
    assert decision["change"] == fine["change"] == "added"
    assert decision["key"] == ["decision/de/bfdi/2020-11-11/cms-enforcementtracker-etid-128"]
    assert decision["values"]["fine_eur_minor"] == fine["values"]["amount_minor"] == 900_000_00
    kept = diff("privacyaffairs-violations-138")
    assert "Decision" not in kept and "Fine" not in kept, "the EUR 9.55 million decision is the same in both"
    (case,) = kept["EnforcementCase"]
    fields = {f["field"]: f for f in case["fields"]}
    assert fields["decision_ids"]["new"] == [*fields["decision_ids"]["old"], decision["key"][0]]
    assert fields["links"]["new"] == ["reduction_of_decision"]
    added_events = [e for e in kept["CaseEvent"] if e["change"] == "added"]
    assert [(e["values"]["kind"], e["values"]["amount_minor"]) for e in added_events] == [("reduction", 900_000_00)]


def test_each_snapshot_answers_with_what_it_knew(vintages: Vintages, capsys: pytest.CaptureFixture) -> None:
    def fines(snapshot: str) -> list[tuple[str, int]]:
        found = run_json(capsys, "enforcement", "--organisation", "1&1", "--snapshot", snapshot, "--store",
                         str(vintages.store))
        assert found["snapshot"] == snapshot
        return sorted((d["decision_date"], d["fine"]["amount_minor"]) for d in found["results"])

    assert fines(vintages.a) == [("2019-12-09", 9_550_000_00)]
    assert fines(vintages.b) == [("2019-12-09", 9_550_000_00), ("2020-11-11", 900_000_00)]


def test_the_diff_reads_as_markdown_and_as_a_page(vintages: Vintages, capsys: pytest.CaptureFixture) -> None:
    code, md, _ = run(capsys, "snapshots", "diff", vintages.a, vintages.b, "--store", str(vintages.store))
    assert code == 0
    for heading in ("## Tables", "## Sources", "## Checks", "## Decision: examples", "## REPORTED_BY: examples"):
        assert heading in md
    assert "| changed | decision/at/dsb/2018-09-27/cms-enforcementtracker-etid-3 | id | " \
           "decision/at/dsb/2018-09-27/privacyaffairs-violations-76 |" in md
    assert "|  |  | sources | privacyaffairs_violations/76 | cms_enforcementtracker/ETid-3, " \
           "privacyaffairs_violations/76 |" in md
    code, page, _ = run(capsys, "snapshots", "diff", vintages.a, vintages.b, "--store", str(vintages.store),
                        "--grep", "1&1", "--format", "html")
    assert code == 0 and page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<td>Decision</td>" in page and "<td>cms_enforcementtracker/ETid-128</td>" in page
    assert "1&amp;1" in page and "1&1" not in page  # every text escaped


# -- list, show ----------------------------------------------------------------------------------------
def test_list_shows_both_the_current_marked(vintages: Vintages, capsys: pytest.CaptureFixture) -> None:
    listed = run_json(capsys, "snapshots", "list", "--store", str(vintages.store))
    assert listed["current"] == vintages.b
    assert [(s["id"], s["parent"], s["current"]) for s in listed["snapshots"]] == [
        (vintages.a, None, False), (vintages.b, vintages.a, True)]
    assert [s["decisions"] for s in listed["snapshots"]] == [344, 2272]
    assert all(s["bytes"] > 0 and s["sources_kept"] == 0 for s in listed["snapshots"])
    code, md, _ = run(capsys, "snapshots", "list", "--store", str(vintages.store))
    assert code == 0 and f"| → | {vintages.b} |" in md and f"|  | {vintages.a} |" in md


def test_show_gives_the_manifest_and_the_history(vintages: Vintages, capsys: pytest.CaptureFixture) -> None:
    shown = run_json(capsys, "snapshots", "show", vintages.a, "--store", str(vintages.store))
    assert shown["snapshot"] == vintages.a and not shown["current"]
    sources = {s["name"]: s for s in shown["manifest"]["sources"]}
    assert set(sources) == {"gdpr", "privacyaffairs"} and all(len(s["sha256"]) == 64 for s in sources.values())
    assert shown["quarantined_rows"] == 2 and shown["manifest"]["counts"]["Decision"] == 344
    assert [(m["action"], m["previous"], m["current"]) for m in shown["history"]] == [
        ("publish", None, vintages.a), ("publish", vintages.a, vintages.b)]
    code, md, _ = run(capsys, "snapshots", "show", vintages.a, "--store", str(vintages.store))
    assert code == 0 and sources["privacyaffairs"]["sha256"] in md and "| records_reconciled | passed |" in md


# -- promote, prune ----------------------------------------------------------------------------------
def test_promote_makes_an_earlier_snapshot_current_for_every_read(vintages: Vintages, own_store: Path,
                                                                  capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "snapshots", "promote", vintages.a, "--store", str(own_store),
                       "--reason", "CMS import to review")
    assert code == 0 and out.startswith(f"promoted {vintages.a}: current was {vintages.b}")
    move = Store(own_store).history()[-1]
    assert (move.action, move.previous, move.current, move.reason) == ("promote", vintages.b, vintages.a,
                                                                       "CMS import to review") and move.by
    shown = run_json(capsys, "show", "art_17", "--as-of", "2020-01-01", "--store", str(own_store))
    found = run_json(capsys, "enforcement", "--organisation", "1&1", "--store", str(own_store))
    assert shown["snapshot"] == found["snapshot"] == vintages.a and found["count"] == 1

    code, out, _ = run(capsys, "snapshots", "promote", vintages.a, "--store", str(own_store))
    assert code == 0 and "already the current snapshot: nothing changed" in out
    assert len(Store(own_store).history()) == 3


def test_prune_keeps_the_current_one_and_frees_the_rest(vintages: Vintages, own_store: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    store = ["--store", str(own_store)]
    assert run(capsys, "snapshots", "promote", vintages.a, *store)[0] == 0
    kept = run_json(capsys, "snapshots", "prune", "--keep-last", "1", *store)
    assert kept["kept"] == {vintages.a: ["current"], vintages.b: ["last"]} and kept["removed"] == {}

    assert run(capsys, "snapshots", "promote", vintages.b, *store)[0] == 0
    planned = run_json(capsys, "snapshots", "prune", "--keep-last", "1", "--dry-run", *store)
    assert list(planned["removed"]) == [vintages.a] and Store(own_store).has(vintages.a)
    code, out, _ = run(capsys, "snapshots", "prune", "--keep-last", "1", *store)
    assert code == 0 and "removed 1 snapshots, freed" in out and f"| {vintages.a} |" in out
    assert not Store(own_store).snapshot_dir(vintages.a).exists()
    assert [m.id for m in Store(own_store).snapshots()] == [vintages.b]
    assert planned["bytes_freed"] == planned["removed"][vintages.a] > 1_000_000


# -- refusals --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["show", "nope"], ["diff", "A", "nope"], ["promote", "nope"], ["show", "../a"],
                                  ["prune"]])
def test_a_refusal_is_one_line_and_exit_1(vintages: Vintages, capsys: pytest.CaptureFixture, args: list[str]) -> None:
    args = [vintages.a if arg == "A" else arg for arg in args]
    code, out, err = run(capsys, "snapshots", *args, "--store", str(vintages.store))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    print(err.strip())
    assert err.startswith(f"lexgraph snapshots {args[0]}: ")
    assert "lexgraph snapshots list" in err or "--keep-last" in err


def test_promote_on_a_locked_store_is_refused(vintages: Vintages, capsys: pytest.CaptureFixture) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(vintages.store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, out, err = run(capsys, "snapshots", "promote", vintages.a, "--store", str(vintages.store))
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and len(err.splitlines()) == 1 and f"pid {holder.pid}" in err
    assert Store(vintages.store).current_id() == vintages.b


# -- the retention policy --------------------------------------------------------------------------------
SNAPSHOTS = {  # id → created
    "jan01a": "2026-01-01T09:00Z", "jan01b": "2026-01-01T18:00Z",
    "jan01c": "2026-01-01T22:00-05:00",  # 03:00 on 2 January in UTC: a snapshot's day is its UTC day
    "jan02": "2026-01-02T09:00Z", "jan05": "2026-01-05T09:00Z", "feb01": "2026-02-01T09:00Z",
    "feb20a": "2026-02-20T08:00Z", "feb20b": "2026-02-20T23:30Z", "mar03": "2026-03-03T12:00Z",
}


@pytest.mark.parametrize("current, last, daily, monthly, kept", [
    ("mar03", 2, 0, 0, {"feb20b": ["last"], "mar03": ["last", "current"]}),
    ("mar03", 0, 3, 0, {"feb01": ["daily"], "feb20b": ["daily"], "mar03": ["daily", "current"]}),
    ("mar03", 0, 6, 0, {"jan01b": ["daily"], "jan02": ["daily"], "jan05": ["daily"], "feb01": ["daily"],
                        "feb20b": ["daily"], "mar03": ["daily", "current"]}),
    ("mar03", 0, 0, 2, {"feb20b": ["monthly"], "mar03": ["monthly", "current"]}),
    ("mar03", 1, 2, 3, {"jan05": ["monthly"], "feb20b": ["daily", "monthly"],
                        "mar03": ["last", "daily", "monthly", "current"]}),
    ("jan01a", 1, 0, 0, {"jan01a": ["current"], "mar03": ["last"]}),  # the current one, whatever the policy
    ("mar03", 0, 0, 12, {"jan05": ["monthly"], "feb20b": ["monthly"], "mar03": ["monthly", "current"]}),
    ("mar03", 20, 0, 0, {s: ["last"] + (["current"] if s == "mar03" else []) for s in SNAPSHOTS}),
])
def test_prune_plan(current: str, last: int, daily: int, monthly: int, kept: dict[str, list[str]]) -> None:
    manifests = [Manifest(id=s, created=dt.datetime.fromisoformat(t), parent=None, sources=[], counts={}, checks=[],
                          quarantined=[]) for s, t in SNAPSHOTS.items()]
    keep, remove = prune_plan(manifests, current, keep_last=last, keep_daily=daily, keep_monthly=monthly)
    oldest_first = sorted(SNAPSHOTS, key=lambda s: dt.datetime.fromisoformat(SNAPSHOTS[s]))
    assert keep == kept and list(keep) == [s for s in oldest_first if s in kept]
    assert remove == [s for s in oldest_first if s not in kept]


@pytest.mark.parametrize("last, daily, monthly, message", [(0, 0, 0, "would keep only the current snapshot"),
                                                          (-1, 2, 0, "zero or more")])
def test_prune_plan_refuses_a_policy_that_keeps_nothing(last: int, daily: int, monthly: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        prune_plan([], None, keep_last=last, keep_daily=daily, keep_monthly=monthly)
