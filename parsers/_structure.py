"""Assigns ELI ids to the units of an act as a parser walks it in reading order.

Every act format (EUR-Lex HTML current and legacy, Formex) feeds the same calls, so that the same
wording gets the same id whatever the markup. The rules:

- chapters ``cpt_III``, sections ``cpt_III/sct_1``; articles and recitals under the act;
- a numbered paragraph ``art_17/par_1``; its first text block is its own text (the chapeau), each
  further block is a subparagraph ``par_1/sub_2``, ``par_1/sub_3`` … (the chapeau being the first);
- an article without numbered paragraphs holds its first block itself, further ones as ``art_10/sub_2``;
- points attach to the block they follow (``par_1/pnt_a``, or ``par_1/sub_2/pnt_a`` under a later
  subparagraph); points of a nested list attach to the point before them (``pnt_a/pnt_i``);
- dash indents are numbered in order: ``idt_1``, ``idt_2`` …;
- a footnote belongs to the unit whose text calls it, numbered in the order of the calls in that
  text: ``art_76/par_2/ftn_1``. The number a document prints is its own (the consolidated GDPR prints
  the act's notes 19–21 as 1–3), so it is no part of the id; parsers drop the call (and the space
  before it) from the text, the link being the parent, and pass the note with :meth:`footnote` right
  after the unit. A note called from outside any provision (the title, the citations) is the act's,
  under the number the document prints: ``ftn_3`` (:meth:`act_footnote`).
"""

from __future__ import annotations

import datetime as dt
import re

from parsers._act_words import LATIN_LETTERS, ActWords, act_words
from schema.ids import Kind, child_id
from schema.law import ParsedAct, SourceFormat
from schema.text import normalise

_POINT_LABEL = re.compile(r"^\(?\s*([0-9]+|[a-z]{1,2}|[ivxlc]+)\s*\)?\.?$", re.IGNORECASE)
_NATIVE_LETTER = re.compile(r"\(?\s*([^\W\d_]{1,3})\s*\)?\.?")
_DASHES = {"—", "–", "-", "•"}
_INSIDE_BLOCK = (Kind.SUBPARAGRAPH, Kind.POINT, Kind.INDENT)


def point_number(label: str, words: ActWords | None = None) -> str | None:
    """``"(a)"`` → ``"a"``, ``"(iv)"`` → ``"iv"``, ``"(12)"`` → ``"12"``; None for a dash or bullet.

    A letter of the language's own alphabet is numbered by the Latin letter of the same position
    (BG ``"б)"`` → ``"b"``, EL ``"στ)"`` → ``"f"``), so that ids are the same in every language."""
    label = label.strip()
    if label in _DASHES:
        return None
    letter = _NATIVE_LETTER.fullmatch(label)
    if words is not None and letter and (latin := words.latin_point_letter(letter.group(1))):
        return latin
    match = _POINT_LABEL.match(label)
    if not match:
        raise ValueError(f"not a point label: {label!r}")
    return match.group(1).lower()


