"""Times the EUR-Lex refresh on the real corpus, stage by stage, beside its baselines.

    python bench/bench_refresh.py [--config examples/offline.toml] [--runs 3]

Prints: the whole law refresh (Dagster in-process, cold store, a new process each) of the config's
EN/FR/DE documents beside that of every language it lists (target: linear in documents, all 72 Formex texts of the 24
languages under 30 s on 2 cores), median and spread over the runs; each stage run directly; the
parse stage beside the bare lxml parse of the same bytes (target: within 3x); and the bulk load
beside a row-by-row load of the same graph (target: at least 10x faster). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree, html

from kb_store.load import create_graph, insert_row_by_row
from parsers.registry import parse
from pipelines import stages
from pipelines.fetch import Fetcher
from pipelines.parse_cache import ParseCache
from pipelines.progress import LogReporter
from pipelines.raw_store import RawStore
from pipelines.refresh import refresh
from pipelines.sources import load_config
from schema.law import SourceFormat

REPO = Path(__file__).resolve().parents[1]


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def bare_lxml(source_format: SourceFormat, data: bytes) -> None:
    if source_format in (SourceFormat.EURLEX_HTML, SourceFormat.EURLEX_HTML_LEGACY):
        html.fromstring(data)
    else:
        etree.fromstring(data)


def law_config(config_path: Path, kinds: tuple[str, ...], name: str) -> Path:
    """The config's legal texts of the given entry kinds alone, beside it so that its paths stay valid."""
    law_only = config_path.with_name(f".bench-{name}-{config_path.name}")
    law_only.write_text("".join(f"[[{block}" for block in config_path.read_text().split("[[")[1:]
                                if block.startswith(tuple(f"{kind}]]" for kind in kinds))))
    return law_only


def whole_refreshes(config: Path, runs: int) -> tuple[int, list[float], dict[str, float]]:
    """Documents refreshed, the seconds of each cold refresh, and the assets' seconds of the last. Each
    refresh runs in a new process, as `lexgraph refresh` does: its worker processes start cold too."""
    times = []
    for _ in range(runs):
        child = subprocess.run([sys.executable, __file__, "--one-refresh", str(config)], capture_output=True,
                               text=True, check=True)
        documents, seconds, assets = json.loads(child.stdout.splitlines()[-1])
        times.append(seconds)
    return documents, times, assets


def one_refresh(config: Path) -> None:
    """A cold refresh of ``config`` in this process, printed as JSON: documents, seconds, assets' seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        report, seconds = timed(refresh, config, Path(tmp) / "store")
    print(json.dumps([len(report.fetched.documents), seconds, report.seconds]))


def spread(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--config", type=Path, default=REPO / "examples" / "offline.toml")
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--one-refresh", type=Path, help=argparse.SUPPRESS)
    options = args.parse_args()
    if options.one_refresh:
        return one_refresh(options.one_refresh)
    config_path = options.config
    # The EUR-Lex documents alone: the enforcement sources have their own benchmark.
    config, quiet = load_config(config_path).model_copy(update={"decisions": [], "fine_tables": []}), LogReporter()

    print("whole law refresh (Dagster, cold store):")
    per_document = {}
    for name, kinds in (("en-fr-de", ("document",)), ("all-languages", ("document", "document_set"))):
        law_only = law_config(config_path, kinds, name)
        try:
            documents, times, assets = whole_refreshes(law_only, options.runs)
        finally:
            law_only.unlink()
        per_document[name] = statistics.median(times) / documents
        print(f"  {name:<14} {documents:3} documents  {spread(times)}  {per_document[name] * 1000:5.0f} ms/document")
        for step, seconds in assets.items():
            print(f"      asset {step:<18} {seconds:6.2f} s")
    ratio = per_document["all-languages"] / per_document["en-fr-de"]
    print(f"  time per document, all languages / EN-FR-DE: {ratio:4.2f}   (linear: 1.00; 72 Formex texts target < 30 s)")

    with tempfile.TemporaryDirectory() as tmp:
        raw = RawStore(Path(tmp) / "raw")
        with Fetcher(raw) as fetcher:
            fetched, t_fetch = timed(stages.fetch_sources, config, raw, fetcher, {}, quiet)
        parsed, t_parse = timed(stages.parse_sources, config, fetched, {}, raw, ParseCache(Path(tmp) / "parsed"),
                                quiet)
        law, t_versions = timed(stages.build_law, parsed)
        refs, t_refs = timed(stages.extract_cross_references, law, quiet)
        tables = stages.law_tables(law, refs)
        tables["SourceDocument"] = stages.source_documents(config, parsed.used, tables)
        _, t_bulk = timed(create_graph, Path(tmp) / "bulk.kuzu", tables)
        _, t_rows = timed(insert_row_by_row, Path(tmp) / "rows.kuzu", tables)

        print("\nstages run directly:")
        for name, seconds in [("fetch", t_fetch), ("parse", t_parse), ("versions", t_versions),
                              ("references", t_refs), ("load (bulk)", t_bulk)]:
            print(f"  {name:<14} {seconds:6.2f} s")

        print("\nparse vs bare lxml, per document (target: parse within 3x):")
        total_parse = total_lxml = 0.0
        for doc in fetched.documents:
            if doc.name not in {d.name for d in config.documents}:
                continue
            fmt, data = config[doc.name].format, raw.get(doc.sha256)
            _, t_p = timed(parse, fmt, data)
            _, t_l = timed(bare_lxml, fmt, data)
            total_parse, total_lxml = total_parse + t_p, total_lxml + t_l
            print(f"  {doc.name:<48} parse {t_p * 1000:7.1f} ms   lxml {t_l * 1000:6.1f} ms   {t_p / t_l:4.1f}x")
        print(f"  {'all':<48} parse {total_parse * 1000:7.1f} ms   lxml {total_lxml * 1000:6.1f} ms   "
              f"{total_parse / total_lxml:4.1f}x")

        rows = sum(len(v) for v in tables.values())
        print(f"\nload of {rows} rows: bulk COPY FROM {t_bulk:6.2f} s   row by row {t_rows:6.2f} s   "
              f"{t_rows / t_bulk:5.1f}x faster   (target >= 10x)")
        print(f"references: {len(refs)} read from {len(law.versions)} versions")


if __name__ == "__main__":
    main()
