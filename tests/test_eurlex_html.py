"""EUR-Lex HTML pages of the GDPR (current markup EN and FR, legacy markup EN), parsed from the
real corpus files."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from parsers.errors import ParseError
from parsers.eurlex_html import parse_eurlex_html
from parsers.eurlex_html_legacy import parse_eurlex_html_legacy
from parsers.formex import parse_formex_act
from schema.ids import GDPR, Kind
from schema.law import ParsedAct, SourceFormat

EN = "gdpr_32016R0679_eurlex_oj_en.html"
FR = "gdpr_32016R0679_eurlex_oj_fr.html"
LEGACY = "gdpr_32016R0679_eurlex_oj_en_legacy2016.html"
PAGES = {  # file: (parser, language, source format)
    EN: (parse_eurlex_html, "en", SourceFormat.EURLEX_HTML),
    FR: (parse_eurlex_html, "fr", SourceFormat.EURLEX_HTML),
    LEGACY: (parse_eurlex_html_legacy, "en", SourceFormat.EURLEX_HTML_LEGACY),
}
CURRENT = (EN, FR)

# Provisions whose normalised wording differs between the current and the legacy EN page, with the
# reason. None: both render the same 2016 wording (the corrigendum of 2018 is a separate document).
CURRENT_VS_LEGACY: dict[str, str] = {}

PAGE_NOT_AN_ACT = b"""<!DOCTYPE html>
<html lang="en"><head><title>Weekend recipes</title></head>
<body><h1>Lentil soup</h1><p class="normal">Soak the lentils overnight.</p></body></html>"""


@cache
def parsed(path: Path) -> ParsedAct:
    return PAGES[path.name][0](path.read_bytes())


def by_id(act: ParsedAct) -> dict:
    return {p.id: p for p in act.provisions}


def numbers(act: ParsedAct, kind: Kind) -> list[str]:
    return [p.number for p in act.provisions if p.kind is kind]


@pytest.mark.parametrize("name", PAGES)
def test_header_and_counts(eurlex, name):
    act = parsed(eurlex / name)
    _, lang, source_format = PAGES[name]
    assert (act.act_id, act.lang, act.source_format) == (GDPR, lang, source_format)
    assert act.document_date == dt.date(2016, 5, 4)
    assert "2016/679" in act.title
    counts = Counter(p.kind for p in act.provisions)
    kinds = (Kind.ARTICLE, Kind.CHAPTER, Kind.SECTION, Kind.RECITAL)
    assert [counts[kind] for kind in kinds] == [99, 11, 15, 173]
    assert numbers(act, Kind.ARTICLE) == [str(n) for n in range(1, 100)]
    assert numbers(act, Kind.RECITAL) == [str(n) for n in range(1, 174)]


# The 21 notes of the page: those of the citations are the act's, under the page's numbers 1-3;
# every other one is the first note called by its recital or point.
FOOTNOTES = [f"ftn_{n}" for n in (1, 2, 3)] + [
    f"rct_{n}/ftn_1" for n in (3, 13, 17, 19, 21, 35, 42, 54, 106, 147, 154, 161, 163, 172, 173)] + [
    "art_4/pnt_25/ftn_1", "art_43/par_1/pnt_b/ftn_1", "art_76/par_2/ftn_1"]


@pytest.mark.parametrize("name", PAGES)
def test_footnotes_hang_on_the_provision_calling_them(eurlex, name):
    act = parsed(eurlex / name)
    notes = [p for p in act.provisions if p.kind is Kind.FOOTNOTE]
    assert [p.id.removeprefix(f"{GDPR}/") for p in notes] == FOOTNOTES
    assert all(p.parent_id == p.id.rsplit("/", 1)[0] for p in notes)
    assert [p.id for p in act.provisions[:4]] == [GDPR, f"{GDPR}/ftn_1", f"{GDPR}/ftn_2", f"{GDPR}/ftn_3"]
    texts = {p.id: p.text for p in act.provisions}
    for number, note in enumerate(notes[3:], start=4):  # the call "(4)" is no longer in the text
        assert f" ({number})" not in texts[note.parent_id]


@pytest.mark.parametrize("name", CURRENT)
def test_every_paragraph_div_is_a_paragraph(eurlex, name):
    divs = re.findall(rb'<div id="(\d{3})\.(\d{3})"', (eurlex / name).read_bytes())
    expected = [f"{GDPR}/art_{int(article)}/par_{int(paragraph)}" for article, paragraph in divs]
    assert len(expected) == 372
    assert [p.id for p in parsed(eurlex / name).provisions if p.kind is Kind.PARAGRAPH] == expected


def test_current_and_legacy_markup_give_the_same_provisions(eurlex):
    def rows(act: ParsedAct) -> dict[str, tuple]:
        return {p.id: (p.kind, p.number, p.parent_id, p.heading, p.text) for p in act.provisions}

    current, legacy = rows(parsed(eurlex / EN)), rows(parsed(eurlex / LEGACY))
    assert list(current) == list(legacy)
    differing = {i for i in current if current[i] != legacy[i]}
    assert differing == set(CURRENT_VS_LEGACY)


@pytest.mark.parametrize("lang", ("en", "fr"))
def test_the_page_and_the_formex_act_give_the_same_provisions(eurlex, lang):
    def rows(act: ParsedAct) -> list[tuple]:
        return [(p.id, p.kind, p.number, p.parent_id, p.heading, p.text) for p in act.provisions]

    formex = parse_formex_act((eurlex / f"gdpr_32016R0679_formex_original_{lang}.xml").read_bytes())
    assert rows(parsed(eurlex / (EN if lang == "en" else FR))) == rows(formex)


ART_17_1_B = ("the data subject withdraws consent on which the processing is based according to "
              "point (a) of Article 6(1), or point (a) of Article 9(2), and where there is no other "
              "legal ground for the processing;")
ART_6_1_F = ("processing is necessary for the purposes of the legitimate interests pursued by the "
             "controller or by a third party, except where such interests are overridden by the interests "
             "or fundamental rights and freedoms of the data subject which require protection of personal "
             "data, in particular where the data subject is a child.")
TEXTS = [  # (page, provision, its whole text or its start followed by " …")
    (EN, "art_17/par_1/pnt_b", ART_17_1_B),
    (LEGACY, "art_17/par_1/pnt_b", ART_17_1_B),
    (EN, "art_6/par_1/pnt_f", ART_6_1_F),
    (LEGACY, "art_6/par_1/pnt_f", ART_6_1_F),
    (EN, "rct_71", "The data subject should have the right not to be subject to a decision, …"),
    (EN, "art_17/par_1", "The data subject shall have the right to obtain from the controller …"),
    (EN, "art_4", "For the purposes of this Regulation:"),
    (EN, "art_4/pnt_16/pnt_a", "as regards a controller with establishments in more than one …"),
    (EN, "art_6/par_1/sub_2", "Point (f) of the first subparagraph shall not apply …"),
    (EN, "art_53/par_1/idt_4", "an independent body entrusted with the appointment under Member State law."),
    (EN, "rct_3", "Directive 95/46/EC of the European Parliament and of the Council seeks …"),
    (LEGACY, "rct_3", "Directive 95/46/EC of the European Parliament and of the Council seeks …"),
    (EN, "rct_3/ftn_1", "Directive 95/46/EC of the European Parliament and of the Council of 24 October 1995 …"),
    (EN, "ftn_1", "OJ C 229, 31.7.2012, p. 90."),
    (LEGACY, "art_76/par_2", "Access to documents submitted to members of the Board, experts and representatives "
                             "of third parties shall be governed by Regulation (EC) No 1049/2001 of the European "
                             "Parliament and of the Council."),
    (FR, "art_17/par_1/pnt_b", "la personne concernée retire le consentement sur lequel est fondé …"),
    (FR, "art_4", "Aux fins du présent règlement, on entend par:"),
]


@pytest.mark.parametrize(("name", "path", "expected"), TEXTS)
def test_text(eurlex, name, path, expected):
    text = by_id(parsed(eurlex / name))[f"{GDPR}/{path}"].text
    if expected.endswith(" …"):
        assert text.startswith(expected[:-2]), text
    else:
        assert text == expected


@pytest.mark.parametrize(("name", "path", "heading"), [
    (EN, "art_17", "Right to erasure (‘right to be forgotten’)"),
    (EN, "cpt_III", "Rights of the data subject"),
    (EN, "cpt_III/sct_1", "Transparency and modalities"),
    (FR, "art_1", "Objet et objectifs"),
    (FR, "cpt_I", "Dispositions générales"),
    (LEGACY, "art_99", "Entry into force and application"),
])
def test_heading(eurlex, name, path, heading):
    assert by_id(parsed(eurlex / name))[f"{GDPR}/{path}"].heading == heading


@pytest.mark.parametrize("name", PAGES)
def test_definitions_are_points_1_to_26_of_article_4(eurlex, name):
    points = [p for p in parsed(eurlex / name).provisions if p.parent_id == f"{GDPR}/art_4"]
    assert [p.id for p in points] == [f"{GDPR}/art_4/pnt_{n}" for n in range(1, 27)]


def test_french_article_premier_is_article_1(eurlex):
    article = by_id(parsed(eurlex / FR))[f"{GDPR}/art_1"]
    assert (article.number, article.parent_id) == ("1", f"{GDPR}/cpt_I")


def test_original_text_keeps_the_source_characters(eurlex):
    point = by_id(parsed(eurlex / EN))[f"{GDPR}/art_17/par_1/pnt_b"]
    assert "point\u00a0(a) of Article 6(1)" in point.text_original
    paragraph = by_id(parsed(eurlex / EN))[f"{GDPR}/art_17/par_1"]
    assert not paragraph.text_original.startswith("1.")  # the number is the id's, not the text's


def _without_article_6(data: bytes) -> bytes:
    start = data.index(b'<div class="eli-subdivision" id="art_6">')
    return data[:start] + data[data.index(b'<div class="eli-subdivision" id="art_7">'):]


def _cut_inside_a_point(data: bytes) -> bytes:
    label = data.index(b'<p class="oj-normal">(b)</p>', len(data) // 2)
    return data[:label + len(b'<p class="oj-normal">(b')]


def _with_a_three_column_table_in_article_6(data: bytes) -> bytes:
    table = b"<table><tr><td>1</td><td>2</td><td>3</td></tr></table>"
    return data.replace(b'<div id="006.001">', table + b'<div id="006.001">')


def _without_note_21(data: bytes) -> bytes:
    start = data.rindex(b'<p class="oj-note">', 0, data.index(b'id="ntr21-'))
    return data[:start] + data[data.index(b"</p>", start) + len(b"</p>"):]


BAD_INPUTS: list[tuple[str, Callable, str, Callable[[bytes], bytes], str]] = [
    # (case, parser, page, damage, message pattern)
    ("empty", parse_eurlex_html, EN, lambda d: b"", r"^empty document \(0 bytes\)$"),
    ("empty legacy", parse_eurlex_html_legacy, LEGACY, lambda d: b"", r"^empty document"),
    ("PDF", parse_eurlex_html, EN, lambda d: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
     r"^not HTML: .*%PDF.*a PDF file"),
    ("PDF legacy", parse_eurlex_html_legacy, LEGACY, lambda d: b"%PDF-1.4\n", r"^not HTML: .*a PDF file"),
    ("half", parse_eurlex_html, EN, lambda d: d[:len(d) // 2],
     r"^truncated: the document ends without the final formula .*; last article found is Article \d+$"),
    ("half legacy", parse_eurlex_html_legacy, LEGACY, lambda d: d[:len(d) // 2],
     r"^truncated: the document ends without the final formula .*; last article found is Article \d+$"),
    ("cut in the recitals", parse_eurlex_html, EN, lambda d: d[:len(d) // 8],
     r"^truncated or not an act: no article title .* found after recital \d+$"),
    ("cut in the footnotes", parse_eurlex_html, EN, lambda d: d[:d.index(b'id="ntr17-')],
     r"^truncated: the document ends before its end mark"),
    ("note missing", parse_eurlex_html, EN, _without_note_21,
     r"^footnote 21 is called in the text but missing from the notes$"),
    ("cut inside a point", parse_eurlex_html, EN, _cut_inside_a_point,
     r"^truncated: the document ends without the final formula .*; last article found is Article \d+$"),
    ("table that is no point", parse_eurlex_html, EN, _with_a_three_column_table_in_article_6,
     r"^unexpected table of 3 cells in Article 6: expected a point \(label cell, text cell\)$"),
    ("article missing", parse_eurlex_html, EN, _without_article_6,
     r"^Articles out of sequence: Article 7 follows Article 5$"),
    ("not an act", parse_eurlex_html, EN, lambda d: PAGE_NOT_AN_ACT,
     r"^not an EUR-Lex act: expected its title in <p class=\"oj-doc-ti\">, found none "
     r"\(page title: 'Weekend recipes'\)$"),
    ("not an act legacy", parse_eurlex_html_legacy, LEGACY, lambda d: PAGE_NOT_AN_ACT,
     r"^not an EUR-Lex act: expected its title in <p class=\"doc-ti\">, found none"),
    ("legacy page, current parser", parse_eurlex_html, LEGACY, lambda d: d,
     r"this page uses the legacy EUR-Lex markup$"),
    ("current page, legacy parser", parse_eurlex_html_legacy, EN, lambda d: d,
     r"this page uses the current EUR-Lex markup$"),
    ("Formex XML", parse_eurlex_html, "gdpr_32016R0679_formex_original_en.xml", lambda d: d,
     r"has no <head> and opens with <act>, not an HTML page$"),
]


@pytest.mark.parametrize(("parse", "page", "damage", "message"),
                         [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_a_specific_parse_error(eurlex, parse, page, damage, message):
    with pytest.raises(ParseError, match=message):
        parse(damage((eurlex / page).read_bytes()))
