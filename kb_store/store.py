"""A store directory: raw documents, cached parses, and the published snapshots.

Layout::

    raw/                          content-addressed fetched bytes and their fetch records
    parsed/                       parse results cached by what determines them: re-parsing needs no re-fetch
    graphs/<id>/graph.kuzu        the snapshot's read-only graph database
    graphs/<id>/tables/*.parquet  the same graph as one Parquet file per table (engine-neutral export)
    graphs/<id>/manifest.json     its manifest
    graphs/<id>/views/<labels>/   the same three for a reader of fewer access labels (``kb_store.access``)
    graphs/.build-<id>-<pid>/     a snapshot being built; renamed to graphs/<id> once complete
    CURRENT                       the id of the current snapshot, replaced atomically
    history.jsonl                 every move of CURRENT: when, from, to, by whom, why
    LOCK                          held by the one writer
    leases/<id>                   locked (shared) by each process reading snapshot <id>; removal waits for none

A snapshot directory appears only complete (built elsewhere, then renamed), is never written again,
and becomes visible to readers only when ``CURRENT`` names it: a reader never opens a half-written
graph, and a crash at any point leaves the previous snapshot current.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from kb_store.access import Clearance, view_key, visible_in
from kb_store.crash import crash_point
from kb_store.engine import Engine
from kb_store.load import import_tables, write_tables
from kb_store.manifest import Manifest, PointerMove

SNAPSHOT_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # what a snapshot id may be: a folder name, never a path
_SNAPSHOT_ID = re.compile(SNAPSHOT_ID)
_BUILD_PREFIX = ".build-"
_HELD: set[Path] = set()  # stores whose write lock this process holds


class StoreLocked(RuntimeError):
    """Another process is writing to the store."""


class UnknownSnapshot(LookupError):
    """No snapshot of that id (or none current at that time) in the store."""


class SnapshotInUse(RuntimeError):
    """A reader holds a lease on the snapshot: it is not removed from under it."""


class Lease:
    """A reader's hold on one snapshot: a shared ``flock`` on ``leases/<id>``, which the kernel releases
    when the process ends, so a crashed reader never pins a snapshot. ``Store.remove`` takes the lock
    exclusively, so it never removes a snapshot that a live process has leased."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a+", encoding="utf-8")
        fcntl.flock(self._file, fcntl.LOCK_SH)  # waits only while a removal holds it

    def release(self) -> None:
        if not self._file.closed:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw_dir = self.root / "raw"
        self.parsed_dir = self.root / "parsed"
        self.graphs_dir = self.root / "graphs"
        self._pointer = self.root / "CURRENT"
        self._history = self.root / "history.jsonl"
        self._leases = self.root / "leases"

    # -- reading ---------------------------------------------------------------------------------
    def current_id(self) -> str | None:
        try:
            return self._pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> Manifest | None:
        snapshot = self.current_id()
        return self.manifest(snapshot) if snapshot else None

    def manifest(self, snapshot: str, reader: Clearance | None = None) -> Manifest:
        """``snapshot``'s manifest as a reader of ``reader`` labels sees it (None: all of it)."""
        if not self.has(snapshot):
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        return _read_manifest(self.view_dir(snapshot, reader))

    def has(self, snapshot: str) -> bool:
        return (self.snapshot_dir(snapshot) / "manifest.json").exists()

    def snapshots(self, reader: Clearance | None = None) -> list[Manifest]:
        """Every published snapshot, oldest first (builds in progress and stray folders are none)."""
        if not self.graphs_dir.is_dir():
            return []
        found = [self.manifest(d.name, reader) for d in self.graphs_dir.iterdir()
                 if _SNAPSHOT_ID.match(d.name) and self.has(d.name)]
        return sorted(found, key=lambda m: (m.created, m.id))

    def history(self) -> list[PointerMove]:
        try:
            lines = self._history.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [PointerMove.model_validate_json(line) for line in lines if line.strip()]

    def current_at(self, at: dt.datetime) -> str:
        """The snapshot that was current at ``at`` (a timezone-aware time)."""
        history = self.history()
        moves = [move for move in history if move.at <= at]
        if not moves:
            since = f"; the first was published {history[0].at.isoformat()}" if history else ""
            raise UnknownSnapshot(f"no snapshot was current at {at.isoformat()} in {self.root}{since}")
        if not self.has(moves[-1].current):
            raise UnknownSnapshot(f"snapshot {moves[-1].current} was current at {at.isoformat()} but has been pruned")
        return moves[-1].current

    def snapshot_dir(self, snapshot: str) -> Path:
        if not _SNAPSHOT_ID.match(snapshot):
            raise UnknownSnapshot(f"not a snapshot id: {snapshot!r}")
        return self.graphs_dir / snapshot

    def view_dir(self, snapshot: str, reader: Clearance | None = None) -> Path:
        """The folder of what a reader of ``reader`` labels reads of ``snapshot``: the snapshot's own, or
        that of the view of the labels it may see (None: every label)."""
        folder = self.snapshot_dir(snapshot)
        if reader is None:
            return folder
        visible = visible_in(_read_manifest(folder).labels, reader)
        return folder if visible is None else folder / "views" / view_key(visible)

    def graph_path(self, snapshot: str, reader: Clearance | None = None) -> Path:
        return self.view_dir(snapshot, reader) / "graph.kuzu"

    def tables_dir(self, snapshot: str, reader: Clearance | None = None) -> Path:
        return self.view_dir(snapshot, reader) / "tables"

    def open(self, snapshot: str | None = None, reader: Clearance | None = None) -> tuple[Manifest, Engine]:
        """The manifest and read-only graph of ``snapshot`` (default: the current one), as a reader of
        ``reader`` labels sees it (None: all of it)."""
        snapshot = snapshot or self.current_id()
        if snapshot is None:
            raise UnknownSnapshot(f"no published snapshot in {self.root}: "
                                  f"run `lexgraph refresh --store {self.root}` first")
        if not self.has(snapshot):
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        folder = self.view_dir(snapshot, reader)  # once: it reads the snapshot's manifest for its labels
        return _read_manifest(folder), Engine(folder / "graph.kuzu", read_only=True)

    def open_current(self) -> Engine:
        return self.open()[1]

    # -- leases (readers) -----------------------------------------------------------------------------
    def lease(self, snapshot: str) -> Lease:
        """Hold ``snapshot`` against removal until the lease is released (or the process ends). The
        snapshot is looked for again once the lease is held: one found then stays until it is released."""
        if not self.has(snapshot):  # looked for first too, so that asking for unknown ids leaves no files
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        lease = Lease(self._leases / snapshot)
        if not self.has(snapshot):  # removed while the lease was being taken
            lease.release()
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        return lease

    def in_use(self, snapshot: str) -> bool:
        """Whether a live process holds a lease on ``snapshot``."""
        with self._exclusive(snapshot) as free:
            return not free

    @contextmanager
    def _exclusive(self, snapshot: str) -> Iterator[bool]:
        """Try to take ``snapshot``'s lease lock exclusively: yields whether no reader holds it."""
        path = self._leases / self.snapshot_dir(snapshot).name  # the id checked: a name, not a path
        if not path.exists():
            yield True
            return
        with open(path, "a+", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- writing (one writer, holding the lock) ---------------------------------------------------
    @contextmanager
    def writer(self, wait: bool = False) -> Iterator[Store]:
        """Hold the store's write lock; a second writer waits (``wait``) or is refused with who holds it.
        Re-entrant within a process: the refresh holds it throughout, its publish step takes it again."""
        key = self.root.resolve()
        if key in _HELD:
            yield self
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "LOCK", "a+", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                raise StoreLocked(f"{self.root} is being written by another refresh ({holder}); wait for it "
                                  "to finish, or pass --wait to queue behind it") from None
            lock.truncate(0)
            lock.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n")
            lock.flush()
            _HELD.add(key)
            try:
                self._recover()
                yield self
            finally:
                _HELD.discard(key)
                fcntl.flock(lock, fcntl.LOCK_UN)

    def build(self, manifest: Manifest, tables: Mapping[str, Iterable[BaseModel]],
              views: Mapping[str, tuple[Manifest, Mapping[str, Iterable[BaseModel]]]] | None = None) -> Manifest:
        """Build a complete snapshot (export, graph, manifest, and each of ``views`` by its key) aside, then
        rename it into place. A snapshot that exists is never rebuilt: the same id means the same inputs."""
        self._require_lock()
        if self.has(manifest.id):
            return self.manifest(manifest.id)
        build = self.graphs_dir / f"{_BUILD_PREFIX}{manifest.id}-{os.getpid()}"
        _remove(build)
        for key, (view, view_tables) in (views or {}).items():
            _build_graph(build / "views" / key, view, view_tables)
        manifest = _build_graph(build, manifest, tables)
        _fsync_tree(build)
        os.replace(build, self.snapshot_dir(manifest.id))
        _fsync(self.graphs_dir)
        return manifest

    def point_to(self, snapshot: str, action: str, reason: str = "") -> PointerMove:
        """Make ``snapshot`` current and record the move."""
        self._require_lock()
        if not self.has(snapshot):
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in {self.graphs_dir}")
        previous = self.current_id()
        _write_durably(self._pointer, snapshot + "\n")
        crash_point("pointer_switch")
        return self._record_move(previous, snapshot, action, reason)

    def publish(self, manifest: Manifest, tables: Mapping[str, Iterable[BaseModel]],
                views: Mapping[str, tuple[Manifest, Mapping[str, Iterable[BaseModel]]]] | None = None) -> Manifest:
        """Build the snapshot (unless it exists) and make it current."""
        manifest = self.build(manifest, tables, views)
        self.point_to(manifest.id, "publish")
        return manifest

    def remove(self, snapshot: str) -> None:
        """Delete a snapshot that is not current and that no reader holds a lease on."""
        self._require_lock()
        if snapshot == self.current_id():
            raise ValueError(f"{snapshot} is the current snapshot: promote another one before removing it")
        with self._exclusive(snapshot) as free:
            if not free:
                raise SnapshotInUse(f"{snapshot} is being read (a process holds its lease): it stays")
            _remove(self.snapshot_dir(snapshot))
            # A reader waiting on the lock meanwhile then finds the snapshot gone; the file can go too.
            _remove(self._leases / snapshot)

    def _recover(self) -> None:
        """Undo what a crashed writer left: builds never renamed into place (no reader knows them), and a
        move of CURRENT that did not reach the history."""
        if self.graphs_dir.is_dir():
            for leftover in self.graphs_dir.glob(f"{_BUILD_PREFIX}*"):
                _remove(leftover)
        current, history = self.current_id(), self.history()
        last = history[-1].current if history else None
        if current and current != last:
            self._record_move(last, current, "publish", "recorded after an interrupted refresh")

    def _record_move(self, previous: str | None, current: str, action: str, reason: str) -> PointerMove:
        move = PointerMove(at=dt.datetime.now(dt.UTC), action=action, previous=previous, current=current,
                           by=user_name(), reason=reason)
        append_durably(self._history, move.model_dump_json() + "\n")
        return move

    def _require_lock(self) -> None:
        if self.root.resolve() not in _HELD:
            # Without a lock, two writers interleave and CURRENT can name a graph still being written.
            raise RuntimeError("writing to a store needs its lock: use `with store.writer():`")


def _read_manifest(folder: Path) -> Manifest:
    return Manifest.model_validate_json((folder / "manifest.json").read_text(encoding="utf-8"))


def _build_graph(folder: Path, manifest: Manifest, tables: Mapping[str, Iterable[BaseModel]]) -> Manifest:
    """The export, the graph and the manifest (with the counts) of one graph, in ``folder``."""
    counts = write_tables(folder / "tables", tables)
    import_tables(folder / "graph.kuzu", folder / "tables")
    manifest = manifest.model_copy(update={"counts": counts})
    _write_durably(folder / "manifest.json", manifest.model_dump_json(indent=2))
    return manifest


def user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _write_durably(path: Path, text: str) -> None:
    """Write to a temporary name, fsync, rename over ``path``, fsync the folder: all or nothing, on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def append_durably(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Every file and folder of a build on disk before it is renamed into place."""
    for path in [*root.rglob("*"), root]:
        _fsync(path)


def _fsync(path: Path) -> None:
    """fsync a file or a folder (a folder's entries: the names of what was renamed into it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
