"""The merge rules on the hand-checked record pairs, and the cost of reconciliation and case building at
1×, 10× and 100× the real volume, beside the linear expectation.

    python bench/bench_reconcile.py --store DIR [--scales 1,10,100] [--runs 3]

DIR is a published store of examples/offline.toml (``lexgraph refresh``); it is only read. Prints:

1. precision and recall of the merge rules on ``tests/data/record_pairs.toml``, per rule and overall, and
   the pairs they get wrong. The snapshot's source records are reconciled again by the rules as they are
   now (``parsers.reconcile.reconcile``). A pair is *merged* when both records end in one decision, *by*
   the later rule (in ``RULES`` order) of the two records' rules: a record is reported with the first rule
   that joined it, and the later-joined record's rule is the one that brought the pair together. A pair
   left apart is attributed to the rule that joins its two records reconciled alone (their own evidence,
   without the rest of the corpus), or to no rule. Per rule, precision is the share of the pairs merged by
   it that are one decision; recall is the share of the same-decision pairs attributed to it that it
   merged. Overall, over all pairs: precision of all merges, recall of all same-decision pairs.
2. seconds of ``reconcile`` and of ``parsers.cases.build_cases`` on the snapshot's records (1×) and on N
   copies of them (N×): copy k has new ids, dates ``k × COPY_DAYS`` later and fines (in every currency and
   in euro) ``COPY_FACTOR ** k`` times larger, so that no copy's records match another's and the
   records of one authority grow N times, as at a real N×. Each the median of ``--runs`` runs with their
   spread (min–max), beside the linear expectation (1× seconds × N) and the ratio to it: a ratio above 1
   is a cost growing worse than linearly. From ``--large`` (100×) on, ``--large-runs`` (1) runs: one 100×
   run of both steps takes minutes. Figures are printed,
   never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

import pyarrow.parquet as pq

from kb_store.store import Store
from parsers.cases import build_cases
from parsers.reconcile import RULES, Reconciled, reconcile
from pipelines.sources import load_config
from schema.enforcement import SourceRecord

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO / "tests" / "data" / "record_pairs.toml"
OFFLINE = REPO / "examples" / "offline.toml"
NO_RULE = "(no rule)"
COPY_DAYS = 4_000  # beyond the corpus's span of dates, and NEAR_DAYS
COPY_FACTOR = 1.05  # fines of two copies lie further apart than SAME_AMOUNT_TOLERANCE
T = TypeVar("T")


# -- 1.: the pairs ------------------------------------------------------------------------------------
class Pair(NamedTuple):
    left: str
    right: str
    same: bool
    evidence: str


class Judged(NamedTuple):
    pair: Pair
    merged: bool
    rule: str  # the rule that merged the pair, or would join its records alone; NO_RULE if none


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    pairs = tomllib.loads(path.read_text(encoding="utf-8"))["pair"]
    return [Pair(*p["records"], same=p["same"], evidence=p["evidence"]) for p in pairs]


def snapshot_records(store: Path) -> list[SourceRecord]:
    """The source records of ``store``'s current snapshot."""
    tables = Store(store).tables_dir(Store(store).current_id())
    return [SourceRecord(**row) for row in pq.read_table(tables / "SourceRecord.parquet").to_pylist()]


