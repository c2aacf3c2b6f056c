"""Formex 4 XML, the Official Journal's own markup: an act as published (root ``ACT``) or a
consolidated act (root ``CONS.ACT``) → :class:`schema.law.ParsedAct`.

Inline elements are rendered the way the EUR-Lex HTML page shows them (quotation marks from their
code point, upper-case ``HT``, grouped amounts), so that an act parsed from Formex and from HTML has
the same normalised text. A footnote (``NOTE``) is dropped from the text that calls it and becomes a
child of the unit that text went to (see :mod:`parsers._structure`).

Any of the 24 EU languages: the words of unit titles ("Article 17", HU "17. cikk"), the point letters
(EL α β γ …) and the act-type words are data, read by :mod:`parsers._act_words`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Protocol, get_args

from lxml import etree

from parsers._act_words import ActWords, act_words
from parsers._structure import ActBuilder
from parsers.errors import ParseError
from schema.ids import ACT_TYPES, act_id
from schema.law import ActLang, ParsedAct, SourceFormat
from schema.text import normalise

__all__ = ["parse_formex_act"]

_ACT_ROOTS = {"ACT": SourceFormat.FORMEX_ACT, "CONS.ACT": SourceFormat.FORMEX_CONSOLIDATED}
_BLOCKS = frozenset({"P", "ALINEA", "LIST", "DLIST"})
_QUOTES = frozenset({"QUOT.START", "QUOT.END"})
_NUMBER_OF_LABEL = re.compile(r"\s*\(?\s*(\d+[a-z]?)\s*[.)]?\s*", re.IGNORECASE)  # "(71)", "1."
_POSITION = re.compile(r",? line \d+, column \d+$")


def parse_formex_act(data: bytes, metadata: bytes | None = None) -> ParsedAct:
    """Parse a Formex ``ACT`` or ``CONS.ACT`` document; raise :class:`ParseError` on anything else.

    ``metadata``, the act's ``.doc.xml``, states the act's type (``LEGAL.VALUE``); without it the type
    is read from the title, with the act-type words of the document's language."""
    root = parse_xml(data)
    if root.tag == "CORR":
        raise ParseError("this is a Formex corrigendum (root <CORR>), not an act: "
                         "use parse_formex_corrigendum")
    if root.tag not in _ACT_ROOTS:
        raise ParseError(f"not a Formex act: root element <{root.tag}>, expected <ACT> or <CONS.ACT>")
    doc = _require(root, "CONS.DOC") if root.tag == "CONS.ACT" else root
    text = InlineText(root)
    title = text.paragraphs(_require(doc, "TITLE/TI"))
    text.take()  # the title's notes are the act's, as are those of the citations (not walked)
    lang = document_lang(root)
    words = act_words(lang)
    builder = ActBuilder(_act_id(root, title, words, metadata), lang, _ACT_ROOTS[root.tag], title,
                         _document_date(root))
    walker = Walker(builder, text)
    try:
        _walk_act(doc, builder, walker)
        for note, number in text.numbers.items():
            if note not in walker.given:
                builder.act_footnote(str(number), text.paragraphs(note))
    except ParseError:
        raise
    except ValueError as error:  # the builder's complaints about the structure
        raise ParseError(f"inconsistent act structure: {error}") from error
    return builder.build()


# -- shared with the corrigendum parser ------------------------------------------------------
def parse_xml(data: bytes) -> etree._Element:
    """Well-formed XML or a :class:`ParseError` saying where it is not. Page-break processing
    instructions and comments are dropped at parse time (the text around them is joined)."""
    if not data.strip():
        raise ParseError("empty document: no bytes to parse")
    parser = etree.XMLParser(remove_pis=True, remove_comments=True, resolve_entities=False,
                             no_network=True)
    try:
        parser.feed(data)
    except etree.XMLSyntaxError as error:
        raise _malformed(error, truncated=False) from error
    try:  # only a document that ends too early fails here, once its end is reached
        return parser.close()
    except etree.XMLSyntaxError as error:
        raise _malformed(error, truncated=True) from error


