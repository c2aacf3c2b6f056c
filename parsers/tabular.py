"""Tabular fine and decision sources (JSON, CSV, TSV) → ``FineRecord``s, through one declarative
mapping per source: a new tabular source is one mapping file, no code.

A mapping is TOML (the bundled ones are in ``parsers/mappings/``) with three tables.

``[source]``  ``name``, ``licence``, ``attribution``: copied onto every record.

``[format]``  how rows are read. ``kind`` is "json", "csv" or "tsv".
    json: ``rows`` is the dotted path to the list of rows ("data"; "" for a top-level list). A row is
          an array, whose columns are indexes, or an object, whose columns are dotted paths.
    csv, tsv: ``encoding`` (default "utf-8-sig", which reads files with or without a byte-order mark),
          ``delimiter`` (default "," or tab), ``quote`` (default '"'), ``header`` (default true: the
          first row names the columns). Quoted cells may hold delimiters and line breaks.

``[fields]``  one entry per record field: where its value is, then how to read it, in this order.
    ``column``    header name or 0-based index (object rows: dotted path); or ``value``, a constant; or for
                  ``authority`` ``from = "country"``: the authority the country cell names ("EDPB"), else
                  the country's one authority in the gazetteer (none for a country with several: Germany)
    ``clean``     cleaners, in order: "html" (tags dropped, <br> as a line break, entities decoded),
                  "entities" (entities decoded), "hrefs" (the href of every <a>, one per line)
    ``extract``   a regular expression; the value is its group "value" (else group 1, else the match)
                  and a cell it does not match has no value
    ``separator`` (organisations, articles, source_urls) a regular expression splitting the cell into items
    ``unknown``   regular expressions meaning "not stated" ("Unknown", "01/01/1970"), matched against a
                  whole value or item in any case
    ``template``  makes each value or item: "{value}", and "{row}" for the 1-based data row number
                  (a template without a column or value makes a value from the row number alone)
    ``required``  quarantine a row without a value (for ``authority``: without a resolved one)
  and for ``decision_date`` ``formats``: strptime formats tried in order ("%Y-%m-%d", "%Y-%m", "%Y");
  for ``fine`` ``thousands`` (the characters that may group digits by three), ``decimal`` (the mark, or
  ""), ``currency`` (the ISO 4217 code of amounts that name none, or "local": the currency of the row's
  country on the decision's day, ``parsers/data/countries.toml``, kuna in Croatia until 2022; a row
  without a country is then quarantined) or ``currency_column``, and ``none``: values meaning "no fine"
  ("0", "-"), while ``unknown`` ones mean a fine of an amount not stated (``FineRecord.fined`` tells the
  three apart); for ``articles`` ``lang``, the language the items are written in (default "en"). Each
  article item is read by the citation grammar (``parsers.xref``): a template like "Article {value} GDPR"
  makes bare numbers ("5(1)(f)") citations of the act they belong to, and an item it makes that cites
  no article ("6a", "six") quarantines its row; an item without a template may cite another law.

A country cell that names one authority rather than a country ("edpb") is that authority's country.

Fields: ``row_id`` (required), ``case_id``, ``country``, ``authority``, ``decision_date``, ``fine``,
``organisations``, ``sector``, ``violation``, ``outcome``, ``articles``, ``summary``, ``source_urls``.

A document that cannot be read as declared (malformed JSON, a mapped column missing from the header)
raises ``ParseError``; a row that cannot be read becomes a ``QuarantinedRow`` saying which field failed
and why, and the other rows are kept.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import json
import re
import string
import tomllib
from collections.abc import Callable
from importlib.resources import files
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from parsers.errors import ParseError
from parsers.normalise.articles import cited_provisions
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code
from parsers.normalise.dates import parse_date, precision_of, unknown_date
from parsers.normalise.money import currency_code, local_currency, parse_money
from parsers.normalise.organisations import organisations
from parsers.xref import languages
from schema.enforcement import FineRecord, Money, PartialDate, QuarantinedRow
from schema.text import normalise

Row = list[Any] | dict[str, Any]
Column = int | str

# -- cleaners ----------------------------------------------------------------------------------------

_BREAK = re.compile(r"<br\s*/?>|</p\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)


def _html_text(text: str) -> str:
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))


def _hrefs(text: str) -> str:
    links = [html.unescape(match[2]) for match in _HREF.finditer(text)]
    return "\n".join(links) if links else text


_CLEANERS: dict[str, Callable[[str], str]] = {"html": _html_text, "entities": html.unescape, "hrefs": _hrefs}

# -- the mapping -------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Model):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    licence: str
    attribution: str


class Format(_Model):
    kind: Literal["json", "csv", "tsv"]
    rows: str = ""
    encoding: str = "utf-8-sig"
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    quote: str = Field(default='"', min_length=1, max_length=1)
    header: bool = True

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str) -> str:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        return encoding


class _Read(NamedTuple):
    raw: str | None  # the cell after cleaning, stripped
    items: list[str]  # its value(s), normalised, "not stated" ones dropped

    @property
    def value(self) -> str | None:
        return self.items[0] if self.items else None


class FieldSpec(_Model):
    column: Column | None = None
    value: str | None = None
    clean: tuple[str, ...] = ()
    extract: re.Pattern[str] | None = None
    unknown: re.Pattern[str] | None = None
    template: str | None = None
    required: bool = False

    @field_validator("clean")
    @classmethod
    def _known_cleaners(cls, cleaners: tuple[str, ...]) -> tuple[str, ...]:
        if unknown := [name for name in cleaners if name not in _CLEANERS]:
            raise ValueError(f"no cleaner {', '.join(unknown)}: cleaners are {', '.join(_CLEANERS)}")
        return cleaners

    @field_validator("unknown", mode="before")
    @classmethod
    def _one_pattern(cls, patterns: list[str]) -> re.Pattern[str] | None:
        return _any_of(patterns)

    @field_validator("template")
    @classmethod
    def _known_placeholders(cls, template: str | None) -> str | None:
        names = {name for _, name, _, _ in string.Formatter().parse(template or "") if name is not None}
        if names - {"value", "row"}:
            raise ValueError(f"template {template!r} may use only {{value}} and {{row}}")
        return template

    @model_validator(mode="after")
    def _has_origin(self) -> FieldSpec:
        origins = [name for name in ("column", "value", *self._other_origins()) if getattr(self, name) is not None]
        if len(origins) > 1:
            raise ValueError(f"a field takes one origin, not {' and '.join(o.rstrip('_') for o in origins)}")
        if not origins and (self.template is None or "{value}" in self.template):
            raise ValueError("a field needs a column, a value, or a template of {row}")
        return self

    def _other_origins(self) -> tuple[str, ...]:
        return ()

    def matches(self, patterns: re.Pattern[str] | None, value: str | None) -> bool:
        return bool(patterns and value and patterns.fullmatch(normalise(value)))

    def read(self, cell: str | None, row: int) -> _Read:
        """The field's reading in row number ``row``, whose mapped cell holds ``cell``."""
        if self.column is None and self.value is None:  # a value made of the row number alone
            return _Read(None, [self.template.format(row=row)])
        text = cell if self.column is not None else self.value
        if text is None:
            return _Read(None, [])
        for cleaner in self.clean:
            text = _CLEANERS[cleaner](text)
        raw = text.strip() or None
        value = self._extracted(raw) if raw else None
        items = [normalise(item) for item in self._split(value)] if value else []
        items = [item for item in items if item and not self._not_stated(item)]
        if self.template is not None:
            items = [self.template.format(value=item, row=row) for item in items]
        return _Read(raw, items)

    def _not_stated(self, item: str) -> bool:
        return self.matches(self.unknown, item)

    def _extracted(self, text: str) -> str | None:
        if self.extract is None:
            return text
        match = self.extract.search(text)
        if match is None:
            return None
        if "value" in self.extract.groupindex:
            return match["value"]
        return match[1] if self.extract.groups else match[0]

    def _split(self, text: str) -> list[str]:
        return [text]


class DateSpec(FieldSpec):
    formats: tuple[str, ...] = Field(min_length=1)

    @field_validator("formats")
    @classmethod
    def _dated(cls, formats: tuple[str, ...]) -> tuple[str, ...]:
        for fmt in formats:
            precision_of(fmt)
        return formats


LOCAL = "local"  # a fine's currency: that of the row's country on the decision's day


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    """The tokens as one pattern, in any case: each is tried against a whole value."""
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE) if patterns else None


class MoneySpec(FieldSpec):
    thousands: str = ""
    decimal: str = Field(default=".", max_length=1)
    currency: str | None = None
    currency_column: Column | None = None
    none: re.Pattern[str] | None = None

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str | None) -> str | None:
        return currency if currency in (None, LOCAL) else currency_code(currency)

    @field_validator("none", mode="before")
    @classmethod
    def _one_pattern_of_none(cls, patterns: list[str]) -> re.Pattern[str] | None:
        return _any_of(patterns)

    def _not_stated(self, item: str) -> bool:
        return super()._not_stated(item) or self.matches(self.none, item)

    def fined(self, read: _Read, fine: Money | None) -> bool | None:
        """A fine stated, or of an amount ``unknown`` says is not stated (True); one ``none`` says is
        no fine (False); else no telling."""
        value = self._extracted(read.raw) if read.raw else None
        if fine is not None or self.matches(self.unknown, value):
            return True
        return False if self.matches(self.none, value) else None

    @model_validator(mode="after")
    def _distinct_marks(self) -> MoneySpec:
        if self.decimal and self.decimal in self.thousands:
            raise ValueError(f"the decimal mark {self.decimal!r} is also a thousands separator")
        return self


