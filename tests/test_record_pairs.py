"""The hand-checked record pairs (tests/data/record_pairs.toml) and the merge bar they hold the
reconciliation of the offline corpus to: precision at least 99%, recall at least 95%."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.bench_reconcile import Pair, judge, load_pairs, score, snapshot_records, snapshot_reported_by, wrong

MIN_PAIRS = 150
MIN_PRECISION = 0.99
MIN_RECALL = 0.95


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    return load_pairs()


def test_enough_pairs_of_both_verdicts_each_once(pairs: list[Pair]) -> None:
    assert len(pairs) >= MIN_PAIRS
    assert {p.same for p in pairs} == {True, False}
    twice = [key for key, n in Counter(frozenset((p.left, p.right)) for p in pairs).items() if n > 1]
    assert not twice, f"pairs listed twice: {twice}"
    assert all(p.left != p.right and p.evidence.strip() for p in pairs)


def test_every_record_is_in_the_offline_corpus(pairs: list[Pair], offline_store: Path) -> None:
    known = {r.id for r in snapshot_records(offline_store)}
    unknown = sorted({i for p in pairs for i in (p.left, p.right)} - known)
    assert not unknown, f"record ids the offline corpus lacks: {unknown}"


def test_merges_meet_the_bar_on_the_pairs(pairs: list[Pair], offline_store: Path, capsys) -> None:
    records = {r.id: r for r in snapshot_records(offline_store)}
    judged = judge(pairs, *snapshot_reported_by(offline_store), records)
    s = score(judged)
    with capsys.disabled():
        print(f"\nprecision {s.merged_same}/{s.merged} = {s.precision:.1%}, recall {s.merged_same}/{s.same} = "
              f"{s.recall:.1%}\n" + "\n".join(wrong(judged)))
    assert s.precision >= MIN_PRECISION and s.recall >= MIN_RECALL, "\n".join(wrong(judged))
