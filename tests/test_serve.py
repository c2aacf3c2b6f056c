"""The HTTP service on the offline corpus, as a real process on 127.0.0.1: every endpoint answers what the
command line prints for the same read, names its snapshot, caches what is pinned, refuses bad requests
with a 4xx and a message, and holds to its own OpenAPI schema under schemathesis."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from kb_store import Store
from pipelines.cli import main as cli
from tests.serving import Service


@pytest.fixture(scope="module")
def replica(offline_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline store's published part alone (its current snapshot, CURRENT, the history): what a
    replica synced from the publishing store holds, and all the service reads."""
    root = tmp_path_factory.mktemp("replica")
    snapshot = Store(offline_store).current_id()
    shutil.copytree(offline_store / "graphs" / snapshot, root / "graphs" / snapshot)
    for name in ("CURRENT", "history.jsonl"):
        shutil.copy2(offline_store / name, root / name)
    return root


@pytest.fixture(scope="module")
def service(replica: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    served = Service(replica, tmp_path_factory.mktemp("logs") / "serve.log")
    try:
        yield served.wait_ready()
    finally:
        served.stop()


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def current(replica: Path) -> str:
    return Store(replica).current_id()


def cli_json(capsys: pytest.CaptureFixture, *args: str) -> dict:
    code = cli([*args, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_the_schema_and_the_docs_are_published(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/healthz", "/snapshots", "/snapshots/{snapshot}", "/snapshots/{a}/diff/{b}",
                                    "/provisions/{provision}", "/decisions", "/prompt"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


def test_health_names_the_snapshot_served(client: httpx.Client, current: str) -> None:
    health = client.get("/healthz").json()
    assert health == {"status": "ok", "serving": current, "current": current, "open": [current]}


def test_snapshots_list_the_current_one_and_show_its_manifest(client: httpx.Client, current: str,
                                                              replica: Path) -> None:
    listed = client.get("/snapshots").json()
    assert listed["current"] == listed["serving"] == current
    assert [s["id"] for s in listed["snapshots"] if s["current"]] == [current]
    one = client.get(f"/snapshots/{current}")
    assert one.json()["manifest"] == json.loads(Store(replica).manifest(current).model_dump_json())
    assert one.headers["cache-control"].endswith("immutable") and one.headers["etag"]


def test_a_diff_of_a_snapshot_with_itself_changes_nothing(client: httpx.Client, current: str) -> None:
    diff = client.get(f"/snapshots/{current}/diff/{current}", params={"examples": 2}).json()
    assert (diff["a"], diff["b"]) == (current, current)
    assert diff["tables"] and all(t["added"] == t["removed"] == t["changed"] == 0 for t in diff["tables"])


def test_a_provision_reads_as_show_prints_it(client: httpx.Client, replica: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    answer = client.get("/provisions/art_17", params={"as_of": "2021-03-01", "lang": "fr"})
    assert answer.status_code == 200
    assert answer.json() == cli_json(capsys, "show", "art_17", "--as-of", "2021-03-01", "--lang", "fr",
                                     "--store", str(replica))
    by_citation = client.get("/provisions/Artikel 17 DSGVO", params={"as_of": "2021-03-01", "lang": "de"}).json()
    assert by_citation["id"] == "eu/reg/2016/679/art_17" and by_citation["lang"] == "de"


def test_decisions_read_as_enforcement_prints_them(client: httpx.Client, replica: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    params = {"country": "ES", "cites": "Art. 6", "before": "2020-01-01", "fined": "true", "limit": "5",
              "offset": "2"}
    answer = client.get("/decisions", params=params).json()
    printed = cli_json(capsys, "enforcement", "--country", "ES", "--cites", "Art. 6", "--before", "2020-01-01",
                       "--fined", "--limit", "5", "--offset", "2", "--store", str(replica))
    assert answer == printed
    assert answer["count"] == 5 and answer["total"] > 7


def test_a_prompt_is_what_the_prompt_command_prints(client: httpx.Client, replica: Path, current: str,
                                                    capsys: pytest.CaptureFixture) -> None:
    asked = {"question": "Can a French hospital refuse to erase patient records?", "as_of": "2021-03-01",
             "country": "FR", "persona": {"audience": "dpo", "lang": "fr"}, "budget_tokens": 2000,
             "snapshot": current}
    answer = client.post("/prompt", json=asked)
    assert answer.status_code == 200, answer.text
    printed = cli_json(capsys, "prompt", asked["question"], "--as-of", "2021-03-01", "--country", "FR",
                       "--persona", "dpo", "--lang", "fr", "--budget", "2000", "--snapshot", current,
                       "--store", str(replica))
    assert answer.json() == printed
    assert answer.headers["x-lexgraph-snapshot"] == current


def test_a_pinned_read_is_immutable_and_answers_304(client: httpx.Client, current: str) -> None:
    pinned = client.get("/decisions", params={"country": "NO", "snapshot": current})
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert pinned.headers["x-lexgraph-snapshot"] == current == pinned.json()["snapshot"]
    again = client.get("/decisions", params={"country": "NO", "snapshot": current},
                       headers={"If-None-Match": pinned.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == pinned.headers["etag"]
    other = client.get("/decisions", params={"country": "SE", "snapshot": current},
                       headers={"If-None-Match": pinned.headers["etag"]})
    assert other.status_code == 200 and other.headers["etag"] != pinned.headers["etag"]
    unpinned = client.get("/decisions", params={"country": "NO"})
    assert unpinned.headers["cache-control"] == "no-cache" and unpinned.json() == pinned.json()
    undated = client.get("/provisions/art_5", params={"snapshot": current})  # as of today: changes by the day
    assert undated.headers["cache-control"] == "no-cache"


BIG = "Which article says what? " * 45_000  # over 1 MB


@pytest.mark.parametrize(("method", "url", "body", "status", "message"), [
    ("GET", "/provisions/art_17?snapshot=0123456789abcdef", None, 404, "no snapshot '0123456789abcdef' in this store"),
    ("GET", "/snapshots/0123456789abcdef", None, 404, "no snapshot '0123456789abcdef' in this store"),
    ("GET", "/snapshots/..%2F..%2Fetc", None, 404, "nothing at '/snapshots/../../etc'"),
    ("GET", "/snapshots/%2E%2E", None, 422, "snapshot: String should match pattern"),
    ("GET", "/decisions?snapshot=..%2Fraw", None, 422, "snapshot: String should match pattern"),
    ("GET", "/snapshots/{current}/diff/..%2Fgraphs", None, 404, "nothing at"),
    ("POST", "/prompt", {"question": BIG}, 413, "is over the limit of 65,536 bytes"),
    ("POST", "/prompt", {"question": "why? " * 1000}, 422, "question: String should have at most 4000 characters"),
    ("POST", "/prompt", {"question": "erasure", "snapshot": "../x"}, 422, "snapshot: String should match pattern"),
    ("POST", "/prompt", {"question": "   "}, 400, "the question is empty"),
    ("POST", "/prompt", {"question": "erasure", "country": "XX"}, 400, "no country 'XX' in the graph"),
    ("GET", "/decisions?limit=1000000000", None, 422, "limit: Input should be less than or equal to 200"),
    ("GET", "/decisions?offset=-1", None, 422, "offset: Input should be greater than or equal to 0"),
    ("GET", "/decisions?after=2021-02-30", None, 422, "after: Input should be a valid date"),
    ("GET", "/decisions?before=yesterday", None, 422, "before: Input should be a valid date"),
    ("GET", "/provisions/art_17?as_of=2021-13-01", None, 422, "as_of: Input should be a valid date"),
    ("POST", "/prompt", {"question": "erasure", "as_of": "01/03/2021"}, 422, "as_of: Input should be a valid date"),
    ("GET", "/decisions?country=Atlantis", None, 400, "no country 'Atlantis'"),
    ("GET", "/decisions?cites=Article 999", None, 400, "names no provision the snapshot has"),
    ("GET", "/provisions/art_17?lang=xx", None, 404, "has no wording in 'xx'"),
    ("GET", "/provisions/art_17?lang=english", None, 422, "lang: String should match pattern"),
    ("GET", "/nothing/here", None, 404, "the endpoints are listed at /docs"),
])
def test_a_bad_request_gets_a_4xx_and_a_clear_message(client: httpx.Client, current: str, method: str, url: str,
                                                      body: dict | None, status: int, message: str) -> None:
    answer = client.request(method, url.format(current=current), json=body)
    assert answer.status_code == status, answer.text
    assert list(answer.json()) == ["error"] and message in answer.json()["error"]
    assert "Traceback" not in answer.text and "/graphs/" not in answer.text


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(service: Service) -> None:
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    ran = []

    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=schema.as_strategy())
    def run(case: schemathesis.Case) -> None:
        ran.append(case.operation.label)
        case.call_and_validate(base_url=service.url, checks=checks, timeout=60)

    run()
    assert len(set(ran)) == 7, sorted(set(ran))  # every operation was called
