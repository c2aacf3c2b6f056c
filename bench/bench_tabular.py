"""Times the tabular fine sources through their mappings: the real files, then at synthetic scale.

    python bench/bench_tabular.py [--scale 20]

Prints records per second for each source, on the real file and on the file's rows repeated
``--scale`` times with fresh row ids. Cited articles resolve against the GDPR's consolidated text.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import time
from pathlib import Path

from parsers.formex import parse_formex_act
from parsers.tabular import Mapping, load_mapping, parse_tabular

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()
SOURCES = {
    "cms_enforcementtracker": "cms_enforcementtracker_2024-03.json",
    "gdprhub_export": "gdprhub_decisions_2024-03.csv",
    "privacyaffairs_violations": "privacyaffairs_gdpr_violations_2020-08.tsv",
}


def scaled(data: bytes, mapping: Mapping, times: int) -> bytes:
    """The document with its rows repeated ``times`` times, each copy's row ids made unique."""
    row_id = mapping.fields.row_id.column
    if mapping.format.kind == "json":
        rows = json.loads(data)[mapping.format.rows]
        copies = [[*row[:row_id], f"{row[row_id]}-{n}", *row[row_id + 1:]] for n in range(times) for row in rows]
        return json.dumps({mapping.format.rows: copies}).encode()
    delimiter = "\t" if mapping.format.kind == "tsv" else ","
    header, *rows = csv.reader(io.StringIO(data.decode(mapping.format.encoding), newline=""), delimiter=delimiter)
    position = header.index(row_id) if isinstance(row_id, str) else None
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for n in range(times):
        for row in rows:
            writer.writerow(row if position is None else [*row[:position], f"{row[position]}-{n}", *row[position + 1:]])
    return out.getvalue().encode()


def rate(data: bytes, mapping: Mapping, known_ids: frozenset[str], repeats: int = 3) -> tuple[int, float]:
    """Rows read and the best records-per-second figure of ``repeats`` runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = parse_tabular(data, mapping, known_ids)
        best = min(best, time.perf_counter() - start)
    rows = len(result.records) + len(result.quarantined)
    return rows, len(result.records) / best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scale", type=int, default=20)
    scale = args.parse_args().scale
    act = parse_formex_act((CORPUS / "eurlex" / "gdpr_02016R0679_formex_consolidated_en.xml").read_bytes())
    known_ids = frozenset(provision.id for provision in act.provisions)
    print(f"{'source':<26} {'rows':>8} {'records/s':>10}   {'rows ×' + str(scale):>10} {'records/s':>10}")
    for name, file in SOURCES.items():
        mapping, data = load_mapping(name), (CORPUS / "fines" / file).read_bytes()
        rows, per_second = rate(data, mapping, known_ids)
        big_rows, big_per_second = rate(scaled(data, mapping, scale), mapping, known_ids, repeats=1)
        print(f"{name:<26} {rows:>8} {per_second:>10,.0f}   {big_rows:>10} {big_per_second:>10,.0f}")


if __name__ == "__main__":
    main()
