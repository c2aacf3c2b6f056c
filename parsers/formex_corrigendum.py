"""A Formex 4 corrigendum (root ``CORR``) → :class:`schema.law.ParsedCorrigendum`.

Each ``CORRECTION`` quotes the wording to replace (``OLD.CORR``, after "for:") and its replacement
(``NEW.CORR``, after "read:") as structure of the act: recitals, points, paragraphs, headings or a bare
sentence, often partial ("… Such measure should not concern a child."). The quotation marks and the
"," or "." after them are the corrigendum's own sentence, so they are dropped; what remains is
rendered like the act so that it can be found in the act's text. The recital or article a
description names ("On page 14, recital 71") is read with the language's words (``located_in``).
"""

from __future__ import annotations

import re
from typing import Literal

from lxml import etree

from parsers._act_words import ActWords, act_words
from parsers.errors import ParseError
from parsers.formex import InlineText, Walker, document_lang, iso_date, parse_xml
from schema.ids import Kind, act_id, child_id
from schema.law import Correction, ParsedCorrigendum
from schema.text import normalise

__all__ = ["parse_formex_corrigendum"]

# The corrected act's number in the title: "Corrigendum to Regulation (EU) 2016/679 …", HU "… (EU)
# 2016/679 európai parlamenti és tanácsi rendelethez"
_ACT_NUMBER = re.compile(r"\(\w+\)\s*(\d{4})/(\d+)\b")
Field = Literal["text", "heading"]


def parse_formex_corrigendum(data: bytes, metadata: bytes | None = None) -> ParsedCorrigendum:
    """Parse a Formex ``CORR`` document: one :class:`Correction` per corrected unit.

    The act corrected is the one ``metadata`` (the corrigendum's ``.doc.xml``) numbers in
    ``DOC.CORR``, else the one the title numbers; its type is the act-type word of the title nearest
    to that number."""
    root = parse_xml(data)
    if root.tag in ("ACT", "CONS.ACT"):
        raise ParseError(f"this is a Formex act (root <{root.tag}>), not a corrigendum: "
                         "use parse_formex_act")
    if root.tag != "CORR":
        raise ParseError(f"not a Formex corrigendum: root element <{root.tag}>, expected <CORR>")
    text = InlineText(root)
    lang = document_lang(root)
    words = act_words(lang)
    corrected = _corrected_act(normalise(text.paragraphs(root.find("TITLE/TI"))), words, metadata)
    date = root.find("BIB.INSTANCE/DATE")
    if date is None:
        raise ParseError("<CORR> without <BIB.INSTANCE>/<DATE>")
    return ParsedCorrigendum(
        act_id=corrected,
        lang=lang,
        document_date=iso_date(date.get("ISO") or date.text, "BIB.INSTANCE/DATE"),
        corrections=[c for el in root.iter("CORRECTION") for c in _corrections(el, text, corrected, words)],
    )


def _corrected_act(title: str, words: ActWords, metadata: bytes | None) -> str:
    """The act corrected, numbered by the metadata's ``DOC.CORR/NO.DOC`` (else by the title), of the
    type the title's act-type word nearest that number names."""
    match = _number_in(metadata).search(title)
    if match is None:
        raise ParseError("the corrigendum's title does not name the act it corrects "
                         f"(as in 'Regulation (EU) 2016/679'): {title[:80]!r}")
    kind = words.act_type_near(title, match.start(1), match.end(2))
    if kind is None:
        raise ParseError(f"the corrigendum's title names act {match.group(1)}/{match.group(2)} without a "
                         f"{words.lang} act-type word (words.act_types in grammars/{words.lang}.json): {title[:80]!r}")
    return act_id(kind, *match.groups())


def _number_in(metadata: bytes | None) -> re.Pattern[str]:
    """How the title writes the corrected act's number: the one the metadata states, or any."""
    if metadata is None:
        return _ACT_NUMBER
    stated = parse_xml(metadata).find(".//DOC.CORR/NO.DOC")
    year, number = ("" if stated is None else stated.findtext(tag, "").strip() for tag in ("YEAR", "NO.CURRENT"))
    if not (year.isdigit() and number.isdigit()):
        raise ParseError("the metadata (.doc.xml) numbers no corrected act: no numeric DOC.CORR/NO.DOC "
                         "(the act's own .doc.xml instead of the corrigendum's?)")
    return re.compile(rf"\b({year})/({number})\b")


def _corrections(correction: etree._Element, text: InlineText, act: str, words: ActWords) -> list[Correction]:
    """One correction per quoted unit whose wording changes; old and new quote the same units."""
    description = normalise(text.paragraphs(correction.find("DESCRIPTION")))
    if correction.find("OLD.CORR") is None and correction.find("NEW.CORR") is None:
        return [_throughout(correction, text, description)]
    old, new = (_quoted_units(_quotation(correction, side), text, description)
                for side in ("OLD.CORR", "NEW.CORR"))
    if [field for field, _ in old] != [field for field, _ in new]:
        raise ParseError(f"correction {description!r}: the wording to replace quotes {len(old)} units, "
                         f"its replacement {len(new)}")
    located_in = _located_in(description, act, words)
    return [Correction(description=description, field=field, old=before, new=after, located_in=located_in)
            for (field, before), (_, after) in zip(old, new) if before != after]


def _located_in(description: str, act: str, words: ActWords) -> str | None:
    """The id of the recital or article the description names: "On page 14, recital 71" → ``…/rct_71``."""
    if (named := words.location(description)) is None:
        return None
    kind, number = named
    return child_id(act, Kind.RECITAL if kind == "recital" else Kind.ARTICLE, number)


