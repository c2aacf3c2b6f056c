"""What the current and the legacy EUR-Lex HTML markup share.

Both render an act as the same blocks in the same order, named by the same classes: the current
markup prefixes them with ``oj-`` and wraps them in ``div``s, the legacy one is flat. So one reader
walks both in document order; a :class:`Markup` says what differs (the class prefix, and how a
numbered paragraph is recognised).

The tree is plain ``lxml.etree``: ``lxml.html`` looks up a Python class for every element it
hands out, which costs as much as the whole walk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property, partial
from typing import get_args

from lxml import etree

from parsers._act_words import ActWords, act_words
from parsers._structure import ActBuilder
from parsers.errors import ParseError
from schema.ids import act_id
from schema.law import ActLang, ParsedAct, SourceFormat
from schema.text import normalise

Element = etree._Element

# "1.   The data subject …" (the spaces are U+00A0 in the source; \s matches them)
NUMBERED_PARAGRAPH = re.compile(r"\s*(\d+[a-z]?)\.\s+(.*)", re.DOTALL)

_LABEL = re.compile(r"\s*\((\d+)\)\s*(.*)", re.DOTALL)  # "(47)" before a recital or a footnote
_OJ_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# The act's number in its title: "REGULATION (EU) 2016/679", "Regulation (EC) No 45/2001", "DIRECTIVE 95/46/EC"
_ACT_NUMBER = re.compile(r"(No\s*|n°\s*|Nr\.\s*)?\b(\d+)/(\d+)", re.IGNORECASE)
_MAGIC = {b"%PDF": "a PDF file", b"PK\x03\x04": "a ZIP archive (DOCX, XLSX …)", b"\x1f\x8b": "gzip data",
          b"{": "JSON", b"[": "JSON"}
_HEADER_ROLES = {"hd-date", "hd-lg", "hd-ti", "hd-oj", "doc-ti"}
# Every class the reader acts on, without the markup's prefix.
_ROLES = _HEADER_ROLES | {"ti-section-1", "ti-section-2", "ti-art", "sti-art", "normal", "final", "doc-end"}
_PREFIXES = {"current": "oj-", "legacy": ""}

_CELLS = etree.XPath("./tbody/tr/td | ./tr/td")
_BY_CLASS = etree.XPath("//*[local-name() = $tag][@class = $cls]")
_serialised_text = partial(etree.tostring, method="text", encoding=str, with_tail=False)


def _text_of(element: Element) -> str:
    """An element's text content, as the source has it."""
    return _serialised_text(element) if len(element) else element.text or ""


class Markup:
    """One EUR-Lex HTML markup: its name in ``_PREFIXES`` and how it marks a numbered paragraph
    (``is_paragraph(p, text)``: does this block open one)."""

    def __init__(self, name: str, source_format: SourceFormat,
                 is_paragraph: Callable[[Element, str], bool]) -> None:
        self.name = name
        self.source_format = source_format
        self.is_paragraph = is_paragraph
        self.prefix = _PREFIXES[name]
        self._roles = {self.prefix + role: role for role in _ROLES}

    def role(self, element: Element) -> str | None:
        """The element's class without the markup's prefix (``oj-ti-art`` → ``ti-art``), if the reader
        acts on it."""
        return self._roles.get(element.get("class"))


def parse_act(data: bytes, markup: Markup) -> ParsedAct:
    """The act a page in ``markup`` holds, whole, or ``ParseError`` saying what is wrong."""
    root = _html(data)
    notes = _Notes(root)
    builder = _builder(root, markup)
    reader = _Reader(markup, builder, notes)
    try:
        reader.walk(root)
    except ValueError as error:  # ours or the builder's (duplicate provision, stray point …)
        _check_complete(root, markup)  # a page cut short explains any odd last block
        if isinstance(error, ParseError):
            raise
        raise ParseError(f"{error} (in or after Article {reader.last_article})") from error
    reader.check()
    for number, text in notes.uncalled_by_provisions():
        builder.act_footnote(number, text)
    return builder.build()


