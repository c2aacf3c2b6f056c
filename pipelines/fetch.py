"""Fetch a configured document into the raw store, over http(s):// or from a file:// URL.

HTTP fetches are conditional unless the caller asks otherwise (``If-None-Match`` /
``If-Modified-Since`` from the source's previous record), retried with exponential backoff on 5xx
answers, connection errors and timeouts, and cut off past a size limit while the body streams in.
Once a document of a host could not be reached in all its attempts, the rest of that host's documents
are skipped (``host_failures``), and a host name that does not resolve is not asked twice.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import socket
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from pipelines.raw_store import RawDocument, RawStore
from pipelines.sources import Source

try:
    USER_AGENT = f"lexgraph/{version('lexgraph')}"
except PackageNotFoundError:  # running from a checkout that was never installed
    USER_AGENT = "lexgraph/0+unknown"


class FetchError(Exception):
    """A document could not be fetched; the message names the URL and what happened."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FetchResult:
    document: RawDocument
    changed: bool


@dataclass(frozen=True, slots=True)
class _Body:
    """Bytes as received, with what the server said about them."""

    data: bytes
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class _ServerError(Exception):
    """A 5xx answer: worth another attempt."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code} {response.reason_phrase}")


_TRANSIENT = (_ServerError, httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class Fetcher:
    """Fetches the documents of one refresh.

    Once ``host_failures`` documents of one host (scheme and netloc of the source URL, not of a
    redirect's target) have failed to connect or timed out after all their attempts, its other
    documents fail at once without a request. Answers do not count, not even 5xx: a server that
    answers is reachable. A success on the host does not reset the count, which lives as long as
    the fetcher.
    """

    def __init__(
        self,
        store: RawStore,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_bytes: int = 50 * 1024 * 1024,
        attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        host_failures: int = 1,
    ) -> None:
        if host_failures < 1:
            raise ValueError(f"host_failures must be at least 1, not {host_failures}")
        self.store = store
        self.max_bytes = max_bytes
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": read_timeout, "pool": connect_timeout}
        self._attempts = attempts
        self._wait = wait_exponential(multiplier=backoff, max=max_backoff)
        self._host_failures = host_failures
        self._unreachable: defaultdict[str, list[str]] = defaultdict(list)  # host → reasons its documents failed
        self._client = httpx.Client(
            timeout=httpx.Timeout(**self._timeouts),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )

    def fetch(self, source: Source, *, conditional: bool = True) -> FetchResult:
        """Fetch ``source`` into the store and record it.

        A 304, or the same bytes and validators as last time, returns the previous record with
        ``changed=False`` and writes nothing. ``conditional=False`` sends no validators, for when
        the previous bytes must be had again (they never made it into a snapshot, or ``--refetch``).
        """
        previous = self.store.latest(source.name)
        if urlsplit(source.url).scheme == "file":
            body = self._read_file(source.url)
        else:
            headers = conditional_headers(previous, source.url) if conditional else {}
            body = self._get_with_retries(source.url, headers)
            if body is None:
                if previous is None:
                    raise FetchError(source.url, "HTTP 304 Not Modified but there is no previous copy")
                return FetchResult(previous, changed=False)
        sha = self.store.put(body.data)
        if previous is not None and _same(previous, sha, body):
            return FetchResult(previous, changed=False)
        doc = RawDocument(
            name=source.name,
            url=source.url,
            sha256=sha,
            size=len(body.data),
            fetched_at=dt.datetime.now(dt.UTC),
            status=body.status,
            etag=body.etag,
            last_modified=body.last_modified,
            content_type=body.content_type,
            licence=source.licence,
            attribution=source.attribution,
            **source.provenance(),
        )
        self.store.record(doc)
        return FetchResult(doc, changed=previous is None or previous.sha256 != sha)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> _Body | None:
        host = origin(url)
        failures = self._unreachable[host]
        if len(failures) >= self._host_failures:
            documents = "1 document" if len(failures) == 1 else f"{len(failures)} documents"
            raise FetchError(url, f"skipped: {host} unreachable, {documents} failed this refresh (last: {failures[-1]})")
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: isinstance(exc, _TRANSIENT) and not _unknown_host(exc)),
            reraise=True,
        )
        try:
            return retrying(self._get, url, headers)
        except _ServerError as exc:
            raise FetchError(url, f"{exc} after {self._attempts} attempts") from exc
        except httpx.TimeoutException as exc:
            phase = _timeout_phase(exc)
            reason = f"timed out after {self._attempts} attempts ({phase} timeout {self._timeouts[phase]} s)"
            raise self._not_reached(url, reason) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            failed = "host name not found" if _unknown_host(exc) else \
                f"connection failed after {self._attempts} attempts"
            raise self._not_reached(url, f"{failed} ({exc!r})") from exc
        except httpx.HTTPError as exc:  # not worth retrying: too many redirects, undecodable body …
            raise FetchError(url, f"request failed ({exc!r})") from exc

    def _get(self, url: str, headers: dict[str, str]) -> _Body | None:
        """One attempt; None on 304."""
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return None
            if response.status_code >= 500:
                raise _ServerError(response)
            if response.status_code != 200:
                # 202 included: EUR-Lex answers some clients with an empty 202 challenge page.
                raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}")
            return _Body(
                self._read_limited(url, response),
                status=response.status_code,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
            )

    def _read_limited(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_big(url)
        data = bytearray()
        # Counted after decoding, so a compressed body cannot expand past the limit either.
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > self.max_bytes:
                raise self._too_big(url)
        return bytes(data)

    def _read_file(self, url: str) -> _Body:
        path = Path(url2pathname(urlsplit(url).path))
        try:
            with path.open("rb") as f:
                data = f.read(self.max_bytes + 1)
        except FileNotFoundError:
            raise FetchError(url, "no such file") from None
        except OSError as exc:
            raise FetchError(url, f"cannot read file ({exc.strerror})") from None
        if len(data) > self.max_bytes:
            raise self._too_big(url)
        return _Body(data, content_type=mimetypes.guess_type(path.name)[0])

    def _not_reached(self, url: str, reason: str) -> FetchError:
        self._unreachable[origin(url)].append(reason)
        return FetchError(url, reason)

    def _too_big(self, url: str) -> FetchError:
        return FetchError(url, f"exceeds size limit {_size(self.max_bytes)}")


def conditional_headers(previous: RawDocument | None, url: str) -> dict[str, str]:
    """Validators of the previous fetch, only if it was a fetch of this very URL."""
    if previous is None or previous.url != url:
        return {}
    headers = {"If-None-Match": previous.etag, "If-Modified-Since": previous.last_modified}
    return {key: value for key, value in headers.items() if value}


def origin(url: str) -> str:
    """Scheme and host of a URL: what the per-host breaker counts by."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _same(previous: RawDocument, sha: str, body: _Body) -> bool:
    """Same bytes, and nothing new to remember for the next conditional request."""
    return (previous.sha256, previous.etag, previous.last_modified) == (sha, body.etag, body.last_modified)


def _unknown_host(exc: BaseException) -> bool:
    """The name does not resolve (no network, or a typo in the URL): asking again in seconds cannot help."""
    while exc is not None and not isinstance(exc, socket.gaierror):
        exc = exc.__cause__ or exc.__context__
    return exc is not None and exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))


def _timeout_phase(exc: httpx.TimeoutException) -> str:
    phases = {httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write"}
    return next((phase for kind, phase in phases.items() if isinstance(exc, kind)), "pool")


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n} bytes"
