"""Times publishing a snapshot, opening one and the no-op refresh, and weighs snapshots on disk, beside
their baselines and targets.

    python bench/bench_snapshots.py [--scales 1,10] [--runs 3] [--starts 5] [--refreshes 30] [--keep DIR] [--quick]

Prints:

1. for the real corpus (1×: examples/offline.toml) and each synthetic scale of ``--scales`` (sets written
   by ``bench/synthetic.py``, published by one cold refresh each): the rows of every table and their
   total; the seconds of ``kb_store.load.write_tables`` (the Parquet export, rows sorted) and of
   ``import_tables`` (the Kùzu database built from it), each over ``--runs`` runs on the snapshot's own
   records read back from its export; the bytes of ``graph.kuzu`` and of ``tables/*.parquet``, and the
   ratios kuzu/parquet and (kuzu+parquet)/parquet beside the target "snapshot disk at most 1.5× the
   Parquet export" and beside an empty graph (the DDL alone);
2. the bytes under ``graphs/`` (and the whole store) after ``--refreshes`` refreshes of a small config
   (three GDPR documents and the privacyaffairs table, copied aside), each refresh after one document
   changed (a word of the act, or one fine of the table, in turn), then after ``prune --keep-last 3``;
   and the same after as many refreshes in which nothing changed; beside N × one snapshot's bytes. The
   refreshes run in this process; pruning once at the end keeps what pruning after each refresh would;
3. the wall time of a fresh process that does ``Reader.open(store)`` and one ``show("art_17", …)`` on
   each published store (``--starts`` runs), beside ``python -c "import kb_store"``, and the open and
   first query alone as that process times them itself;
4. the wall time of ``lexgraph refresh --config examples/offline.toml`` as a fresh process: a full
   refresh (cold store, ``--runs`` runs) and a no-op one (the same store again, ``--starts`` runs), beside
   the interpreter start and imports (``python -c "import pipelines.cli, pipelines.refresh"``), and the
   no-op's work beyond them beside the target "under 1 s of work beyond interpreter start".

Every figure is a median with its min–max over the runs; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow.parquet as pq
import synthetic
from bench_enforcement import in_fresh_process, synthetic_set
from pydantic import BaseModel

from kb_store import Store, prune
from kb_store.engine import Engine
from kb_store.load import import_tables, write_tables
from schema.graph import NODE_TABLES, REL_TABLES

REPO = Path(__file__).resolve().parents[1]
OFFLINE = REPO / "examples" / "offline.toml"
_CLI = Path(sys.executable).with_name("lexgraph")
LEXGRAPH = [str(_CLI)] if _CLI.exists() else [sys.executable, "-m", "pipelines.cli"]
DISK_TARGET = 1.5  # snapshot disk at most 1.5× the Parquet export
NOOP_TARGET = 1.0  # seconds of work beyond interpreter start
KEEP_LAST = 3
KUZU_PAGE = 4096  # bytes: Kùzu's page, the unit of storage_info's num_pages
# The small config of 2.: what offline.toml names so, copied aside so that one of them can change.
CHURN_DOCUMENTS = ("gdpr_formex_act_en", "gdpr_formex_corrigendum_2018_en", "gdpr_formex_consolidated_en")
CHURN_TABLE = "privacyaffairs_violations"
PROBE = """\
import time
start = time.perf_counter()
import datetime as dt, json, sys
from kb_store import Reader
imported = time.perf_counter()
with Reader.open(sys.argv[1]) as reader:
    reader.show("art_17", dt.date(2021, 3, 1), "en")