# -- the document as a whole ------------------------------------------------------------------
def _html(data: bytes) -> Element:
    if not data.strip():
        raise ParseError("empty document (0 bytes)" if not data else "empty document (only whitespace)")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        kind = next((name for magic, name in _MAGIC.items() if head.startswith(magic)), "not markup")
        raise ParseError(f"not HTML: the document starts with {head[:8]!r} ({kind})")
    try:
        root = etree.fromstring(data, etree.HTMLParser(collect_ids=False))
    except etree.LxmlError as error:
        raise ParseError(f"not HTML: {error}") from error
    if root is None or root.find("body") is None:
        raise ParseError("not HTML: the document has no <body>")
    return root


class _Notes:
    """The page's footnotes. Their calls ("… of the Council\u00a0(4) seeks") are taken out of the
    text blocks at once, with the space before them, and kept by block; the notes' own texts, at
    the end of the page, are read when first needed."""

    def __init__(self, root: Element) -> None:
        self._blocks: list[Element] = []
        self._calls: dict[Element | None, list[str]] = defaultdict(list)
        for anchor in [a for a in root.iter("a") if a.get("id", "").startswith(("ntc", "ntr"))]:
            block = next(anchor.iterancestors("p"), None)
            if anchor.get("id").startswith("ntc"):
                self._calls[block].append(_text_of(anchor).strip().strip("()"))
                _drop(anchor)
            elif block is not None:  # a note opens with a link back to its call: <a id="ntr4-…">(4)</a>
                self._blocks.append(block)
        self._given: set[str] = set()

    def called_by(self, block: Element) -> list[str]:
        """The texts of the notes ``block`` calls, in order; each block's once. A note missing from
        the page is reported by :meth:`uncalled_by_provisions`, after the checks for a page cut short."""
        if block not in self._calls:
            return []
        numbers = self._calls.pop(block)
        self._given.update(numbers)
        return [self._texts[number] for number in numbers if number in self._texts]

    def uncalled_by_provisions(self) -> list[tuple[str, str]]:
        """(number, text) of the notes no provision calls: the title's, the citations' …"""
        called = self._given.union(*self._calls.values())
        if missing := sorted(called - self._texts.keys(), key=lambda number: (len(number), number)):
            raise ParseError(f"footnote {missing[0]} is called in the text but missing from the notes")
        return [(number, text) for number, text in self._texts.items() if number not in self._given]

    @cached_property
    def _texts(self) -> dict[str, str]:
        texts = {}
        for p in self._blocks:
            match = _LABEL.fullmatch(_text_of(p).strip())
            if not match:
                raise ParseError(f"footnote without its number: {normalise(_text_of(p))[:60]!r}")
            texts[match.group(1)] = match.group(2)
        return texts


def _drop(element: Element) -> None:
    """Takes ``element`` out of the tree, its tail kept and the space before it dropped."""
    parent, previous = element.getparent(), element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip() + tail
    else:
        parent.text = (parent.text or "").rstrip() + tail
    parent.remove(element)


def _builder(root: Element, markup: Markup) -> ActBuilder:
    """A builder for the act the page header and title state."""
    header = _header(root, markup)
    if "doc-ti" not in header:
        raise ParseError(f'not an EUR-Lex act: expected its title in <p class="{markup.prefix}doc-ti">, '
                         f"found none{_page_hint(root, markup)}")
    title = "\n".join(t.strip() for t in header["doc-ti"])
    lang = _lang(root, header, markup)
    return ActBuilder(_act_id(title, act_words(lang)), lang, markup.source_format, title, _date(header))


def _header(root: Element, markup: Markup) -> dict[str, list[str]]:
    """The texts of the page header and title blocks, by role: they open the page."""
    found: dict[str, list[str]] = {}
    for p in root.iter("p"):
        role = markup.role(p)
        if role in _HEADER_ROLES:
            found.setdefault(role, []).append(_text_of(p))
        elif "doc-ti" in found:
            break
    return found


def _act_id(title: str, words: ActWords) -> str:
    match = _ACT_NUMBER.search(title)
    kind = words.act_type_near(title, match.start(2), match.end(3)) if match else None
    if not match or kind is None:
        raise ParseError(f"no act type and number in the title {normalise(title)!r}")
    number_first, first, second = match.groups()
    year, number = (second, first) if number_first else (first, second)
    if len(year) == 2:  # "95/46/EC"
        year = ("19" if int(year) > 50 else "20") + year
    return act_id(kind, year, number)


