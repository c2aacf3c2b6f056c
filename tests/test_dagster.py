"""What ``dagster dev`` loads: definitions and a job run free of Dagster's warnings, groups in the order the
data flows, one writer, and the sensor that starts a refresh only when a source changed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from dagster import AssetKey, DagsterInstance, RunRequest, SkipReason, build_sensor_context
from dagster._core.instance.ref import InstanceRef

from kb_store import Store
from pipelines.assets import snapshot
from pipelines.definitions import defs
from pipelines.refresh import refresh
from pipelines.resources import HttpResource, SourcesResource, StoreResource
from pipelines.sensors import http_client, probe_sources
from pipelines.sources import load_config
from tests.conftest import REPO
from tests.http_server import Reply, Server

ACT, CORRIGENDUM = "gdpr_32016R0679_formex_original_en.xml", "gdpr_32016R0679_formex_corrigendum_2018_en.xml"
HTTP = HttpResource(connect_timeout=1, read_timeout=5, attempts=2, backoff=0.01)

# In a fresh process: a warning at import time shows only in the process that first imports the module.
# Recorded, not turned into errors: AssetSelection.from_string swallows any error, a BetaWarning included.
_WARNING_FREE = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from dagster import DagsterInstance, Definitions
    from pipelines.definitions import defs
    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("refresh")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
print(json.dumps({"warnings": [f"{w.category.__name__}: {w.message}" for w in caught], "success": result.success,
                  "materialized": sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()),
                  "checks": len(result.get_asset_check_evaluations())}))
"""


def _config(entries: dict[str, tuple[str, str]], valid_from: str = "2016-05-04") -> str:
    """TOML for GDPR documents, name (ending in ``act`` or ``corrigendum``) → ("url" or "path", where)."""
    kinds = {"act": f'celex = "32016R0679"\nformat = "formex_act"\nvalid_from = {valid_from}\n',
             "corrigendum": 'celex = "32016R0679R(02)"\nformat = "formex_corrigendum"\n'}
    return "\n".join(f'[[document]]\nname = "{name}"\nlang = "en"\n{kinds[name.rsplit("_", 1)[-1]]}'
                     f'{key} = {json.dumps(where)}\nlicence = "reuse authorised"\nattribution = "© European Union"\n'
                     for name, (key, where) in entries.items())


@pytest.fixture
def http_store(tmp_path: Path, eurlex_server: Server) -> tuple[Path, Path]:
    """A store refreshed from the act and its corrigendum served over HTTP, and the config it came from."""
    config = tmp_path / "http.toml"
    config.write_text(_config({"gdpr_act": ("url", eurlex_server.url(ACT)),
                               "gdpr_corrigendum": ("url", eurlex_server.url(CORRIGENDUM))}))
    assert refresh(config, tmp_path / "store", http=HTTP).published
    return config, tmp_path / "store"


def test_definitions_load_and_the_refresh_job_runs_without_a_warning(tmp_path: Path, eurlex: Path) -> None:
    config = tmp_path / "files.toml"
    config.write_text(_config({"gdpr_act": ("path", str(eurlex / ACT)),
                               "gdpr_corrigendum": ("path", str(eurlex / CORRIGENDUM))}))
    env = {**os.environ, "LEXGRAPH_CONFIG": str(config), "LEXGRAPH_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-c", _WARNING_FREE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(done.stdout.strip().splitlines()[-1])
    assert run["warnings"] == []
    assert run["success"] and len(run["materialized"]) == len(defs.resolve_all_asset_specs())
    assert run["checks"] == len(defs.resolve_asset_graph().asset_check_keys), "the job runs every check"
    assert Store(tmp_path / "store").current() is not None


def test_groups_follow_the_data_from_sources_to_the_snapshot() -> None:
    order = ["sources", "eurlex", "enforcement", "snapshot"]
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    flows = {(specs[dep.asset_key].group_name, spec.group_name) for spec in specs.values() for dep in spec.deps}
    backwards = {(a, b) for a, b in flows if order.index(a) > order.index(b)}
    assert not backwards, f"groups feed back: {backwards}"
    assert {spec.group_name for spec in specs.values()} == set(order)
    assert specs[AssetKey("snapshot")].group_name == "snapshot"


def test_the_snapshot_has_one_writer_and_goes_stale_only_after_a_missed_daily_refresh(tmp_path: Path) -> None:
    assert snapshot.op.pool == "lexgraph_store"
    # What `dagster dev` run from the checkout uses: a temporary home, configured by ./dagster.yaml.
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path), config_dir=str(REPO))) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    (spec,) = [spec for spec in defs.resolve_all_asset_specs() if spec.key == AssetKey("snapshot")]
    # Longer than the daily schedule's period, else the snapshot would go stale every day before 03:00.
    assert spec.freshness_policy.fail_window.to_timedelta() > dt.timedelta(days=1)


