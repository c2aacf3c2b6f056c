"""Materialise the refresh's assets in-process: what ``lexgraph refresh`` and the tests run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dagster import DagsterInstance, materialize, mem_io_manager

from kb_store.store import Manifest
from pipelines import stages
from pipelines.assets import ASSETS, CHECKS
from pipelines.resources import HttpResource, ProgressResource, SourcesResource, StoreResource


class RefreshFailed(RuntimeError):
    """A stage raised: the previous snapshot stays current."""


@dataclass(frozen=True)
class RefreshReport:
    manifest: Manifest
    published: bool
    fetched: stages.Fetched
    parsed: stages.ParsedSources
    seconds: dict[str, float]


def refresh(config: Path, store: Path, display: Literal["log", "bar"] = "log",
            http: HttpResource | None = None) -> RefreshReport:
    """Fetch, parse, version, extract and publish, as the Dagster job does; raises RefreshFailed on a crash."""
    resources = {
        "store": StoreResource(root=str(store)),
        "sources": SourcesResource(path=str(config)),
        "http": http or HttpResource(),
        "progress": ProgressResource(display=display),
        # One process: assets hand their outputs over in memory, not pickled to disk and read back per step.
        "io_manager": mem_io_manager,
    }
    with DagsterInstance.ephemeral() as instance:
        result = materialize([*ASSETS, *CHECKS], resources=resources, instance=instance, raise_on_error=False,
                             run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
        if not result.success:
            raise RefreshFailed(_failure(result))
        outputs = {name: result.output_for_node(name) for name in ("raw_documents", "parsed_documents")}
        manifest = result.output_for_node("graph")
        published = result.asset_materializations_for_node("graph")[0].metadata["published"].value
        seconds = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(result.run_id)
                   if s.start_time and s.end_time}
    return RefreshReport(manifest=manifest, published=published, fetched=outputs["raw_documents"],
                         parsed=outputs["parsed_documents"], seconds=seconds)


def _failure(result) -> str:
    """The first failed step and the error it raised (not Dagster's wrapping of it)."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            return f"{event.step_key} failed: {error.message.strip() if error else 'unknown error'}"
    return "the refresh failed"

