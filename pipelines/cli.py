"""The ``lexgraph`` command: ``refresh`` a store from a source config, ``show`` a provision as of a date,
``enforcement`` decisions, ``prompt`` a cited prompt, ``snapshots`` to list and manage them, ``serve`` them
over HTTP, ``forget`` a source."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kb_store import DecisionPage, DecisionView, EnforcementFilter, NotUnderstood, Reader, Store, StoreLocked, short_id
from kb_store.cases import EventView
from kb_store.read import render_markdown
from parsers.normalise.money import format_amount, minor_digits
from kb_store.access import AccessError, view_key, views_of
from pipelines import cli_access, cli_forget, cli_prompt, cli_snapshots
from pipelines.answers import decisions_answer, provision_answer
from pipelines.sources import DEFAULT_CONFIG, ConfigError
from schema.enforcement import Precision

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
    show.add_argument("provision", help="an id (art_17, art_17/par_1, eu/reg/2016/679/art_17) or a citation as "
                                        "written in a language of the law: 'Article 17', 'Art. 17 DSGVO'")
    show.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD (default: today)")
    show.add_argument("--lang", default="en", help="language, ISO 639-1: any the snapshot has, e.g. bg (default: en)")
    _read_options(show)
    show.set_defaults(run=_show)

    enforcement = commands.add_parser("enforcement", help="decisions and fines, filtered")
    enforcement.add_argument("--country", help="ISO 3166 alpha-2 code or name: ES, Spain, España")
    enforcement.add_argument("--authority", help="a name, abbreviation or id: 'AEPD', 'Datainspektionen'")
    enforcement.add_argument("--organisation", help="part of an organisation's name")
    enforcement.add_argument("--cites", help="a provision, as show takes it: art_6, 'Art. 6', 'Article 5(1)(f)', "
                                             "'Artikel 6 DSGVO' (and what lies below it)")
    enforcement.add_argument("--after", type=dt.date.fromisoformat, help="decided after YYYY-MM-DD")
    enforcement.add_argument("--before", type=dt.date.fromisoformat, help="decided before YYYY-MM-DD")
    enforcement.add_argument("--fined", action="store_true", help="only decisions imposing a fine")
    enforcement.add_argument("--as-of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                             help="cases as they stood then: only decisions known by then, each with the fine that "
                                  "stood (a court's reduction or annulment included) and the events of its case")
    enforcement.add_argument("--limit", type=_at_least(1), default=50, metavar="N",
                             help="show at most N decisions (default: 50)")
    enforcement.add_argument("--offset", type=_at_least(0), default=0, metavar="M",
                             help="skip the first M decisions matching (default: 0)")
    _read_options(enforcement, formats=tuple(_DECISION_FORMATS))
    enforcement.set_defaults(run=_enforcement)
    serve = commands.add_parser("serve", help="serve the store's published snapshots over HTTP (read-only)")
    serve.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=_at_least(1), default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--workers", type=_at_least(1), default=1, metavar="N",
                       help="N processes on the one port, each with its own open snapshots (default: 1)")
    serve.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                       help="how often to look whether CURRENT moved (default: 1)")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--roles", type=Path, metavar="FILE",
                       help=f"the roles and API keys requests read as (default: {cli_access.ROLES_FILE} in the store "
                            "if there is one; without: every request reads what is public)")
    serve.set_defaults(run=_serve)
    cli_prompt.add_command(commands, DEFAULT_STORE)
    cli_snapshots.add_commands(commands, DEFAULT_STORE)
    cli_forget.add_command(commands, DEFAULT_STORE)
    return parser


def _read_options(command: argparse.ArgumentParser, formats: tuple[str, ...] = ("json", "md")) -> None:
    """What every read takes: the store, the snapshot to read (default: the current one), the output format."""
    command.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store directory (default: .store)")
    command.add_argument("--snapshot", help="read this snapshot (see `lexgraph snapshots list`), not the current one")
    command.add_argument("--format", choices=formats, default="md")
    cli_access.add_role_options(command)


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number, ``minimum`` or more."""
    def read(text: str) -> int:
        if not text.strip().lstrip("-").isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {minimum} or more")
        return int(text)
    return read


