"""Prompt build latency and batch throughput, on the real graph and on the 10× and 100× enforcement sets.

    python bench/bench_prompt.py [--scales 1,10,100] [--questions 500] [--keep DIR]

For each scale a store is refreshed (1 is ``examples/offline.toml``; N a set of ``bench/synthetic.py``),
a builder opened once, and 500 varied questions built, each as of its own date: decision summaries asked
the day before their decision, the article-style questions of ``bench/article_questions.jsonl`` and
questions naming a provision, a country or an authority. Printed per scale: the open time, p50/p95/p99
(with min and max) of one build beside the targets (p50 ≤ 20 ms, p99 ≤ 100 ms on the real graph, growing
sub-linearly with scale), and the batch throughput in questions per second on this machine's cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_enforcement import synthetic_set  # noqa: E402
from kb_store.prompt import PromptBuilder  # noqa: E402
from pipelines.refresh import refresh  # noqa: E402

OFFLINE = ROOT / "examples" / "offline.toml"
_NAMED = ["What does Article {n} GDPR require?", "Art. {n} DSGVO", "Que prévoit l'article {n} du RGPD ?"]
_PLACES = ["fines for video surveillance in Spain", "CNIL decisions on cookies", "data breaches reported to the ICO",
           "Datainspektionen and schools using facial recognition", "Garante fines for telemarketing"]


def questions(store: Path, count: int) -> list[tuple[str, dt.date]]:
    """Summaries (a third), article-style questions, named provisions and places, each with its date."""
    snapshot = (store / "CURRENT").read_text().strip()
    rows = pq.read_table(store / "graphs" / snapshot / "tables" / "Decision.parquet",
                         columns=["summary", "decision_date"]).to_pylist()
    cases = sorted((r["decision_date"], r["summary"]) for r in rows if r["summary"] and r["decision_date"])
    found = [(s[:800], d - dt.timedelta(days=1)) for d, s in cases[:: max(1, len(cases) // (count // 3))]][: count // 3]
    articles = [json.loads(line)["question"] for line in (ROOT / "bench" / "article_questions.jsonl").open()]
    others = articles + [t.format(n=n) for n in range(1, 100, 3) for t in _NAMED] + _PLACES
    days = [dt.date(2017, 1, 1) + dt.timedelta(days=37 * i) for i in range(80)]
    found += [(q, days[i % len(days)]) for i, q in enumerate(others * 10)][: count - len(found)]
    return found


def measure(store: Path, count: int) -> dict[str, float]:
    started = time.perf_counter()
    builder = PromptBuilder.open(store)
    opened = time.perf_counter() - started
    asked = questions(store, count)
    builder.build(*asked[0])  # the first build loads the parsers' grammars
    times = []
    batch_started = time.perf_counter()
    for question, as_of in asked:
        started = time.perf_counter()
        builder.build(question, as_of=as_of)
        times.append((time.perf_counter() - started) * 1000)
    batch = time.perf_counter() - batch_started
    builder.close()
    cuts = statistics.quantiles(times, n=100)
    return {"open_s": opened, "p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "min": min(times),
            "max": max(times), "qps": len(times) / batch, "n": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1", help="comma-separated (default 1; 10 and 100 take minutes to refresh)")
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="keep the sets and stores here (reused when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lexgraph-prompt-bench-") as tmp:
        work = args.keep or Path(tmp)
        print(f"{'scale':>5} {'open s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'min':>6} {'max':>7} {'q/s':>6}"
              "   targets: p50 ≤ 20 ms, p99 ≤ 100 ms at 1×; sub-linear growth")
        for scale in (int(s) for s in args.scales.split(",")):
            store = work / f"store-x{scale}"
            if not (store / "CURRENT").exists():
                config = OFFLINE if scale == 1 else synthetic_set(work / f"x{scale}", scale, min(scale, 10))
                refresh(config, store)
            m = measure(store, args.questions)
            print(f"{scale:>4}× {m['open_s']:7.2f} {m['p50']:7.1f} {m['p95']:7.1f} {m['p99']:7.1f} {m['min']:6.1f} "
                  f"{m['max']:7.1f} {m['qps']:6.1f}   ({m['n']} questions)", flush=True)


if __name__ == "__main__":
    main()
