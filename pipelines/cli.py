"""The ``lexgraph`` command: ``refresh`` a store from a source config, ``show`` a provision as of a date."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kb_store.enforcement import EnforcementFilter, render_decisions
from kb_store.read import NotFound, Reader, render_markdown
from pipelines.sources import DEFAULT_CONFIG, ConfigError

DEFAULT_STORE = Path(".store")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lexgraph", description="EU data-protection law as a versioned graph")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    refresh = commands.add_parser("refresh", help="fetch, parse and load the configured sources into the store")
    refresh.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                         help="source config (TOML); default: the live EUR-Lex sources")
    refresh.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    refresh.set_defaults(run=_refresh)

    show = commands.add_parser("show", help="a provision as of a date, with its children and citations")
    show.add_argument("id", help="provision id, e.g. eu/reg/2016/679/art_17 or art_17/par_1")
    show.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD (default: today)")
    show.add_argument("--lang", default="en", help="language: en, fr, de (default: en)")
    show.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    show.add_argument("--format", choices=("json", "md"), default="md")
    show.set_defaults(run=_show)

    enforcement = commands.add_parser("enforcement", help="decisions and fines, filtered")
    enforcement.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. ES")
    enforcement.add_argument("--authority", help="a name, abbreviation or id: 'AEPD', 'Datainspektionen'")
    enforcement.add_argument("--organisation", help="part of an organisation's name")
    enforcement.add_argument("--cites", help="a provision: 'Art. 6', 'Article 5(1)(f)' (and what lies below it)")
    enforcement.add_argument("--after", type=dt.date.fromisoformat, help="decided after YYYY-MM-DD")
    enforcement.add_argument("--before", type=dt.date.fromisoformat, help="decided before YYYY-MM-DD")
    enforcement.add_argument("--fined", action="store_true", help="only decisions imposing a fine")
    enforcement.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    enforcement.add_argument("--format", choices=("json", "md"), default="md")
    enforcement.set_defaults(run=_enforcement)
    return parser


def _refresh(args: argparse.Namespace) -> int:
    from pipelines.refresh import RefreshFailed, refresh  # Dagster loads slowly: only when refreshing

    console = Console(stderr=True)
    try:
        report = refresh(args.config, args.store, display="bar")
    except (ConfigError, RefreshFailed) as exc:
        console.print(f"[red]refresh failed:[/red] {exc}")
        return 1
    _print_summary(console, report)
    return 0


def _print_summary(console: Console, report) -> None:
    manifest, fetched, parsed = report.manifest, report.fetched, report.parsed
    console.print(f"fetched {len(fetched.documents)} documents ({len(fetched.changed)} changed); "
                  f"legal texts: parsed {parsed.parsed}, reused {parsed.cached} cached parses")
    if manifest.quarantined:
        table = Table("quarantined", "reason", title="Quarantined documents")
        for q in manifest.quarantined:
            table.add_row(q.name, q.reason)
        console.print(table)
    if manifest.quarantined_rows:
        table = Table("source", "row", "reason", title=f"Quarantined rows ({len(manifest.quarantined_rows)})")
        for row in manifest.quarantined_rows:
            table.add_row(row.source, row.row_id or f"#{row.row_number}", row.reason)
        console.print(table)
    checks = Table("check", "result", "summary", title="Checks")
    for check in manifest.checks:
        result = "passed" if check.passed else "[yellow]warning[/yellow]" if check.severity == "warn" else "[red]FAILED[/red]"
        checks.add_row(check.name, result, check.summary)
    console.print(checks)
    console.print("rows: " + ", ".join(f"{name} {count}" for name, count in manifest.counts.items()))
    console.print("stage seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))
    verb = "published snapshot" if report.published else "nothing changed; current snapshot stays"
    console.print(f"{verb} [bold]{manifest.id}[/bold]")


def _show(args: argparse.Namespace) -> int:
    try:
        with Reader.open(args.store) as reader:
            view = reader.show(args.id, args.as_of, args.lang)
    except (NotFound, FileNotFoundError) as exc:
        print(f"lexgraph show: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(view.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(render_markdown(view), end="")
    return 0


def _enforcement(args: argparse.Namespace) -> int:
    query = EnforcementFilter(**{k: getattr(args, k) for k in EnforcementFilter.model_fields})
    try:
        with Reader.open(args.store) as reader:
            found = reader.decisions(query)
    except (LookupError, FileNotFoundError) as exc:
        print(f"lexgraph enforcement: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        results = [view.model_dump(mode="json") for view in found]
        print(json.dumps({"filters": query.model_dump(mode="json", exclude_defaults=True), "count": len(results),
                          "results": results}, ensure_ascii=False, indent=2))
    else:
        print(render_decisions(found), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