def _refresh(args: argparse.Namespace) -> int:
    # Dagster loads slowly: only when refreshing
    from pipelines.erasure_log import forgotten_listed
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
    if left_out := forgotten_listed(args.config, args.store):
        console.print(f"left out, forgotten in the store until `lexgraph forget --undo`: {', '.join(left_out)}")
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
    if views := views_of(manifest.labels):
        console.print("views for readers of fewer labels: " + ", ".join(view_key(view) for view in views))
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


def _serve(args: argparse.Namespace) -> int:
    from pipelines.serve import run  # FastAPI and uvicorn load only to serve

    roles = args.roles or (args.store / cli_access.ROLES_FILE)
    try:
        run(args.store, host=args.host, port=args.port, workers=args.workers, poll_seconds=args.poll,
            access_log=args.access_log, roles=roles if args.roles or roles.exists() else None)
    except AccessError as exc:
        print(f"lexgraph serve: {exc}", file=sys.stderr)
        return 2
    return 0


def _read(args: argparse.Namespace, command: str, answer: Callable[[Reader], str]) -> int:
    """Print what ``answer`` reads from the snapshot ``args`` names: exit 2 when it refuses what it was
    given, 1 when the store, the snapshot or the wording asked for is not there."""
    try:
        reader = Reader.open(args.store, snapshot=args.snapshot, role=cli_access.role_given(args))
    except AccessError as exc:
        print(f"lexgraph {command}: {exc}", file=sys.stderr)
        return 2
    except (LookupError, FileNotFoundError) as exc:
        print(f"lexgraph {command}: {exc}", file=sys.stderr)
        return 1
    with reader:
        try:
            print(answer(reader))
        except (NotUnderstood, LookupError) as exc:
            print(f"lexgraph {command}: {exc} (snapshot {reader.snapshot})", file=sys.stderr)
            return 2 if isinstance(exc, NotUnderstood) else 1
    return 0


def _show(args: argparse.Namespace) -> int:
    def answer(reader: Reader) -> str:
        view = reader.show(args.provision, args.as_of, args.lang)
        if args.format == "json":
            return _json(provision_answer(view, reader.snapshot))
        return render_markdown(view) + f"\n_snapshot {reader.snapshot}_"
    return _read(args, "show", answer)


def _enforcement(args: argparse.Namespace) -> int:
    query = EnforcementFilter(**{k: getattr(args, k) for k in EnforcementFilter.model_fields})

    def answer(reader: Reader) -> str:
        return _DECISION_FORMATS[args.format](reader.decisions(query, args.limit, args.offset), query, reader.snapshot)
    return _read(args, "enforcement", answer)


def _showing(page: DecisionPage) -> str:
    """Which of the matching decisions a page holds: "showing 1–50 of 5,245; --limit/--offset for more"."""
    if not page.results:
        return "no decision matches" if not page.total else \
            f"showing none of {page.total:,}: --offset {page.offset:,} is past the last"
    last = page.offset + len(page.results)
    more = "; --limit/--offset for more" if last < page.total else ""
    return f"showing {page.offset + 1:,}–{last:,} of {page.total:,}{more}"


def _decisions_json(page: DecisionPage, query: EnforcementFilter, snapshot: str) -> str:
    return _json(decisions_answer(page, query, snapshot))


def _json(answer: BaseModel) -> str:
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2)


def _decisions_markdown(page: DecisionPage, query: EnforcementFilter, snapshot: str) -> str:
    """A Markdown table, one row per decision, with the sources that report it."""
    stood = f" | as of {query.as_of}" if query.as_of else ""
    lines = [_showing(page), "", f"| date | country | authority | organisations | fine{stood} | cites | sources |",
             "|---|---|---|---|---|---|---|" + ("---|" if stood else "")]
    for d in page.results:
        day = f"{d.decision_date.isoformat()} ({d.date_precision})" if d.decision_date else "unknown"
        fine = format_amount(d.fine.amount_minor, d.fine.currency) if d.fine else ""
        case = f" | {_stood(d)}" if stood else ""
        lines.append(f"| {day} | {d.country or ''} | {d.authority or ''} | {'; '.join(d.organisations)} | {fine}{case} "
                     f"| {', '.join(map(short_id, d.cites))} | {', '.join(r.id for r in d.sources)} |")
    return "\n".join(lines) + f"\n\n_snapshot {snapshot}_"


def describe(event: EventView) -> str:
    """"reduction of 2020-11-11 by the Bonn District Court: 900,000.00 EUR"."""
    when = event.event_date.isoformat() if event.event_date else "an unknown date"
    if event.event_date and event.date_precision != Precision.DAY:
        when = event.event_date.isoformat()[:7 if event.date_precision == Precision.MONTH else 4]
    amount = f": {format_amount(event.amount_minor, event.currency)}" if event.amount_minor is not None else ""
    by = f" by {event.body.removeprefix('authority/')}" if event.body else ""
    return f"{event.kind.value.replace('_', ' ')} of {when}{by}{amount}"


def _stood(decision: DecisionView) -> str:
    """What stood of a decision's case: "reduction of 2020-11-11 by the Bonn District Court: 900,000.00 EUR
    (case of 3 decisions)", or what is known when no fine stood."""
    case = decision.case
    if case is None:
        return ""
    joined = f" (case of {len(case.decision_ids)} decisions)" if len(case.decision_ids) > 1 else ""
    if case.standing:
        return describe(case.standing) + joined
    last = case.events[-1] if case.events else None
    return ("no fine stood" + (f"; last: {describe(last)}" if last else "")) + joined


def _plain(amount_minor: int | None, currency: str) -> Decimal | None:
    """An amount in its currency's units, with as many decimals as the currency has: 1300000 ISK, 4800.00 EUR."""
    return None if amount_minor is None else Decimal(amount_minor).scaleb(-minor_digits(currency))


# One CSV column each, in order; lists are joined by "; ", and a missing value is an empty cell.
_CSV_COLUMNS: dict[str, Callable[[DecisionView], object]] = {
    "id": lambda d: d.id,
    "decision_date": lambda d: d.decision_date,
    "date_precision": lambda d: d.date_precision,
    "country": lambda d: d.country,
    "authority_id": lambda d: d.authority_id,
    "authority": lambda d: d.authority,
    "outcome": lambda d: d.outcome,
    "violation": lambda d: d.violation,
    "case_reference": lambda d: d.case_reference,
    "organisations": lambda d: "; ".join(d.organisations),
    "fine_amount": lambda d: d.fine and _plain(d.fine.amount_minor, d.fine.currency),
    "fine_currency": lambda d: d.fine and d.fine.currency,
    "fine_eur": lambda d: d.fine and _plain(d.fine.eur_minor, "EUR"),
    "cites": lambda d: "; ".join(d.cites),
    "sources": lambda d: "; ".join(r.id for r in d.sources),
    "case": lambda d: d.case and d.case.id,
    "stood_kind": lambda d: d.case and d.case.standing and d.case.standing.kind.value,
    "stood_since": lambda d: d.case and d.case.standing and d.case.standing.event_date,
    "stood_by": lambda d: d.case and d.case.standing and d.case.standing.body,
    "stood_amount": lambda d: _standing_amount(d),
    "stood_currency": lambda d: d.case and d.case.standing and d.case.standing.currency,
}


def _standing_amount(decision: DecisionView) -> Decimal | None:
    stood = decision.case and decision.case.standing
    return _plain(stood.amount_minor, stood.currency) if stood and stood.currency else None


def _decisions_csv(page: DecisionPage, query: EnforcementFilter, snapshot: str) -> str:
    """A header row, then one row per decision, each naming the snapshot; which rows, on standard error."""
    print(f"{_showing(page)} (snapshot {snapshot})", file=sys.stderr)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["snapshot", *_CSV_COLUMNS])
    writer.writerows([snapshot, *(column(d) for column in _CSV_COLUMNS.values())] for d in page.results)
    return out.getvalue().removesuffix("\n")


_DECISION_FORMATS: dict[str, Callable[[DecisionPage, EnforcementFilter, str], str]] = {
    "md": _decisions_markdown, "json": _decisions_json, "csv": _decisions_csv}


if __name__ == "__main__":
    sys.exit(main())
