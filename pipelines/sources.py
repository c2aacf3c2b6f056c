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
``[[document_set]]``     one ``[[document]]`` in each language of ``langs``: in ``name``, ``url`` and
                         ``path``, ``{lang}`` stands for the language ("bg"), ``{LANG}`` for it in capitals
                         ("BG") and ``{LANG3}`` for the Publications Office's three-letter code ("BUL");
``[[decision]]``         a decision of a data protection authority: a PDF or a GDPRhub case page
                         (``format`` "decision_pdf" or "gdprhub_html", else told by the file extension),
                         with optional hints ``authority`` and ``lang``;
``[[decision_folder]]``  ``path`` a folder: every ``.pdf`` and ``.html`` in it is a ``[[decision]]``
                         named ``<name>.<file stem>``, with the folder's licence and hints;
``[[fine_table]]``       a table of fines or decisions (JSON, CSV, TSV) read through ``mapping``: the
                         name of a bundled mapping (``parsers/mappings``) or the path of a mapping file.

Any entry may set ``access``, the label of what it contributes (default ``public``): a reader sees it only
when its role reads that label (``kb_store.access``). A ``[[fine_table]]`` may also label single fields of
its mapping, ``field_access = { organisations = "restricted" }``: a reader without the label reads the
table as if its mapping had no such field.

``load_config`` reads and checks the whole file before anything is fetched, mapping files included:
every mistake in it is one line of one ``ConfigError``, naming the entry, the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from kb_store.access import LABEL, MAX_LABELS, PUBLIC
from parsers.tabular import Mapping, bundled_mappings, load_mapping
from pipelines.raw_store import Name
from schema.law import ActLang, Lang, SourceFormat

DEFAULT_CONFIG = Path(__file__).with_name("sources.toml")

_SCHEMES = ("http", "https", "file")


class ConfigError(ValueError):
    """The source configuration cannot be used; the message says which file, entry and why."""


def _field_error(field: str, error_type: str, message: str) -> PydanticCustomError:
    """An error of a model validator, which pydantic cannot place: the field it is about travels along."""
    # "field" first: pydantic fills placeholders in context order, so braces in the message stay as written.
    return PydanticCustomError(error_type, "{message}", {"field": field, "message": message})


def _resolved(path: str, info: ValidationInfo) -> Path:
    """``path`` relative to the config file's folder, the validation context's ``base``."""
    return (Path((info.context or {}).get("base", ".")) / path).resolve()


class Source(BaseModel):
    """Where one source's bytes come from, and on which terms they may be reused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    url: str
    path: str | None = Field(default=None, exclude=True, repr=False,
                             description="instead of url: a file, relative to the config's folder")
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    format: str
    lang: Lang | None = None
    access: str = Field(default=PUBLIC, pattern=LABEL, description="who may read it: see kb_store.access")

    @model_validator(mode="before")
    @classmethod
    def _path_to_url(cls, data: Any, info: ValidationInfo) -> Any:
        """``path`` makes the ``url``; whether the file is there is the field's check, beside the others."""
        if not isinstance(data, dict) or "path" not in data:
            return data
        if "url" in data:
            raise _field_error("path", "url_and_path", "give either url or path, not both")
        if not isinstance(data["path"], str):
            raise _field_error("path", "path_type", f"expected a string (got {data['path']!r})")
        return {**data, "url": _resolved(data["path"], info).as_uri()}

    @field_validator("path")
    @classmethod
    def _is_file(cls, path: str | None, info: ValidationInfo) -> str | None:
        if path is not None and not (file := _resolved(path, info)).is_file():
            raise PydanticCustomError("path_missing", "no such file: {path}", {"path": str(file)})
        return path

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


# The three-letter codes of the EU's languages in the Publications Office's file names and URLs.
_LANG3 = {"bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA", "et": "EST",
          "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA", "lt": "LIT", "lv": "LAV",
          "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON", "sk": "SLK", "sl": "SLV", "sv": "SWE"}
assert set(_LANG3) == set(get_args(ActLang))
_TEMPLATED = ("name", "url", "path")


