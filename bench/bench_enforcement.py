"""Times the enforcement side of the refresh: each tabular source, PDF pages, and the whole refresh at
the real volume and at 10× and 100× of it, beside the linear expectation.

    python bench/bench_enforcement.py [--scales 1,10,100] [--keep DIR] [--pdf-scale-max 10]

Prints:

1. records per second of each real fine table read through its bundled mapping (``bench_tabular.rate``);
2. pages per second of each real PDF and of the GDPRhub pages (``bench_decisions``, one run);
3. the whole refresh (``pipelines.refresh.refresh``: Dagster in-process, cold store, each run in a fresh
   process so that its peak RSS is its own) at 0× (the EUR-Lex documents of examples/offline.toml alone:
   what does not grow) and 1× (examples/offline.toml as it is: the baseline), each the best of two runs,
   and at each scale of ``--scales`` above 1 (sets written by ``bench/synthetic.py``): seconds, records,
   decisions, seconds per 1,000 records of the enforcement part (the time beyond 0×), peak RSS, and the
   ratio to the linear expectation;
4. each asset's seconds at each scale and its ratio to its own linear expectation (where that is at
   least half a second), so the stage that grows worst shows.

The linear expectation of an asset at scale N is its 0× seconds plus its growth from 0× to 1× times
the growth of its input: table rows for ``fine_records``; decision documents for ``decision_records``,
PDFs and GDPRhub pages weighted by their parse times measured in 2.; all source records for the other
enforcement assets, ``raw_documents``, ``snapshot`` and the time outside the steps; the EUR-Lex assets do
not grow. A ratio above 1 is a cost growing worse than linearly. Figures are printed, never asserted.

PDFs are generated at no more than ``--pdf-scale-max`` (10) times the real ones, so 100× has 100× the
tables and GDPRhub pages but 10× the PDFs: text extraction (about 30 pages/s) dominates their cost, is
linear per page and is measured in 2.; at 100× it alone would take some 12 minutes. The 100× tables
(a 350 MB CMS feed) exceed the fetcher's 50 MB default size limit: the refresh runs with a 4 GB limit.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import io
import json
import multiprocessing
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bench_decisions
import synthetic
from bench_tabular import CORPUS, SOURCES, rate

from parsers.formex import parse_formex_act
from parsers.tabular import load_mapping
from pipelines.sources import load_config

LAW_ASSETS = ("parsed_documents", "law_versions", "cross_references", "parsed_documents_structure_counts",
              "law_versions_corrections_applied", "law_versions_sources_agree",
              "cross_references_references_resolved")
GROWS_WITH = {"fine_records": "rows", "fine_records_fine_rows_read": "rows",
              "decision_records": "documents", "decision_records_decision_documents_read": "documents"}
OUTSIDE = "(outside the steps)"
MAX_BYTES = 4 * 1024 ** 3
BASELINE_RUNS = 2  # the 0× and 1× runs are short: the best of two steadies the expectations built on them
NOISE = 0.5  # seconds: below this an asset's ratio to its expectation is mostly noise, and not printed


# -- 1. and 2.: the parsers on the real files --------------------------------------------------------
def tabular_rates() -> None:
    act = parse_formex_act((CORPUS / "eurlex" / "gdpr_02016R0679_formex_consolidated_en.xml").read_bytes())
    known_ids = frozenset(provision.id for provision in act.provisions)
    print(f"{'tabular source (real file)':<30} {'rows':>8} {'records/s':>10}")
    for name, file in SOURCES.items():
        rows, per_second = rate((CORPUS / "fines" / file).read_bytes(), load_mapping(name), known_ids)
        print(f"{name:<30} {rows:>8,} {per_second:>10,.0f}")


def decision_rates() -> dict[str, float]:
    """bench_decisions' table, printed; returns the seconds one parse of all PDFs and of all pages takes."""
    argv, sys.argv = sys.argv, ["bench_decisions.py", "--repeats", "1"]
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            bench_decisions.main()
    finally:
        sys.argv = argv
    print(out.getvalue(), end="")
    totals = {kind: re.search(rf"^{label}\s+(\d+)\s+([\d.]+)", out.getvalue(), re.MULTILINE)
              for kind, label in (("pdf", "all PDFs"), ("html", "GDPRhub pages"))}
    return {kind: int(m[1]) / float(m[2]) for kind, m in totals.items()}


