"""EUR-Lex HTML in the older, flat markup: ``p.ti-art``, ``p.sti-art``, ``p.normal`` with no ids;
a numbered paragraph is known only by its leading "1.   "."""

from __future__ import annotations

from parsers._eurlex_html_common import NUMBERED_PARAGRAPH, Element, Markup, parse_act
from schema.law import ParsedAct, SourceFormat

__all__ = ["parse_eurlex_html_legacy"]


def _is_paragraph(p: Element, text: str) -> bool:
    return NUMBERED_PARAGRAPH.match(text) is not None


_LEGACY = Markup("legacy", SourceFormat.EURLEX_HTML_LEGACY, _is_paragraph)


def parse_eurlex_html_legacy(data: bytes) -> ParsedAct:
    """An act's EUR-Lex HTML page (legacy markup) → its provisions in reading order.

    Raises ``ParseError`` for empty, non-HTML, non-act or truncated input.
    """
    return parse_act(data, _LEGACY)
