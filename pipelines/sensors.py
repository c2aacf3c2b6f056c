"""Start a refresh only when a source changed, found out with cheap conditional requests.

A probe asks every configured source what it serves now: an http(s) source with the validators of its
latest fetch (a 304 means the bytes of that fetch), a file:// source by hashing the file. A source has
changed when what it would contribute to a snapshot — its fingerprint: bytes, config fields, parsers —
differs from what the current snapshot holds, or the snapshot does not hold it at all.

The probe only reads, so it asks with httpx rather than the Fetcher, which records every fetch in the raw
store. A probe runs outside the store's write lock, beside a refresh that may be fetching the same source,
and the next refresh decides from the raw store's latest record which validators it may send: a record
left by a probe would claim bytes were fetched that no refresh ever read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
from dagster import DefaultSensorStatus, RunRequest, SensorDefinition, SensorEvaluationContext, SkipReason, sensor

from kb_store import SourceEntry, Store
from pipelines.fetch import USER_AGENT, conditional_headers, origin
from pipelines.raw_store import RawDocument, RawStore
from pipelines.resources import HttpResource, SourcesResource, StoreResource
from pipelines.source_kinds import fingerprint
from pipelines.sources import Source, SourceConfig

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

PROBE_INTERVAL_SECONDS = 15 * 60


class ProbeFailed(Exception):
    """A source could not be asked; ``reached`` is False when its host did not answer at all."""

    def __init__(self, reason: str, reached: bool = True) -> None:
        super().__init__(reason)
        self.reached = reached


@dataclass(frozen=True)
class Change:
    name: str
    fingerprint: str  # what the source would contribute to a snapshot now
    reason: str


@dataclass(frozen=True)
class Probe:
    """What asking every source found, against the current snapshot (None before the first)."""

    snapshot: str | None
    current_since: str  # when CURRENT last moved: the same snapshot id can become current again
    changes: list[Change]
    unasked: dict[str, str]  # source name → why it could not be asked

    @property
    def run_key(self) -> str:
        """One run per current snapshot and new state of the changed sources. A change no refresh can
        publish (bytes that do not parse) starts one run, not one per probe; a further change starts another."""
        parts = [self.snapshot or "", self.current_since, *sorted(f"{c.name}={c.fingerprint}" for c in self.changes)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

    def summary(self) -> str:
        if self.snapshot is None:
            text = "no snapshot published yet"
        elif self.changes:
            text = "; ".join(f"{c.name}: {c.reason}" for c in self.changes)
        else:
            text = f"no source changed since snapshot {self.snapshot}"
        if self.unasked:
            text += f" ({len(self.unasked)} could not be asked: " + "; ".join(
                f"{name}: {reason}" for name, reason in self.unasked.items()) + ")"
        return text


def probe_sources(config: SourceConfig, store: Store, client: httpx.Client) -> Probe:
    """Ask every source of ``config`` whether it changed since ``store``'s current snapshot. Once a host
    could not be reached, its other sources are not asked: the probe must finish within a sensor tick."""
    current = store.current()
    held = {entry.name: entry for entry in current.sources} if current else {}
    moves = store.history()
    raw = RawStore(store.raw_dir)
    changes, unasked, unreachable = [], {}, set()
    for source in config.sources:
        host = origin(source.url)
        if host in unreachable:
            unasked[source.name] = f"skipped: {host} could not be reached"
            continue
        try:
            served = _served_sha256(source, raw.latest(source.name), client)
        except ProbeFailed as exc:
            unasked[source.name] = str(exc)
            if not exc.reached:
                unreachable.add(host)
            continue
        now = fingerprint(source, served)
        if reason := _change(held.get(source.name), served, now):
            changes.append(Change(source.name, now, reason))
    return Probe(snapshot=current.id if current else None, current_since=moves[-1].at.isoformat() if moves else "",
                 changes=changes, unasked=unasked)


def _change(held: SourceEntry | None, served: str, now: str) -> str | None:
    """Why a source serving ``served`` (fingerprint ``now``) is not what the snapshot holds, if it is not."""
    if held is None:
        return "not in the snapshot"
    if held.sha256 != served:
        return f"serves new bytes (sha256 {served[:12]}…, the snapshot holds {held.sha256[:12]}…)"
    if held.fingerprint != now:
        return "same bytes, but its config fields or the parsers changed"
    return None


def _served_sha256(source: Source, latest: RawDocument | None, client: httpx.Client) -> str:
    """The sha256 of the bytes ``source`` serves now."""
    if urlsplit(source.url).scheme == "file":
        return _file_sha256(source.url)
    # The validators of the latest fetch even when a snapshot does not hold its bytes (the refresh sends
    # none then, as it needs the bytes): a 304 still tells which bytes are served, and that is all a probe needs.
    headers = conditional_headers(latest, source.url)
    try:
        with client.stream("GET", source.url, headers=headers) as response:
            if response.status_code == 304 and latest is not None and headers:
                return latest.sha256
            if response.status_code != 200:
                raise ProbeFailed(f"HTTP {response.status_code} {response.reason_phrase}")
            digest = hashlib.sha256()
            for chunk in response.iter_bytes():
                digest.update(chunk)
            return digest.hexdigest()
    except (httpx.TimeoutException, httpx.NetworkError) as exc:
        raise ProbeFailed(f"could not be reached ({exc!r})", reached=False) from None
    except httpx.HTTPError as exc:
        raise ProbeFailed(f"request failed ({exc!r})") from None


def _file_sha256(url: str) -> str:
    try:
        with Path(url2pathname(urlsplit(url).path)).open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except FileNotFoundError:
        raise ProbeFailed("no such file") from None
    except OSError as exc:
        raise ProbeFailed(f"cannot read file ({exc.strerror})") from None


def http_client(http: HttpResource) -> httpx.Client:
    """A client with the refresh's timeouts and User-Agent; one attempt per source, the next tick is the retry."""
    return httpx.Client(timeout=httpx.Timeout(http.read_timeout, connect=http.connect_timeout),
                        headers={"User-Agent": USER_AGENT}, follow_redirects=True)


def sources_changed_sensor(job: UnresolvedAssetJobDefinition) -> SensorDefinition:
    """Starts ``job`` when a probe finds a changed source. Stopped until a person turns it on, like the
    daily schedule: a running sensor asks every source every 15 minutes and refreshes the store it is given."""

    @sensor(job=job, minimum_interval_seconds=PROBE_INTERVAL_SECONDS, default_status=DefaultSensorStatus.STOPPED)
    def sources_changed(context: SensorEvaluationContext, sources: SourcesResource, store: StoreResource,
                        http: HttpResource) -> RunRequest | SkipReason:
        """Refresh when a source changed since the current snapshot, asked with conditional requests."""
        with http_client(http) as client:
            probe = probe_sources(sources.load(), store.store(), client)
        if not probe.changes:
            return SkipReason(probe.summary())
        context.log.info(f"refresh: {probe.summary()}")
        return RunRequest(run_key=probe.run_key, tags={"lexgraph/changed": _names(probe.changes)})

    return sources_changed


def _names(changes: list[Change], shown: int = 10) -> str:
    """The changed sources for a run's tag: before the first snapshot every source has changed."""
    more = f" and {len(changes) - shown} more" if len(changes) > shown else ""
    return ",".join(change.name for change in changes[:shown]) + more
