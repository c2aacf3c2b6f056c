"""What changed from one snapshot to another, read from their Parquet exports (engine-neutral: no graph
database is opened). Node rows are matched by primary key, relationship rows by their two end keys.

A node can change key: a decision is named after its best source, so when a better-ranked source joins
it, it is the same decision under a new id. Relationships that give each node at one end at most one
partner at the other (a source record reports one decision, a fine belongs to one decision) recognise
it, and the diff reports it as changed, its key among its changed fields, rather than removed and added.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, Literal

import pyarrow.parquet as pq
from pydantic import BaseModel

from kb_store.access import Clearance, Role, clearance_of
from kb_store.store import Store
from schema.graph import NODE_TABLES, REL_TABLES, NodeTable, RelTable

Row = dict[str, Any]
Tables = dict[str, list[Row]]
Renames = dict[str, dict[str, str]]  # node table → {key in a: key in b}
Change = Literal["changed", "added", "removed"]
_ORDER = {"changed": 0, "added": 1, "removed": 2}
_SOURCE_FIELDS = ("kind", "sha256", "fingerprint", "records", "kept")
_CHECK_FIELDS = ("passed", "severity", "summary")


class FieldChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class RowChange(BaseModel):
    """One example: the row's key (as ``b`` names it; as ``a`` did for a removed row) and, for a changed
    row, its changed fields; for an added or removed row, its values."""

    change: Change
    key: list[str]
    fields: list[FieldChange] = []
    values: Row = {}


class TableDiff(BaseModel):
    table: str
    kind: Literal["node", "relationship"]
    rows_a: int
    rows_b: int
    added: int
    removed: int
    changed: int
    rekeyed: int  # of the changed rows, those whose key changed too
    examples: list[RowChange]


class EntryChange(BaseModel):
    """A manifest entry (a source, a check) only one snapshot has, or that the two have differently."""

    name: str
    change: Change
    fields: list[FieldChange]


class SnapshotDiff(BaseModel):
    a: str
    b: str
    examples: int  # at most this many examples of each kind of change per table, by key
    grep: str | None  # examples only of rows with a value containing this text; counts are of every row
    tables: list[TableDiff]
    sources: list[EntryChange]
    checks: list[EntryChange]


def diff_snapshots(store: Store, a: str, b: str, examples: int = 10, grep: str | None = None,
                   role: Role | None = None) -> SnapshotDiff:
    """What ``b`` holds that ``a`` did not, and the other way round, as ``role`` sees them (None: all)."""
    reader = clearance_of(role)
    old, new = store.manifest(a, reader), store.manifest(b, reader)  # refuses an unknown id
    rows_a, rows_b = _read(store, a, reader), _read(store, b, reader)
    renames = _renames(rows_a, rows_b)
    tables = [_diff_table(table, rows_a[table.name], rows_b[table.name], renames, examples, grep)
              for table in (*NODE_TABLES, *REL_TABLES)]
    return SnapshotDiff(a=a, b=b, examples=examples, grep=grep, tables=tables,
                        sources=_entries(old.sources, new.sources, _SOURCE_FIELDS),
                        checks=_entries(old.checks, new.checks, _CHECK_FIELDS))


def _read(store: Store, snapshot: str, reader: Clearance | None) -> Tables:
    """Every table's rows; a table an older export lacks is empty."""
    folder = store.tables_dir(snapshot, reader)
    return {table.name: pq.read_table(path).to_pylist() if (path := folder / f"{table.name}.parquet").exists()
            else [] for table in (*NODE_TABLES, *REL_TABLES)}


def _key_fields(table: NodeTable | RelTable) -> tuple[tuple[str, str], ...]:
    """(field, node table it names) for each field of the row's key."""
    if isinstance(table, RelTable):
        return (table.source[1], table.source[0]), (table.target[1], table.target[0])
    return ((table.key, table.name),)


# -- nodes that changed key ---------------------------------------------------------------------------
def _renames(old: Tables, new: Tables) -> Renames:
    """Removed and added nodes that are one node re-keyed: through a relationship naming one partner per
    node, a node that is the same in both snapshots names the partner's old and new key."""
    only = {t.name: _only(old[t.name], new[t.name], t.key) for t in NODE_TABLES}
    links = []  # (anchor table, partner table, anchor → partner in a, the same in b)
    for rel in REL_TABLES:
        for anchor, partner in ((rel.source, rel.target), (rel.target, rel.source)):
            before, after = (_partners(rows[rel.name], anchor[1], partner[1]) for rows in (old, new))
            if before is not None and after is not None:
                links.append((anchor[0], partner[0], before, after))
    renames: Renames = {t.name: {} for t in NODE_TABLES}
    for _ in NODE_TABLES:  # a re-keyed node identifies its partners in the next round (a decision its fine)
        pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for anchor, partner, before, after in links:
            (removed, added), moved = only[partner], renames[anchor]
            pairs[partner] |= {(x, y) for z, x in before.items()
                               if x in removed and (y := after.get(moved.get(z, z))) in added}
        found = {t.name: _one_to_one(pairs[t.name]) for t in NODE_TABLES}
        if found == renames:
            break
        renames = found
    return renames