def test_the_sensor_skips_while_nothing_changed_and_starts_a_refresh_naming_the_changed_source(
        http_store: tuple[Path, Path], eurlex_server: Server, eurlex: Path) -> None:
    config, store = http_store
    sensor = next(s for s in defs.sensors if s.name == "sources_changed")
    resources = {"sources": SourcesResource(path=str(config)), "store": StoreResource(root=str(store)), "http": HTTP}
    asked = len(eurlex_server.requests)

    skipped = sensor(build_sensor_context(resources=resources))
    assert isinstance(skipped, SkipReason)
    assert skipped.skip_message == f"no source changed since snapshot {Store(store).current_id()}"
    again = eurlex_server.requests[asked:]
    assert len(again) == 2 and all("If-None-Match" in seen.headers for seen in again), "one conditional GET a source"

    eurlex_server.serve(CORRIGENDUM, Reply(body=(eurlex / CORRIGENDUM).read_bytes() + b"\n"))
    requested = sensor(build_sensor_context(resources=resources))
    assert isinstance(requested, RunRequest) and requested.tags["lexgraph/changed"] == "gdpr_corrigendum"
    assert sensor(build_sensor_context(resources=resources)).run_key == requested.run_key, "one run per change"


def test_a_probe_sends_only_conditional_requests_answered_304_until_the_bytes_change(
        http_store: tuple[Path, Path], eurlex_server: Server, eurlex: Path) -> None:
    config, store = http_store
    records, statuses = _raw_records(store), []
    with httpx.Client(event_hooks={"response": [lambda response: statuses.append(response.status_code)]}) as client:
        unchanged = probe_sources(load_config(config), Store(store), client)
        eurlex_server.serve(ACT, Reply(body=(eurlex / ACT).read_bytes().replace(b"</", b"\n</", 1)))
        changed = probe_sources(load_config(config), Store(store), client)
    assert unchanged.changes == [] and unchanged.unasked == {}
    assert statuses == [304, 304, 200, 304]
    assert [(c.name, c.reason.split(" (")[0]) for c in changed.changes] == [("gdpr_act", "serves new bytes")]
    assert _raw_records(store) == records, "a probe writes nothing to the raw store"


def _raw_records(store: Path) -> tuple[bytes, ...]:
    return tuple(path.read_bytes() for path in sorted((store / "raw").rglob("*")) if path.is_file())


def test_a_probe_of_files_hashes_them_and_asks_an_unreachable_host_once(tmp_path: Path, eurlex: Path) -> None:
    corrigendum = tmp_path / CORRIGENDUM
    corrigendum.write_bytes((eurlex / CORRIGENDUM).read_bytes())
    files = {"gdpr_act": ("path", str(eurlex / ACT)), "gdpr_corrigendum": ("path", str(corrigendum))}
    config, store = tmp_path / "files.toml", tmp_path / "store"
    config.write_text(_config(files))
    with http_client(HTTP) as client:
        assert probe_sources(load_config(config), Store(store), client).summary() == "no snapshot published yet"
        refresh(config, store)
        assert probe_sources(load_config(config), Store(store), client).changes == []

        corrigendum.write_bytes(corrigendum.read_bytes() + b"\n")
        down = {"gdpr_gone_act": ("url", "http://127.0.0.1:9/act.xml"),
                "gdpr_gone_corrigendum": ("url", "http://127.0.0.1:9/corrigendum.xml")}
        (tmp_path / "edited.toml").write_text(_config(files | down, valid_from="2016-05-25"))
        probe = probe_sources(load_config(tmp_path / "edited.toml"), Store(store), client)
    assert {c.name: c.reason.split(" (")[0] for c in probe.changes} == {
        "gdpr_act": "same bytes, but its config fields or the parsers changed",
        "gdpr_corrigendum": "serves new bytes"}
    assert probe.unasked["gdpr_gone_act"].startswith("could not be reached")
    assert probe.unasked["gdpr_gone_corrigendum"] == "skipped: http://127.0.0.1:9 could not be reached"
