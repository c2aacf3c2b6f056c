"""``lexgraph serve``: the published snapshots of a store over HTTP (FastAPI on uvicorn), read-only.

Every read answers from one snapshot and names it (``snapshot`` in the body, ``X-Lexgraph-Snapshot`` in the
headers): the current one as the service last followed ``CURRENT``, or the one a request pins with
``snapshot=``. A pinned answer never changes, so it carries ``Cache-Control: immutable``; every answer
carries an ETag (the snapshot, the request, the lexgraph version) and a GET answers 304 to a matching
``If-None-Match``. Errors are ``{"error": message}`` with a 4xx status; nothing else of a failure leaves.

A request reads as the role its API key (``X-API-Key``, or ``Authorization: Bearer``) holds in the roles
file (``--roles``), seeing only what that role's labels let it see; a request without a key reads what is
``public``. A key no role holds is refused with 401, the same answer for every such key, before anything
is read. An answer read with a key is ``private``: no shared cache keeps it for others.

    from pipelines.serve import create_app, run
    app = create_app(Path(".store"), roles=Roles.load("roles.toml"))   # an ASGI app, for any server
    run(Path(".store"), port=8000)             # uvicorn, as `lexgraph serve` runs it
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Body, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb_store import (SNAPSHOT_ID, EnforcementFilter, NotUnderstood, SnapshotDiff, SnapshotPool, UnknownSnapshot,
                      diff_snapshots)
from kb_store.access import Role, Roles, UnknownKey, view_key
from kb_store.prompt import Persona, PromptResult
from kb_store.read import NotFound
from pipelines.answers import (DecisionsAnswer, ProvisionAnswer, SnapshotAnswer, SnapshotSummary, decisions_answer,
                               provision_answer, snapshot_summaries)

__all__ = ["Limits", "create_app", "run"]

_log = logging.getLogger(__name__)
_LANG = r"^[a-z]{2}$"
_VERSION = version("lexgraph")  # in every ETag: another release may answer the same request differently
_IMMUTABLE = "max-age=31536000, immutable"  # "public" or "private" before it: read without a key or with one
_ANONYMOUS = Role(name="anonymous")  # a request without a key: what is public
_NO_ROLES = Roles(roles={})  # served without a roles file: no key is known


class Limits(BaseModel):
    """What one request may ask for: bounds on sizes, so that no request costs without end."""

    body_bytes: int = 64 * 1024
    question_chars: int = 4000
    text_chars: int = 200  # a provision, country, authority, organisation or grep as written
    page: int = 200  # decisions per page
    offset: int = 1_000_000
    examples: int = 100  # per table, in a diff
    budget_tokens: int = 32_000


LIMITS = Limits()


class ErrorAnswer(BaseModel):
    error: str


class HealthAnswer(BaseModel):
    status: str
    serving: str | None  # the snapshot requests for the current one get
    current: str | None  # what CURRENT names now (the service follows it within its poll interval)
    open: list[str]  # the snapshots this process holds open


class SnapshotsAnswer(BaseModel):
    current: str | None
    serving: str | None
    snapshots: list[SnapshotSummary]


class PromptRequest(BaseModel):
    """``build_prompt``'s arguments."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=LIMITS.question_chars)
    as_of: dt.date | None = None
    snapshot: str | None = Field(None, pattern=SNAPSHOT_ID)
    lang: str | None = Field(None, pattern=_LANG)
    country: str | None = Field(None, max_length=LIMITS.text_chars)
    persona: Persona | None = None
    budget_tokens: int = Field(4000, ge=200, le=LIMITS.budget_tokens)


class _BodyTooLarge(Exception):
    pass


