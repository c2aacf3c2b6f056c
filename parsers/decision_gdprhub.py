"""GDPRhub case pages (noyb's wiki of decisions, English summaries): the infobox gives the authority,
jurisdiction, dates, fine, parties and case number; the relevant-law list and the English summary
are read for citations of the GDPR, each kept with the section it is in (``Relevant Law``,
``Facts``, ``Holding`` …) and its span in that section's text.
"""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup, Tag

from parsers._decision import decision_id, is_authority, read_citations
from parsers.decision_lang import fold, grammar
from parsers.errors import ParseError
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code
from parsers.normalise.dates import parse_date, unknown_date
from parsers.normalise.money import parse_money
from parsers.normalise.organisations import organisation
from schema.enforcement import DecisionFormat, DecisionHints, DecisionRecord, Money, Organisation, Outcome, PartialDate

__all__ = ["parse_gdprhub_page"]

_LANG = "en"
_ATTRIBUTION = "GDPRhub (noyb), https://gdprhub.eu"
_NONE = frozenset({"", "n/a", "none", "unknown"})
# GDPRhub writes a fine's amount either way: "50,000,000 EUR", "30 000 EUR", "1250000,00 EUR".
_AMOUNT_SYNTAXES = ((", ", "."), (". ", ","))
_DISMISSED = frozenset({"rejected", "dismissed"})
_LAW = "Relevant Law"
# The summary ends where GDPRhub's own commentary and the machine translation begin.
_AFTER_SUMMARY = frozenset({"Comment", "Further Resources", "English Machine Translation of the Decision"})


def parse_gdprhub_page(data: bytes, hints: DecisionHints | None = None, *,
                       known_ids: frozenset[str] | None = None) -> DecisionRecord:
    """Read one case page; ``hints`` and ``known_ids`` as for ``parse_decision_pdf``."""
    hints = hints or DecisionHints()
    soup = _soup(data)
    box = _infobox(soup)
    title = fold(soup.find(id="firstHeading").get_text(" ")) if soup.find(id="firstHeading") else None
    country = country_code(_text(box, "Jurisdiction"))
    authority_raw = _text(box, "Authority") or None
    authority_id = gazetteer().resolve(authority_raw, country) if authority_raw else None
    decision_date, publication_date = _date(_text(box, "Decided")), _date(_text(box, "Published"))
    fine = _fine(_text(box, "Fine"), decision_date.value or publication_date.value)
    case_reference = _text(box, "National Case Number/Name") or None
    id_ = decision_id(authority_id, country, case_reference, decision_date, hints.source or title)
    sections = [(_LAW, "\n".join(_lines(box.get(_LAW)))), *_summary(soup)]
    summary = "\n\n".join(text for heading, text in sections if heading != _LAW)
    cited, reason = read_citations(id_, sections, _LANG, grammar(_LANG), known_ids or frozenset(), fold(summary))
    licence = soup.find("link", rel="license")
    return DecisionRecord(
        id=id_, source=hints.source or title, format=DecisionFormat.GDPRHUB_HTML, language=_LANG,
        authority_id=authority_id, authority_raw=authority_raw, country=country,
        decision_date=decision_date, publication_date=publication_date, case_reference=case_reference,
        parties=_parties(box.get("Parties")), outcome=_outcome(fine, _text(box, "Outcome")), fine=fine,
        cited=cited, no_citation_reason=reason, title=title, summary=summary or None,
        licence=hints.licence or (licence.get("href") if licence else None),
        attribution=hints.attribution or _ATTRIBUTION,
    )


def _soup(data: bytes) -> BeautifulSoup:
    if not data.strip():
        raise ParseError("empty document: no HTML")
    soup = BeautifulSoup(data, "lxml")
    if soup.find("table", class_="wikitable") is None:
        raise ParseError("not a GDPRhub case page: no infobox (table.wikitable)")
    return soup


def _infobox(soup: BeautifulSoup) -> dict[str, Tag]:
    """Label ("Fine") → the cell beside it."""
    box = {}
    for row in soup.find("table", class_="wikitable").find_all("tr"):
        cells = row.find_all("td", recursive=False)
        if len(cells) == 2:
            box[fold(cells[0].get_text(" ")).removesuffix(":")] = cells[1]
    return box


def _lines(cell: Tag | None) -> list[str]:
    """A cell's lines (its items are separated by <br>), without the empty ones."""
    if cell is None:
        return []
    return [fold(line) for line in cell.get_text("\n").split("\n") if fold(line)]


def _text(box: dict[str, Tag], label: str) -> str:
    text = " ".join(_lines(box.get(label)))
    return "" if text.lower() in _NONE else text


def _date(text: str) -> PartialDate:
    """``"04.12.2019"``, ``"23. 01. 2020"``; nothing or "n/a" is unknown."""
    if not text:
        return unknown_date()
    try:
        return parse_date(text.replace(" ", ""), ["%d.%m.%Y"]).model_copy(update={"raw": text})
    except ValueError as error:
        raise ParseError(str(error)) from error


def _fine(text: str, on: dt.date | None) -> Money | None:
    if not text:
        return None
    for thousands, decimal in _AMOUNT_SYNTAXES:
        try:
            return parse_money(text, thousands=thousands, decimal=decimal, on=on)
        except ValueError as error:
            failure = error
    raise ParseError(f"fine {text!r} is not an amount: {failure}")


def _outcome(fine: Money | None, outcome: str) -> Outcome:
    if fine is not None and fine.amount_minor:
        return Outcome.FINE
    return Outcome.DISMISSAL if outcome.lower() in _DISMISSED else Outcome.OTHER


def _parties(cell: Tag | None) -> list[Organisation]:
    """The parties listed, less the authorities among them (an EDPB decision lists the authorities
    concerned)."""
    names = [line for line in _lines(cell) if line.lower() not in _NONE and not is_authority(line)]
    return [organisation(name) for name in names]


def _summary(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """The English summary as (heading, text) sections, in page order."""
    content = soup.find(class_="mw-parser-output") or soup
    sections: list[tuple[str, list[str]]] = []
    for element in content.find_all(["h2", "h3", "p", "ul", "ol", "table"], recursive=False):
        if element.name in ("h2", "h3"):
            heading = fold(element.get_text(" "))
            if heading in _AFTER_SUMMARY:
                break
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(element.get_text(" ").strip())
    return [(heading, "\n".join(filter(None, texts))) for heading, texts in sections if any(texts)]