def _throughout(correction: etree._Element, text: InlineText, description: str) -> Correction:
    """A correction that is only its description: a term replaced throughout the act, as SL has
    'Izraz „sedež“ se nadomesti z „ustanovitev“ v celotnem besedilu Uredbe …'."""
    terms = [normalise(_quoted_text(start, text)) for start in correction.iterfind("DESCRIPTION//QUOT.START")]
    if len(terms) != 2:
        raise ParseError(f"correction {description!r}: neither quotes the wording to replace and its "
                         f"replacement (OLD.CORR, NEW.CORR) nor names two terms, one to replace by the other")
    return Correction(description=description, old=terms[0], new=terms[1], throughout=True)


def _quoted_text(start: etree._Element, text: InlineText) -> str:
    """The inline text from a ``QUOT.START`` to the ``QUOT.END`` after it."""
    parts, sibling = [start.tail or ""], start.getnext()
    while sibling is not None and sibling.tag != "QUOT.END":
        parts.append(text.text(sibling) + (sibling.tail or ""))
        sibling = sibling.getnext()
    return "".join(parts)


def _quotation(correction: etree._Element, side: str) -> etree._Element | None:
    """The ``QUOT.S`` of one side; where a side quotes its units without one (DA recital 71's
    replacement), its children from the first that opens the quotation."""
    found = correction.find(f"{side}/QUOT.S")
    if found is not None or correction.find(side) is None:
        return found
    children = list(correction.find(side))
    first = next((i for i, child in enumerate(children) if child.find(".//QUOT.START") is not None), None)
    if first is None:
        return None
    quotation = etree.Element("QUOT.S")
    quotation.extend(children[first:])
    return quotation


def _quoted_units(quotation: etree._Element | None, text: InlineText,
                  description: str) -> list[tuple[Field, str]]:
    if quotation is None:
        raise ParseError(f"correction {description!r}: no quoted wording (<QUOT.S>) to replace or to read")
    _unquote(quotation, description)
    units = _Units()
    walker = Walker(units, text)
    for child in list(quotation):  # a bare point is moved into a list of its own
        _quoted_unit(child, walker, units)
    return [(field, normalise(unit)) for field, unit in units.units]


def _quoted_unit(el: etree._Element, walker: Walker, units: _Units) -> None:
    if el.tag == "CONSID" and el.find("NP") is not None:
        walker.recital(el)
    elif el.tag == "LIST":
        walker.items(el, 1)
    elif el.tag == "DLIST":
        walker.definitions(el, 1)
    elif el.tag == "NP":  # DA quotes the replacement of point (c) of Article 37(1) without its list
        etree.SubElement(etree.Element("LIST"), "ITEM").append(el)
        walker.items(el.getparent().getparent(), 1)
    elif el.tag == "PARAG":  # its number is not read: GA quotes point (e) of Article 70(1) as one
        for alinea in el.iterfind("ALINEA"):
            walker.flow(alinea, 0)
    elif el.tag == "ARTICLE":  # HR quotes Articles 77 and 78 whole: their heading and paragraphs
        for child in el:
            if child.tag != "TI.ART":
                _quoted_unit(child, walker, units)
    elif el.tag == "STI.ART":
        units.add("heading", walker.text.text(el))
    else:
        walker.flow(el, 0)


def _unquote(quotation: etree._Element, description: str) -> None:
    """Drop the corrigendum's quotation marks (and its punctuation after the closing one), and give
    the quotations nested in it the marks the act itself uses, one level up (DE ‚…‘ → „…“)."""
    marks = list(quotation.iter("QUOT.START", "QUOT.END"))
    if len(marks) < 2 or marks[0].tag != "QUOT.START" or marks[-1].tag != "QUOT.END":
        raise ParseError(f"correction {description!r}: quoted wording without its opening or closing mark")
    depths, depth = [], 0
    for mark in marks:
        depth += mark.tag == "QUOT.START"
        depths.append(depth)
        depth -= mark.tag == "QUOT.END"
    code_at: dict[tuple[str, int], str | None] = {}  # the marks used at each depth
    for mark, depth in zip(marks, depths):
        code_at.setdefault((mark.tag, depth), mark.get("CODE"))
    for mark, depth in zip(marks, depths):
        if depth > 1:
            mark.set("CODE", code_at.get((mark.tag, depth - 1), mark.get("CODE")))
    _remove(marks[0], keep_tail=True)
    _remove(marks[-1], keep_tail=False)


def _remove(el: etree._Element, keep_tail: bool) -> None:
    tail = (el.tail or "") if keep_tail else ""
    previous, parent = el.getprevious(), el.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


class _Units:
    """The quoted units of one side of a correction, in order: one text per provision."""

    def __init__(self) -> None:
        self.units: list[tuple[Field, str]] = []

    def add(self, field: Field, text: str) -> None:
        self.units.append((field, text))

    def recital(self, number: str, text: str) -> None:
        self.add("text", text)

    def paragraph(self, number: str, text: str = "") -> None:
        """A paragraph's number only opens it; its wording comes as text blocks."""

    def text_block(self, text: str) -> None:
        self.add("text", text)

    def point(self, label: str, text: str, depth: int = 1) -> None:
        self.add("text", text)

    def append_to_point(self, text: str) -> None:
        field, before = self.units[-1]
        self.units[-1] = (field, f"{before}\n{text}")

    def footnote(self, text: str) -> None:
        """A note called in the quoted wording: the call is left out of the wording (as the act's
        text leaves it out), the note's own text is not a correction."""