class ActBuilder:
    """Collects an act's units in reading order and gives each its id and parent.

    Raises ``ValueError`` for what the rules cannot place: a paragraph or point outside any article,
    a nested point without its outer one, text for a point when none is open, a duplicate id.
    """

    def __init__(self, act_id: str, lang: str, source_format: SourceFormat, title: str,
                 document_date: dt.date | None = None) -> None:
        self.words = act_words(lang)  # the act's language's words for its units
        self._act = dict(act_id=act_id, lang=lang, source_format=source_format,
                         title=normalise(title), document_date=document_date)
        act = dict(id=act_id, kind=Kind.ACT, number=None, parent_id=None, heading=None,
                   text=self._act["title"], text_original=title)
        self._units: list[dict] = [act]
        self._by_id: dict[str, dict] = {act_id: act}
        self._act_notes = 0  # the act's own notes, kept right after it
        self._counts: dict[tuple[str, Kind], int] = {}  # children numbered in order, by parent
        self._chapter: str | None = None
        self._section: str | None = None
        self._article: str | None = None
        self._block: str | None = None  # the unit the last text block went to
        self._points: list[str] = []  # the open point at each list depth
        self._lettered: dict[str, int] = {}  # the points so far of each list lettered from a, by parent
        self._last: str | None = None  # the unit given text (or a heading) last: its footnotes' parent

    # -- structure above articles ---------------------------------------------------------
    def chapter(self, number: str, heading: str) -> None:
        self._chapter = self._add(self._act["act_id"], Kind.CHAPTER, number, heading=heading)
        self._section = None

    def section(self, number: str, heading: str) -> None:
        self._section = self._add(self._chapter or self._act["act_id"], Kind.SECTION, number, heading=heading)

    def recital(self, number: str, text: str) -> None:
        self._add(self._act["act_id"], Kind.RECITAL, number, text=text)

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
        seen = self._next(container, Kind.SUBPARAGRAPH)
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
        if depth < 1:
            raise ValueError(f"point {label!r} at depth {depth}: lists start at depth 1")
        if depth > len(self._points) + 1:
            raise ValueError(f"point {label!r} at depth {depth} without an open point at depth {depth - 1}")
        del self._points[depth - 1:]
        parent = self._points[-1] if self._points else self._block
        number = self._in_sequence(parent, point_number(label, self.words))
        if number is None:
            point_id = self._add(parent, Kind.INDENT, str(self._next(parent, Kind.INDENT)), text=text)
        else:
            point_id = self._add(parent, Kind.POINT, number, text=text)
        self._points.append(point_id)

    def append_to_point(self, text: str) -> None:
        """A further block inside the open point (a point of several alineas): joined to its text."""
        if not self._points:
            raise ValueError(f"text for a point, but no point is open: {normalise(text)[:60]!r}")
        unit = self._by_id[self._points[-1]]
        self._set_text(unit["id"], f"{unit['text_original']}\n{text}" if unit["text_original"] else text)

    def _in_sequence(self, parent: str, number: str | None) -> str | None:
        """In a list lettered from a, the n-th point is the n-th letter, whatever the letter printed:
        the originals misprint some (ET Article 57(1) prints m) twice, FI Article 13(1) d) twice,
        EL Article 70(1) skips ι)), the other languages and the consolidated texts do not."""
        if number == "a" and parent not in self._lettered:
            self._lettered[parent] = 0
        if parent not in self._lettered or number is None or len(number) != 1 or not number.isalpha():
            return number
        self._lettered[parent] += 1
        return LATIN_LETTERS[self._lettered[parent] - 1] if self._lettered[parent] <= len(LATIN_LETTERS) else number

    # -- footnotes ----------------------------------------------------------------------------
    def footnote(self, text: str) -> None:
        """A note called from the text (or heading) given last: ``<that unit>/ftn_1``, ``ftn_2`` …"""
        if self._last is None:
            raise ValueError("footnote called before any provision: a note of the title or the "
                             "citations is the act's (act_footnote)")
        number = str(self._next(self._last, Kind.FOOTNOTE))
        self._units.append(self._new(self._last, Kind.FOOTNOTE, number, text=text))

    def act_footnote(self, number: str, text: str) -> None:
        """A note called from outside any provision: ``<act>/ftn_<number>``, the number the document
        prints. Placed right after the act, where its title and citations are read."""
        unit = self._new(self._act["act_id"], Kind.FOOTNOTE, number, text=text)
        self._act_notes += 1
        self._units.insert(self._act_notes, unit)

    def build(self) -> ParsedAct:
        """The act, validated in one pass over the plain records collected."""
        return ParsedAct.model_validate({**self._act, "provisions": self._units})

    # -- internals --------------------------------------------------------------------------
    def _require_article(self) -> str:
        if self._article is None:
            raise ValueError("paragraph outside any article")
        return self._article

    def _container(self) -> str:
        """The paragraph (or paragraph-less article) that text blocks currently belong to."""
        block = self._block or self._require_article()
        while self._by_id[block]["kind"] in _INSIDE_BLOCK:
            block = self._by_id[block]["parent_id"]
        return block

    def _open_block(self, unit_id: str) -> None:
        self._block = unit_id
        self._points = []

    def _next(self, parent: str, kind: Kind) -> int:
        """1, 2 … : the ordinal of the next ``kind`` (text block, indent, footnote) in ``parent``."""
        key = (parent, kind)
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]

    def _set_text(self, unit_id: str, text: str) -> None:
        unit = self._by_id[unit_id]
        unit["text"], unit["text_original"] = normalise(text), text
        self._last = unit_id

    def _add(self, parent: str, kind: Kind, number: str, heading: str | None = None, text: str = "") -> str:
        unit = self._new(parent, kind, number, heading, text)
        self._units.append(unit)
        self._last = unit["id"]
        return unit["id"]

    def _new(self, parent: str, kind: Kind, number: str, heading: str | None = None, text: str = "") -> dict:
        unit_id = child_id(parent, kind, number)
        if unit_id in self._by_id:
            raise ValueError(f"duplicate provision {unit_id}")
        unit = dict(id=unit_id, kind=kind, number=number, parent_id=parent,
                    heading=normalise(heading) if heading else None,
                    text=normalise(text) if text else "", text_original=text)
        self._by_id[unit_id] = unit
        return unit
