"""The ``lexgraph`` command: ``refresh`` a store from a source config, ``show`` a provision as of a date,
``enforcement`` decisions, ``prompt`` a cited prompt, ``snapshots`` to list and manage them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kb_store import Store, StoreLocked
from kb_store.enforcement import EnforcementFilter, render_decisions
from kb_store.read import Reader, render_markdown
from pipelines import cli_prompt, cli_snapshots
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
    refresh.add_argument("--refetch", action="store_true", help="fetch every source whole, without conditional requests")
    refresh.add_argument("--accept-removed", action="store_true",
                         help="publish although the config no longer lists sources the current snapshot has")
    refresh.add_argument("--accept-shrink", action="append", default=[], metavar="SOURCE",
                         help="publish although SOURCE gives far fewer records than before (repeatable)")
    refresh.add_argument("--wait", action="store_true", help="queue behind a refresh already writing to the store")
    refresh.set_defaults(run=_refresh)

    show = commands.add_parser("show", help="a provision as of a date, with its children and citations")
    show.add_argument("id", help="provision id, e.g. eu/reg/2016/679/art_17 or art_17/par_1")
    show.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD (default: today)")
    show.add_argument("--lang", default="en", help="language, ISO 639-1: any the snapshot has, e.g. bg (default: en)")
    _read_options(show)
    show.set_defaults(run=_show)

    enforcement = commands.add_parser("enforcement", help="decisions and fines, filtered")
    enforcement.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. ES")
    enforcement.add_argument("--authority", help="a name, abbreviation or id: 'AEPD', 'Datainspektionen'")
    enforcement.add_argument("--organisation", help="part of an organisation's name")
    enforcement.add_argument("--cites", help="a provision: 'Art. 6', 'Article 5(1)(f)' (and what lies below it)")
    enforcement.add_argument("--after", type=dt.date.fromisoformat, help="decided after YYYY-MM-DD")
    enforcement.add_argument("--before", type=dt.date.fromisoformat, help="decided before YYYY-MM-DD")
    enforcement.add_argument("--fined", action="store_true", help="only decisions imposing a fine")
    _read_options(enforcement)
    enforcement.set_defaults(run=_enforcement)
    cli_prompt.add_command(commands, DEFAULT_STORE)
    cli_snapshots.add_commands(commands, DEFAULT_STORE)
    return parser


def _read_options(command: argparse.ArgumentParser) -> None:
    """What every read takes: the store, the snapshot to read (default: the current one), the output format."""
    command.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    command.add_argument("--snapshot", help="read this snapshot (see `lexgraph snapshots list`), not the current one")
    command.add_argument("--format", choices=("json", "md"), default="md")


def _refresh(args: argparse.Namespace) -> int:
    # Dagster loads slowly: only when refreshing
    from pipelines.refresh import Outcome, RefreshFailed, refresh
    from pipelines.resources import RefreshOptions

    console = Console(stderr=True, markup=False)  # messages quote config tables such as [[document]]
    options = RefreshOptions(refetch=args.refetch, accept_removed=args.accept_removed,
                             accept_shrink=args.accept_shrink)
    try:
        report = refresh(args.config, args.store, display="bar", options=options, wait=args.wait)
    except ConfigError as exc:
        console.print(Text.assemble(("the source config cannot be used:", "red"), f"\n{exc}"))
        return 2
    except StoreLocked as exc:
        console.print(Text.assemble(("refresh refused:", "red"), f" {exc}"))
        return Outcome.NOTHING_PUBLISHED
    except RefreshFailed as exc:
        _print_quarantined(console, exc.quarantined)
        _print_failed_checks(console, exc.failed)
        console.print(Text.assemble(("refresh failed, nothing published:", "red"), f" {exc}"))
        console.print(f"current snapshot stays: {Store(args.store).current_id() or '(none)'}")
        return Outcome.NOTHING_PUBLISHED
    _print_summary(console, report)
    return report.outcome


def _print_quarantined(console: Console, quarantined) -> None:
    if quarantined:
        table = Table("quarantined", "reason", title="Quarantined documents")
        for q in quarantined:
            table.add_row(q.name, q.reason)
        console.print(table)


def _print_failed_checks(console: Console, failed) -> None:
    for check in failed:
        table = Table("details", title=f"Check {check.name} FAILED: {check.summary}", title_justify="left")
        for line in check.details[:20]:
            table.add_row(line)
        if len(check.details) > 20:
            table.add_row(f"… and {len(check.details) - 20} more (the asset check's page lists them all)")
        console.print(table)


def _print_summary(console: Console, report) -> None:
    from pipelines.refresh import Outcome

    manifest, fetched, parsed = report.manifest, report.fetched, report.parsed
    console.print(f"fetched {len(fetched.documents)} documents ({len(fetched.changed)} changed); "
                  f"legal texts: parsed {parsed.parsed}, reused {parsed.cached} cached parses")
    _print_quarantined(console, report.quarantined)
    if manifest.quarantined_rows:
        table = Table("source", "row", "reason", title=f"Quarantined rows ({len(manifest.quarantined_rows)})")
        for row in manifest.quarantined_rows:
            table.add_row(row.source, row.row_id or f"#{row.row_number}", row.reason)
        console.print(table)
    checks = Table("check", "result", "summary", title="Checks")
    for check in manifest.checks:
        result = Text("passed") if check.passed else Text("warning", "yellow") if check.severity == "warn" \
            else Text("FAILED", "red")
        checks.add_row(check.name, result, check.summary)
    console.print(checks)
    console.print("rows: " + ", ".join(f"{name} {count}" for name, count in manifest.counts.items()))
    if report.seconds:  # none when the fetch alone showed that nothing changed
        console.print("stage seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))
    if report.kept:
        table = Table("source", "copy fetched", "why", title="Sources kept from earlier copies")
        for use in report.kept:
            table.add_row(use.name, f"{use.document.fetched_at:%Y-%m-%d %H:%M}", use.kept)
        console.print(table)
    verb = "published snapshot" if report.published else "nothing changed; current snapshot stays"
    endings = {Outcome.COMPLETE: "complete", Outcome.KEPT: f"{len(report.kept)} sources kept from earlier copies",
               Outcome.NOTHING_PUBLISHED: "no source could be fetched"}
    console.print(Text.assemble(f"{verb} ", (manifest.id, "bold"), f" — {endings[report.outcome]}"))


def _show(args: argparse.Namespace) -> int:
    try:
        with Reader.open(args.store, snapshot=args.snapshot) as reader:
            view = reader.show(args.id, args.as_of, args.lang)
    except (LookupError, FileNotFoundError) as exc:
        print(f"lexgraph show: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps({"snapshot": reader.snapshot, **view.model_dump(mode="json")}, ensure_ascii=False, indent=2))
    else:
        print(render_markdown(view) + f"\n_snapshot {reader.snapshot}_")
    return 0


def _enforcement(args: argparse.Namespace) -> int:
    query = EnforcementFilter(**{k: getattr(args, k) for k in EnforcementFilter.model_fields})
    try:
        with Reader.open(args.store, snapshot=args.snapshot) as reader:
            found = reader.decisions(query)
    except (LookupError, FileNotFoundError) as exc:
        print(f"lexgraph enforcement: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        results = [view.model_dump(mode="json") for view in found]
        print(json.dumps({"snapshot": reader.snapshot, "filters": query.model_dump(mode="json", exclude_defaults=True),
                          "count": len(results), "results": results}, ensure_ascii=False, indent=2))
    else:
        print(render_decisions(found) + f"\n_snapshot {reader.snapshot}_")
    return 0


if __name__ == "__main__":
    sys.exit(main())
