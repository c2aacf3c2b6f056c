"""Assigns ELI ids to the units of an act as a parser walks it in reading order.

Every act format (EUR-Lex HTML current and legacy, Formex) feeds the same calls, so that the same
wording gets the same id whatever the markup. The rules:

- chapters ``cpt_III``, sections ``cpt_III/sct_1``; articles, recitals and footnotes under the act;
- a numbered paragraph ``art_17/par_1``; its first text block is its own text (the chapeau), each
  further block is a subparagraph ``par_1/sub_2``, ``par_1/sub_3`` … (the chapeau being the first);
- an article without numbered paragraphs holds its first block itself, further ones as ``art_10/sub_2``;
- points attach to the block they follow (``par_1/pnt_a``, or ``par_1/sub_2/pnt_a`` under a later
  subparagraph); points of a nested list attach to the point before them (``pnt_a/pnt_i``);
- dash indents are numbered in order: ``idt_1``, ``idt_2`` ….
"""

from __future__ import annotations

import datetime as dt
import re

from schema.ids import Kind, child_id
from schema.law import ParsedAct, ParsedProvision, SourceFormat
from schema.text import normalise

_POINT_LABEL = re.compile(r"^\(?\s*([0-9]+|[a-z]{1,2}|[ivxlc]+)\s*\)?\.?$", re.IGNORECASE)
_DASHES = {"—", "–", "-", "•"}


def point_number(label: str) -> str | None:
    """``"(a)"`` → ``"a"``, ``"(iv)"`` → ``"iv"``, ``"(12)"`` → ``"12"``; None for a dash or bullet."""
    label = normalise(label)
    if label in _DASHES:
        return None
    match = _POINT_LABEL.match(label)
    if not match:
        raise ValueError(f"not a point label: {label!r}")
    return match.group(1).lower()


class ActBuilder:
    """Collects an act's units in reading order and gives each its id and parent."""

    def __init__(self, act_id: str, lang: str, source_format: SourceFormat, title: str,
                 document_date: dt.date | None = None) -> None:
        self._act = dict(act_id=act_id, lang=lang, source_format=source_format,
                         title=normalise(title), document_date=document_date)
        self._units: list[dict] = [dict(id=act_id, kind=Kind.ACT, text=normalise(title),
                                        text_original=title)]
        self._by_id: dict[str, dict] = {act_id: self._units[0]}
        self._chapter: str | None = None
        self._section: str | None = None
        self._article: str | None = None
        self._block: str | None = None  # the unit the last text block went to
        self._blocks_in: dict[str, int] = {}  # paragraph/article id -> text blocks seen
        self._points: list[str] = []  # the open point at each list depth

    # -- structure above articles ---------------------------------------------------------
    def chapter(self, number: str, heading: str) -> None:
        self._chapter = self._add(self._act["act_id"], Kind.CHAPTER, number, heading=heading)
        self._section = None

    def section(self, number: str, heading: str) -> None:
        self._section = self._add(self._chapter or self._act["act_id"], Kind.SECTION, number, heading=heading)

    def recital(self, number: str, text: str) -> None:
        self._add(self._act["act_id"], Kind.RECITAL, number, text=text)

    def footnote(self, number: str, text: str) -> None:
        self._add(self._act["act_id"], Kind.FOOTNOTE, number, text=text)

    # -- articles and below -----------------------------------------------------------------
    def article(self, number: str, heading: str | None) -> None:
        parent = self._section or self._chapter or self._act["act_id"]
        self._article = self._add(parent, Kind.ARTICLE, number, heading=heading)
        self._open_block(self._article)

    def paragraph(self, number: str, text: str = "") -> None:
        self._open_block(self._add(self._require_article(), Kind.PARAGRAPH, number))
        if text:
            self.text_block(text)

    def text_block(self, text: str) -> None:
        """An unnumbered block of text: the container's own text first, then subparagraphs."""
        container = self._container()
        seen = self._blocks_in.get(container, 0) + 1
        self._blocks_in[container] = seen
        if seen == 1:
            self._set_text(container, text)
            self._block = container
        else:
            self._block = self._add(container, Kind.SUBPARAGRAPH, str(seen), text=text)
        self._points = []

    def point(self, label: str, text: str, depth: int = 1) -> None:
        """A list item at ``depth`` (1 = a list directly in a paragraph or subparagraph)."""
        if self._block is None:
            raise ValueError(f"point {label!r} outside any article")
        del self._points[depth - 1:]
        parent = self._points[-1] if self._points else self._block
        number = point_number(label)
        if number is None:
            indents = sum(1 for u in self._units if u.get("parent_id") == parent and u["kind"] == Kind.INDENT)
            point_id = self._add(parent, Kind.INDENT, str(indents + 1), text=text)
        else:
            point_id = self._add(parent, Kind.POINT, number, text=text)
        self._points.append(point_id)

    def append_to_point(self, text: str) -> None:
        """A further block inside the open point (a point of several alineas): joined to its text."""
        unit = self._by_id[self._points[-1]]
        self._set_text(unit["id"], f"{unit['text_original']}\n{text}" if unit["text_original"] else text)

    def build(self) -> ParsedAct:
        provisions = [ParsedProvision(**unit) for unit in self._units]
        return ParsedAct(**self._act, provisions=provisions)

    # -- internals --------------------------------------------------------------------------
    def _require_article(self) -> str:
        if self._article is None:
            raise ValueError("paragraph outside any article")
        return self._article

    def _container(self) -> str:
        """The paragraph (or paragraph-less article) that text blocks currently belong to."""
        block = self._block or self._require_article()
        while self._by_id[block]["kind"] in (Kind.SUBPARAGRAPH, Kind.POINT, Kind.INDENT):
            block = self._by_id[block]["parent_id"]
        return block

    def _open_block(self, unit_id: str) -> None:
        self._block = unit_id
        self._points = []

    def _set_text(self, unit_id: str, text: str) -> None:
        self._by_id[unit_id].update(text=normalise(text), text_original=text)

    def _add(self, parent: str, kind: Kind, number: str, heading: str | None = None, text: str = "") -> str:
        unit_id = child_id(parent, kind, number)
        if unit_id in self._by_id:
            raise ValueError(f"duplicate provision {unit_id}")
        unit = dict(id=unit_id, kind=kind, number=number, parent_id=parent,
                    heading=normalise(heading) if heading else None,
                    text=normalise(text), text_original=text)
        self._units.append(unit)
        self._by_id[unit_id] = unit
        return unit_id