class DocumentSet(BaseModel):
    """The same legal text in several languages: the fields of a ``[[document]]`` but ``lang``, written once."""

    model_config = ConfigDict(frozen=True, extra="allow")  # the documents' own fields, checked in each document

    langs: list[ActLang] = Field(min_length=1)
    name: str = Field(pattern=r"\{lang\}", description="with {lang}, so that each document has its own name")

    @model_validator(mode="before")
    @classmethod
    def _no_lang(cls, data: Any) -> Any:
        if isinstance(data, dict) and "lang" in data:
            raise _field_error("lang", "lang_in_set", "a document set has langs, the list of its languages, not lang")
        return data

    def entries(self) -> dict[str, dict[str, Any]]:
        """Each language's ``[[document]]`` entry."""
        fields = self.model_dump(exclude={"langs"})
        return {lang: {**fields, "lang": lang, **{key: _filled(fields[key], lang) for key in _TEMPLATED if key in fields}}
                for lang in self.langs}


def _filled(template: Any, lang: str) -> Any:
    if not isinstance(template, str):
        return template  # the document's own check names what is wrong with it
    return template.replace("{lang}", lang).replace("{LANG}", lang.upper()).replace("{LANG3}", _LANG3[lang])


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
    path: str = Field(description="relative to the config's folder; resolved when read")
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    authority: str | None = None
    lang: Lang | None = None
    access: str = Field(default=PUBLIC, pattern=LABEL)

    @field_validator("path")
    @classmethod
    def _is_folder(cls, path: str, info: ValidationInfo) -> str:
        folder = _resolved(path, info)
        if not folder.is_dir():
            raise PydanticCustomError("folder_missing", "not a folder: {path}", {"path": str(folder)})
        return str(folder)

    def expand(self) -> list[DecisionSource]:
        hints = self.model_dump(exclude={"name", "path"}, exclude_none=True)
        return [DecisionSource(**hints, name=f"{self.name}.{_slug(file.stem)}", group=self.name, url=file.as_uri())
                for file in sorted(Path(self.path).iterdir()) if file.suffix.lower() in _DECISION_FORMATS]


class FineTable(Source):
    """A table of fines or decisions and the mapping that reads it, read and checked with the config."""

    format: Literal["fine_table"] = "fine_table"
    mapping: str = Field(min_length=1, description="a bundled mapping's name, or a mapping file's path")
    lang: Lang | None = None
    field_access: dict[str, str] = Field(default_factory=dict, description="mapping field → its access label")
    _mapping: Mapping = PrivateAttr()

    @model_validator(mode="before")
    @classmethod
    def _mapping_path(cls, data: Any, info: ValidationInfo) -> Any:
        """A mapping given as a path is resolved against the config's folder, like ``path``."""
        if isinstance(data, dict) and str(data.get("mapping", "")).endswith(".toml"):
            data = {**data, "mapping": str(_resolved(data["mapping"], info))}
        return data

    @model_validator(mode="after")
    def _read_mapping(self) -> FineTable:
        self._mapping = _read_mapping(self.mapping)
        self._check_field_access()
        return self

    def _check_field_access(self) -> None:
        optional = sorted(name for name, spec in self._mapping.fields.specs().items() if not spec.required)
        for name, label in self.field_access.items():
            if name not in optional:  # a row without a required field is no record: it cannot be left out
                raise _field_error("field_access", "field_unknown",
                                   _not_one_of(name, "an optional field of the mapping", optional))
            if not re.match(LABEL, label):
                raise _field_error("field_access", "label", f"{name}: not an access label: {label!r}")

    @property
    def labels(self) -> set[str]:
        """Every label the table's records carry: the table's own and its fields'."""
        return {self.access, *self.field_access.values()}

    def seen_with(self, visible: frozenset[str]) -> FineTable:
        """The table as a reader of ``visible`` labels sees it: without the fields labelled otherwise."""
        hidden = {name for name, label in self.field_access.items() if label not in visible}
        if not hidden:
            return self
        seen = self.model_copy(update={"field_access": {n: l for n, l in self.field_access.items() if n not in hidden}})
        fields = self._mapping.fields.model_copy(update=dict.fromkeys(hidden))
        seen._mapping = self._mapping.model_copy(update={"fields": fields})
        return seen

    def load_mapping(self) -> Mapping:
        """The mapping, as read when the config was: no file is read again."""
        return self._mapping

    def mapping_json(self) -> str:
        """The mapping's canonical JSON: what the table's records depend on besides its bytes."""
        return self._mapping.model_dump_json()


