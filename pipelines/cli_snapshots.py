"""``lexgraph snapshots``: list a store's published snapshots, show one, diff two, promote one (the
rollback) and prune by a retention policy; Markdown for a person, JSON for a program, HTML for a diff."""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kb_store import Manifest, RowChange, SnapshotDiff, Store, StoreLocked, UnknownSnapshot, diff_snapshots, prune
from kb_store.access import clearance_of
from pipelines import cli_access
from pipelines.answers import snapshot_summaries
from pipelines.cli_access import role_given

Handler = Callable[[Store, argparse.Namespace], str]
_CELL = 100  # characters of a value shown in a report; the JSON has it whole


@dataclass(frozen=True)
class Section:
    """One titled table of a report, rendered as Markdown or HTML."""

    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


def add_commands(commands: argparse._SubParsersAction, default_store: Path) -> None:
    snapshots = commands.add_parser("snapshots",
                                    help="published snapshots: list, show, diff, promote (roll back), prune")
    actions = snapshots.add_subparsers(required=True, metavar="ACTION")
    _action(actions, "list", "every snapshot, oldest first, the current one marked", _list, default_store,
            reads=True)
    show = _action(actions, "show", "a snapshot's manifest and its moves in the history", _show, default_store,
                   reads=True)
    show.add_argument("id", nargs="?", help="snapshot id (default: the current one)")
    diff = _action(actions, "diff", "what changed from snapshot A to snapshot B, table by table", _diff,
                   default_store, formats=("json", "md", "html"), reads=True)
    diff.add_argument("a", help="the earlier snapshot's id")
    diff.add_argument("b", help="the later snapshot's id")
    diff.add_argument("--examples", type=_count, default=10, metavar="N",
                      help="at most N examples of each kind of change per table (default: 10)")
    diff.add_argument("--grep", metavar="TEXT",
                      help="examples only of rows with a value containing TEXT (counts stay those of every row)")
    promote = _action(actions, "promote", "make a snapshot current again (the rollback), recorded in the history",
                      _promote, default_store)
    promote.add_argument("id", help="snapshot id (see `lexgraph snapshots list`)")
    promote.add_argument("--reason", default="", help="why, for the history")
    pruning = _action(actions, "prune", "remove the snapshots a retention policy does not keep (never the current one)",
                      _prune, default_store)
    for period, kept in (("last", "the N newest snapshots"), ("daily", "the newest of each of the last N days that "
                         "have one"), ("monthly", "the newest of each of the last N months that have one")):
        pruning.add_argument(f"--keep-{period}", type=_count, default=0, metavar="N", help=f"keep {kept}")
    pruning.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")


def _action(actions: argparse._SubParsersAction, name: str, help: str, handler: Handler, default_store: Path,
            formats: tuple[str, ...] = ("json", "md"), reads: bool = False) -> argparse.ArgumentParser:
    """An action; one that ``reads`` a snapshot takes a role to read it as."""
    command = actions.add_parser(name, help=help, description=help)
    command.add_argument("--store", type=Path, default=default_store,
                         help=f"store directory (default: {default_store})")
    command.add_argument("--format", choices=formats, default="md")
    if reads:
        cli_access.add_role_options(command)
    command.set_defaults(run=partial(_run, name, handler))
    return command


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return int(text)


def _run(name: str, handler: Handler, args: argparse.Namespace) -> int:
    """Print what the handler returns; a refusal is one line on stderr and exit code 1."""
    try:
        print(handler(Store(args.store), args))
    except UnknownSnapshot as exc:
        return _fail(name, f"{exc}; `lexgraph snapshots list --store {args.store}` lists the ids")
    except (StoreLocked, ValueError) as exc:
        return _fail(name, str(exc))
    return 0


def _fail(name: str, message: str) -> int:
    print(f"lexgraph snapshots {name}: {message}", file=sys.stderr)
    return 1


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=lambda v: v.isoformat())


# -- the actions -----------------------------------------------------------------------------------------
def _list(store: Store, args: argparse.Namespace) -> str:
    current = store.current_id()
    listed = [summary.model_dump() for summary in snapshot_summaries(store, clearance_of(role_given(args)))]
    if args.format == "json":
        return _json({"store": str(store.root), "current": current, "snapshots": listed})
    rows = [["→" if s["current"] else "", s["id"], _moment(s["created"]), s["parent"] or "", str(s["decisions"]),
             str(s["provisions"]), f"{s['sources_kept']} of {s['sources']}", _size(s["bytes"])] for s in listed]
    header = ["", "id", "created (UTC)", "parent", "decisions", "provisions", "sources kept", "size"]
    return _markdown(f"Snapshots in {store.root}", [Section("Oldest first; → marks the current one", header, rows)])


def _show(store: Store, args: argparse.Namespace) -> str:
    snapshot = args.id or store.current_id()
    if snapshot is None:
        raise UnknownSnapshot(f"no published snapshot in {store.root}")
    manifest = store.manifest(snapshot, clearance_of(role_given(args)))
    moves = [move for move in store.history() if snapshot in (move.current, move.previous)]
    current = snapshot == store.current_id()
    if args.format == "json":
        return _json({"snapshot": snapshot, "current": current,
                      "manifest": manifest.model_dump(mode="json", exclude={"quarantined_rows"}),
                      "quarantined_rows": len(manifest.quarantined_rows),
                      "history": [move.model_dump(mode="json") for move in moves]})
    title = f"Snapshot {snapshot}" + (" (current)" if current else "")
    return _markdown(title, _manifest_sections(manifest) + [Section(
        "History", ["at (UTC)", "action", "from", "to", "by", "reason"],
        [[_moment(m.at), m.action, m.previous or "", m.current, m.by, m.reason] for m in moves],
        "the moves of CURRENT to and from this snapshot")])


