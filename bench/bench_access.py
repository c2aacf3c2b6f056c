"""What access labels cost a refresh: the same sources published without labels and with some, beside.

    python bench/bench_access.py [--config examples/offline.toml] [--runs 3]
        [--label gdprhub=restricted] [--field cms_enforcementtracker.organisations=names]

A snapshot whose sources carry labels beyond public is built once per set of them a reader may see (see
``kb_store.access``), so labels cost one more graph per view. Each run publishes both configs into a
fresh store that shares one parse cache (what a refresh of unchanged sources reads), and prints the
snapshot stage, the whole refresh and the snapshot's bytes on disk: median and spread over the runs.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kb_store import Store, disk_usage
from pipelines.refresh import refresh

REPO = Path(__file__).resolve().parents[1]


def labelled(config: Path, labels: dict[str, str], fields: dict[str, dict[str, str]]) -> Path:
    """``config`` with ``access`` set on the named entries and ``field_access`` on the named tables, written
    beside it (its paths are relative to its folder); the caller removes it."""
    text = config.read_text(encoding="utf-8")
    for name in {*labels, *fields}:
        extra = [f'access = "{labels[name]}"'] if name in labels else []
        if name in fields:
            extra.append("field_access = { " + ", ".join(f'{f} = "{l}"' for f, l in fields[name].items()) + " }")
        text, found = re.subn(rf'(?m)^name = "{re.escape(name)}"$', lambda m: "\n".join([m[0], *extra]), text)
        if not found:
            raise SystemExit(f"no entry named {name!r} in {config}")
    path = config.with_name(f".{config.stem}.labelled-{os.getpid()}.toml")
    path.write_text(text, encoding="utf-8")
    return path


def publish(config: Path, root: Path, cache: Path) -> tuple[float, float, int, int]:
    """(snapshot stage s, whole refresh s, bytes, views) of ``config`` published into a fresh store."""
    store = root / "store"
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    (store / "parsed").symlink_to(cache, target_is_directory=True)
    start = time.perf_counter()
    report = refresh(config, store)
    whole = time.perf_counter() - start
    views = store / "graphs" / report.manifest.id / "views"
    return (report.seconds.get("snapshot", 0.0), whole, disk_usage(Store(store), report.manifest.id),
            len(list(views.iterdir())) if views.is_dir() else 0)


def figure(values: list[float], unit: str = "s") -> str:
    if unit == "MB":
        values = [v / 1e6 for v in values]
    return f"{statistics.median(values):8.1f} {unit} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO / "examples" / "offline.toml")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", action="append", metavar="NAME=LABEL")
    parser.add_argument("--field", action="append", metavar="TABLE.FIELD=LABEL")
    args = parser.parse_args()
    labels = dict(item.split("=", 1) for item in args.label or ["gdprhub=restricted"])
    fields: dict[str, dict[str, str]] = {}
    for item in args.field or ["cms_enforcementtracker.organisations=names"]:
        where, label = item.split("=", 1)
        table, field = where.split(".", 1)
        fields.setdefault(table, {})[field] = label
    configs = {"no labels": args.config.resolve(), "labelled": labelled(args.config.resolve(), labels, fields)}
    try:
        with tempfile.TemporaryDirectory(prefix="lexgraph-bench-access-") as tmp:
            folder, cache = Path(tmp), Path(tmp) / "parsed"
            cache.mkdir()
            publish(configs["no labels"], folder, cache)  # fills the parse cache: every run below reads from it
            found = {name: [publish(config, folder, cache) for _ in range(args.runs)]
                     for name, config in configs.items()}
    finally:
        configs["labelled"].unlink()
    print(f"{args.config.name}, {args.runs} runs each, parses cached; labels: {labels}, fields: {fields}")
    print(f"{'':12}{'snapshot stage':>28}{'whole refresh':>28}{'snapshot on disk':>30}  views")
    for name, runs in found.items():
        stage, whole, size, views = zip(*runs)
        print(f"{name:12}{figure(list(stage)):>28}{figure(list(whole)):>28}{figure(list(size), 'MB'):>30}  {views[0]}")
    base, with_labels = (statistics.median(r[0] for r in found[n]) for n in found)
    print(f"labels cost the snapshot stage ×{with_labels / base:.2f}")


if __name__ == "__main__":
    main()