# -- 3.: the refresh --------------------------------------------------------------------------------
def run_refresh(config: str, store: str) -> dict:
    """One cold refresh, in the calling process: its seconds, steps, counts and peak RSS."""
    from pipelines.refresh import refresh
    from pipelines.resources import HttpResource

    start = time.perf_counter()
    report = refresh(Path(config), Path(store), http=HttpResource(max_bytes=MAX_BYTES))
    seconds = time.perf_counter() - start
    counts = report.manifest.counts
    steps = {**report.seconds, OUTSIDE: seconds - sum(report.seconds.values())}
    return {"seconds": seconds, "steps": steps, "records": counts.get("SourceRecord", 0),
            "decisions": counts.get("Decision", 0), "quarantined": len(report.manifest.quarantined),
            "rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident set. In a spawned child ``getrusage``'s ru_maxrss starts from the
    parent's peak (Linux carries it over fork and exec), so the kernel's VmHWM, which exec resets, is read
    where there is one."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)[1]) / 1024


def in_fresh_process(config: Path, store: Path) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_refresh, str(config), str(store)).result()


def synthetic_set(folder: Path, scale: int, pdf_scale: int) -> Path:
    """The set of ``folder``, generated unless one made by this generator with these parameters is there."""
    generator = hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:16]
    stamp = folder / "synthetic.json"
    wanted = {"scale": scale, "pdf_scale": pdf_scale, "seed": 0, "generator": generator}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        print(f"  {scale}×: reusing {folder}")
        return folder / "sources.toml"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    counts = synthetic.generate(folder, scale, pdf_scale)
    print(f"  {scale}×: generated in {time.perf_counter() - start:5.1f} s: "
          + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    stamp.write_text(json.dumps(wanted))
    return folder / "sources.toml"


def inputs(config: Path, run: dict) -> dict[str, float]:
    """How much there is to read: table rows, decision documents (by kind), source records."""
    decisions = load_config(config).decisions
    pdf = sum(d.format == "decision_pdf" for d in decisions)
    return {"rows": run["records"] - len(decisions) + run["quarantined"], "pdf": pdf,
            "html": len(decisions) - pdf, "records": run["records"]}


def expected(runs: dict[str, dict], label: str, parse_seconds: dict[str, float]) -> dict[str, float]:
    """Each asset's linear expectation at ``label`` from the 0× and 1× runs (see the module's docstring)."""
    zero, one, run = runs["0×"], runs["1×"], runs[label]
    growth = {"rows": run["in"]["rows"] / one["in"]["rows"], "records": run["in"]["records"] / one["in"]["records"]}
    weights = {kind: parse_seconds[kind] * run["in"][kind] / one["in"][kind] for kind in ("pdf", "html")}
    growth["documents"] = sum(weights.values()) / sum(parse_seconds.values())
    out = {}
    for step in {**one["steps"], **run["steps"]}:
        base, grown = zero["steps"].get(step, 0.0), one["steps"].get(step, 0.0)
        factor = 1.0 if step in LAW_ASSETS else growth[GROWS_WITH.get(step, "records")]
        out[step] = base + max(grown - base, 0.0) * factor
    return out


def print_refresh(runs: dict[str, dict], parse_seconds: dict[str, float]) -> None:
    zero = runs["0×"]["seconds"]
    print(f"\n{'refresh':<6} {'sources':<26} {'PDF+html':>10} {'records':>9} {'decisions':>9} {'seconds':>8} "
          f"{'s/1k rec':>8} {'linear':>8} {'×linear':>8} {'peak RSS':>9}")
    for label, run in runs.items():
        linear = sum(expected(runs, label, parse_seconds).values()) if label not in ("0×", "1×") else None
        per_k = f"{(run['seconds'] - zero) / run['records'] * 1000:.2f}" if run["records"] else "-"
        ratio = f"{run['seconds'] / linear:.2f}" if linear else "-"
        documents = f"{run['in']['pdf']:,}+{run['in']['html']:,}"
        print(f"{label:<6} {run['what']:<26} {documents:>10} {run['records']:>9,} {run['decisions']:>9,} "
              f"{run['seconds']:>8.1f} {per_k:>8} {f'{linear:.1f}' if linear else '-':>8} {ratio:>8} "
              f"{run['rss_mb']:>6,.0f} MB")

    for label, run in runs.items():
        if "PDFs" in run["what"]:
            scale = int(label.rstrip("×"))
            print(f"       {label}: PDFs at {run['in']['pdf'] / runs['1×']['in']['pdf']:.0f}× only: text extraction "
                  f"dominates their cost and is linear per page (measured above); {scale}× of them would add "
                  f"~{parse_seconds['pdf'] * (scale - run['in']['pdf'] / runs['1×']['in']['pdf']) / 60:.1f} min")

    labels = list(runs)
    print(f"\n{'asset (seconds, × its linear expectation)':<44}" + "".join(f"{label:>18}" for label in labels))
    steps = list(dict.fromkeys(step for run in runs.values() for step in run["steps"]))
    for step in steps:
        cells = []
        for label in labels:
            seconds = runs[label]["steps"].get(step)
            linear = expected(runs, label, parse_seconds).get(step) if label not in ("0×", "1×") else None
            ratio = f" ({seconds / linear:4.2f}×)" if seconds is not None and linear and linear >= NOISE else ""
            cells.append(f"{seconds:.2f}{ratio}" if seconds is not None else "-")
        print(f"{step:<44}" + "".join(f"{cell:>18}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated; 1 is examples/offline.toml")
    parser.add_argument("--keep", type=Path, help="generate the sets and stores here and keep them (a set "
                                                  "already there with the same parameters is reused)")
    parser.add_argument("--pdf-scale-max", type=int, default=10, help="PDFs at min(scale, this) × the real ones")
    args = parser.parse_args()
    scales = sorted({int(s) for s in args.scales.split(",")} - {0, 1})

    tabular_rates()
    print()
    parse_seconds = decision_rates()

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-enforcement-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        law_only = work / "law_only.toml"
        law_only.write_text("# The EUR-Lex documents of examples/offline.toml alone.\n" + synthetic.law_documents())
        configs = {"0×": (law_only, "EUR-Lex documents only"), "1×": (synthetic.OFFLINE, "examples/offline.toml")}
        if scales:
            print("\nsynthetic sets (bench/synthetic.py):")
        for scale in scales:
            pdf_scale = min(scale, args.pdf_scale_max)
            configs[f"{scale}×"] = (synthetic_set(work / f"x{scale}", scale, pdf_scale),
                                    f"synthetic, PDFs {pdf_scale}×" if pdf_scale < scale else "synthetic")
        runs = {}
        for label, (config, what) in configs.items():
            store = work / f"store-{label.rstrip('×')}"
            tries = BASELINE_RUNS if label in ("0×", "1×") else 1
            run = min((in_fresh_process(config, store) for _ in range(tries)), key=lambda r: r["seconds"])
            runs[label] = {**run, "what": what, "in": inputs(config, run)}
            print(f"  refresh {label:<5} {run['seconds']:7.1f} s", flush=True)
        print_refresh(runs, parse_seconds)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\npeak RSS of this process (1., 2. and writing the synthetic sets): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