print(json.dumps({"imports": imported - start, "open_and_query": time.perf_counter() - imported}))
"""


# -- figures -----------------------------------------------------------------------------------------
def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """Median (min–max), or the one value."""
    median = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return f"{median} {unit}"
    return f"{median} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f}, {len(values)} runs)"


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e3:,.1f} kB"


def size(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def process_seconds(command: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Wall time of ``command`` as a fresh process, and what it printed; a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


# -- 1. publish time and disk per snapshot ------------------------------------------------------------
def read_back(folder: Path) -> dict[str, list[BaseModel]]:
    """A snapshot's records, read from its Parquet export (whose columns are the records' fields)."""
    return {table.name: [table.record.model_validate(row) for row in pq.read_table(folder / f"{table.name}.parquet")
                         .to_pylist()] for table in (*NODE_TABLES, *REL_TABLES)}


def publish_costs(store: Path, runs: int, work: Path) -> dict:
    """Export and import seconds over ``runs`` runs, and the disk the published snapshot takes."""
    snapshot = Store(store).current_id()
    published = Store(store).snapshot_dir(snapshot)
    tables = read_back(published / "tables")
    export, load, same = [], [], True
    for run in range(runs):
        folder = work / f"publish-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        export.append(timed(lambda: write_tables(folder / "tables", tables)))
        load.append(timed(lambda: import_tables(folder / "graph.kuzu", folder / "tables")))
        same &= all((folder / "tables" / p.name).read_bytes() == p.read_bytes()
                    for p in (published / "tables").glob("*.parquet"))
        shutil.rmtree(folder)
    return {"rows": {name: len(rows) for name, rows in tables.items()}, "export": export, "import": load,
            "kuzu": size(published / "graph.kuzu"), "columns": column_bytes(published / "graph.kuzu"),
            "parquet": sum(size(p) for p in (published / "tables").glob("*.parquet")),
            "uncompressed": uncompressed_bytes(published / "tables"), "same_export": same}


def column_bytes(graph: Path) -> int:
    """The bytes of graph.kuzu's column pages (``storage_info``): the rest is indexes, catalog and free pages."""
    with Engine(graph, read_only=True) as engine:
        return KUZU_PAGE * sum(int(engine.execute(f"CALL storage_info('{table.name}') RETURN sum(num_pages) AS pages")
                                   [0]["pages"] or 0) for table in (*NODE_TABLES, *REL_TABLES))


def uncompressed_bytes(folder: Path) -> int:
    """The bytes of an export's column chunks before compression (as its Parquet metadata states)."""
    metadata = [pq.read_metadata(path) for path in folder.glob("*.parquet")]
    return sum(m.row_group(i).total_byte_size for m in metadata for i in range(m.num_row_groups))


def empty_graph_bytes(work: Path) -> tuple[int, int]:
    """The bytes of a graph.kuzu and of an export holding no rows: what the DDL alone takes."""
    folder = work / "empty"
    write_tables(folder / "tables", {})
    import_tables(folder / "graph.kuzu", folder / "tables")
    sizes = size(folder / "graph.kuzu"), size(folder / "tables")
    shutil.rmtree(folder)
    return sizes


def print_publish(costs: dict[str, dict], empty: tuple[int, int]) -> None:
    labels = list(costs)
    print(f"\n{'rows by table':<16}" + "".join(f"{label:>12}" for label in labels))
    for table in (*NODE_TABLES, *REL_TABLES):
        print(f"  {table.name:<14}" + "".join(f"{costs[label]['rows'][table.name]:>12,}" for label in labels))
    print(f"  {'total':<14}" + "".join(f"{sum(costs[label]['rows'].values()):>12,}" for label in labels))
    print(f"\npublish (records → tables/*.parquet → graph.kuzu) and disk per snapshot; target: kuzu+parquet "
          f"<= {DISK_TARGET}× parquet; empty graph (DDL alone): kuzu {mb(empty[0])}, parquet {mb(empty[1])}")
    for label, c in costs.items():
        rows, kuzu, parquet = sum(c["rows"].values()), c["kuzu"], c["parquet"]
        print(f"  {label:<4} {rows:>9,} rows   write_tables {spread(c['export'])}   "
              f"import_tables {spread(c['import'])}")
        print(f"  {'':<4} graph.kuzu {mb(kuzu)}   tables/*.parquet {mb(parquet)}   "
              f"kuzu/parquet {kuzu / parquet:5.1f}×   "
              f"(kuzu+parquet)/parquet {(kuzu + parquet) / parquet:5.1f}×   target <= {DISK_TARGET}×   "
              f"export rewritten byte for byte: {'yes' if c['same_export'] else 'no'}")
        print(f"  {'':<4} of graph.kuzu: column pages {mb(c['columns'])}, the rest (indexes, catalog, free pages) "
              f"{mb(kuzu - c['columns'])}   of the export: {mb(c['uncompressed'])} before zstd")


