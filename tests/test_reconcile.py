"""The reconciliation rules, one table row each: which records end up as one decision, and why."""

from __future__ import annotations

import datetime as dt

import pytest

from parsers.reconcile import reconcile
from schema.enforcement import SourceRecord

DSB = "authority/at/dsb"


def record(source: str, row: str, day: str | None = "2018-09-27", eur: int | None = 300_00,
           authority: str | None = DSB, precision: str = "day", ref: str | None = None,
           organisations: tuple[str, ...] = ()) -> SourceRecord:
    return SourceRecord(id=f"{source}/{row}", source=source, kind="table_row", country="AT", authority_id=authority,
                        decision_date=dt.date.fromisoformat(day) if day else None,
                        date_precision=precision if day else "unknown", case_reference=ref, fine_minor=eur,
                        fine_currency="EUR" if eur is not None else None, fine_eur_minor=eur,
                        organisations=list(organisations), organisation_keys=list(organisations),
                        licence="l", attribution="a", source_sha256="0" * 64, parser_version="1")


CASES = [
    # (what, records, groups expected as sets of record ids, the rule that joined them)
    ("same reference, one with a prefix",
     [record("a", "1", ref="DSB-D550.084/0002-DSB/2018", day=None), record("b", "1", ref="D550.084/0002-DSB/2018", eur=None)],
     [{"a/1", "b/1"}], "same_case_reference"),
    ("same day and fine", [record("a", "1"), record("b", "1")], [{"a/1", "b/1"}], "same_day_same_amount"),
    ("same day, one undisclosed fine, alone that day", [record("a", "1"), record("b", "1", eur=None)],
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
]


@pytest.mark.parametrize("what, records, expected, rule", CASES, ids=[c[0] for c in CASES])
def test_rule(what: str, records: list[SourceRecord], expected: list[set[str]], rule: str | None) -> None:
    result = reconcile(records, ["a", "b"])
    assert sorted(map(sorted, (set(d.sources) for d in result.decisions))) == sorted(map(sorted, expected))
    joined = {r.rule for r in result.reported_by if r.rule}
    assert joined == ({rule} if rule else set())


def test_a_decision_takes_the_best_source_and_lists_disagreements() -> None:
    result = reconcile([record("tracker", "9", day="2020-04-30", eur=725_000_00),
                        record("document", "1", day="2019-12-04", eur=725_000_00)], ["document", "tracker"])
    (decision,) = result.decisions
    assert decision.decision_date == dt.date(2019, 12, 4) and decision.sources[0] == "document/1"
    assert decision.id == "decision/at/dsb/2019-12-04/document-1"
    assert decision.disagreements == ["decision_date: document/1 2019-12-04 ≠ tracker/9 2020-04-30"]
    (fine,) = result.fines
    assert fine.amount_minor == 725_000_00 and fine.decision_id == decision.id