def _lang(root: Element, header: dict[str, list[str]], markup: Markup) -> str:
    stated = header.get("hd-lg") or [root.get("lang") or root.get("xml:lang") or ""]
    lang = stated[0].strip().lower()
    if not lang:
        raise ParseError(f'no language stated: expected <p class="{markup.prefix}hd-lg"> or <html lang>')
    if lang not in get_args(ActLang):
        raise ParseError(f"unsupported language {lang!r}: lexgraph reads {', '.join(get_args(ActLang))}")
    return lang


def _date(header: dict[str, list[str]]) -> dt.date | None:
    """The Official Journal date in the page header ("4.5.2016"), if any."""
    for stated in header.get("hd-date", []):
        if match := _OJ_DATE.search(stated):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
    return None


def _page_hint(root: Element, markup: Markup) -> str:
    for name, prefix in _PREFIXES.items():
        if name != markup.name and _BY_CLASS(root, tag="p", cls=f"{prefix}doc-ti"):
            return f"; this page uses the {name} EUR-Lex markup"
    if root.find("head") is None and len(body := root.find("body")):
        return f"; the document has no <head> and opens with <{body[0].tag}>, not an HTML page"
    title = root.findtext("head/title")
    return f" (page title: {normalise(title)!r})" if title and title.strip() else ""


def _check_complete(root: Element, markup: Markup) -> None:
    """Raises if the page is cut short: it must hold its final formula and its end mark."""
    articles = _BY_CLASS(root, tag="p", cls=f"{markup.prefix}ti-art")
    _raise_if_truncated(markup, normalise(_text_of(articles[-1])) if articles else None,
                        has_final=bool(_BY_CLASS(root, tag="div", cls=f"{markup.prefix}final")),
                        has_end=bool(_BY_CLASS(root, tag="hr", cls=f"{markup.prefix}doc-end")))


def _raise_if_truncated(markup: Markup, last_article: str | None, has_final: bool, has_end: bool,
                        last_recital: str | None = None) -> None:
    if last_article is None:
        after = f" after recital {last_recital}" if last_recital else ""
        raise ParseError(f'truncated or not an act: no article title (<p class="{markup.prefix}ti-art">) '
                         f"found{after}")
    if not has_final:
        raise ParseError(f"truncated: the document ends without the final formula "
                         f'(<div class="{markup.prefix}final">); last article found is {last_article}')
    if not has_end:
        raise ParseError("truncated: the document ends before its end mark "
                         f'(<hr class="{markup.prefix}doc-end">)')