def _read_mapping(mapping: str) -> Mapping:
    """The mapping a ``[[fine_table]]`` names (a bundled one's name, or a resolved path), or why it cannot be read."""
    try:
        if mapping.endswith(".toml"):
            return Mapping.from_toml(Path(mapping).read_text(encoding="utf-8"))
        if mapping not in (bundled := bundled_mappings()):
            raise _field_error("mapping", "mapping_unknown", _not_one_of(mapping, "a bundled mapping", bundled))
        return load_mapping(mapping)
    except OSError as exc:
        reason = f"cannot read {mapping}: {exc.strerror}"
    except tomllib.TOMLDecodeError as exc:
        reason = f"{mapping}: invalid TOML: {exc}"
    except ValidationError as exc:
        reason = f"{mapping} is not a valid mapping: " + "; ".join(_problem(error) for error in exc.errors())
    raise _field_error("mapping", "mapping_invalid", reason)


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-.")[:150] or "document"


class SourceConfig(BaseModel):
    """Every field is a list of sources; names are unique across all of them (``load_config`` sees to it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: list[Document] = Field(default_factory=list)
    decisions: list[DecisionSource] = Field(default_factory=list)
    fine_tables: list[FineTable] = Field(default_factory=list)

    @property
    def sources(self) -> list[Source]:
        return [source for field in type(self).model_fields for source in getattr(self, field)]

    def keeping(self, keep: Callable[[Source], bool], fine_table: Callable[[FineTable], FineTable] = lambda t: t
                ) -> SourceConfig:
        """The config of the sources ``keep`` accepts alone, each fine table as ``fine_table`` makes it. A
        copy, not a new config: validating the tables again would read their mapping files back."""
        return self.model_copy(update={"documents": [d for d in self.documents if keep(d)],
                                       "decisions": [d for d in self.decisions if keep(d)],
                                       "fine_tables": [fine_table(t) for t in self.fine_tables if keep(t)]})

    @property
    def labels(self) -> set[str]:
        """Every access label of its sources and of their fields."""
        return {PUBLIC} | {s.access for s in self.sources} | {label for t in self.fine_tables for label in t.labels}

    def __getitem__(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


# Each kind of entry of a config file: the model that reads it, and the field of SourceConfig its sources join.
_KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "document": (Document, "documents"),
    "document_set": (DocumentSet, "documents"),
    "decision": (DecisionSource, "decisions"),
    "decision_folder": (DecisionFolder, "decisions"),
    "fine_table": (FineTable, "fine_tables"),
}


def load_config(path: Path | str = DEFAULT_CONFIG) -> SourceConfig:
    """The config in ``path``, checked whole: a ``ConfigError`` lists every mistake in it, one a line."""
    path = Path(path)
    raw = _read_toml(path)
    problems = [_not_one_of(kind, "a kind of source", _KINDS, shown="[[{}]]") for kind in raw if kind not in _KINDS]
    sources: dict[str, list[tuple[str, Source]]] = {field: [] for _, field in _KINDS.values()}
    for kind, (model, field) in _KINDS.items():
        entries = raw.get(kind, [])
        if not isinstance(entries, list):
            problems.append(f"{kind}: write each entry as a [[{kind}]] table")
            continue
        for index, entry in enumerate(entries):
            where = _where(kind, index, entry)
            try:
                sources[field] += [(where, source) for source in _read_entry(model, entry, path.parent)]
            except ValidationError as exc:
                problems += [f"{where}: {_entry_problem(kind, model, error)}" for error in exc.errors()]
            except _InvalidMembers as exc:
                problems += _member_problems(where, exc)
    problems += _duplicate_names(named for field in sources.values() for named in field)
    if problems:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems))
    config = SourceConfig(**{field: [source for _, source in named] for field, named in sources.items()})
    if len(extra := sorted(config.labels - {PUBLIC})) > MAX_LABELS:
        raise ConfigError(f"{path}: {len(extra)} access labels besides public ({', '.join(extra)}); at most "
                          f"{MAX_LABELS}, as every set of them a reader may see is a graph built of its own")
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such source config file") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message ends with "(at line N, column M)"; nothing after a syntax error can be checked.
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


class _InvalidMembers(Exception):
    """Documents of a ``[[document_set]]`` that are not valid, each with its language."""

    def __init__(self, members: list[tuple[str, ValidationError]]) -> None:
        self.members = members


def _member_problems(where: str, invalid: _InvalidMembers) -> list[str]:
    """``document_set #1 'act_{lang}' (bg, mt): lcence is not a field …``: a mistake once, with the languages it is in."""
    langs_by_problem: dict[str, list[str]] = {}
    for lang, exc in invalid.members:
        for error in exc.errors():
            langs_by_problem.setdefault(_entry_problem("document", Document, error), []).append(lang)
    return [f"{where} ({', '.join(langs)}): {problem}" for problem, langs in langs_by_problem.items()]