def _manifest_sections(m: Manifest) -> list[Section]:
    return [
        Section("Snapshot", ["field", "value"], [["created (UTC)", _moment(m.created)], ["parent", m.parent or ""],
                                                  ["config sha256", m.config_sha256 or ""],
                                                  ["quarantined rows", str(len(m.quarantined_rows))]]),
        Section("Sources", ["name", "kind", "sha256", "licence", "records", "kept"],
                [[s.name, s.kind, s.sha256, s.licence, str(s.records), s.kept or ""] for s in m.sources]),
        Section("Counts", ["table", "rows"], [[table, str(n)] for table, n in m.counts.items()]),
        Section("Checks", ["check", "result", "summary"],
                [[c.name, "passed" if c.passed else f"failed ({c.severity})", c.summary] for c in m.checks]),
        Section("Quarantined documents", ["name", "reason"], [[q.name, q.reason] for q in m.quarantined]),
    ]


def _diff(store: Store, args: argparse.Namespace) -> str:
    found = diff_snapshots(store, args.a, args.b, examples=args.examples, grep=args.grep, role=role_given(args))
    if args.format == "json":
        return _json(found.model_dump(mode="json"))
    render = _html if args.format == "html" else _markdown
    return render(f"Snapshot {found.a} → {found.b}", _diff_sections(found))


def _diff_sections(found: SnapshotDiff) -> list[Section]:
    summary = Section("Tables", ["table", "kind", f"rows in {found.a}", f"rows in {found.b}", "added", "removed",
                                 "changed", "of which re-keyed"],
                      [[t.table, t.kind, str(t.rows_a), str(t.rows_b), str(t.added), str(t.removed), str(t.changed),
                        str(t.rekeyed)] for t in found.tables],
                      "re-keyed: the same node under a new key (a decision renamed after a better source joined it), "
                      "or an edge between such nodes")
    entries = [Section(title, [entry, "change", "field", f"in {found.a}", f"in {found.b}"],
                       [[e.name if i == 0 else "", e.change if i == 0 else "", f.field, _cell(f.old), _cell(f.new)]
                        for e in changes for i, f in enumerate(e.fields)])
               for title, entry, changes in (("Sources", "source", found.sources), ("Checks", "check", found.checks))]
    which = f"the first {found.examples} of each kind, by key" + (f", among rows mentioning {found.grep!r}"
                                                                   if found.grep else "")
    examples = [Section(f"{t.table}: examples", ["change", "key", "field", f"in {found.a}", f"in {found.b}"],
                        [row for change in t.examples for row in _example_rows(change)], which)
                for t in found.tables if t.examples]
    return [summary, *entries, *examples]


def _example_rows(change: RowChange) -> list[list[str]]:
    key = " → ".join(change.key)
    if not change.fields:
        return [[change.change, key, "", "", ""]]
    return [[change.change if i == 0 else "", key if i == 0 else "", f.field, _cell(f.old), _cell(f.new)]
            for i, f in enumerate(change.fields)]


def _promote(store: Store, args: argparse.Namespace) -> str:
    store.manifest(args.id)  # an unknown id is refused before the lock is taken
    with store.writer():
        previous = store.current_id()
        move = store.point_to(args.id, "promote", args.reason) if previous != args.id else None
    if args.format == "json":
        return _json({"snapshot": args.id, "previous": previous, "promoted": move is not None,
                      "move": move.model_dump(mode="json") if move else None})
    if move is None:
        return f"{args.id} is already the current snapshot: nothing changed"
    return f"promoted {args.id}: current was {previous or '(none)'}, recorded in the history by {move.by}"


def _prune(store: Store, args: argparse.Namespace) -> str:
    pruned = prune(store, args.keep_last, args.keep_daily, args.keep_monthly, dry_run=args.dry_run)
    if args.format == "json":
        return _json({"store": str(store.root), "current": store.current_id(), **pruned.model_dump(mode="json")})
    verb, freed = ("would remove", "would free") if pruned.dry_run else ("removed", "freed")
    title = f"Pruning {store.root}: {verb} {len(pruned.removed)} snapshots, {freed} {_size(pruned.bytes_freed)}"
    return _markdown(title, [Section("Kept", ["id", "why"], [[s, ", ".join(why)] for s, why in pruned.kept.items()]),
                             Section(verb.capitalize(), ["id", "size"],
                                     [[s, _size(n)] for s, n in pruned.removed.items()])])


# -- rendering --------------------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _moment(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}"


def _size(n: int) -> str:
    value, unit = float(n), "bytes"
    for larger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def _markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}"]
    for s in sections:
        lines += ["", f"## {s.title}", *([f"_{s.note}_", ""] if s.note else [""])]
        if not s.rows:
            lines.append("(none)")
            continue
        lines += [_md_row(s.header), "|" + "---|" * len(s.header), *map(_md_row, s.rows)]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
        "p.note{color:#666;font-style:italic}")


def _html(title: str, sections: list[Section]) -> str:
    """A self-contained page: styles inline, every text escaped."""
    e = html.escape
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"]
    for s in sections:
        parts.append(f"<h2>{e(s.title)}</h2>" + (f'<p class="note">{e(s.note)}</p>' if s.note else ""))
        if not s.rows:
            parts.append("<p>(none)</p>")
            continue
        head = "".join(f"<th>{e(h)}</th>" for h in s.header)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in s.rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(parts) + "</body></html>\n"
