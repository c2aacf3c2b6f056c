"""Retention of published snapshots, in the manner of restic's and borg's: keep the newest few, the newest
of each of the last days and of the last months that have one, and the current snapshot whatever the
policy says; remove the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from contextlib import nullcontext
from pathlib import Path
from enum import StrEnum

from pydantic import BaseModel

from kb_store.access import Clearance
from kb_store.manifest import Manifest
from kb_store.store import SnapshotInUse, Store


class Keep(StrEnum):
    """Why a snapshot is kept."""

    LAST = "last"
    DAILY = "daily"
    MONTHLY = "monthly"
    CURRENT = "current"
    IN_USE = "in_use"  # a reader (a service) holds a lease on it


# A snapshot's day and month are those of its creation, in UTC.
_PERIODS: dict[Keep, Callable[[dt.datetime], Hashable]] = {Keep.DAILY: lambda t: t.date(),
                                                           Keep.MONTHLY: lambda t: (t.year, t.month)}


class Pruned(BaseModel):
    kept: dict[str, list[Keep]]  # id → why, oldest first
    removed: dict[str, int]  # id → bytes it took, oldest first
    bytes_freed: int
    dry_run: bool


def prune_plan(manifests: Sequence[Manifest], current_id: str | None, keep_last: int = 0, keep_daily: int = 0,
               keep_monthly: int = 0, in_use: frozenset[str] = frozenset()) -> tuple[dict[str, list[Keep]], list[str]]:
    """The snapshots to keep (id → why) and those to remove, both oldest first. ``keep_daily`` counts the
    last days that have a snapshot, not calendar days; so does ``keep_monthly`` with months."""
    if min(keep_last, keep_daily, keep_monthly) < 0:
        raise ValueError("a retention policy keeps zero or more snapshots, not fewer")
    if not (keep_last or keep_daily or keep_monthly):
        raise ValueError("this policy would keep only the current snapshot: give --keep-last, --keep-daily "
                         "or --keep-monthly")
    newest = sorted(manifests, key=lambda m: (_utc(m.created), m.id), reverse=True)
    why: dict[str, list[Keep]] = {}
    chosen = {Keep.LAST: newest[:keep_last], Keep.DAILY: _newest_per(newest, Keep.DAILY)[:keep_daily],
              Keep.MONTHLY: _newest_per(newest, Keep.MONTHLY)[:keep_monthly],
              Keep.CURRENT: [m for m in newest if m.id == current_id],
              Keep.IN_USE: [m for m in newest if m.id in in_use]}
    for reason, kept in chosen.items():
        for manifest in kept:
            why.setdefault(manifest.id, []).append(reason)
    oldest_first = [m.id for m in reversed(newest)]
    return {i: why[i] for i in oldest_first if i in why}, [i for i in oldest_first if i not in why]


def _newest_per(newest: list[Manifest], period: Keep) -> list[Manifest]:
    """The newest snapshot of each period that has one, newest period first."""
    found: dict[Hashable, Manifest] = {}
    for manifest in newest:
        found.setdefault(_PERIODS[period](_utc(manifest.created)), manifest)
    return list(found.values())


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def prune(store: Store, keep_last: int = 0, keep_daily: int = 0, keep_monthly: int = 0,
          dry_run: bool = False) -> Pruned:
    """Remove the snapshots the policy does not keep, holding the store's lock (so that CURRENT cannot move
    meanwhile), and never one a reader holds a lease on; a dry run removes nothing and says what would go."""
    with nullcontext() if dry_run else store.writer():
        manifests = store.snapshots()
        in_use = frozenset(m.id for m in manifests if store.in_use(m.id))
        kept, remove = prune_plan(manifests, store.current_id(), keep_last, keep_daily, keep_monthly, in_use)
        removed = {snapshot: disk_usage(store, snapshot) for snapshot in remove}
        if not dry_run:
            for snapshot in remove:
                try:
                    store.remove(snapshot)
                except SnapshotInUse:  # leased since the plan was made
                    kept[snapshot] = [Keep.IN_USE]
                    del removed[snapshot]
    return Pruned(kept=kept, removed=removed, bytes_freed=sum(removed.values()), dry_run=dry_run)


def disk_usage(store: Store, snapshot: str, reader: Clearance | None = None) -> int:
    """The bytes a snapshot takes: its graph, its export and its manifest (and its views); as a reader of
    ``reader`` labels sees it, those of the view it reads alone."""
    folder = store.view_dir(snapshot, reader)
    if reader is not None and folder == store.snapshot_dir(snapshot):
        return sum(path.stat().st_size for path in _files(folder) if "views" not in path.relative_to(folder).parts)
    return sum(path.stat().st_size for path in _files(folder))


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]
