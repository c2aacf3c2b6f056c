"""Decisions of data protection authorities as they publish them, in PDF.

pypdf reads the text page by page; CLD2 tells its language, unless a hint gives it; the language's
decision grammar (``parsers.decision_lang``) reads its dates, case reference, parties, outcome and
fine; the citation grammar (``parsers.xref``) reads each page's citations of the GDPR, kept with their
page and span as evidence. Hints from the source's configuration (authority, language, licence) fill in
only what the document does not state. What the document does not state stays unknown: a file's own
dates (/ModDate, /CreationDate) are no statement of when anything was decided or published, and a
language without a decision grammar is read for nothing but its authority and citations, its record
saying so, never with another language's grammar.

A document that cannot be read raises a ``ParseError`` saying why: empty, not a PDF, truncated,
encrypted, without a text layer (scanned pages: OCR is not supported), or in a language CLD2 cannot tell.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import PyPdfError

from parsers._decision import countries_of, decision_id, find_authority, read_citations
from parsers.decision_lang import Grammar, detect, fold, grammar, languages
from parsers.errors import ParseError
from parsers.normalise.authorities import gazetteer
from parsers.normalise.dates import unknown_date
from schema.enforcement import DecisionFormat, DecisionHints, DecisionRecord, Organisation, Outcome

__all__ = ["parse_decision_pdf"]

# Readers look for a PDF's header in its first bytes and for its end-of-file marker in its last.
_HEADER_WITHIN = 1024
_EOF_WITHIN = 2048
# A record's summary is the start of the operative part, cut at a word.
_SUMMARY = 2000


def parse_decision_pdf(data: bytes, hints: DecisionHints | None = None, *,
                       known_ids: frozenset[str] | None = None) -> DecisionRecord:
    """Read one decision. ``known_ids`` are the GDPR provisions citations may resolve to (without
    them, ids are taken as the text states them, unchecked)."""
    hints = hints or DecisionHints()
    reader = _open(data)
    pages = _page_texts(reader)
    lang = hints.lang or _language("\n".join(pages))
    rules = grammar(lang) if lang in languages() else None
    text = rules.normalised("\n".join(pages)) if rules else "\n".join(pages)
    folded = fold(text)
    title = _title(reader)
    authority_id, authority_raw = find_authority(folded, countries_of(lang, rules), hints.authority)
    country = gazetteer().authorities[authority_id].country if authority_id else None
    stated = _statements(rules, text, folded, title) if rules else _unread(lang, hints)
    # Without a case reference or a name, the document's own bytes tell it apart.
    id_ = decision_id(authority_id, country, stated["case_reference"], stated["decision_date"],
                      hints.source or f"sha256-{hashlib.sha256(data).hexdigest()[:16]}")
    cited, reason = read_citations(id_, list(enumerate(pages, start=1)), lang, rules, known_ids or frozenset(),
                                   folded)
    return DecisionRecord(
        id=id_, source=hints.source, format=DecisionFormat.PDF, language=lang, authority_id=authority_id,
        authority_raw=authority_raw, country=country, cited=cited, no_citation_reason=reason, pages=len(pages),
        title=title, licence=hints.licence, attribution=hints.attribution, **stated,
    )


def _language(text: str) -> str:
    if lang := detect(text):
        return lang
    raise ParseError("language not identified: its text is too short or too mixed to tell; "
                     "give its [[decision]] entry a lang hint (lang = \"xx\", ISO 639-1)")


def _statements(rules: Grammar, text: str, folded: str, title: str | None) -> dict[str, Any]:
    """What the document states, as its grammar reads it: its dates in its text or its title (the AEPD
    dates its resolutions in the PDF's title only), the rest in its text."""
    dated = f"{folded} {title or ''}"
    decision_date = rules.find_date(rules.decision_date_cues, dated) or unknown_date()
    publication_date = rules.find_date(rules.publication_date_cues, dated) or unknown_date()
    head, ruling = rules.operative_part(text)
    operative = f"{head} {ruling}"
    outcome = rules.outcome(operative)
    fine = rules.find_fine((operative, folded), decision_date.value or publication_date.value) \
        if outcome is Outcome.FINE else None
    return {"decision_date": decision_date, "publication_date": publication_date,
            "case_reference": rules.case_reference(folded), "parties": _parties(rules, operative, folded),
            "outcome": outcome, "fine": fine, "summary": _shortened(ruling or head)}


def _unread(lang: str, hints: DecisionHints) -> dict[str, Any]:
    """A document in a language without a decision grammar: nothing it states is read but its authority
    and citations."""
    told = "its lang hint says" if hints.lang else "CLD2 identifies"
    return {"decision_date": unknown_date(), "publication_date": unknown_date(), "case_reference": None,
            "parties": [], "outcome": Outcome.UNKNOWN, "fine": None, "summary": None,
            "unread_reason": f"no decision grammar for {lang!r}, the language {told} "
                             f"(have {', '.join(languages())}): its dates, outcome, fine and parties are not read"}


def _parties(rules: Grammar, operative: str, text: str) -> list[Organisation]:
    """Those the operative part names (the decision's addressees), with the role the document gives
    them anywhere; else every party the document names."""
    everywhere = {party.key: party for party in rules.find_parties(text)}
    named = rules.find_parties(operative)
    return [everywhere.get(party.key, party) if party.role is None else party for party in named] \
        or list(everywhere.values())


def _open(data: bytes) -> PdfReader:
    if not data:
        raise ParseError("empty document: 0 bytes")
    if b"%PDF-" not in data[:_HEADER_WITHIN]:
        raise ParseError(f"not a PDF: no %PDF- header (it starts {data[:20]!r})")
    if b"%%EOF" not in data[-_EOF_WITHIN:]:
        raise ParseError(f"truncated PDF: no %%EOF marker at the end of its {len(data)} bytes")
    try:
        reader = PdfReader(io.BytesIO(data))
    except (PyPdfError, ValueError, KeyError, IndexError) as error:
        raise ParseError(f"truncated or corrupt PDF: {type(error).__name__}: {error}") from error
    if reader.is_encrypted:
        _decrypt(reader)
    return reader


def _decrypt(reader: PdfReader) -> None:
    """Encryption with an empty user password only restricts permissions: such a PDF is read."""
    try:
        opened = reader.decrypt("")
    except PyPdfError as error:
        raise ParseError(f"encrypted PDF: cannot be decrypted ({error})") from error
    if not opened:
        raise ParseError("encrypted PDF: its text cannot be read without the password")


def _page_texts(reader: PdfReader) -> list[str]:
    pages = []
    try:
        for page in reader.pages:
            pages.append(page.extract_text() or "")
    except (PyPdfError, ValueError, KeyError, IndexError) as error:
        raise ParseError(f"corrupt PDF: page {len(pages) + 1} cannot be read "
                         f"({type(error).__name__}: {error})") from error
    if not any(text.strip() for text in pages):
        raise ParseError(_without_text(reader))
    return pages


def _without_text(reader: PdfReader) -> str:
    count = len(reader.pages)
    if all(_has_image(page) for page in reader.pages):
        return f"no text layer: {count} pages of scanned images; OCR is not supported"
    return f"no text layer: none of its {count} pages has text"


def _has_image(page: PageObject) -> bool:
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources else None
    return bool(xobjects) and any(xobject.get_object().get("/Subtype") == "/Image"
                                  for xobject in xobjects.get_object().values())


def _title(reader: PdfReader) -> str | None:
    """The document's title in its metadata; a scanner's file name ("SKM_C30820091013030") is none."""
    title = fold(str((reader.metadata or {}).get("/Title") or ""))
    return title if " " in title else None


def _shortened(text: str) -> str | None:
    if len(text) <= _SUMMARY:
        return text or None
    return text[:_SUMMARY].rsplit(" ", 1)[0] + " …"
