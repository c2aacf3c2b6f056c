"""Which parser reads which source format: the one table the pipeline dispatches on."""

from __future__ import annotations

from collections.abc import Callable

from parsers.eurlex_html import parse_eurlex_html
from parsers.eurlex_html_legacy import parse_eurlex_html_legacy
from parsers.formex import parse_formex_act
from parsers.formex_corrigendum import parse_formex_corrigendum
from schema.law import ParsedAct, ParsedCorrigendum, SourceFormat

Parsed = ParsedAct | ParsedCorrigendum

PARSERS: dict[SourceFormat, Callable[[bytes], Parsed]] = {
    SourceFormat.EURLEX_HTML: parse_eurlex_html,
    SourceFormat.EURLEX_HTML_LEGACY: parse_eurlex_html_legacy,
    SourceFormat.FORMEX_ACT: parse_formex_act,
    SourceFormat.FORMEX_CONSOLIDATED: parse_formex_act,
    SourceFormat.FORMEX_CORRIGENDUM: parse_formex_corrigendum,
}


def parse(source_format: SourceFormat, data: bytes) -> Parsed:
    """Parse one document; raises ``parsers.errors.ParseError`` with the reason it cannot be read."""
    return PARSERS[SourceFormat(source_format)](data)