def _only(old: list[Row], new: list[Row], key: str) -> tuple[set[str], set[str]]:
    """The keys only ``old`` has, and those only ``new`` has."""
    was, now = {row[key] for row in old}, {row[key] for row in new}
    return was - now, now - was


def _partners(rows: list[Row], anchor: str, partner: str) -> dict[str, str] | None:
    """Each anchor's one partner; None if some anchor has several (the relationship identifies nothing)."""
    found: dict[str, str] = {}
    for row in rows:
        if found.setdefault(row[anchor], row[partner]) != row[partner]:
            return None
    return found


def _one_to_one(pairs: set[tuple[str, str]]) -> dict[str, str]:
    """The pairs whose old key and new key each occur in no other pair: an ambiguous match is no match."""
    olds, news = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    return {x: y for x, y in pairs if olds[x] == news[y] == 1}


# -- rows ------------------------------------------------------------------------------------------------
def _diff_table(table: NodeTable | RelTable, old: list[Row], new: list[Row], renames: Renames, examples: int,
                grep: str | None) -> TableDiff:
    fields = _key_fields(table)
    before: dict[tuple, list[Row]] = defaultdict(list)
    after: dict[tuple, list[Row]] = defaultdict(list)
    for row in old:  # keyed as ``b`` names the nodes, so that a re-keyed node meets itself
        before[tuple(renames[t].get(row[f], row[f]) for f, t in fields)].append(row)
    for row in new:
        after[tuple(row[f] for f, _ in fields)].append(row)
    changes = [change for key in sorted(before.keys() | after.keys())
               for change in _diff_rows([f for f, _ in fields], key, before.get(key, []), after.get(key, []))]
    count, key_fields = Counter(c.change for c in changes), {f for f, _ in fields}
    rekeyed = sum(1 for c in changes if any(f.field in key_fields for f in c.fields))
    return TableDiff(table=table.name, kind="relationship" if isinstance(table, RelTable) else "node",
                     rows_a=len(old), rows_b=len(new), added=count["added"], removed=count["removed"],
                     changed=count["changed"], rekeyed=rekeyed, examples=_examples(changes, examples, grep))


def _diff_rows(fields: list[str], key: tuple, old: list[Row], new: list[Row]) -> list[RowChange]:
    """The rows under one key: one on each side and different is a change; otherwise what is not on both
    sides was added or removed."""
    if len(old) == len(new) == 1:
        differ = _fields(old[0], new[0])
        return [RowChange(change="changed", key=list(key), fields=differ)] if differ else []
    removed, added = _unmatched(fields, key, old, new) if old and new else (old, new)
    return ([RowChange(change="removed", key=[row[f] for f in fields], values=row) for row in removed]
            + [RowChange(change="added", key=[row[f] for f in fields], values=row) for row in added])


def _unmatched(fields: list[str], key: tuple, old: list[Row], new: list[Row]) -> tuple[list[Row], list[Row]]:
    """Of several rows under one key (a provision citing another twice), those the other side lacks."""
    renamed = [_canonical({**row, **dict(zip(fields, key))}) for row in old]
    kept = [_canonical(row) for row in new]
    return _beyond(old, renamed, kept), _beyond(new, kept, renamed)


def _canonical(row: Row) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def _beyond(rows: list[Row], forms: list[str], others: list[str]) -> list[Row]:
    """The rows (as ``forms``) that ``others`` does not also hold, counting repeats."""
    extra = Counter(forms) - Counter(others)
    found = []
    for row, form in zip(rows, forms):
        if extra[form]:
            extra[form] -= 1
            found.append(row)
    return found


def _fields(old: Row, new: Row) -> list[FieldChange]:
    return [FieldChange(field=f, old=old.get(f), new=new.get(f)) for f in dict.fromkeys([*old, *new])
            if old.get(f) != new.get(f)]


def _examples(changes: list[RowChange], limit: int, grep: str | None) -> list[RowChange]:
    """The first ``limit`` changes of each kind (by key) that mention ``grep``: changed, added, removed."""
    taken: Counter[str] = Counter()
    picked = []
    for change in changes:
        if taken[change.change] < limit and (grep is None or grep.lower() in _text(change)):
            taken[change.change] += 1
            picked.append(change)
    return sorted(picked, key=lambda c: _ORDER[c.change])


def _text(change: RowChange) -> str:
    values = [*change.key, *(v for f in change.fields for v in (f.old, f.new)), *change.values.values()]
    return " ".join(map(str, values)).lower()


# -- the manifests -------------------------------------------------------------------------------------
def _entries(old: Sequence[BaseModel], new: Sequence[BaseModel], compared: tuple[str, ...]) -> list[EntryChange]:
    """Entries by name: those only one side has, and those whose ``compared`` fields differ."""
    def pick(entry: BaseModel | None) -> dict[str, Any]:
        return {f: getattr(entry, f) for f in compared} if entry is not None else {}

    before, after = {e.name: e for e in old}, {e.name: e for e in new}
    changes = []
    for name in sorted(before.keys() | after.keys()):
        differ = _fields(pick(before.get(name)), pick(after.get(name)))
        if differ:
            change = "added" if name not in before else "removed" if name not in after else "changed"
            changes.append(EntryChange(name=name, change=change, fields=differ))
    return changes
