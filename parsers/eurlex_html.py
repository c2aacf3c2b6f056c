"""EUR-Lex HTML in the current markup: ``div.eli-subdivision#art_17``, ``p.oj-ti-art``, paragraphs
as ``div#017.001``, points as two-column tables."""

from __future__ import annotations

import re

from parsers._eurlex_html_common import Element, Markup, parse_act
from schema.law import ParsedAct, SourceFormat

__all__ = ["parse_eurlex_html"]

_PARAGRAPH_ID = re.compile(r"\d{3}\.\d{3}")


def _is_paragraph(p: Element, text: str) -> bool:
    """The first block of a ``div#NNN.NNN`` opens a numbered paragraph."""
    return p.getprevious() is None and bool(_PARAGRAPH_ID.fullmatch(p.getparent().get("id", "")))


_CURRENT = Markup("current", SourceFormat.EURLEX_HTML, _is_paragraph)


def parse_eurlex_html(data: bytes) -> ParsedAct:
    """An act's EUR-Lex HTML page (current markup) → its provisions in reading order.

    Raises ``ParseError`` for empty, non-HTML, non-act or truncated input.
    """
    return parse_act(data, _CURRENT)
