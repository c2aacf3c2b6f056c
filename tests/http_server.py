"""A real HTTP server on 127.0.0.1 for fetch tests: serves a directory with ETag, Last-Modified and
304 support, and lets a test replace the answer for a path, once or for good.

    with Server(directory) as server:
        server.queue("a.xml", Reply(500))          # the next request fails, then the file again
        server.serve("b.xml", Reply(body=b"..."))  # until told otherwise
        fetch(server.url("a.xml"))
        assert server.hits("a.xml") == 2

Tests get one serving the EUR-Lex corpus from the ``eurlex_server`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import sys
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType



@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    """Sent as given; ``{"ETag": ""}`` drops the ETag the server would add to a 200."""
    delay: float = 0.0
    """Seconds to wait before answering: a server that stalls."""
    length: bool = True
    """Send Content-Length; without it the body ends when the connection closes."""
    hang_up: bool = False
    """Close the connection without answering: a host that is down, but counts the attempts."""


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class Server:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.requests: list[Seen] = []
        self._queued: dict[str, deque[Reply]] = defaultdict(deque)
        self._served: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/{path.lstrip('/')}"

    def queue(self, path: str, *replies: Reply) -> None:
        """The next requests for ``path`` get ``replies`` in order; then it is served as before."""
        with self._lock:
            self._queued[_key(path)].extend(replies)

    def serve(self, path: str, reply: Reply) -> None:
        """Answer every request for ``path`` with ``reply`` (with ETag and 304 support if a 200)."""
        with self._lock:
            self._served[_key(path)] = reply

    def hits(self, path: str) -> int:
        return sum(seen.path == _key(path) for seen in self.requests)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stopping.set()  # wakes stalled handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            queued = self._queued[seen.path]
            if queued:
                return queued.popleft()
            if seen.path in self._served:
                return _conditional(self._served[seen.path], seen.headers)
        return _conditional(self._file(seen.path), seen.headers)

    def _file(self, path: str) -> Reply:
        file = (self.directory / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.directory.resolve()) or not file.is_file():
            return Reply(404, b"not found")
        headers = {
            "Last-Modified": email.utils.formatdate(file.stat().st_mtime, usegmt=True),
            "Content-Type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        }
        return Reply(body=file.read_bytes(), headers=headers)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # A client that gave up (timeout, size limit) is what these tests provoke: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _key(path: str) -> str:
    return "/" + path.lstrip("/")


def _conditional(reply: Reply, request: dict[str, str]) -> Reply:
    """Add an ETag to a 200, and answer 304 when the request's validators still match."""
    if reply.status != 200:
        return reply
    etag = f'"{hashlib.sha256(reply.body).hexdigest()[:32]}"'
    headers = {name: value for name, value in {"ETag": etag, **reply.headers}.items() if value}
    if _not_modified(headers, request):
        return Reply(304, headers={"ETag": headers["ETag"]} if "ETag" in headers else {})
    return replace(reply, headers=headers)


def _not_modified(headers: dict[str, str], request: dict[str, str]) -> bool:
    if "If-None-Match" in request:
        return headers.get("ETag") in {tag.strip() for tag in request["If-None-Match"].split(",")}
    since, modified = request.get("If-Modified-Since"), headers.get("Last-Modified")
    if since and modified:
        return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(since)
    return False


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            # Title-Case names, whatever the client sent: "If-None-Match", "User-Agent".
            headers = {name.title(): value for name, value in self.headers.items()}
            reply = server._reply(Seen("GET", self.path, headers))
            if reply.delay and server._stopping.wait(reply.delay):
                return
            if reply.hang_up:
                self.close_connection = True
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.length and reply.status != 304:
                self.send_header("Content-Length", str(len(reply.body)))
            elif not reply.length:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler
