"""Records of the law: provisions as parsed from one source document, their dated versions, and
the cross-references between them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schema.ids import Kind

# Any language a source is written in (ISO 639-1); acts are parsed in the languages their grammars cover.
Lang = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
# The 24 official languages of the EU, the languages its acts are published in.
ActLang = Literal["bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
                  "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"]


class Record(BaseModel):
    """Base of every record: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceFormat(StrEnum):
    EURLEX_HTML = "eurlex_html"
    EURLEX_HTML_LEGACY = "eurlex_html_legacy"
    FORMEX_ACT = "formex_act"
    FORMEX_CONSOLIDATED = "formex_consolidated"
    FORMEX_CORRIGENDUM = "formex_corrigendum"


class ParsedProvision(Record):
    """One structural unit of an act as one source document words it, in document order.

    ``text`` is the unit's own wording, normalised (children excluded: a paragraph's text is its
    chapeau, its points are children); ``text_original`` is the same span as the source has it.
    """

    id: str
    kind: Kind
    number: str | None = None
    parent_id: str | None = None
    heading: str | None = None
    text: str = ""
    text_original: str = ""


class ParsedAct(Record):
    """Everything one act document (HTML page, Formex act or consolidated act) holds, in one language."""

    act_id: str
    lang: ActLang
    source_format: SourceFormat
    title: str
    document_date: dt.date | None = None
    provisions: list[ParsedProvision]


class Correction(Record):
    """One ``CORRECTION`` of a corrigendum: the wording to find (``old``) and what replaces it (``new``).

    ``target_id`` is the provision the correction was found to apply to, set when corrections are applied.
    ``located_in`` is the recital or article the description names ("On page 14, recital 71"), None
    if it names neither. ``throughout``: a term (``old``) replaced by another throughout the act, the
    sentences adapted to it (SL): the adapted wording is not stated.
    """

    description: str
    field: Literal["text", "heading"] = "text"
    old: str
    new: str
    located_in: str | None = None
    throughout: bool = False
    target_id: str | None = None


class ParsedCorrigendum(Record):
    act_id: str
    lang: ActLang
    document_date: dt.date
    corrections: list[Correction]


class SourceDocument(Record):
    """A fetched document as the graph records it: where it came from and under which licence."""

    sha256: str
    name: str
    url: str
    format: str
    lang: Lang | None = None
    fetched_at: dt.datetime
    licence: str
    attribution: str
    access: str = "public"


class Provision(Record):
    """A node of the law's structure, language-independent. External acts cited by the law are
    provisions of kind ``act`` with no text of their own."""

    id: str
    act_id: str
    kind: Kind
    number: str | None = None
    parent_id: str | None = None
    ordinal: int = Field(description="position in the act's reading order")
    source_sha256: list[str] = Field(description="every source document holding this provision")
    parser_version: str
    access: str = "public"


class ProvisionVersion(Record):
    """A provision's wording in one language over a valid-time interval [valid_from, valid_to)."""

    id: str
    provision_id: str
    lang: Lang
    heading: str | None = None
    text: str
    text_original: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    source_sha256: list[str] = Field(description="every source document stating this wording")
    parser_version: str
    access: str = "public"


class CrossReference(Record):
    """A mention of a provision or an act inside a provision's text, with its evidence.

    ``start``/``end`` are character offsets into the citing version's normalised ``text``.
    ``target_id`` is None when the mention could not be resolved; ``reason`` then says why.
    """

    source_id: str
    target_id: str | None
    lang: Lang
    start: int
    end: int
    text: str
    external: bool = False
    reason: str | None = None
    version_id: str | None = None