class _BodyLimit:
    """Refuses a request body over the limit, declared or streamed, before anything parses it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            return await _error(413, self._message(int(declared)))(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge(self._message(seen))
            return message

        await self.app(scope, counted, send)

    def _message(self, size: int) -> str:
        return f"the request body ({size:,} bytes) is over the limit of {self.limit:,} bytes"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "a provision, country or authority that names nothing, or several things"},
    404: {"model": ErrorAnswer, "description": "no such snapshot, provision, or wording on that date"},
    422: {"model": ErrorAnswer, "description": "a parameter out of its bounds or of the wrong form"},
}
_CONDITIONAL = {**_ERRORS, 304: {"description": "not modified: the answer of the ETag in If-None-Match"}}


def create_app(store_root: Path, poll_seconds: float = 1.0, idle_seconds: float = 300.0, warm: bool = True,
               threads: int = 8, roles: Roles | None = None) -> FastAPI:
    """The service over ``store_root``, reading as the roles of ``roles`` (None: no key is known, every
    request reads what is public): follows ``CURRENT`` every ``poll_seconds``, closes a snapshot no
    request used for ``idle_seconds`` (other than the one served), warms each new current snapshot first.
    At most ``threads`` reads run at once; more wait their turn (the reads are CPU-bound and share one
    connection per snapshot, so more at once would only hold more memory)."""
    pool = SnapshotPool(store_root, idle_seconds=idle_seconds, warm=warm)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        pool.follow()
        pool.watch(poll_seconds)
        yield
        pool.close()

    app = FastAPI(title="lexgraph", version=_VERSION, lifespan=lifespan,
                  description="EU data-protection law and its enforcement, read from published snapshots.")
    app.add_middleware(_BodyLimit, limit=LIMITS.body_bytes)
    _handle_errors(app, str(pool.store.root))
    _routes(app, pool, roles)
    return app


def _handle_errors(app: FastAPI, root: str) -> None:
    def scrub(message: str) -> str:  # the service's paths are none of a client's business
        return message.replace(root, "the store")

    @app.exception_handler(UnknownSnapshot)
    async def unknown_snapshot(request: Request, exc: UnknownSnapshot) -> JSONResponse:
        return _error(404, scrub(str(exc)))

    @app.exception_handler(NotUnderstood)  # a country, authority or citation that names nothing
    async def not_understood(request: Request, exc: NotUnderstood) -> JSONResponse:
        return _error(400, scrub(str(exc)))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _error(404, scrub(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "; ".join(_problem(e) for e in exc.errors()))

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused) -> JSONResponse:
        return _error(exc.status, scrub(exc.message))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404:  # no route: an id with a "/" in it, or a path that is no endpoint
            return _error(404, f"nothing at {request.url.path!r}: the endpoints are listed at /docs")
        return _error(exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(_BodyTooLarge)
    async def too_large(request: Request, exc: _BodyTooLarge) -> JSONResponse:
        return _error(413, str(exc))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("%s %s failed", request.method, request.url.path)
        return _error(500, "the service failed on this request; it is logged")


def _problem(error: dict[str, Any]) -> str:
    """"limit: Input should be less than or equal to 200 (got '1000000000')"."""
    where = ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0])
    given = error.get("input")
    shown = f" (got {given!r:.60})" if isinstance(given, str | int | float) else ""
    return f"{where}: {error['msg']}{shown}"


class _Answer:
    """Builds a response for one snapshot: its ETag, caching headers, and 304 when the client has it."""

    def __init__(self, request: Request, snapshot: str, pinned: bool, seed: str = "") -> None:
        role: Role = request.state.role
        key = "|".join([_VERSION, request.url.path, str(sorted(request.query_params.multi_items())), seed,
                        view_key(role.clearance)])
        self.etag = f'"{snapshot}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"'
        private = "" if role == _ANONYMOUS else "private, "
        self.headers = {"ETag": self.etag, "X-Lexgraph-Snapshot": snapshot, "Vary": "Authorization, X-API-Key",
                        "Cache-Control": f"{private or 'public, '}{_IMMUTABLE}" if pinned else f"{private}no-cache"}
        self.fresh = request.method == "GET" and _matches(request.headers.get("if-none-match"), self.etag)

    def send(self, body: Callable[[], str]) -> Response:
        if self.fresh:  # nothing read: the client holds this very answer
            return Response(status_code=304, headers=self.headers)
        return Response(body(), media_type="application/json", headers=self.headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


Snapshot = Annotated[str | None, Query(pattern=SNAPSHOT_ID, description="a snapshot id; default: the current one")]
Text = Annotated[str | None, Query(max_length=LIMITS.text_chars)]
Day = Annotated[dt.date | None, Query(description="YYYY-MM-DD")]


def _routes(app: FastAPI, pool: SnapshotPool, roles: Roles | None) -> None:
    store = pool.store

    @app.middleware("http")
    async def who(request: Request, call_next: Callable) -> Response:
        """The labels the request's key lets it read, before any route reads anything."""
        key = request.headers.get("x-api-key") or _bearer(request.headers.get("authorization"))
        try:
            request.state.role = _ANONYMOUS if key is None else (roles or _NO_ROLES).for_key(key)
        except UnknownKey as exc:  # answered here: an exception handler does not see what middleware raises
            return _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
        return await call_next(request)

    @lru_cache(maxsize=16)  # snapshots never change: neither does a diff of two
    def diff(a: str, b: str, examples: int, grep: str | None, role: Role) -> str:
        with store.lease(a), store.lease(b):
            return diff_snapshots(store, a, b, examples=examples, grep=grep, role=role).model_dump_json()

    @app.get("/healthz", response_model=HealthAnswer, responses={503: {"model": ErrorAnswer}})
    def healthz() -> Response:
        if pool.serving is None:
            return _error(503, "no published snapshot in this store yet")
        return JSONResponse(HealthAnswer(status="ok", serving=pool.serving, current=store.current_id(),
                                         open=pool.open_ids()).model_dump(mode="json"))

    @app.get("/snapshots", response_model=SnapshotsAnswer)
    def snapshots(request: Request) -> Response:
        answer = SnapshotsAnswer(current=store.current_id(), serving=pool.serving,
                                 snapshots=snapshot_summaries(store, request.state.role.clearance))
        return Response(answer.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-cache"})

    @app.get("/snapshots/{snapshot}", response_model=SnapshotAnswer, responses=_CONDITIONAL)
    def snapshot(request: Request, snapshot: Annotated[str, PathParam(pattern=SNAPSHOT_ID)]) -> Response:
        answer = _Answer(request, _known(pool, snapshot), pinned=True)
        return answer.send(lambda: SnapshotAnswer(snapshot=snapshot, manifest=store.manifest(
            snapshot, request.state.role.clearance)).model_dump_json())

    @app.get("/snapshots/{a}/diff/{b}", response_model=SnapshotDiff, responses=_CONDITIONAL)
    def snapshot_diff(request: Request, a: Annotated[str, PathParam(pattern=SNAPSHOT_ID)],
                      b: Annotated[str, PathParam(pattern=SNAPSHOT_ID)],
                      examples: Annotated[int, Query(ge=0, le=LIMITS.examples)] = 10, grep: Text = None) -> Response:
        _known(pool, a)
        answer = _Answer(request, _known(pool, b), pinned=True)
        return answer.send(lambda: diff(a, b, examples, grep, request.state.role))

    @app.get("/provisions/{provision:path}", response_model=ProvisionAnswer, responses=_CONDITIONAL)
    def provision(request: Request, provision: Annotated[str, PathParam(max_length=LIMITS.text_chars,
                                                                       description="an id or a citation as written")],
                  as_of: Day = None, lang: Annotated[str, Query(pattern=_LANG)] = "en",
                  snapshot: Snapshot = None) -> Response:
        day = as_of or dt.date.today()
        with pool.use(snapshot, request.state.role.clearance) as opened:
            def read() -> str:
                return provision_answer(opened.reader.show(provision, day, lang), opened.snapshot).model_dump_json()
            return _Answer(request, opened.snapshot, pinned=bool(snapshot and as_of), seed=day.isoformat()).send(read)

    @app.get("/decisions", response_model=DecisionsAnswer, responses=_CONDITIONAL)
    def decisions(request: Request, country: Text = None, authority: Text = None, organisation: Text = None,
                  cites: Text = None, after: Day = None, before: Day = None, as_of: Day = None, fined: bool = False,
                  limit: Annotated[int, Query(ge=1, le=LIMITS.page)] = 50,
                  offset: Annotated[int, Query(ge=0, le=LIMITS.offset)] = 0, snapshot: Snapshot = None) -> Response:
        query = EnforcementFilter(country=country, authority=authority, organisation=organisation, cites=cites,
                                  after=after, before=before, as_of=as_of, fined=fined)
        with pool.use(snapshot, request.state.role.clearance) as opened:
            def read() -> str:
                return decisions_answer(opened.reader.decisions(query, limit, offset), query,
                                        opened.snapshot).model_dump_json()
            return _Answer(request, opened.snapshot, pinned=bool(snapshot)).send(read)

    @app.post("/prompt", response_model=PromptResult, responses={**_ERRORS, 413: {"model": ErrorAnswer}})
    def prompt(request: Request, asked: Annotated[PromptRequest, Body()]) -> Response:
        with pool.use(asked.snapshot, request.state.role.clearance) as opened:
            def build() -> str:
                try:
                    result = opened.builder().build(asked.question, as_of=asked.as_of, lang=asked.lang,
                                                    country=asked.country, persona=asked.persona,
                                                    budget_tokens=asked.budget_tokens)
                except (LookupError, ValueError) as exc:  # what `lexgraph prompt` refuses with exit code 2
                    raise _Refused(400, str(exc)) from None
                return result.model_dump_json()
            seed = asked.model_dump_json() + (asked.as_of or dt.date.today()).isoformat()
            return _Answer(request, opened.snapshot, pinned=bool(asked.snapshot and asked.as_of), seed=seed).send(build)


class _Refused(Exception):
    """A read refused what it was given: its status and the read's own message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _known(pool: SnapshotPool, snapshot: str) -> str:
    if not pool.store.has(snapshot):
        raise UnknownSnapshot(f"no snapshot {snapshot!r} in this store; GET /snapshots lists them")
    return snapshot


def _app_from_environment() -> FastAPI:
    """For ``--workers N``: uvicorn imports the app in each worker process and builds it from here."""
    roles = os.environ["LEXGRAPH_SERVE_ROLES"]
    return create_app(Path(os.environ["LEXGRAPH_SERVE_STORE"]), float(os.environ["LEXGRAPH_SERVE_POLL"]),
                      roles=Roles.load(roles) if roles else None)


def run(store_root: Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, poll_seconds: float = 1.0,
        access_log: bool = False, roles: Path | None = None) -> None:
    """Serve until interrupted, reading as the roles of the ``roles`` file (None: public only). Several
    workers are several processes, each with its own open snapshots (Kùzu opens one database read-only
    in any number of processes). ``AccessError`` before anything starts when the roles file is no good."""
    import uvicorn

    options = {"host": host, "port": port, "access_log": access_log, "log_level": "info"}
    loaded = Roles.load(roles) if roles else None
    if workers == 1:
        uvicorn.run(create_app(store_root, poll_seconds, roles=loaded), **options)
        return
    os.environ.update(LEXGRAPH_SERVE_STORE=str(store_root), LEXGRAPH_SERVE_POLL=str(poll_seconds),
                      LEXGRAPH_SERVE_ROLES=str(roles or ""))
    uvicorn.run("pipelines.serve:_app_from_environment", factory=True, workers=workers, **options)
