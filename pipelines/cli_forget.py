"""``lexgraph forget``: erase a source from the store and keep it out of later refreshes, or ``--undo`` that."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kb_store import StoreLocked
from pipelines.sources import DEFAULT_CONFIG, ConfigError


def add_command(commands: argparse._SubParsersAction, default_store: Path) -> None:
    forget = commands.add_parser("forget", help="erase a source from the store and every snapshot, and keep it "
                                                "out of later refreshes")
    forget.add_argument("--source", action="append", required=True, metavar="NAME",
                        help="a configured source's name, or a decision folder's for all its documents (repeatable)")
    forget.add_argument("--undo", action="store_true", help="let later refreshes fetch the forgotten source again")
    forget.add_argument("--reason", default="", help="why, for the erasure log")
    forget.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="the source config the store is refreshed with (default: the live sources)")
    forget.add_argument("--store", type=Path, default=default_store, help="store directory (default: .store)")
    forget.add_argument("--wait", action="store_true", help="queue behind a refresh writing to the store")
    forget.set_defaults(run=_forget)


def _forget(args: argparse.Namespace) -> int:
    from pipelines.erasure import ForgetRefused, NothingToForget, UnknownSource, forget, undo

    console = Console(stderr=True, markup=False)
    try:
        if args.undo:
            names = undo(args.store, args.source, args.reason)
            console.print(f"no longer forgotten: {', '.join(names)}; the next refresh fetches them again")
            return 0
        report = forget(args.config, args.store, args.source, args.reason, wait=args.wait, display="bar")
    except (ConfigError, UnknownSource) as exc:
        console.print(Text.assemble(("forget refused:", "red"), f" {exc}"))
        return 2
    except (StoreLocked, NothingToForget, ForgetRefused) as exc:
        console.print(Text.assemble(("forget refused:", "red"), f" {exc}"))
        return 1
    _print_report(console, report)
    return 0


def _print_report(console: Console, report) -> None:
    table = Table("snapshot", "now", "why", title=f"Snapshots that held {', '.join(report.sources)}")
    for fate in report.snapshots:
        now = f"rebuilt as {fate.rebuilt_as}" + (" (current)" if fate.current else "") if fate.rebuilt_as else "dropped"
        table.add_row(fate.snapshot, now, fate.reason)
    if report.snapshots:
        console.print(table)
    else:
        console.print("no snapshot held it")
    console.print(f"erased: {len(report.sha256)} documents' bytes, {report.parses} cached parses; logged by "
                  "sha256 in erasure.jsonl")
    console.print(f"current snapshot: {report.current or '(none)'}; later refreshes leave "
                  f"{', '.join(report.sources)} out until `lexgraph forget --undo`")
