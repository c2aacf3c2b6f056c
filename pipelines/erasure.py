"""``lexgraph forget``: erase a source from the store — its bytes, its cached parses, and every snapshot
that holds it — and keep it out of later refreshes until ``forget --undo``.

The current snapshot is built again without the source by the refresh's own assets, over the copies the
raw store holds, and published through the same checks. An older snapshot is built again in its place
where that reproduces it less the source (each other source's bytes still stored, its config entry and
the parsers unchanged: the same fingerprint), and dropped otherwise. What was erased is logged by hash
(``pipelines.erasure_log``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kb_store import Manifest, Store
from pipelines import erasure_log as log
from pipelines.erasure_log import Fate, Forgotten, SnapshotErased
from pipelines.parse_cache import ParseCache
from pipelines.raw_store import RawDocument, RawStore
from pipelines.source_kinds import fingerprint
from pipelines.sources import SourceConfig, load_config
from pipelines.stages import Fetched, Rebuild


class UnknownSource(LookupError):
    """No source of that name in the config or the store."""


class NothingToForget(LookupError):
    """The source is forgotten already and nothing of it is left in the store."""


class ForgetRefused(RuntimeError):
    """Erasing now would break something else, or cannot be done whole: nothing was erased."""


@dataclass(frozen=True)
class ForgetReport:
    sources: list[str]
    sha256: list[str]  # the bytes erased
    parses: int
    snapshots: list[SnapshotErased]
    current: str | None  # the current snapshot afterwards


def forget(config: Path, store_root: Path, names: list[str], reason: str = "", wait: bool = False,
           display: Literal["log", "bar"] = "log") -> ForgetReport:
    """Erase the sources ``names`` (or folders of them) from ``store_root``; ``config`` is the source config
    the store is refreshed with (rebuilt snapshots read the other sources' entries from it)."""
    store, given = Store(store_root), sorted(set(names))
    raw, gone = RawStore(store.raw_dir), Forgotten(frozenset(given))
    with store.writer(wait=wait):
        configured = load_config(config)
        _check_known(given, configured, store, raw, config)
        holding = [m for m in store.snapshots() if _holds(m, gone)]
        shas = _erased_bytes(holding, raw, gone)
        if not holding and not shas and gone.names <= log.forgotten(store.root).names:
            raise NothingToForget(f"{', '.join(given)}: forgotten already, and nothing of it is left in "
                                  f"{store.root}; `lexgraph forget --undo` lets later refreshes fetch it again")
        _check_erasable(store, raw, holding, shas, gone)
        log.append(store.root, log.entry("forget", given, reason=reason))  # from here on no refresh reads them
        rest = log.without_forgotten(configured, log.forgotten(store.root))
        fates = _rebuild_all(config, store, raw, rest, holding, gone, display)
        removed = raw.forget(gone.covers)
        parses = ParseCache(store.parsed_dir).forget(shas)
        erased = sorted(shas | removed)
        log.append(store.root, log.entry("erased", given, reason=reason, sha256=erased, parses=parses,
                                         snapshots=fates))
        return ForgetReport(sources=given, sha256=erased, parses=parses, snapshots=fates, current=store.current_id())


def undo(store_root: Path, names: list[str], reason: str = "") -> list[str]:
    """Let later refreshes fetch the forgotten sources ``names`` again; returns them."""
    store, given = Store(store_root), sorted(set(names))
    with store.writer():
        forgotten = log.forgotten(store.root).names
        if missing := [name for name in given if name not in forgotten]:
            listed = ", ".join(sorted(forgotten)) or "none"
            raise UnknownSource(f"not forgotten in {store.root}: {', '.join(missing)} (forgotten: {listed})")
        log.append(store.root, log.entry("undo", given, reason=reason))
    return given


def _check_known(given: list[str], configured: SourceConfig, store: Store, raw: RawStore, config: Path) -> None:
    """Every name is a source (or a folder) of the config, of a snapshot, of the raw store, or forgotten."""
    known = {s.name for s in configured.sources} | {s.group for s in configured.decisions if s.group}
    known |= {s.name for m in store.snapshots() for s in m.sources} | {doc.name for doc in raw.fetches()}
    known |= log.forgotten(store.root).names
    for name in given:
        if name not in known and not any(Forgotten(frozenset({name})).covers(k) for k in known):
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownSource(f"no source named {name!r} in {config} or in the store {store.root}{hint}")


def _holds(manifest: Manifest, gone: Forgotten) -> bool:
    """The snapshot holds the source, or names it among what it quarantined."""
    return any(gone.covers(s.name) for s in [*manifest.sources, *manifest.quarantined])


def _erased_bytes(holding: list[Manifest], raw: RawStore, gone: Forgotten) -> set[str]:
    shas = {doc.sha256 for doc in raw.fetches() if gone.covers(doc.name)}
    shas |= {s.sha256 for m in holding for s in [*m.sources, *m.quarantined] if gone.covers(s.name) and s.sha256}
    return shas


def _check_erasable(store: Store, raw: RawStore, holding: list[Manifest], shas: set[str], gone: Forgotten) -> None:
    """Refuse before anything is erased: bytes that another source serves too, a snapshot being read, a
    current snapshot with nothing else in it."""
    others = {doc.name for doc in raw.fetches() if doc.sha256 in shas and not gone.covers(doc.name)}
    others |= {s.name for m in store.snapshots() for s in m.sources if s.sha256 in shas and not gone.covers(s.name)}
    if others:
        raise ForgetRefused(f"the same bytes are also the source {', '.join(sorted(others))}: forget "
                            f"{'it' if len(others) == 1 else 'them'} too (--source is repeatable)")
    if read := [m.id for m in holding if store.in_use(m.id)]:
        raise ForgetRefused(f"snapshot {', '.join(read)} is being read (a process holds its lease): stop its "
                            "readers (a `lexgraph serve` holds the snapshots it serves) and run forget again")
    current = store.current()
    if current in holding and all(gone.covers(s.name) for s in current.sources):
        raise ForgetRefused(f"the current snapshot {current.id} holds nothing else: there is no snapshot to "
                            "publish without it; refresh other sources first")


def _rebuild_all(config: Path, store: Store, raw: RawStore, rest: SourceConfig, holding: list[Manifest],
                 gone: Forgotten, display: Literal["log", "bar"]) -> list[SnapshotErased]:
    """The current snapshot rebuilt without the sources and published, then each older one holding them,
    oldest first, rebuilt in its place or dropped; each removed once replaced."""
    current = store.current_id()
    fates = [_rebuild_current(config, store, raw, rest, m, gone, display) for m in holding if m.id == current]
    renamed: dict[str | None, str | None] = {}
    for manifest in (m for m in holding if m.id != current):
        fates.append(_rebuild_older(config, store, raw, rest, manifest, gone, renamed, display))
        renamed[manifest.id] = fates[-1].rebuilt_as
    for fate in fates:
        store.remove(fate.snapshot)
    return fates


def _rebuild_current(config: Path, store: Store, raw: RawStore, rest: SourceConfig, manifest: Manifest,
                     gone: Forgotten, display: Literal["log", "bar"]) -> SnapshotErased:
    """Built again as a refresh would build it now (today's config entries and parsers) and published."""
    from pipelines.refresh import RefreshFailed, rebuild  # Dagster loads slowly: only when there is work

    fetched, why_not = _inputs(manifest, raw, rest, gone, exact=False)
    if fetched is None:
        raise ForgetRefused(f"the current snapshot {manifest.id} cannot be built again: {why_not}. "
                            f"{_STILL_FORGOTTEN}")
    try:
        report = rebuild(config, store.root, fetched, display=display)
    except RefreshFailed as failed:
        raise ForgetRefused(f"the current snapshot {manifest.id} could not be built again: {failed}. "
                            f"{_STILL_FORGOTTEN}") from None
    return SnapshotErased(snapshot=manifest.id, fate=Fate.REBUILT, rebuilt_as=report.manifest.id, current=True)


_STILL_FORGOTTEN = ("Nothing was erased; the sources stay out of later refreshes: run forget again once the "
                    "cause is fixed, or `lexgraph forget --undo`")


def _rebuild_older(config: Path, store: Store, raw: RawStore, rest: SourceConfig, manifest: Manifest,
                   gone: Forgotten, renamed: dict[str | None, str | None],
                   display: Literal["log", "bar"]) -> SnapshotErased:
    """Built again where that reproduces it less the sources (same fingerprints), else dropped."""
    from pipelines.refresh import RefreshFailed, rebuild

    fetched, why_not = _inputs(manifest, raw, rest, gone, exact=True)
    if fetched is None:
        return SnapshotErased(snapshot=manifest.id, fate=Fate.DROPPED, reason=why_not)
    replaces = Rebuild(of=manifest.id, created=manifest.created, parent=renamed.get(manifest.parent, manifest.parent))
    try:
        report = rebuild(config, store.root, fetched, replaces, display)
    except RefreshFailed as failed:
        return SnapshotErased(snapshot=manifest.id, fate=Fate.DROPPED, reason=f"its rebuild failed: {failed}")
    return SnapshotErased(snapshot=manifest.id, fate=Fate.REBUILT, rebuilt_as=report.manifest.id)


def _inputs(manifest: Manifest, raw: RawStore, rest: SourceConfig, gone: Forgotten,
            exact: bool) -> tuple[Fetched | None, str]:
    """The copies ``manifest``'s other sources were built from, if they can build it again (else why not);
    ``exact``: only if each is read as it was then (the same fingerprint)."""
    documents: list[RawDocument] = []
    kept = {}
    for held in manifest.sources:
        if gone.covers(held.name):
            continue
        copy = raw.find(held.name, held.sha256)
        if copy is None:
            return None, f"the bytes of {held.name} it holds are no longer in the raw store"
        try:
            entry = rest[held.name]
        except KeyError:
            return None, f"{held.name} is not in the source config"
        if exact and fingerprint(entry.model_copy(update={"url": held.url}), held.sha256) != held.fingerprint:
            return None, f"{held.name} was read with another config entry or parser version than the config's"
        documents.append(copy)
        if held.kept:
            kept[held.name] = held.kept
    if not documents:
        return None, "it holds no other source"
    return Fetched(documents=documents, changed=[], quarantined=[], kept=kept), ""