def document_lang(root: etree._Element) -> ActLang:
    lang = (root.findtext(".//LG.DOC") or "").strip().lower()
    if lang not in get_args(ActLang):
        raise ParseError(f"unsupported document language {lang!r} (LG.DOC), expected one of {get_args(ActLang)}")
    return lang


def iso_date(value: str | None, what: str) -> dt.date:
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y%m%d").date()
    except ValueError:
        raise ParseError(f"{what}: {value!r} is not a date as YYYYMMDD") from None


class InlineText:
    """Renders Formex inline content as text, as EUR-Lex HTML shows it, footnote calls left out.

    A ``NOTE`` is dropped from the text calling it, with the space before it, and waits in ``called``
    until :meth:`take` hands it to the unit the text went to. ``numbers`` are the document's own
    footnote numbers, in order of appearance over the whole document, as the HTML page prints them.
    """

    def __init__(self, root: etree._Element) -> None:
        self.numbers = {note: number for number, note in enumerate(root.iter("NOTE"), 1)}
        self.called: list[etree._Element] = []

    def text(self, el: etree._Element) -> str:
        """``el``'s content: its text and inline children with their tails."""
        return self.run(el.text, el) if len(el) else el.text or ""

    def run(self, head: str | None, inline: Iterable[etree._Element]) -> str:
        """``head`` followed by each inline element with its tail."""
        parts = [head or ""]
        for child in inline:
            if child.tag == "NOTE":
                self.called.append(child)
                parts = ["".join(parts).rstrip()]
            else:
                parts.append(self._inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def take(self) -> list[etree._Element]:
        """The notes called since the last take, in order."""
        called, self.called = self.called, []
        return called

    def _inline(self, el: etree._Element) -> str:
        """One inline element, without its tail."""
        tag = el.tag
        if tag in _QUOTES:
            return _quote_mark(el)
        if tag == "HT" and el.get("TYPE") == "UC":
            return self.text(el).upper()
        if tag == "FT" and el.get("TYPE") == "NUMBER":
            return _grouped(self.text(el))
        return self.text(el)

    def paragraphs(self, el: etree._Element | None) -> str:
        """A title, heading or note: its ``P`` children one per line, or its own text."""
        if el is None:
            return ""
        ps = el.findall("P")
        return "\n".join(map(self.text, ps)) if ps else self.text(el)


class Sink(Protocol):
    """What :class:`Walker` feeds: :class:`ActBuilder`, or the corrigendum's collector of fragments."""

    def recital(self, number: str, text: str) -> None: ...
    def paragraph(self, number: str, text: str = "") -> None: ...
    def text_block(self, text: str) -> None: ...
    def point(self, label: str, text: str, depth: int = 1) -> None: ...
    def append_to_point(self, text: str) -> None: ...
    def footnote(self, text: str) -> None: ...


class Walker:
    """Walks the Formex units of a recital or inside an article, feeding a :class:`Sink` each unit,
    then the notes its text calls (``given``: every note handed over so far)."""

    def __init__(self, out: Sink, text: InlineText) -> None:
        self.out = out
        self.text = text
        self.given: set[etree._Element] = set()

    def recital(self, consid: etree._Element) -> None:
        label, txt, *rest = _numbered(_require(consid, "NP"))
        blocks = [txt, *(p for p in rest if p.tag == "P")]
        self.out.recital(_number_of(self.text.text(label)), "\n".join(map(self.text.text, blocks)))
        self.footnotes()

    def paragraph(self, parag: etree._Element) -> None:
        for child in parag:
            if child.tag == "NO.PARAG":
                self.out.paragraph(_number_of(self.text.text(child)))
            elif child.tag == "ALINEA":
                self.flow(child, 0)

    def flow(self, el: etree._Element, depth: int) -> None:
        """Mixed content: runs of inline text become text blocks (or, inside a point at ``depth``,
        more text of that point); lists become points one level deeper."""
        for part in self._parts(el):
            self._part(part, depth)

    def definitions(self, dlist: etree._Element, depth: int) -> None:
        """A list of definitions (Article 4 in some languages): each item a point whose text is its
        term, the list's separator and the definition, as the EUR-Lex page prints it."""
        separator = dlist.get("SEPARATOR", "")
        glue = separator if separator in ",.:;" else f" {separator}"
        for item in dlist.iterchildren("DLIST.ITEM"):
            term = self.text.text(_require(item, "TERM"))
            parts = self._parts(_require(item, "DEFINITION"))
            lead = next(parts)  # the definition's text before any list in it
            label = self.text.text(_require(item, "PREFIX"))
            self.out.point(label, f"{term}{glue} {lead.lstrip()}".rstrip(), depth)
            self.footnotes()
            for part in parts:
                self._part(part, depth)

    def _parts(self, el: etree._Element) -> Iterator[str | etree._Element]:
        """``el``'s mixed content in order: a run of inline text (maybe empty), then each block and
        the run after it."""
        head, inline = el.text, []
        for child in el:
            if child.tag in _BLOCKS:
                yield self.text.run(head, inline)
                yield child
                head, inline = child.tail, []
            else:
                inline.append(child)
        yield self.text.run(head, inline)

    def _part(self, part: str | etree._Element, depth: int) -> None:
        if isinstance(part, str):
            self._emit(part, depth)
        elif part.tag == "LIST":
            self.items(part, depth + 1)
        elif part.tag == "DLIST":
            self.definitions(part, depth + 1)
        else:
            self.flow(part, depth)

    def items(self, list_: etree._Element, depth: int) -> None:
        for item in list_.iterchildren("ITEM"):
            first, *rest = item
            if first.tag == "NP":
                label, txt, *rest = _numbered(first)
                self.out.point(self.text.text(label), self.text.text(txt), depth)
            else:  # an unnumbered item: a dash indent, its text in P blocks
                self.out.point("—", self.text.text(first), depth)
            self.footnotes()
            for block in rest:
                self.flow(block, depth)

    def footnotes(self) -> None:
        """The notes called in the text just fed go to the unit it went to."""
        for note in self.text.take():
            self.out.footnote(self.text.paragraphs(note))
            self.given.add(note)

    def _emit(self, text: str, depth: int) -> None:
        if text.strip():  # not the indentation between the blocks of pretty-printed files
            if depth:
                self.out.append_to_point(text)
            else:
                self.out.text_block(text)
        self.footnotes()


# -- the act --------------------------------------------------------------------------------
def _walk_act(doc: etree._Element, builder: ActBuilder, walker: Walker) -> None:
    for consid in doc.iterfind("PREAMBLE/GR.CONSID/CONSID"):
        walker.recital(consid)
    for child in _require(doc, "ENACTING.TERMS"):
        _enacting_unit(child, builder, walker, level=0)


def _enacting_unit(el: etree._Element, builder: ActBuilder, walker: Walker, level: int) -> None:
    text, words = walker.text, builder.words
    if el.tag == "DIVISION":
        kind, add = ("chapter", builder.chapter) if level == 0 else ("section", builder.section)
        add(words.unit_number(kind, text.text(_require(el, "TITLE/TI"))), text.paragraphs(el.find("TITLE/STI")))
        walker.footnotes()
        for child in el:
            _enacting_unit(child, builder, walker, level + 1)
    elif el.tag == "ARTICLE":
        heading = text.paragraphs(el.find("STI.ART")) or None
        builder.article(words.unit_number("article", text.text(_require(el, "TI.ART"))), heading)
        walker.footnotes()
        for child in el:
            if child.tag == "PARAG":
                walker.paragraph(child)
            elif child.tag == "ALINEA":
                walker.flow(child, 0)


def _act_id(root: etree._Element, title: str, words: ActWords, metadata: bytes | None) -> str:
    no_doc = _require(root, ".//NO.DOC")
    year, number = no_doc.findtext("YEAR", "").strip(), no_doc.findtext("NO.CURRENT", "").strip()
    if not (year.isdigit() and number.isdigit()):
        raise ParseError("<NO.DOC> lacks a numeric YEAR or NO.CURRENT")
    return act_id(_act_type(root, title, words, metadata, f"{year}/{number}"), year, number)


def _act_type(root: etree._Element, title: str, words: ActWords, metadata: bytes | None, number: str) -> str:
    """The act type as the metadata codes it (``.doc.xml`` LEGAL.VALUE, a consolidated act's LEG.VAL),
    else as the title names it next to the act's number."""
    if metadata is not None:
        meta = parse_xml(metadata)
        described = f"{meta.findtext('BIB.DOC/NO.DOC/YEAR', '')}/{meta.findtext('BIB.DOC/NO.DOC/NO.CURRENT', '')}"
        if described != number:
            numbers = described if described != "/" else "no act in BIB.DOC/NO.DOC"
            raise ParseError(f"the metadata (.doc.xml) is not this act's: it numbers {numbers}, the act is {number}")
        stated = meta.findtext("FMX/DOC.MAIN.PUB/LEGAL.VALUE")
        where = "the metadata's LEGAL.VALUE"
    else:
        consleg = root.find("INFO.CONSLEG")
        stated = consleg.get("LEG.VAL") if consleg is not None else None
        where = "INFO.CONSLEG/@LEG.VAL"
    if stated:
        if stated.strip().lower() not in ACT_TYPES:
            raise ParseError(f"{where} is {stated!r}, not an act type: expected one of {ACT_TYPES}")
        return stated.strip().lower()
    title = normalise(title)
    at = title.find(number)
    kind = words.act_type_near(title, at, at + len(number)) if at >= 0 else None
    if kind is None:
        raise ParseError(f"cannot tell the act type (regulation, directive …) from the title {title[:80]!r}: "
                         f"no {words.lang} act-type word (words.act_types in grammars/{words.lang}.json) "
                         f"near the act's number {number}; give the act's .doc.xml metadata")
    return kind


def _document_date(root: etree._Element) -> dt.date:
    if root.tag == "CONS.ACT":
        return iso_date(_require(root, "INFO.CONSLEG").get("CONSLEG.DATE"), "INFO.CONSLEG/@CONSLEG.DATE")
    # The act's own file does not carry its OJ publication date (its .doc.xml does): the act's date.
    date = _require(root, "BIB.INSTANCE/DATE")
    return iso_date(date.get("ISO") or date.text, "BIB.INSTANCE/DATE")


def _number_of(label: str) -> str:
    """A recital's or paragraph's label, alike in every language: ``"(71)"`` → ``"71"``, ``"1."`` → ``"1"``."""
    match = _NUMBER_OF_LABEL.fullmatch(label)
    if match is None:
        raise ParseError(f"not the number of a recital or paragraph: {normalise(label)!r}, "
                         "expected one like '(71)' or '1.'")
    return match.group(1)


def _quote_mark(el: etree._Element) -> str:
    code = el.get("CODE", "")
    try:
        return chr(int(code, 16))
    except ValueError:
        raise ParseError(f"<{el.tag}> at line {el.sourceline} with CODE={code!r}: "
                         "not a hexadecimal code point") from None


def _grouped(digits: str) -> str:
    """``10000000`` → ``10 000 000`` with no-break spaces, as the OJ prints amounts."""
    digits = digits.strip()
    if not digits.isdigit():
        return digits
    head = len(digits) % 3 or 3
    return "\u00a0".join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def _numbered(np: etree._Element) -> list[etree._Element]:
    """An ``NP``'s children, checked to start with its number and text."""
    children = list(np)
    if len(children) < 2 or children[0].tag != "NO.P" or children[1].tag != "TXT":
        raise ParseError(f"<NP> at line {np.sourceline} does not start with <NO.P> and <TXT>")
    return children


def _malformed(error: etree.XMLSyntaxError, truncated: bool) -> ParseError:
    line, column = error.position
    reason = _POSITION.sub("", error.msg)
    if truncated:
        return ParseError(f"not well-formed XML: the document stops at line {line}, column {column} "
                          f"with elements still open (truncated?): {reason}")
    return ParseError(f"not well-formed XML at line {line}, column {column}: {reason}")


def _require(el: etree._Element, path: str) -> etree._Element:
    found = el.find(path)
    if found is None:
        raise ParseError(f"<{el.tag}> at line {el.sourceline} without <{path}>")
    return found
