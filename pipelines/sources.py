"""The source configuration: which documents to fetch, from where, under which licence.

A TOML file holds one array of tables per kind of source::

    [[document]]
    name = "gdpr_html_en"
    celex = "32016R0679"
    lang = "en"
    format = "eurlex_html"
    url = "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32016R0679"
    licence = "Commission Decision 2011/833/EU (reuse authorised)"
    attribution = "© European Union, https://eur-lex.europa.eu"

An entry gives either ``url`` (http, https or file) or ``path``, a file relative to the config
file's folder, which becomes a ``file://`` URL. The kinds:

``[[document]]``         a legal text (EUR-Lex HTML, Formex act, corrigendum, consolidated text);
``[[decision]]``         a decision of a data protection authority: a PDF or a GDPRhub case page
                         (``format`` "decision_pdf" or "gdprhub_html", else told by the file extension),
                         with optional hints ``authority`` and ``lang``;
``[[decision_folder]]``  ``path`` a folder: every ``.pdf`` and ``.html`` in it is a ``[[decision]]``
                         named ``<name>.<file stem>``, with the folder's licence and hints;
``[[fine_table]]``       a table of fines or decisions (JSON, CSV, TSV) read through ``mapping``: the
                         name of a bundled mapping (``parsers/mappings``) or the path of a mapping file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pipelines.raw_store import Name
from schema.law import Lang, SourceFormat

DEFAULT_CONFIG = Path(__file__).with_name("sources.toml")

_SCHEMES = ("http", "https", "file")


class ConfigError(ValueError):
    """The source configuration cannot be used; the message says which file, entry and why."""


class Source(BaseModel):
    """Where one source's bytes come from, and on which terms they may be reused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    url: str
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    format: str
    lang: Lang | None = None

    @model_validator(mode="before")
    @classmethod
    def _path_to_url(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or "path" not in data:
            return data
        if "url" in data:
            raise PydanticCustomError("url_and_path", "give either url or path, not both")
        data = dict(data)
        if not isinstance(data["path"], str):
            raise PydanticCustomError("path_type", "path must be a string")
        base = Path((info.context or {}).get("base", "."))
        path = (base / data.pop("path")).resolve()
        if not path.is_file():
            raise PydanticCustomError("path_missing", "path does not exist: {path}", {"path": str(path)})
        data["url"] = path.as_uri()
        return data

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not (parts.netloc or parts.scheme == "file"):
            raise PydanticCustomError("url_scheme", "not an http(s):// or file:// URL: {url}", {"url": url})
        return url


    def provenance(self) -> dict[str, str | None]:
        """What the raw store records of the source beside its bytes."""
        return {"format": self.format, "lang": self.lang}


class Document(Source):
    """A legal text in one language and one source format."""

    celex: str = Field(pattern=r"^[0-9CE]\d{4}[A-Z]{1,2}\d{4}", description="e.g. 32016R0679, 02016R0679-20160504")
    lang: Lang
    format: SourceFormat
    valid_from: dt.date | None = Field(default=None, description="overrides the date the document states")

    def provenance(self) -> dict[str, str | None]:
        return {**super().provenance(), "celex": self.celex}


_DECISION_FORMATS = {".pdf": "decision_pdf", ".html": "gdprhub_html", ".htm": "gdprhub_html"}


class DecisionSource(Source):
    """A decision document; ``authority`` and ``lang`` are hints for documents that do not state them.

    Documents of one ``group`` (a folder's) are never taken for the same decision; a document alone
    is its own group.
    """

    format: Literal["decision_pdf", "gdprhub_html"]
    authority: str | None = None
    lang: Lang | None = None
    group: Name | None = None

    @property
    def record_source(self) -> str:
        return self.group or self.name

    @model_validator(mode="before")
    @classmethod
    def _format_from_extension(cls, data: Any) -> Any:
        if isinstance(data, dict) and "format" not in data:
            where = data.get("url") or data.get("path") or ""
            suffix = Path(urlsplit(str(where)).path).suffix.lower()
            if suffix in _DECISION_FORMATS:
                data = {**data, "format": _DECISION_FORMATS[suffix]}
        return data


class DecisionFolder(BaseModel):
    """A folder of decision documents, each taken as a ``DecisionSource``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    path: str
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    authority: str | None = None
    lang: Lang | None = None

    def expand(self, base: Path) -> list[dict[str, Any]]:
        folder = (base / self.path).resolve()
        if not folder.is_dir():
            raise PydanticCustomError("folder_missing", "not a folder: {path}", {"path": str(folder)})
        hints = self.model_dump(exclude={"name", "path"}, exclude_none=True)
        return [{**hints, "name": f"{self.name}.{_slug(file.stem)}", "group": self.name, "url": file.as_uri()}
                for file in sorted(folder.iterdir()) if file.suffix.lower() in _DECISION_FORMATS]


class FineTable(Source):
    """A table of fines or decisions and the mapping that reads it."""

    format: Literal["fine_table"] = "fine_table"
    mapping: str = Field(min_length=1, description="a bundled mapping's name, or a mapping file's path")
    lang: Lang | None = None

    @model_validator(mode="before")
    @classmethod
    def _mapping_path(cls, data: Any, info: ValidationInfo) -> Any:
        """A mapping given as a path is resolved against the config's folder, like ``path``."""
        if isinstance(data, dict) and str(data.get("mapping", "")).endswith(".toml"):
            base = Path((info.context or {}).get("base", "."))
            data = {**data, "mapping": str((base / data["mapping"]).resolve())}
        return data


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-.")[:150] or "document"


class SourceConfig(BaseModel):
    """Every field is a list of sources; names are unique across all of them."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    documents: list[Document] = Field(default_factory=list, alias="document")
    decisions: list[DecisionSource] = Field(default_factory=list, alias="decision")
    fine_tables: list[FineTable] = Field(default_factory=list, alias="fine_table")

    @model_validator(mode="before")
    @classmethod
    def _expand_folders(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or "decision_folder" not in data:
            return data
        base = Path((info.context or {}).get("base", "."))
        folders = [DecisionFolder.model_validate(entry) for entry in data["decision_folder"]]
        expanded = [entry for folder in folders for entry in folder.expand(base)]
        return {**{k: v for k, v in data.items() if k != "decision_folder"},
                "decision": [*data.get("decision", []), *expanded]}

    @property
    def sources(self) -> list[Source]:
        return [source for field in type(self).model_fields for source in getattr(self, field)]

    def __getitem__(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    @model_validator(mode="after")
    def _unique_names(self) -> SourceConfig:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise PydanticCustomError("duplicate_name", "duplicate source name {name}", {"name": repr(source.name)})
            seen.add(source.name)
        return self


def load_config(path: Path | str = DEFAULT_CONFIG) -> SourceConfig:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such source config file") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message ends with "(at line N, column M)".
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        return SourceConfig.model_validate(raw, context={"base": path.parent})
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(path, raw, error) for error in exc.errors())) from None


def _describe(path: Path, raw: dict[str, Any], error: Any) -> str:
    """``sources.toml: document #3 'gdpr_html_fr': format: Input should be … (got 'html')``."""
    where, loc = str(path), list(error["loc"])
    if len(loc) >= 2 and isinstance(loc[1], int):
        table, index = loc[:2]
        entry = raw.get(table, [])[index]
        name = entry.get("name") if isinstance(entry, dict) else None
        where += f": {table} #{index + 1}" + (f" {name!r}" if name else "")
        loc = loc[2:]
    field = ".".join(str(part) for part in loc)
    message = f"{where}: {field + ': ' if field else ''}{error['msg']}"
    if error["type"] in ("enum", "literal_error", "string_pattern_mismatch"):
        message += f" (got {error['input']!r})"
    return message