# -- 2. disk after many refreshes ----------------------------------------------------------------------
def churn_config(folder: Path) -> Path:
    """The small config: its documents and table copied into ``folder``, so that they can change."""
    offline = tomllib.loads(OFFLINE.read_text(encoding="utf-8"))
    entries = {"document": [d for d in offline["document"] if d["name"] in CHURN_DOCUMENTS],
               "fine_table": [t for t in offline["fine_table"] if t["name"] == CHURN_TABLE]}
    folder.mkdir(parents=True, exist_ok=True)
    for kind in entries.values():
        for entry in kind:
            copy = folder / Path(entry["path"]).name
            shutil.copyfile((OFFLINE.parent / entry["path"]).resolve(), copy)
            copy.chmod(0o644)  # the corpus is read-only
            entry["path"] = str(copy)
    config = folder / "sources.toml"
    config.write_text("# A few documents and one fine table, copied aside (bench/bench_snapshots.py).\n"
                      + "".join(synthetic.toml_entries(kind, items) for kind, items in entries.items()))
    return config


def change_one_document(config: Path, step: int) -> None:
    """Odd steps: one more "shall" of the act becomes "must"; even steps: one more fine grows by one unit.
    The edits accumulate, so that no state repeats and every refresh publishes a new snapshot."""
    paths = {e["name"]: Path(e["path"]) for kind in tomllib.loads(config.read_text()).values() for e in kind}
    if step % 2:
        act = paths[CHURN_DOCUMENTS[0]]
        text = act.read_text(encoding="utf-8")
        if " shall " not in text:
            raise RuntimeError(f"{act.name}: no 'shall' left to change at step {step}")
        act.write_text(text.replace(" shall ", " must ", 1), encoding="utf-8")
        return
    table, row = paths[CHURN_TABLE], step // 2 + 1
    text = table.read_text(encoding="utf-8")
    # id, picture, name, price: the fourth cell of the line starting with the row's id
    text, found = re.subn(rf"^({row}\t[^\t\n]*\t[^\t\n]*\t)([^\t\n]*)", lambda m: m[1] + str(
        int(m[2]) + 1 if m[2].isdigit() else 1), text, count=1, flags=re.MULTILINE)
    if not found:
        raise RuntimeError(f"{table.name}: no row with id {row} to change at step {step}")
    table.write_text(text, encoding="utf-8")


def refresh_series(config: Path, store: Path, refreshes: int, change: bool) -> dict:
    """``refreshes`` refreshes after a first one (each after a change, or none), then a prune."""
    from pipelines.refresh import refresh  # Dagster: only once there is something to refresh

    refresh(config, store)
    first = size(Store(store).graphs_dir)
    seconds, published = [], 0
    for step in range(1, refreshes + 1):
        if change:
            change_one_document(config, step)
        start = time.perf_counter()
        published += refresh(config, store).published
        seconds.append(time.perf_counter() - start)
    graphs = Store(store).graphs_dir
    found = {"first": first, "seconds": seconds, "published": published, "snapshots": len(Store(store).snapshots()),
             "graphs": size(graphs), "store": size(store)}
    pruned = prune(Store(store), keep_last=KEEP_LAST)
    return {**found, "kept": len(pruned.kept), "graphs_pruned": size(graphs), "store_pruned": size(store)}


def print_series(label: str, s: dict, refreshes: int) -> None:
    print(f"  {label:<28} {refreshes:>3} refreshes ({s['published']} published, {spread(s['seconds'])} each)   "
          f"snapshots {s['snapshots']:>3}   graphs/ {mb(s['graphs']):>9}   store {mb(s['store']):>9}   "
          f"baseline {refreshes + 1} × one snapshot {mb((refreshes + 1) * s['first'])}")
    print(f"  {'':<28} then prune --keep-last {KEEP_LAST}: snapshots {s['kept']:>3}   "
          f"graphs/ {mb(s['graphs_pruned']):>9}   store {mb(s['store_pruned']):>9}   (raw/ and parsed/ are not pruned)")


# -- 3. open and first query ---------------------------------------------------------------------------
def open_latency(store: Path, starts: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"process": [], "open_and_query": [], "imports": []}
    for _ in range(starts):
        seconds, out = process_seconds([sys.executable, "-c", PROBE, str(store)])
        inside = json.loads(out)
        found["process"].append(seconds)
        found["open_and_query"].append(inside["open_and_query"])
        found["imports"].append(inside["imports"])
    return found


