from __future__ import annotations

import csv
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.fetch import USER_AGENT, Fetcher, FetchError
from pipelines.raw_store import RawStore
from pipelines.sources import Document
from tests.http_server import Reply, Server

HTML = "gdpr_32016R0679_eurlex_oj_en.html"  # 809,035 bytes
CORRIGENDUM = "gdpr_32016R0679_formex_corrigendum_2018_en.xml"  # 20,271 bytes


def document(url: str, name: str = "gdpr_html_en") -> Document:
    return Document(
        name=name,
        url=url,
        celex="32016R0679",
        lang="en",
        format="eurlex_html",
        licence="Commission Decision 2011/833/EU (reuse authorised)",
        attribution="© European Union, https://eur-lex.europa.eu",
    )


def objects(store: RawStore) -> list[Path]:
    return sorted(p for p in (store.root / "objects").rglob("*") if p.is_file())


def fetch_log(store: RawStore) -> list[dict[str, object]]:
    return [json.loads(line) for line in (store.root / "fetch_log.jsonl").read_text().splitlines()]


def refused_origin() -> str:
    """``http://127.0.0.1:<port>`` of a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def failures(fetcher: Fetcher, urls: list[str]) -> list[str]:
    """The reason each of ``urls`` failed, fetched in order as documents of their own."""
    reasons = []
    for i, url in enumerate(urls):
        with pytest.raises(FetchError, match=f": {re.escape(url)}$") as error:
            fetcher.fetch(document(url, name=f"doc{i}"))
        reasons.append(error.value.reason)
    return reasons


def skipped(origin: str, failed: str, last: str) -> str:
    return f"skipped: {origin} unreachable, {failed} failed this refresh (last: {last})"


@pytest.fixture
def manifest(eurlex: Path) -> dict[str, str]:
    with (eurlex / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row["sha256"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.fixture
def store(tmp_path: Path) -> RawStore:
    return RawStore(tmp_path / "raw")


@pytest.fixture
def fetcher(store: RawStore) -> Iterator[Fetcher]:
    with Fetcher(store, read_timeout=5.0, attempts=3, backoff=0.01) as fetcher:
        yield fetcher


def test_first_fetch_stores_the_real_bytes_with_provenance(
    eurlex_server: Server, fetcher: Fetcher, store: RawStore, manifest: dict[str, str], eurlex: Path
) -> None:
    result = fetcher.fetch(document(eurlex_server.url(HTML)))

    doc = result.document
    assert result.changed
    assert doc.sha256 == manifest[HTML]
    assert store.get(doc.sha256) == (eurlex / HTML).read_bytes()
    assert (doc.size, doc.status, doc.url) == (809_035, 200, eurlex_server.url(HTML))
    assert doc.etag and doc.last_modified and doc.content_type
    assert doc.fetched_at.utcoffset().total_seconds() == 0
    assert (doc.licence, doc.format, doc.lang, doc.celex) == (
        "Commission Decision 2011/833/EU (reuse authorised)", "eurlex_html", "en", "32016R0679"
    )
    assert store.latest("gdpr_html_en") == doc
    assert [entry["sha256"] for entry in fetch_log(store)] == [doc.sha256]
    assert objects(store) == [store.root / "objects" / doc.sha256[:2] / doc.sha256]
    assert eurlex_server.requests[0].headers["User-Agent"] == USER_AGENT


def test_second_fetch_is_conditional_and_unchanged(eurlex_server: Server, fetcher: Fetcher, store: RawStore) -> None:
    first = fetcher.fetch(document(eurlex_server.url(HTML)))
    second = fetcher.fetch(document(eurlex_server.url(HTML)))

    request = eurlex_server.requests[-1]
    assert request.headers["If-None-Match"] == first.document.etag
    assert request.headers["If-Modified-Since"] == first.document.last_modified
    assert not second.changed
    assert second.document == first.document
    assert len(objects(store)) == 1
    assert len(fetch_log(store)) == 1


def test_if_modified_since_alone_gives_304(eurlex_server: Server, fetcher: Fetcher, store: RawStore) -> None:
    eurlex_server.serve("act.xml", Reply(body=b"<ACT/>", headers={"Last-Modified": "Wed, 04 May 2016 00:00:00 GMT", "ETag": ""}))
    first = fetcher.fetch(document(eurlex_server.url("act.xml")))
    second = fetcher.fetch(document(eurlex_server.url("act.xml")))

    assert "If-None-Match" not in eurlex_server.requests[-1].headers
    assert not second.changed and second.document == first.document


def test_new_bytes_make_a_new_object_and_record(eurlex_server: Server, fetcher: Fetcher, store: RawStore) -> None:
    eurlex_server.serve("act.xml", Reply(body=b"<ACT>2016</ACT>"))
    first = fetcher.fetch(document(eurlex_server.url("act.xml")))
    eurlex_server.serve("act.xml", Reply(body=b"<ACT>2018</ACT>"))
    second = fetcher.fetch(document(eurlex_server.url("act.xml")))

    assert second.changed and second.document.sha256 != first.document.sha256
    assert store.get(second.document.sha256) == b"<ACT>2018</ACT>"
    assert store.get(first.document.sha256) == b"<ACT>2016</ACT>"
    assert store.latest("gdpr_html_en") == second.document
    assert len(fetch_log(store)) == 2


def test_server_error_then_success_is_retried(eurlex_server: Server, fetcher: Fetcher, manifest: dict[str, str]) -> None:
    eurlex_server.queue(CORRIGENDUM, Reply(500, b"busy"))
    result = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM)))

    assert eurlex_server.hits(CORRIGENDUM) == 2
    assert result.changed and result.document.sha256 == manifest[CORRIGENDUM]


def test_server_error_every_time_gives_up(eurlex_server: Server, fetcher: Fetcher, store: RawStore) -> None:
    eurlex_server.serve(CORRIGENDUM, Reply(503))
    url = eurlex_server.url(CORRIGENDUM)
    with pytest.raises(FetchError, match=f"HTTP 503 Service Unavailable after 3 attempts: {url}$"):
        fetcher.fetch(document(url))
    assert eurlex_server.hits(CORRIGENDUM) == 3
    assert store.latest("gdpr_html_en") is None


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (202, "Accepted")])
def test_client_errors_and_non_200_are_not_retried(eurlex_server: Server, fetcher: Fetcher, status: int, reason: str) -> None:
    eurlex_server.serve("x", Reply(status))
    url = eurlex_server.url("x")
    with pytest.raises(FetchError, match=f"^HTTP {status} {reason}: {url}$") as error:
        fetcher.fetch(document(url))
    assert (error.value.url, eurlex_server.hits("x")) == (url, 1)


def test_a_server_that_never_answers_times_out(eurlex_server: Server, store: RawStore) -> None:
    eurlex_server.serve(HTML, Reply(delay=30))
    url = eurlex_server.url(HTML)
    started = time.monotonic()
    with Fetcher(store, read_timeout=0.5, attempts=2, backoff=0.01) as fetcher:
        with pytest.raises(FetchError, match=rf"^timed out after 2 attempts \(read timeout 0.5 s\): {url}$"):
            fetcher.fetch(document(url))
    assert time.monotonic() - started < 3
    assert eurlex_server.hits(HTML) == 2


def test_connection_refused(store: RawStore) -> None:
    url = f"{refused_origin()}/x"
    with Fetcher(store, attempts=2, backoff=0.01) as fetcher:
        with pytest.raises(FetchError, match=f"^connection failed after 2 attempts .*: {url}$"):
            fetcher.fetch(document(url))


def test_unconditional_fetch_sends_no_validators_and_gets_the_body(eurlex_server: Server, fetcher: Fetcher,
                                                                   store: RawStore) -> None:
    # Validators that never change, whatever the body: only a request without them sees the new bytes.
    stale = {"ETag": '"v1"', "Last-Modified": "Wed, 04 May 2016 00:00:00 GMT"}
    url = eurlex_server.url("act.xml")
    eurlex_server.serve("act.xml", Reply(body=b"<ACT>2016</ACT>", headers=stale))
    first = fetcher.fetch(document(url))
    eurlex_server.serve("act.xml", Reply(body=b"<ACT>2018</ACT>", headers=stale))
    conditional = fetcher.fetch(document(url))
    unconditional = fetcher.fetch(document(url), conditional=False)

    asked, refetched = eurlex_server.requests[-2:]
    assert (asked.headers["If-None-Match"], asked.headers["If-Modified-Since"]) == (stale["ETag"], stale["Last-Modified"])
    assert not conditional.changed and conditional.document == first.document
    assert not {"If-None-Match", "If-Modified-Since"} & refetched.headers.keys()
    assert unconditional.changed and store.get(unconditional.document.sha256) == b"<ACT>2018</ACT>"
    assert store.latest("gdpr_html_en") == unconditional.document


def test_unconditional_fetch_of_the_same_bytes_is_unchanged(eurlex_server: Server, fetcher: Fetcher,
                                                           store: RawStore) -> None:
    first = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM)))
    second = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM)), conditional=False)

    assert not {"If-None-Match", "If-Modified-Since"} & eurlex_server.requests[-1].headers.keys()
    assert not second.changed and second.document == first.document
    assert len(fetch_log(store)) == 1


def test_a_refused_host_is_skipped_after_two_documents_and_another_host_still_fetches(
    eurlex_server: Server, store: RawStore
) -> None:
    origin = refused_origin()
    with Fetcher(store, attempts=2, backoff=0.01, host_failures=2) as fetcher:
        reasons = failures(fetcher, [f"{origin}/doc{i}.xml" for i in range(6)])
        live = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM), name="live"))

    assert all(reason.startswith("connection failed after 2 attempts (ConnectError(") for reason in reasons[:2])
    assert reasons[2:] == [skipped(origin, "2 documents", reasons[1])] * 4
    assert live.changed and store.latest("live") == live.document


HUNG_UP = r"connection failed after 2 attempts \(RemoteProtocolError\(.*\)\)"


@pytest.mark.parametrize(
    ("dead", "host_failures", "reason", "failed"),
    [
        (Reply(hang_up=True), 1, HUNG_UP, "1 document"),
        (Reply(hang_up=True), 3, HUNG_UP, "3 documents"),
        (Reply(delay=30), 2, r"timed out after 2 attempts \(read timeout 0.2 s\)", "2 documents"),
    ],
    ids=["hangs-up-1", "hangs-up-3", "stalls-2"],
)
def test_no_request_reaches_a_host_past_host_failures(
    eurlex: Path, store: RawStore, dead: Reply, host_failures: int, reason: str, failed: str
) -> None:
    paths = [f"doc{i}.xml" for i in range(6)]
    with Server(eurlex) as server, Fetcher(store, read_timeout=0.2, attempts=2, backoff=0.01,
                                          host_failures=host_failures) as fetcher:
        for path in paths:
            server.serve(path, dead)
        reasons = failures(fetcher, [server.url(path) for path in paths])
        origin = server.url("").rstrip("/")

    assert all(re.fullmatch(reason, got) for got in reasons[:host_failures])
    assert reasons[host_failures:] == [skipped(origin, failed, reasons[host_failures - 1])] * (6 - host_failures)
    # Two attempts for each document that failed, and not one request after.
    assert [seen.path for seen in server.requests] == [f"/{path}" for path in paths[:host_failures] for _ in range(2)]


def test_a_success_on_the_host_does_not_reset_its_failures(eurlex_server: Server, store: RawStore) -> None:
    for path in ("doc0.xml", "doc2.xml", "doc3.xml"):
        eurlex_server.serve(path, Reply(hang_up=True))
    with Fetcher(store, attempts=1, backoff=0.01, host_failures=2) as fetcher:
        failures(fetcher, [eurlex_server.url("doc0.xml")])
        fetcher.fetch(document(eurlex_server.url(CORRIGENDUM), name="live"))
        reasons = failures(fetcher, [eurlex_server.url(path) for path in ("doc2.xml", "doc3.xml")])

    assert reasons[1] == skipped(eurlex_server.url("").rstrip("/"), "2 documents", reasons[0])
    assert eurlex_server.hits("doc3.xml") == 0


@pytest.mark.parametrize(("status", "hits"), [(503, 2), (500, 2), (404, 1)])
def test_answers_do_not_count_as_an_unreachable_host(eurlex_server: Server, store: RawStore, status: int,
                                                      hits: int) -> None:
    paths = [f"doc{i}.xml" for i in range(3)]
    for path in paths:
        eurlex_server.serve(path, Reply(status))
    with Fetcher(store, attempts=2, backoff=0.01, host_failures=1) as fetcher:
        reasons = failures(fetcher, [eurlex_server.url(path) for path in paths])
        live = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM), name="live"))

    assert all(reason.startswith(f"HTTP {status} ") for reason in reasons)
    assert [eurlex_server.hits(path) for path in paths] == [hits] * 3
    assert live.changed


def test_host_failures_below_one_is_refused(store: RawStore) -> None:
    with pytest.raises(ValueError, match="^host_failures must be at least 1, not 0$"):
        Fetcher(store, host_failures=0)


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_a_body_over_the_size_limit_is_refused(eurlex_server: Server, store: RawStore, eurlex: Path, length: bool) -> None:
    eurlex_server.serve(HTML, Reply(body=(eurlex / HTML).read_bytes(), length=length))
    url = eurlex_server.url(HTML)
    with Fetcher(store, max_bytes=100_000) as fetcher:
        with pytest.raises(FetchError, match=f"^exceeds size limit 100000 bytes: {url}$"):
            fetcher.fetch(document(url))
    assert store.latest("gdpr_html_en") is None and not objects(store)


def test_size_limit_message_in_megabytes(tmp_path: Path, store: RawStore) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))
    with Fetcher(store, max_bytes=1024 * 1024) as fetcher:
        with pytest.raises(FetchError, match=f"^exceeds size limit 1 MB: {big.as_uri()}$"):
            fetcher.fetch(document(big.as_uri()))


def test_file_and_http_give_the_same_sha(eurlex_server: Server, fetcher: Fetcher, eurlex: Path, manifest: dict[str, str]) -> None:
    over_http = fetcher.fetch(document(eurlex_server.url(CORRIGENDUM), name="over_http"))
    from_file = fetcher.fetch(document((eurlex / CORRIGENDUM).as_uri(), name="from_file"))

    assert from_file.document.sha256 == over_http.document.sha256 == manifest[CORRIGENDUM]
    assert (from_file.document.status, from_file.document.etag) == (None, None)
    assert from_file.document.content_type == "application/xml"


def test_file_fetched_again_is_unchanged(fetcher: Fetcher, store: RawStore, eurlex: Path) -> None:
    url = (eurlex / CORRIGENDUM).as_uri()
    first = fetcher.fetch(document(url))
    second = fetcher.fetch(document(url))
    assert not second.changed and second.document == first.document
    assert len(fetch_log(store)) == 1


def test_missing_file(fetcher: Fetcher, tmp_path: Path) -> None:
    url = (tmp_path / "absent.xml").as_uri()
    with pytest.raises(FetchError, match=f"^no such file: {url}$"):
        fetcher.fetch(document(url))


def test_store_put_is_idempotent_and_get_unknown_is_a_key_error(store: RawStore) -> None:
    sha = store.put(b"<ACT/>")
    assert store.put(b"<ACT/>") == sha
    assert store.get(sha) == b"<ACT/>"
    assert store.latest("gdpr_html_en") is None
    with pytest.raises(KeyError):
        store.get("0" * 64)
    assert not list(store.root.rglob("*.tmp"))


def test_a_host_name_that_does_not_resolve_is_not_asked_again(store: RawStore) -> None:
    """Names under .invalid never resolve (RFC 2606): no retry can help, and the host is skipped after it."""
    with Fetcher(store, attempts=4, backoff=5) as fetcher:
        reasons = failures(fetcher, ["http://lexgraph-test.invalid/a.xml", "http://lexgraph-test.invalid/b.xml"])
    assert reasons[0].startswith("host name not found (ConnectError(")
    assert reasons[1].startswith("skipped: http://lexgraph-test.invalid unreachable, 1 document failed")
