"""Materialise the refresh's assets in-process: what ``lexgraph refresh`` and the tests run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult

from kb_store import CheckResult, Manifest, Quarantined, Store
from pipelines import stages
from pipelines.enforcement import EnforcementRecords
from pipelines.resources import (HttpResource, ProgressResource, RefreshOptions, SourcesResource, StoreResource,
                                 fetch_sources)


class Outcome(IntEnum):
    """How a refresh ended; the value is the command's exit code."""

    COMPLETE = 0  # every source fetched and read; a new snapshot published, or nothing changed
    NOTHING_PUBLISHED = 1  # a check failed, a stage crashed, or no source could be fetched: CURRENT stays
    KEPT = 3  # some sources stand in with earlier copies (they could not be fetched or read this time)


class RefreshFailed(RuntimeError):
    """Nothing was published: a check that guards publication failed, or a stage raised. The previous
    snapshot stays current; ``failed`` holds the checks that failed, with their details."""

    def __init__(self, message: str, failed: list[CheckResult] | None = None,
                 quarantined: list[Quarantined] | None = None) -> None:
        super().__init__(message)
        self.failed = failed or []
        self.quarantined = quarantined or []  # what could not be fetched, when that is known


@dataclass(frozen=True)
class RefreshReport:
    manifest: Manifest
    published: bool
    fetched: stages.Fetched
    parsed: stages.ParsedSources
    read: list[EnforcementRecords]
    seconds: dict[str, float]
    kept: list[stages.SourceUse] = field(default_factory=list)

    @property
    def quarantined(self) -> list[Quarantined]:
        """What this refresh could not fetch or read (the manifest of an unchanged snapshot tells an earlier one's)."""
        return self.parsed.quarantined + [q for records in self.read for q in records.quarantined]

    @property
    def outcome(self) -> Outcome:
        if not self.published and self.fetched.quarantined and not _fetched_fresh(self.fetched):
            return Outcome.NOTHING_PUBLISHED  # every fetch failed: old copies only, nothing learnt
        return Outcome.KEPT if self.kept else Outcome.COMPLETE


def _fetched_fresh(fetched: stages.Fetched) -> set[str]:
    return {doc.name for doc in fetched.documents} - fetched.kept.keys()


def refresh(config: Path, store: Path, display: Literal["log", "bar"] = "log", http: HttpResource | None = None,
            options: RefreshOptions | None = None, wait: bool = False) -> RefreshReport:
    """Fetch, parse, version, extract and publish, as the Dagster job does, holding the store's write lock.

    The sources are fetched first (conditional requests); when they would make the current snapshot again
    the refresh ends there, without starting Dagster, else the assets run over that fetch. Raises
    ``ConfigError`` before anything runs if the config cannot be used, ``StoreLocked`` if another refresh is
    writing (unless ``wait``), and ``RefreshFailed`` when nothing was published."""
    http, options = http or HttpResource(), options or RefreshOptions()
    resources = _resources(config, store, http, display)
    sources = resources["sources"].load()
    with Store(store).writer(wait=wait) as writing:
        fetched = fetch_sources(sources, resources["store"], http, resources["progress"], options.refetch)
        current = writing.current()
        if stages.unchanged_since(sources, fetched, current):
            return RefreshReport(manifest=current, published=False, fetched=fetched, parsed=_nothing_parsed(fetched),
                                 read=[], seconds={})
        # A new resource, not model_copy: Dagster builds a resource from its constructor's arguments.
        options = RefreshOptions(**{**options.model_dump(), "prefetched": fetched.model_dump_json()})
        try:
            return _materialize({**resources, "options": options}, fetched)
        except RefreshFailed as failed:
            raise RefreshFailed(str(failed), failed.failed, fetched.quarantined) from None


def rebuild(config: Path, store: Path, fetched: stages.Fetched, replaces: stages.Rebuild | None = None,
            display: Literal["log", "bar"] = "log") -> RefreshReport:
    """The assets over ``fetched``, copies the raw store holds (nothing is fetched), holding the store's
    lock: how ``lexgraph forget`` builds a snapshot again without what it erased. Published as current,
    through the same checks as a refresh; or, with ``replaces``, built in place of an older snapshot."""
    options = RefreshOptions(prefetched=fetched.model_dump_json(),
                             rebuild=replaces.model_dump_json() if replaces else "")
    with Store(store).writer():
        return _materialize({**_resources(config, store, HttpResource(), display), "options": options}, fetched)


def _resources(config: Path, store: Path, http: HttpResource, display: Literal["log", "bar"]) -> dict[str, Any]:
    # Sources come without those forgotten in the store: no refresh fetches them until `forget --undo`.
    return {"store": StoreResource(root=str(store)), "sources": SourcesResource(path=str(config), store=str(store)),
            "http": http, "progress": ProgressResource(display=display)}


def _nothing_parsed(fetched: stages.Fetched) -> stages.ParsedSources:
    return stages.ParsedSources(acts=[], corrigenda=[], quarantined=fetched.quarantined, used=[], parsed=0, cached=0)


def _materialize(resources: dict[str, object], fetched: stages.Fetched) -> RefreshReport:
    """The assets, in this process, over what ``fetched`` found."""
    from dagster import DagsterInstance, materialize, mem_io_manager  # slow to import: only when there is work

    from pipelines.assets import ASSETS, CHECKS

    # One process: assets hand their outputs over in memory, not pickled to disk and read back per step.
    resources = {**resources, "io_manager": mem_io_manager}
    with DagsterInstance.ephemeral() as instance:
        result = materialize([*ASSETS, *CHECKS], resources=resources, instance=instance, raise_on_error=False,
                             run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
        if not result.success:
            failed = _failed_checks(result)
            raise RefreshFailed(_failure(result, failed), failed)
        outputs = {name: result.output_for_node(name) for name in
                   ("parsed_documents", "decision_records", "fine_records", "snapshot")}
        published = result.asset_materializations_for_node("snapshot")[0].metadata["published"].value
        seconds = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(result.run_id)
                   if s.start_time and s.end_time}
    read = [outputs["decision_records"], outputs["fine_records"]]
    used = outputs["parsed_documents"].used + [use for records in read for use in records.used]
    return RefreshReport(manifest=outputs["snapshot"], published=published, fetched=fetched,
                         parsed=outputs["parsed_documents"], read=read, seconds=seconds,
                         kept=[use for use in used if use.kept])


def _failed_checks(result: ExecuteInProcessResult) -> list[CheckResult]:
    """The checks that stopped publication: blocking asset checks, and the snapshot's own guards."""
    failed = [CheckResult.model_validate(evaluation.metadata["result"].value)
              for evaluation in result.get_asset_check_evaluations() if "result" in evaluation.metadata]
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.user_failure_data:
            guards = event.step_failure_data.user_failure_data.metadata.get("failed checks")
            failed += [CheckResult.model_validate(check) for check in (guards.value if guards else [])]
    return [check for check in failed if check.blocks]


def _failure(result: ExecuteInProcessResult, failed: list[CheckResult]) -> str:
    """The failed checks, else the first failed step and the error it raised (not Dagster's wrapping of it)."""
    if failed:
        return "nothing published: check " + "; check ".join(f"{c.name} failed: {c.summary}" for c in failed)
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            return f"{event.step_key} failed: {error.message.strip() if error else 'unknown error'}"
    return "the refresh failed"