# -- 4. the no-op refresh --------------------------------------------------------------------------------
def refresh_processes(store: Path, runs: int, starts: int) -> dict[str, list[float]]:
    command = [*LEXGRAPH, "refresh", "--config", str(OFFLINE), "--store", str(store)]
    full = []
    for _ in range(runs):
        shutil.rmtree(store, ignore_errors=True)
        full.append(process_seconds(command, ok=(0, 3))[0])
    return {"full": full, "noop": [process_seconds(command, ok=(0, 3))[0] for _ in range(starts)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated; 1 is examples/offline.toml (default: 1,10)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the export, the import and the full refresh")
    parser.add_argument("--starts", type=int, default=5, help="runs of each short process (open, no-op, baselines)")
    parser.add_argument("--refreshes", type=int, default=30, help="refreshes of the small config in 2.")
    parser.add_argument("--pdf-scale-max", type=int, default=10, help="PDFs at min(scale, this) × the real ones")
    parser.add_argument("--keep", type=Path, help="generate the sets and stores here and keep them (a set "
                                                  "already there with the same parameters is reused)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: one run of each, 4 refreshes")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.starts, args.refreshes = 1, 1, 4
    scales = sorted({int(s) for s in args.scales.split(",")} | {1})

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-snapshots-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        stores: dict[str, Path] = {}
        costs: dict[str, dict] = {}
        print("published stores (one cold refresh each):")
        for scale in scales:
            label = f"{scale}×"
            config = OFFLINE if scale == 1 else synthetic_set(work / f"x{scale}", scale, min(scale, args.pdf_scale_max))
            stores[label] = work / f"store-{scale}"
            run = in_fresh_process(config, stores[label])
            print(f"  {label:<4} refresh {run['seconds']:6.1f} s, of which the snapshot asset "
                  f"{run['steps'].get('snapshot', 0.0):5.2f} s; peak RSS {run['rss_mb']:,.0f} MB", flush=True)
            costs[label] = publish_costs(stores[label], args.runs, work)
        print_publish(costs, empty_graph_bytes(work))

        print(f"\ndisk after {args.refreshes} refreshes of {len(CHURN_DOCUMENTS)} documents and one fine table "
              f"(a first refresh publishes, then each of the {args.refreshes}):", flush=True)
        for label, change in (("one document changed each", True), ("nothing changed (no-op)", False)):
            folder = work / ("churn" if change else "still")
            shutil.rmtree(folder, ignore_errors=True)
            series = refresh_series(churn_config(folder / "sources"), folder / "store", args.refreshes, change)
            print_series(label, series, args.refreshes)

        baseline = [process_seconds([sys.executable, "-c", "import kb_store"])[0] for _ in range(args.starts)]
        print("\nopen and first query (a fresh process: Reader.open(store) + show('art_17', 2021-03-01, 'en'))")
        print(f"  baseline python -c 'import kb_store'     {spread(baseline)}")
        for label, store in stores.items():
            found = open_latency(store, args.starts)
            print(f"  {label:<4} whole process {spread(found['process'])}   beyond the baseline "
                  f"{statistics.median(found['process']) - statistics.median(baseline):.2f} s   in-process: imports "
                  f"{spread(found['imports'])}, open + first query {spread(found['open_and_query'])}", flush=True)

        imports = [process_seconds([sys.executable, "-c", "import pipelines.cli, pipelines.refresh"])[0]
                   for _ in range(args.starts)]
        refreshes = refresh_processes(work / "store-cli", args.runs, args.starts)
        print("\nlexgraph refresh --config examples/offline.toml, fresh processes")
        print(f"  interpreter start + imports (python -c 'import pipelines.cli, pipelines.refresh')   "
              f"{spread(imports)}")
        print(f"  full refresh, cold store   {spread(refreshes['full'], digits=1)}")
        noop, full = statistics.median(refreshes["noop"]), statistics.median(refreshes["full"])
        print(f"  no-op refresh              {spread(refreshes['noop'])}   work beyond interpreter start + imports "
              f"{noop - statistics.median(imports):.2f} s   target < {NOOP_TARGET:.0f} s   {full / noop:.0f}× faster "
              "than the full")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