def snapshot_reported_by(store: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each record's decision and rule, as ``store``'s current snapshot reports them."""
    tables = Store(store).tables_dir(Store(store).current_id())
    rows = pq.read_table(tables / "REPORTED_BY.parquet").to_pylist()
    return {r["record_id"]: r["decision_id"] for r in rows}, {r["record_id"]: r["rule"] for r in rows}


def source_rank(config: Path = OFFLINE) -> list[str]:
    """The refresh's order of sources (``pipelines.enforcement.reconcile_records``): documents first."""
    sources = load_config(config)
    return (list(dict.fromkeys(d.record_source for d in sources.decisions))
            + [table.load_mapping().source.name for table in sources.fine_tables])


def reported_by(reconciled: Reconciled) -> tuple[dict[str, str], dict[str, str]]:
    return ({r.record_id: r.decision_id for r in reconciled.reported_by},
            {r.record_id: r.rule for r in reconciled.reported_by})


def judge(pairs: Sequence[Pair], decision_of: Mapping[str, str], rule_of: Mapping[str, str],
          records: Mapping[str, SourceRecord]) -> list[Judged]:
    """Each pair merged or not, and the rule it is attributed to (see the module's docstring)."""
    judged = []
    for pair in pairs:
        merged = decision_of[pair.left] == decision_of[pair.right]
        rule = _later(rule_of[pair.left], rule_of[pair.right]) if merged else _rule_alone(
            records[pair.left], records[pair.right])
        judged.append(Judged(pair, merged, rule))
    return judged


def _later(left: str, right: str) -> str:
    return max(left, right, key=lambda rule: RULES.index(rule) if rule in RULES else -1) or NO_RULE


def _rule_alone(left: SourceRecord, right: SourceRecord) -> str:
    alone = reconcile([left, right], [])
    return alone.reported_by[0].rule or NO_RULE if len(alone.decisions) == 1 else NO_RULE


class Score(NamedTuple):
    merged: int
    merged_same: int
    same: int

    @property
    def precision(self) -> float | None:
        return self.merged_same / self.merged if self.merged else None

    @property
    def recall(self) -> float | None:
        return self.merged_same / self.same if self.same else None


def score(judged: Sequence[Judged]) -> Score:
    return Score(merged=sum(j.merged for j in judged), merged_same=sum(j.merged and j.pair.same for j in judged),
                 same=sum(j.pair.same for j in judged))


def wrong(judged: Sequence[Judged]) -> list[str]:
    """A line for each pair merged though of two decisions, or left apart though of one."""
    return [f"{'merged' if j.merged else 'missed'} by {j.rule}: {j.pair.left} + {j.pair.right} "
            f"({'same' if j.pair.same else 'different'}: {j.pair.evidence})"
            for j in judged if j.merged != j.pair.same]


def print_pairs(judged: Sequence[Judged]) -> None:
    rules = (*RULES, NO_RULE, "all")
    width = max(map(len, rules))
    print(f"{'rule':<{width}} {'pairs':>6} {'merged':>7} {'correct':>8} {'same':>5} {'precision':>10} {'recall':>7}")
    for rule in rules:
        these = judged if rule == "all" else [j for j in judged if j.rule == rule]
        s = score(these)
        print(f"{rule:<{width}} {len(these):>6} {s.merged:>7} {s.merged_same:>8} {s.same:>5} "
              f"{_share(s.precision):>10} {_share(s.recall):>7}")
    print(f"{'target (all)':<{width + 32}} {'≥ 99.0%':>10} {'≥ 95.0%':>7}")
    for line in wrong(judged):
        print("  " + line)


def _share(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "-"


# -- 2.: the scaling -----------------------------------------------------------------------------------
def copies(records: Sequence[SourceRecord], scale: int) -> list[SourceRecord]:
    """``records`` and ``scale - 1`` copies of them that match none of the others (see the docstring)."""
    out = list(records)
    for k in range(1, scale):
        factor = COPY_FACTOR ** k
        out += [_copy(r, k, factor) for r in records]
    return out


def _copy(record: SourceRecord, k: int, factor: float) -> SourceRecord:
    def scaled(amount: int | None) -> int | None:
        return round(amount * factor) if amount is not None else None

    shift = dt.timedelta(days=COPY_DAYS * k)
    return record.model_copy(update={
        "id": f"{record.id}~{k}",
        "decision_date": record.decision_date + shift if record.decision_date else None,
        "case_reference": f"{record.case_reference} x{k}" if record.case_reference else None,
        "case_references": [f"{ref}~{k}" for ref in record.case_references],
        "fine_minor": scaled(record.fine_minor), "fine_eur_minor": scaled(record.fine_eur_minor)})


def timed(work: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """The seconds of each run of ``work``, and what its last run returned."""
    seconds = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def print_scaling(records: Sequence[SourceRecord], rank: Sequence[str], scales: Sequence[int], runs: int,
                  large: int, large_runs: int) -> None:
    print(f"\n{'scale':<6} {'records':>9} {'decisions':>9} {'step':<10} {'median s':>9} {'min–max s':>15} "
          f"{'linear s':>9} {'×linear':>8}")
    base: dict[str, float] = {}

    def line(scale: int, step: str, seconds: list[float], records: int, decisions: int) -> None:
        median = statistics.median(seconds)
        linear = base.setdefault(step, median) * scale
        print(f"{f'{scale}×':<6} {records:>9,} {decisions:>9,} {step:<10} {median:>9.2f} "
              f"{f'{min(seconds):.2f}–{max(seconds):.2f}':>15} {linear:>9.2f} {median / linear:>8.2f}", flush=True)

    for scale in scales:
        scaled = copies(records, scale)
        n = runs if scale < large else large_runs
        seconds, reconciled = timed(lambda: reconcile(scaled, rank), n)
        line(scale, "reconcile", seconds, len(scaled), len(reconciled.decisions))
        by_id = {r.id: r for r in scaled}
        seconds, _ = timed(lambda: build_cases(reconciled.decisions, by_id), n)
        line(scale, "cases", seconds, len(scaled), len(reconciled.decisions))
        del scaled, by_id, reconciled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a published store of examples/offline.toml")
    parser.add_argument("--scales", default="1,10,100", help="comma-separated; 1 is always run first")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step at each scale")
    parser.add_argument("--large", type=int, default=100, help="from this scale on, --large-runs runs")
    parser.add_argument("--large-runs", type=int, default=1, help="timed runs at --large and above")
    args = parser.parse_args()
    scales = sorted({1, *(int(s) for s in args.scales.split(","))})

    records, rank = snapshot_records(args.store), source_rank()
    reconciled = reconcile(records, rank)
    print(f"{len(records):,} source records of snapshot {Store(args.store).current_id()}: merges {reconciled.merges}, "
          f"refused {reconciled.refused}\n")
    print_pairs(judge(load_pairs(), *reported_by(reconciled), {r.id: r for r in records}))
    print_scaling(records, rank, scales, args.runs, args.large, args.large_runs)


if __name__ == "__main__":
    main()
