"""Content-addressed store of fetched bytes, with a provenance record per fetch.

Layout under the root::

    objects/<sha[:2]>/<sha>     the bytes, named by their sha256
    documents/<name>.json       the latest record of each source
    fetch_log.jsonl             every record, append-only

Every file is written to a temporary name and renamed into place, so a crash never leaves a
half-written object or record behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# A source name is also a file name in the store: keep it to a safe slug.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,199}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Name = Annotated[str, Field(pattern=_NAME.pattern)]


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("fetched_at must carry a timezone")
    return value.astimezone(dt.UTC)


class RawDocument(BaseModel):
    """What was fetched, from where, when, and under which terms it may be reused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    url: str
    sha256: Annotated[str, Field(pattern=_SHA256.pattern)]
    size: int = Field(ge=0)
    fetched_at: Annotated[dt.datetime, AfterValidator(_utc)]
    status: int | None = Field(default=None, description="HTTP status; None for file:// sources")
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    licence: str
    attribution: str
    format: str
    lang: str | None = None
    celex: str | None = None


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its sha256; storing the same bytes twice is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._object(sha)
        if not path.exists():
            _write_atomic(path, data)
        return sha

    def get(self, sha: str) -> bytes:
        path = self._object(sha)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KeyError(f"no object {sha} in {self.root}") from None

    def latest(self, name: str) -> RawDocument | None:
        try:
            text = self._record(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return RawDocument.model_validate_json(text)

    def find(self, name: str, sha256: str) -> RawDocument | None:
        """The latest fetch of source ``name`` that gave the bytes ``sha256``, if they are still stored."""
        latest = self.latest(name)
        if latest is not None and latest.sha256 == sha256:
            return latest
        try:
            lines = (self.root / "fetch_log.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        for line in reversed(lines):
            if sha256 not in line:
                continue
            doc = RawDocument.model_validate_json(line)
            if doc.name == name and doc.sha256 == sha256 and self._object(sha256).exists():
                return doc
        return None

    def record(self, doc: RawDocument) -> None:
        """Make ``doc`` the latest record of its source and append it to the fetch log."""
        if not self._object(doc.sha256).exists():
            raise ValueError(f"record of {doc.name!r} points at a missing object {doc.sha256}")
        line = (doc.model_dump_json() + "\n").encode("utf-8")
        # The log first: a crash in between leaves history complete, never a latest without history.
        self.root.mkdir(parents=True, exist_ok=True)
        # One write(2) of one line on an O_APPEND file: lines never interleave or tear.
        fd = os.open(self.root / "fetch_log.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        _write_atomic(self._record(doc.name), line)

    def fetches(self) -> list[RawDocument]:
        """Every fetch recorded, oldest first."""
        try:
            lines = (self.root / "fetch_log.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [RawDocument.model_validate_json(line) for line in lines if line.strip()]

    def forget(self, erased: Callable[[str], bool]) -> set[str]:
        """Remove every fetch of the sources whose name ``erased`` accepts: their bytes, latest records and
        lines of the fetch log. Bytes another source's fetch also gave stay. Returns the sha256 of the bytes
        removed."""
        fetches = self.fetches()
        kept = [doc for doc in fetches if not erased(doc.name)]
        removed = {doc.sha256 for doc in fetches if erased(doc.name)} - {doc.sha256 for doc in kept}
        if len(kept) < len(fetches):
            _write_atomic(self.root / "fetch_log.jsonl", "".join(doc.model_dump_json() + "\n" for doc in kept).encode())
        for record in (self.root / "documents").glob("*.json"):
            if erased(record.stem):
                record.unlink()
        for sha in removed:
            self._object(sha).unlink(missing_ok=True)
        return removed

    def _object(self, sha: str) -> Path:
        if not _SHA256.match(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        return self.root / "objects" / sha[:2] / sha

    def _record(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"not a source name: {name!r}")
        return self.root / "documents" / f"{name}.json"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