class AuthoritySpec(FieldSpec):
    # ``from = "country"``: the row's country's one authority, or the authority its country cell names
    from_: Literal["country"] | None = Field(default=None, alias="from")

    def _other_origins(self) -> tuple[str, ...]:
        return ("from_",)

    def read(self, cell: str | None, row: int) -> _Read:
        return _Read(None, []) if self.from_ else super().read(cell, row)


class ListSpec(FieldSpec):
    separator: re.Pattern[str] | None = None

    @field_validator("separator")
    @classmethod
    def _splits(cls, separator: re.Pattern[str] | None) -> re.Pattern[str] | None:
        if separator is not None and separator.fullmatch(""):
            raise ValueError(f"separator {separator.pattern!r} matches the empty string")
        return separator

    def _split(self, text: str) -> list[str]:
        return self.separator.split(text) if self.separator else [text]


class ArticlesSpec(ListSpec):
    lang: str = "en"

    @field_validator("lang")
    @classmethod
    def _has_grammar(cls, lang: str) -> str:
        if lang not in languages():
            raise ValueError(f"no citation grammar for language {lang!r}: have {', '.join(languages())}")
        return lang


class Fields(_Model):
    row_id: FieldSpec
    case_id: FieldSpec | None = None
    country: FieldSpec | None = None
    authority: AuthoritySpec | None = None
    decision_date: DateSpec | None = None
    fine: MoneySpec | None = None
    organisations: ListSpec | None = None
    sector: FieldSpec | None = None
    violation: FieldSpec | None = None
    outcome: FieldSpec | None = None
    articles: ArticlesSpec | None = None
    summary: FieldSpec | None = None
    source_urls: ListSpec | None = None

    def specs(self) -> dict[str, FieldSpec]:
        return {name: spec for name in type(self).model_fields if (spec := getattr(self, name)) is not None}


class Mapping(_Model):
    source: Source
    format: Format
    fields: Fields

    @classmethod
    def from_toml(cls, text: str) -> Mapping:
        return cls.model_validate(tomllib.loads(text))


def load_mapping(name: str) -> Mapping:
    """A bundled mapping by name: ``load_mapping("cms_enforcementtracker")``."""
    return Mapping.from_toml((files("parsers") / "mappings" / f"{name}.toml").read_text(encoding="utf-8"))


def bundled_mappings() -> list[str]:
    """The names ``load_mapping`` accepts."""
    folder = files("parsers") / "mappings"
    return sorted(file.name.removesuffix(".toml") for file in folder.iterdir() if file.name.endswith(".toml"))


# -- parsing -----------------------------------------------------------------------------------------


class TabularResult(NamedTuple):
    records: list[FineRecord]
    quarantined: list[QuarantinedRow]


class _RowError(ValueError):
    """A row that cannot become a record; the message is the quarantine reason."""

    def __init__(self, reason: str, row_id: str | None = None) -> None:
        super().__init__(reason)
        self.row_id = row_id


def parse_tabular(data: bytes, mapping: Mapping, known_ids: frozenset[str]) -> TabularResult:
    """Every row of ``data`` as ``mapping`` declares it: a record, or a quarantined row saying why not.

    ``known_ids`` are the provision ids cited articles may resolve to (those of the GDPR, say).
    """
    rows, header = _rows(data, mapping.format)
    table = _Table(mapping, rows, header, known_ids)
    records: list[FineRecord] = []
    quarantined: list[QuarantinedRow] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            record = table.record(row, number)
            if record.row_id in first_row_of:
                raise _RowError(f"row_id: {record.row_id!r} repeats row {first_row_of[record.row_id]}",
                                record.row_id)
        except _RowError as error:
            quarantined.append(QuarantinedRow(source=mapping.source.name, row_number=number, row_id=error.row_id,
                                              reason=str(error), raw=json.dumps(row, ensure_ascii=False)))
            continue
        first_row_of[record.row_id] = number
        records.append(record)
    return TabularResult(records, quarantined)


def _rows(data: bytes, fmt: Format) -> tuple[list[Row], dict[str, int] | None]:
    """The data rows, and the header's column positions when columns have names."""
    if not data.strip():
        raise ParseError("empty input: no rows")
    if fmt.kind == "json":
        return _json_rows(data, fmt.rows), None
    rows = _csv_rows(data, fmt)
    if not fmt.header:
        return rows, None
    if not rows:
        raise ParseError("no header row")
    header: dict[str, int] = {}
    for position, name in enumerate(rows[0]):
        header.setdefault(name.strip(), position)
    return rows[1:], header


def _csv_rows(data: bytes, fmt: Format) -> list[Row]:
    try:
        text = data.decode(fmt.encoding)
    except UnicodeDecodeError as error:
        raise ParseError(f"not {fmt.encoding}: byte {data[error.start]:#04x} at offset {error.start}") from None
    delimiter = fmt.delimiter or ("\t" if fmt.kind == "tsv" else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=fmt.quote)
    try:
        return [cells for cells in reader if cells]
    except csv.Error as error:
        raise ParseError(f"malformed {fmt.kind.upper()} at line {reader.line_num}: {error}") from None


def _json_rows(data: bytes, path: str) -> list[Row]:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise ParseError(f"malformed JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    except UnicodeDecodeError as error:
        raise ParseError(f"malformed JSON: not UTF-8 ({error.reason} at offset {error.start})") from None
    rows = _walk(document, path.split(".") if path else [])
    if not isinstance(rows, list):
        raise ParseError(f"no list of rows at {path or 'the top level'!r} of the JSON document")
    return rows


_MISSING = object()
_CURRENCY = "fine.currency_column"  # the currency column's key among the located columns


def _walk(node: Any, steps: list[Column]) -> Any:
    """Follow object keys and array indexes; ``_MISSING`` where the path leads nowhere."""
    for step in steps:
        if isinstance(node, list) and (isinstance(step, int) or step.isdigit()) and int(step) < len(node):
            node = node[int(step)]
        elif isinstance(node, dict) and str(step) in node:
            node = node[str(step)]
        else:
            return _MISSING
    return node


def _text(cell: Any) -> str | None:
    if cell is _MISSING or cell is None:
        return None
    return cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False)


class _Reads(dict[str, _Read]):
    """Each mapped field's reading; an unmapped field reads as nothing."""

    def __missing__(self, name: str) -> _Read:
        return _Read(None, [])


class _Table:
    """A mapping bound to one document: its columns located, its rows turned into records."""

    def __init__(self, mapping: Mapping, rows: list[Row], header: dict[str, int] | None,
                 known_ids: frozenset[str]) -> None:
        self._mapping = mapping
        self._header = header
        self._known_ids = known_ids
        self._specs = mapping.fields.specs()
        columns = {name: spec.column for name, spec in self._specs.items() if spec.column is not None}
        if mapping.fields.fine is not None and mapping.fields.fine.currency_column is not None:
            columns[_CURRENCY] = mapping.fields.fine.currency_column
        self._steps = {name: self._locate(name, column, rows) for name, column in columns.items()}
        indexes = [steps[0] for steps in self._steps.values() if isinstance(steps[0], int)]
        self._cells_needed = max(indexes, default=-1) + 1

    def _locate(self, field: str, column: Column, rows: list[Row]) -> list[Column]:
        """The path to a field's cell in every row; a column the document lacks is a ParseError."""
        if isinstance(column, int):
            return [column]
        if self._header is not None:
            if column not in self._header:
                raise ParseError(f"column {column!r} (field {field}) is not in the header: "
                                 f"{', '.join(repr(name) for name in self._header)}")
            return [self._header[column]]
        if self._mapping.format.kind != "json":
            raise ParseError(f"column {column!r} (field {field}) is a name, but the table has no header")
        steps: list[Column] = list(column.split("."))
        if rows and all(_walk(row, steps) is _MISSING for row in rows):
            raise ParseError(f"path {column!r} (field {field}) is in no row")
        return steps

    def record(self, row: Row, number: int) -> FineRecord:
        self._check_shape(row)
        read = _Reads({name: spec.read(self._cell(row, name), number) for name, spec in self._specs.items()})
        try:
            record = self._record(read, row)
            self._check_required(record, read)
        except ValueError as error:
            raise _RowError(str(error), read["row_id"].value) from None
        return record

    def _record(self, read: _Reads, row: Row) -> FineRecord:
        country = _convert("country", read["country"], _country)
        authority = read["authority"]
        decision_date = _convert("decision_date", read["decision_date"], self._date) \
            or unknown_date(read["decision_date"].raw)
        fine = _convert("fine", read["fine"], lambda text: self._money(text, row, country, decision_date.value))
        return FineRecord(
            source=self._mapping.source.name,
            row_id=read["row_id"].value or "",
            case_id=read["case_id"].value,
            country=country,
            authority_id=self._authority(authority.value, read["country"].value, country),
            authority_raw=authority.raw,
            decision_date=decision_date,
            fine=fine,
            fine_raw=read["fine"].raw,
            fined=self._mapping.fields.fine.fined(read["fine"], fine) if self._mapping.fields.fine else None,
            organisations=[party for item in read["organisations"].items for party in organisations(item)],
            organisation_raw=read["organisations"].raw,
            sector=read["sector"].value,
            violation=read["violation"].value,
            outcome=read["outcome"].value,
            articles_raw=read["articles"].items,
            articles=self._articles(read["articles"].items),
            summary=read["summary"].value,
            source_urls=read["source_urls"].items,
            licence=self._mapping.source.licence,
            attribution=self._mapping.source.attribution,
        )

    def _authority(self, name: str | None, country_name: str | None, country: str | None) -> str | None:
        if name:
            return gazetteer().resolve(name, country)
        if self._mapping.fields.authority is None or not self._mapping.fields.authority.from_ or country is None:
            return None
        named = gazetteer().bearing(country_name, country)  # an authority given as the country: "EDPB"
        return next(iter(named)) if len(named) == 1 else gazetteer().national(country)

    def _articles(self, items: list[str]) -> list[str]:
        if not items:
            return []
        spec = self._mapping.fields.articles
        try:
            cited = cited_provisions(items, self._known_ids, spec.lang)
            # An item the template made is an article number by the mapping's word: one that cites none of the
            # acts loaded is wrong (without any act loaded, there is nothing to tell).
            if spec.template and self._known_ids and (wrong := [item for item in items
                                            if not cited_provisions([item], self._known_ids, spec.lang)]):
                raise ValueError(f"{wrong[0]!r} cites no article of the acts loaded")
        except ValueError as error:
            raise ValueError(f"articles: {error}") from None
        return cited

    def _check_shape(self, row: Row) -> None:
        if not isinstance(row, (list, dict)):
            raise _RowError(f"row is a JSON {type(row).__name__}, not an array or an object")
        if self._header is not None and len(row) != len(self._header):
            raise _RowError(f"row has {len(row)} cells, the header has {len(self._header)}")
        if isinstance(row, list) and len(row) < self._cells_needed:
            raise _RowError(f"row has {len(row)} cells, the mapping reads {self._cells_needed}")

    def _cell(self, row: Row, name: str) -> str | None:
        return _text(_walk(row, self._steps[name])) if name in self._steps else None

    def _date(self, text: str) -> PartialDate:
        return parse_date(text, self._mapping.fields.decision_date.formats)

    def _money(self, text: str, row: Row, country: str | None, on: dt.date | None) -> Money:
        spec = self._mapping.fields.fine
        named = normalise(self._cell(row, _CURRENCY) or "")
        currency = currency_code(named) if named else spec.currency
        if currency == LOCAL:
            if country is None:
                raise ValueError(f"amount {text!r} is in the currency of the row's country, and the row names none")
            currency = local_currency(country, on)
        return parse_money(text, thousands=spec.thousands, decimal=spec.decimal, currency=currency, on=on)

    def _check_required(self, record: FineRecord, read: _Reads) -> None:
        if not record.row_id:
            raise ValueError("row_id: no value")
        for name, spec in self._specs.items():
            value, raw = read[name].value, read[name].raw
            if spec.required and value is None:
                raise ValueError(f"{name}: no value" + (f" in {raw!r}" if raw else ""))
            if spec.required and name == "authority" and record.authority_id is None:
                country = f" of {record.country}" if record.country else ""
                raise ValueError(f"authority: {value!r} names no authority{country} in the gazetteer")


def _country(name: str) -> str:
    """A country's name, or the name of an authority, whose country it is ("EDPB": ``EU``)."""
    code = country_code(name)
    if code is not None:
        return code
    named = gazetteer().bearing(name)
    if len(named) == 1:
        return gazetteer().authorities[next(iter(named))].country
    if named:
        raise ValueError(f"unknown country {name!r}: it names {len(named)} authorities ({', '.join(sorted(named))})")
    raise ValueError(f"unknown country {name!r}: neither a country's name (parsers/data/countries.toml) "
                     "nor an authority's")


def _convert(field: str, read: _Read, convert: Callable[[str], Any]) -> Any:
    """``convert`` applied to the field's value (None without one); its errors name the field."""
    if read.value is None:
        return None
    try:
        return convert(read.value)
    except ValueError as error:
        raise ValueError(f"{field}: {error}") from None