def _read_entry(model: type[BaseModel], entry: Any, base: Path) -> list[Source]:
    read = model.model_validate(entry, context={"base": base})
    if isinstance(read, DocumentSet):
        return _read_set(read, base)
    return read.expand() if isinstance(read, DecisionFolder) else [read]


def _read_set(documents: DocumentSet, base: Path) -> list[Source]:
    read, invalid = [], []
    for lang, fields in documents.entries().items():
        try:
            read.append(Document.model_validate(fields, context={"base": base}))
        except ValidationError as exc:
            invalid.append((lang, exc))
    if invalid:
        raise _InvalidMembers(invalid)
    return read


def _where(kind: str, index: int, entry: Any) -> str:
    """``fine_table #2 'cms_enforcementtracker'``: the entry as its author finds it in the file."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"{kind} #{index + 1}" + (f" {name!r}" if isinstance(name, str) else "")


def _entry_problem(kind: str, model: type[BaseModel], error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return _not_one_of(str(error["loc"][0]), f"a field of [[{kind}]]", model.model_fields)
    return _problem(error)


def _problem(error: ErrorDetails) -> str:
    """``format: expected one of … (got 'html')``: the field, then what is wrong with its value."""
    field = ".".join(str(part) for part in error["loc"]) or error.get("ctx", {}).get("field")
    return f"{field}: {_expected(error)}" if field else _expected(error)


def _expected(error: ErrorDetails) -> str:
    if error["type"] in ("enum", "literal_error"):
        # pydantic says "'a', 'b' or 'c'": the values as one would type them.
        accepted = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        return f"expected one of {', '.join(accepted)} (got {error['input']!r})"
    if error["type"] == "string_pattern_mismatch":
        return f"{error['msg']} (got {error['input']!r})"
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])  # without pydantic's "Value error, "
    return error["msg"]


def _not_one_of(given: str, what: str, known: Iterable[str], shown: str = "{}") -> str:
    """``[[documents]] is not a kind of source; expected one of [[document]], … (did you mean [[document]]?)``"""
    known = list(known)
    close = difflib.get_close_matches(given, known, n=1)
    hint = f" (did you mean {shown.format(close[0])}?)" if close else ""
    listed = ", ".join(shown.format(name) for name in known)
    return f"{shown.format(given)} is not {what}; expected one of {listed}{hint}"


def _duplicate_names(named: Iterable[tuple[str, Source]]) -> list[str]:
    first: dict[str, str] = {}
    problems = []
    for where, source in named:
        if source.name in first:
            problems.append(f"{where}: name: duplicate source name {source.name!r} (first used by {first[source.name]})")
        first.setdefault(source.name, where)
    return problems
