"""Open snapshots shared by the requests of a long-running reader (the HTTP service): each snapshot's graph
is opened once and reused, leased against pruning while open, and the current one is followed as
``CURRENT`` moves, without a restart.

A request takes one snapshot for its whole length (``with pool.use(None, reader) as opened``), as the
view its reader's labels see (``kb_store.access``; each view of a snapshot is opened once): a move of
``CURRENT`` meanwhile changes what later requests get, never what this one reads. The new current
snapshot is opened and warmed (its indexes built) before requests are switched to it, so none waits on
that; a snapshot no request has used for a while, and that is not the one served, is closed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb_store.access import Clearance, clearance, view_key, visible_in
from kb_store.enforcement import EnforcementFilter
from kb_store.engine import Engine
from kb_store.manifest import Manifest
from kb_store.read import Reader
from kb_store.store import Lease, Store, UnknownSnapshot

if TYPE_CHECKING:
    from kb_store.prompt import PromptBuilder

_log = logging.getLogger(__name__)
_WARM_QUESTION = "Who must appoint a data protection officer?"  # builds the prompt indexes once, up front
_ANONYMOUS = clearance([])  # what a request without a key reads: the view warmed first


@dataclass(eq=False)
class OpenSnapshot:
    """One snapshot's open graph, its reader and (built on first use) its prompt builder, sharing one engine.
    Kùzu serialises the queries of one connection, so the threads of a service may share it."""

    manifest: Manifest
    reader: Reader
    _engine: Engine
    _lease: Lease | None
    users: int = 0  # requests reading it now
    last_used: float = field(default_factory=time.monotonic)
    _builder: PromptBuilder | None = None
    _builder_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def snapshot(self) -> str:
        return self.manifest.id

    def builder(self) -> PromptBuilder:
        """The prompt builder, built once (its indexes take seconds) however many requests ask at once."""
        with self._builder_lock:
            if self._builder is None:
                from kb_store.prompt import PromptBuilder  # the prompt stack loads only where prompts are built

                self._builder = PromptBuilder(self._engine, self.manifest)
            return self._builder

    def warm(self) -> None:
        """Build what the first requests would otherwise wait for: provision ids, prompt indexes."""
        self.reader.decisions(EnforcementFilter(), limit=1)  # reads the provision ids a filter resolves against
        self.builder().build(_WARM_QUESTION, as_of=dt.date(2020, 1, 1))

    def close(self) -> None:
        self._engine.close()
        if self._lease is not None:
            self._lease.release()


class SnapshotPool:
    """The open snapshots of one store, for many threads. ``use(None)`` gives the snapshot served as current
    (``CURRENT`` as last followed), ``use(id)`` a named one, opened on first use."""

    def __init__(self, store_root: Path, idle_seconds: float = 300.0, warm: bool = True) -> None:
        self.store = Store(Path(store_root))
        self._idle_seconds = idle_seconds
        self._warm = warm
        self._open: dict[tuple[str, str], OpenSnapshot] = {}  # by (snapshot, view key; "" for its whole graph)
        self._labels: dict[str, Clearance] = {}  # each snapshot's labels: read once, they never change
        self._lock = threading.Lock()  # guards _open, users and _serving
        self._opening = threading.Lock()  # one snapshot opened at a time: a second request for it waits
        self._serving: str | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def serving(self) -> str | None:
        """The snapshot requests for the current one get now."""
        return self._serving

    def open_ids(self) -> list[str]:
        with self._lock:
            return sorted({snapshot for snapshot, _ in self._open})

    @contextmanager
    def use(self, snapshot: str | None, reader: Clearance | None = None) -> Iterator[OpenSnapshot]:
        """Hold one snapshot, as a reader of ``reader`` labels sees it (None: all of it), for the length of
        a request: it is neither closed nor pruned meanwhile."""
        if snapshot is None:
            snapshot = self._serving or self.follow()
            if snapshot is None:
                raise UnknownSnapshot("no published snapshot in this store yet")
        opened = self._acquire(snapshot, reader)
        try:
            yield opened
        finally:
            with self._lock:
                opened.users -= 1
                opened.last_used = time.monotonic()

    def follow(self) -> str | None:
        """Switch to the snapshot ``CURRENT`` names, once it is open and warm; returns the one served."""
        current = self.store.current_id()
        if current is not None and current != self._serving:
            opened = self._acquire(current, _ANONYMOUS)  # held while warming: not closed as idle meanwhile
            try:
                if self._warm:
                    try:
                        opened.warm()
                    except (LookupError, ValueError) as exc:  # a snapshot of fine tables alone has no law to ask
                        _log.warning("snapshot %s not warmed: %s", current, exc)
            finally:
                with self._lock:
                    opened.users -= 1
                    self._serving = current
            _log.info("serving snapshot %s", current)
        self._close_idle()
        return self._serving

    def watch(self, interval: float = 1.0) -> None:
        """Follow ``CURRENT`` from a background thread, every ``interval`` seconds, until ``close``."""
        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.follow()
                except Exception:  # a bad moment (a snapshot pruned meanwhile) must not stop following
                    _log.exception("could not follow CURRENT in %s", self.store.root)

        self._watcher = threading.Thread(target=run, name="lexgraph-follow-current", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join()
        with self._lock:
            for opened in self._open.values():
                opened.close()
            self._open.clear()

    def _acquire(self, snapshot: str, reader: Clearance | None) -> OpenSnapshot:
        key = (snapshot, self._view(snapshot, reader))
        with self._lock:
            if (opened := self._open.get(key)) is not None:
                opened.users += 1
                return opened
        with self._opening:  # opened outside the pool's lock: requests on open snapshots go on meanwhile
            with self._lock:
                if (opened := self._open.get(key)) is not None:
                    opened.users += 1
                    return opened
            opened = self._open_snapshot(snapshot, reader)
            with self._lock:
                self._open[key] = opened
                opened.users += 1
                return opened

    def _view(self, snapshot: str, reader: Clearance | None) -> str:
        """The key of the view ``reader`` reads of ``snapshot``: "" for its whole graph."""
        if (labels := self._labels.get(snapshot)) is None:
            try:
                labels = self._labels.setdefault(snapshot, self.store.manifest(snapshot).labels)
            except UnknownSnapshot:
                raise UnknownSnapshot(f"no snapshot {snapshot!r} in this store; GET /snapshots lists them") from None
        visible = visible_in(labels, reader)
        return "" if visible is None else view_key(visible)

    def _open_snapshot(self, snapshot: str, reader: Clearance | None) -> OpenSnapshot:
        """Lease, then open read-only. A store the service may not write (a read-only replica's volume)
        takes no lease: nothing prunes it from this side."""
        try:
            lease: Lease | None = self.store.lease(snapshot)
        except UnknownSnapshot:
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in this store; GET /snapshots lists them") from None
        except OSError as exc:
            _log.warning("no lease on %s (%s): reading it unleased", snapshot, exc)
            lease = None
        try:
            manifest, engine = self.store.open(snapshot, reader)
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        return OpenSnapshot(manifest=manifest, reader=Reader(engine, manifest), _engine=engine, _lease=lease)

    def _close_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [key for key, o in self._open.items()
                    if key[0] != self._serving and not o.users and now - o.last_used > self._idle_seconds]
            for key in idle:
                self._open.pop(key).close()
                _log.info("closed idle snapshot %s%s", key[0], f" (view {key[1]})" if key[1] else "")
