"""Materialise the refresh's assets in-process: what ``lexgraph refresh`` and the tests run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster import AssetKey, DagsterInstance, ResourceDefinition, materialize

from kb_store.store import Manifest
from pipelines import stages
from pipelines.assets import ASSETS, CHECKS
from pipelines.progress import LogReporter, Reporter
from pipelines.resources import HttpResource, SourcesResource, StoreResource


class RefreshFailed(RuntimeError):
    """A stage raised: the previous snapshot stays current."""


@dataclass(frozen=True)
class RefreshReport:
    manifest: Manifest
    published: bool
    fetched: stages.Fetched
    parsed: stages.ParsedSources
    seconds: dict[str, float]


def refresh(config: Path, store: Path, progress: Reporter | None = None, http: HttpResource | None = None) -> RefreshReport:
    """Fetch, parse, version, extract and publish, as the Dagster job does; raises RefreshFailed on a crash."""
    resources = {
        "store": StoreResource(root=str(store)),
        "sources": SourcesResource(path=str(config)),
        "http": http or HttpResource(),
        "progress": ResourceDefinition.hardcoded_resource(progress or LogReporter()),
    }
    with DagsterInstance.ephemeral() as instance:
        result = materialize([*ASSETS, *CHECKS], resources=resources, instance=instance, raise_on_error=False,
                             run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
        if not result.success:
            raise RefreshFailed(_failure(result))
        outputs = {name: result.output_for_node(name) for name in ("raw_documents", "parsed_documents")}
        manifest = result.output_for_node("graph")
        published = result.asset_materializations_for_node("graph")[0].metadata["published"].value
        seconds = _step_seconds(result)
    return RefreshReport(manifest=manifest, published=published, fetched=outputs["raw_documents"],
                         parsed=outputs["parsed_documents"], seconds=seconds)


def _failure(result) -> str:
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            return f"{event.step_key} failed: {error.message.strip() if error else 'unknown error'}"
    return "the refresh failed"


def _step_seconds(result) -> dict[str, float]:
    starts, seconds = {}, {}
    for event in result.all_events:
        if event.is_step_start:
            starts[event.step_key] = event.timestamp
        elif event.is_step_success and event.step_key in starts:
            seconds[event.step_key] = event.timestamp - starts[event.step_key]
    return seconds