# -- the blocks, in reading order -------------------------------------------------------------
class _Reader:
    """Feeds the builder from the page's blocks: preamble (recitals), enacting terms, final part."""

    def __init__(self, markup: Markup, builder: ActBuilder, notes: _Notes) -> None:
        self._markup = markup
        self._builder = builder
        self._notes = notes
        self._stage = "preamble"
        self._pending: tuple[str, str] | None = None  # a title whose heading may follow: (kind, number)
        self._ended = False
        self.articles: list[str] = []
        self.recitals: list[str] = []

    @property
    def last_article(self) -> str:
        return self.articles[-1] if self.articles else "none"

    def walk(self, container: Element) -> None:
        for element in container:
            tag = element.tag
            if tag == "p":
                self._block(element)
            elif tag == "table":
                self._table(element)
            elif tag == "div" and self._markup.role(element) == "final":
                self._flush()
                self._stage = "final"  # the formula and signatures: no provisions
            elif tag in ("div", "body"):
                self.walk(element)
            elif tag == "hr" and self._markup.role(element) == "doc-end":
                self._ended = True

    def check(self) -> None:
        """Raises unless the page was read whole: final formula, end mark, every number in sequence."""
        self._flush()
        _raise_if_truncated(self._markup, f"Article {self.articles[-1]}" if self.articles else None,
                            has_final=self._stage == "final", has_end=self._ended,
                            last_recital=self.recitals[-1] if self.recitals else None)
        _check_sequence("Article", self.articles)
        _check_sequence("recital", self.recitals)

    # -- paragraphs ---------------------------------------------------------------------------
    def _block(self, p: Element) -> None:
        role = self._markup.role(p)
        if role in ("ti-section-2", "sti-art") and self._pending:
            self._flush(heading=_text_of(p))
            self._footnotes(p)
            return
        self._flush()
        if role == "normal" and self._stage == "enacting":
            self._normal(p, _text_of(p).strip())
        elif role == "ti-art":
            self._stage = "enacting"
            self._pending = ("article", self._builder.words.unit_number("article", _text_of(p)))
        elif role == "ti-section-1":
            self._stage = "enacting"
            self._pending = _division(self._builder.words, _text_of(p))
        elif role == "doc-ti" and self._stage != "preamble":
            raise ParseError(f"annexes are not supported: found {normalise(_text_of(p))!r} "
                             "after the enacting terms")

    def _normal(self, p: Element, raw: str) -> None:
        if not self._markup.is_paragraph(p, raw):
            self._builder.text_block(raw)
        elif match := NUMBERED_PARAGRAPH.fullmatch(raw):
            self._builder.paragraph(match.group(1), match.group(2))
        else:
            raise ParseError(f"paragraph without its number in Article {self.last_article}: "
                             f"{normalise(raw)[:60]!r}")
        self._footnotes(p)

    def _footnotes(self, *blocks: Element) -> None:
        """The notes called in the blocks just fed go to the unit their text went to."""
        for block in blocks:
            for text in self._notes.called_by(block):
                self._builder.footnote(text)

    def _flush(self, heading: str | None = None) -> None:
        """Opens the pending chapter, section or article, with the heading that followed its title."""
        if self._pending is None:
            return
        kind, number = self._pending
        self._pending = None
        if kind == "chapter":
            self._builder.chapter(number, heading or "")
        elif kind == "section":
            self._builder.section(number, heading or "")
        else:
            self._builder.article(number, heading)
            self.articles.append(number)

    # -- tables: recitals in the preamble, points in the enacting terms -----------------------
    def _table(self, table: Element) -> None:
        self._flush()
        if self._stage == "preamble":
            self._recital(table)
        elif self._stage == "enacting":
            self._points(table, depth=1)

    def _recital(self, table: Element) -> None:
        cells = _CELLS(table)
        label = _LABEL.fullmatch(_text_of(cells[0])) if len(cells) == 2 else None
        if label is None:
            return  # the page header, not a recital
        blocks = list(cells[1].iter("p"))
        self._builder.recital(label.group(1), "\n".join(_text_of(p).strip() for p in blocks))
        self._footnotes(*blocks)
        self.recitals.append(label.group(1))

    def _points(self, table: Element, depth: int) -> None:
        cells = _CELLS(table)
        if len(cells) != 2:
            raise ParseError(f"unexpected table of {len(cells)} cells in Article {self.last_article}: "
                             "expected a point (label cell, text cell)")
        label, body = cells
        opened = False
        for child in body:
            if child.tag == "table":
                self._points(child, depth + 1)
            elif child.tag == "p" and not opened:
                self._builder.point(_text_of(label), _text_of(child).strip(), depth)
                self._footnotes(child)
                opened = True
            elif child.tag == "p":
                self._builder.append_to_point(_text_of(child).strip())
                self._footnotes(child)


def _division(words: ActWords, title: str) -> tuple[str, str]:
    """A chapter or section title ("CHAPTER III", "Abschnitt 1") as (kind, number)."""
    number = words.match_number("section", title)
    return ("section", number) if number else ("chapter", words.unit_number("chapter", title))


def _check_sequence(kind: str, numbers: list[str]) -> None:
    """Numbers run 1, 2, 3 …: a gap means a lost block."""
    for expected, number in enumerate(numbers, start=1):
        if number.isdigit() and int(number) != expected:
            after = f"{kind} {numbers[expected - 2]}" if expected > 1 else "the start"
            raise ParseError(f"{kind}s out of sequence: {kind} {number} follows {after}")
