"""Formex 4 acts (original and consolidated GDPR, EN/FR/DE) parsed from the real corpus files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from lxml import etree, html

from parsers.errors import ParseError
from parsers.formex import parse_formex_act
from schema.ids import GDPR, Kind
from schema.law import ParsedAct, SourceFormat
from schema.text import normalise

LANGS = ("en", "fr", "de")
ORIGINAL = "gdpr_32016R0679_formex_original_{}.xml"
CONSOLIDATED = "gdpr_02016R0679_formex_consolidated_{}.xml"
WITH_PREAMBLE = "gdpr_02016R0679_formex_consolidated_with_corrected_preamble_{}.xml"
ALL_FILES = [name.format(lang) for name in (ORIGINAL, CONSOLIDATED, WITH_PREAMBLE) for lang in LANGS]


@cache
def parsed(path: Path) -> ParsedAct:
    return parse_formex_act(path.read_bytes())


def by_id(act: ParsedAct) -> dict:
    return {p.id: p for p in act.provisions}


def kinds(act: ParsedAct) -> Counter:
    return Counter(p.kind for p in act.provisions)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "source_format", "recitals", "date"), [
    (ORIGINAL, SourceFormat.FORMEX_ACT, 173, dt.date(2016, 4, 27)),
    (CONSOLIDATED, SourceFormat.FORMEX_CONSOLIDATED, 0, dt.date(2018, 5, 23)),
    (WITH_PREAMBLE, SourceFormat.FORMEX_CONSOLIDATED, 173, dt.date(2018, 5, 23)),
])
def test_structure_counts_and_metadata(eurlex, lang, name, source_format, recitals, date):
    act = parsed(eurlex / name.format(lang))
    counts = kinds(act)
    assert (counts[Kind.ARTICLE], counts[Kind.CHAPTER], counts[Kind.RECITAL]) == (99, 11, recitals)
    assert counts[Kind.SECTION] == 15
    assert (act.act_id, act.lang, act.source_format, act.document_date) == (GDPR, lang, source_format, date)
    numbers = [p.number for p in act.provisions if p.kind is Kind.ARTICLE]
    assert numbers == [str(n) for n in range(1, 100)]


@pytest.mark.parametrize("name", ALL_FILES)
def test_one_paragraph_per_parag_element(eurlex, name):
    path = eurlex / name
    parags = sum(1 for _ in etree.parse(str(path)).iter("PARAG"))
    assert parags == 372
    assert kinds(parsed(path))[Kind.PARAGRAPH] == parags


def test_point_text(eurlex):
    point = by_id(parsed(eurlex / ORIGINAL.format("en")))[f"{GDPR}/art_17/par_1/pnt_b"]
    assert point.kind is Kind.POINT and point.number == "b" and point.parent_id == f"{GDPR}/art_17/par_1"
    assert point.text == ("the data subject withdraws consent on which the processing is based according to "
                          "point (a) of Article 6(1), or point (a) of Article 9(2), and where there is no other "
                          "legal ground for the processing;")


@pytest.mark.parametrize("lang", LANGS)
def test_definitions_are_points_1_to_26_of_article_4(eurlex, lang):
    act = parsed(eurlex / ORIGINAL.format(lang))
    points = [p for p in act.provisions if p.parent_id == f"{GDPR}/art_4" and p.kind is Kind.POINT]
    assert [p.id for p in points] == [f"{GDPR}/art_4/pnt_{n}" for n in range(1, 27)]
    first = {"en": "‘personal data’ means any information", "fr": "«données à caractère personnel», toute",
             "de": "„personenbezogene Daten“ alle Informationen"}[lang]
    assert points[0].text.startswith(first)
    nested = by_id(act)[f"{GDPR}/art_4/pnt_16/pnt_b"]  # 'main establishment' (a), (b): a list in a point
    assert nested.parent_id == f"{GDPR}/art_4/pnt_16"


def test_recital_with_two_paragraphs(eurlex):
    recital = by_id(parsed(eurlex / ORIGINAL.format("en")))[f"{GDPR}/rct_71"]
    assert recital.text.startswith("The data subject should have the right not to be subject to a decision")
    assert "Such processing includes ‘profiling’ that consists of" in recital.text
    assert "should not concern a child. In order to ensure fair and transparent processing" in recital.text
    assert "\n" in recital.text_original and "\n" not in recital.text
    assert recital.text.endswith("should be allowed only under specific conditions.")


def test_french_article_premier(eurlex):
    article = by_id(parsed(eurlex / ORIGINAL.format("fr")))[f"{GDPR}/art_1"]
    assert (article.number, article.heading, article.parent_id) == ("1", "Objet et objectifs", f"{GDPR}/cpt_I")


def test_headings_subparagraphs_indents(eurlex):
    act = by_id(parsed(eurlex / ORIGINAL.format("en")))
    assert act[f"{GDPR}/cpt_III/sct_1"].heading == "Transparency and modalities"
    assert act[f"{GDPR}/art_17"].heading == "Right to erasure (‘right to be forgotten’)"
    assert act[f"{GDPR}/art_6/par_1/sub_2"].text.startswith("Point (f) of the first subparagraph shall not apply")
    assert act[f"{GDPR}/art_67/sub_2"].text.startswith("Those implementing acts shall be adopted")
    indent = act[f"{GDPR}/art_53/par_1/idt_4"]
    assert indent.text == "an independent body entrusted with the appointment under Member State law."


def test_footnotes_hang_on_the_provision_calling_them(eurlex):
    act = parsed(eurlex / ORIGINAL.format("en"))
    notes = [p for p in act.provisions if p.kind is Kind.FOOTNOTE]
    # three called in the citations (no provisions): the act's, under the numbers printed
    assert [p.id for p in notes[:3]] == [f"{GDPR}/ftn_{n}" for n in (1, 2, 3)]
    assert [p.id for p in act.provisions[1:4]] == [p.id for p in notes[:3]]
    assert notes[0].text == "OJ C 229, 31.7.2012, p. 90."
    provisions = by_id(act)
    note = provisions[f"{GDPR}/rct_3/ftn_1"]
    assert (note.kind, note.number, note.parent_id) == (Kind.FOOTNOTE, "1", f"{GDPR}/rct_3")
    assert note.text.startswith("Directive 95/46/EC of the European Parliament and of the Council of 24 October")
    assert "95/46/EC of the European Parliament and of the Council seeks" in provisions[f"{GDPR}/rct_3"].text
    assert provisions[f"{GDPR}/art_76/par_2"].text.endswith("of the European Parliament and of the Council.")
    assert provisions[f"{GDPR}/art_76/par_2"].text_original.endswith("of the Council.")
    assert "up to 10 000 000 EUR" in provisions[f"{GDPR}/art_83/par_4"].text
    assert act.title.startswith("REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL of 27 April")


@pytest.mark.parametrize("lang", LANGS)
def test_consolidated_notes_are_the_original_s_whatever_their_printed_number(eurlex, lang):
    """The consolidated text prints the act's notes 19-21 as 1-3; ids do not depend on it."""
    original, consolidated = (by_id(parsed(eurlex / name.format(lang))) for name in (ORIGINAL, CONSOLIDATED))
    notes = [key for key, p in consolidated.items() if p.kind is Kind.FOOTNOTE]
    assert notes == [f"{GDPR}/{key}/ftn_1" for key in ("art_4/pnt_25", "art_43/par_1/pnt_b", "art_76/par_2")]
    for key in notes:
        assert consolidated[key].text == original[key].text


@pytest.mark.parametrize("lang", ("en", "fr"))
def test_every_text_reads_as_on_the_eurlex_html_page(eurlex, lang):
    """Same wording as the EUR-Lex page of the same act: quotes, amounts, upper case; footnote calls
    ("\u00a0(4)") left out with the space before them."""
    page = html.fromstring((eurlex / f"gdpr_32016R0679_eurlex_oj_{lang}.html").read_bytes())
    for call in page.xpath('//a[starts-with(@id, "ntc")]'):
        before = call.getprevious()
        if before is None:
            call.getparent().text = call.getparent().text.rstrip()
        else:
            before.tail = (before.tail or "").rstrip()
        call.drop_tree()
    shown = " ".join(normalise(p.text_content()) for p in page.iter("p"))
    act = parsed(eurlex / ORIGINAL.format(lang))
    missing = [p.id for p in act.provisions for value in (p.text, p.heading) if value and value not in shown]
    assert missing == []


def test_bad_inputs_raise_specific_parse_errors(eurlex):
    with pytest.raises(ParseError, match="empty document"):
        parse_formex_act(b"")
    with pytest.raises(ParseError, match=r"not a Formex act: root element <rss>"):
        parse_formex_act(b'<?xml version="1.0"?><rss version="2.0"><channel><title>news</title></channel></rss>')
    data = (eurlex / ORIGINAL.format("en")).read_bytes()
    with pytest.raises(ParseError, match=r"not well-formed XML.* line \d+, column \d+ .*truncated"):
        parse_formex_act(data[:len(data) // 2])
    with pytest.raises(ParseError, match=r"not well-formed XML at line 2, column \d+: Opening and ending tag mismatch"):
        parse_formex_act(b"<ACT>\n<TITLE></ACT>")
    corrigendum = (eurlex / "gdpr_32016R0679_formex_corrigendum_2018_en.xml").read_bytes()
    with pytest.raises(ParseError, match=r"corrigendum .*use parse_formex_corrigendum"):
        parse_formex_act(corrigendum)
    with pytest.raises(ParseError, match=r"<ACT> at line 1 without <TITLE/TI>"):
        parse_formex_act(b"<ACT><BIB.INSTANCE><LG.DOC>EN</LG.DOC></BIB.INSTANCE></ACT>")


def test_the_act_type_and_unit_titles_refuse_what_they_cannot_read(eurlex):
    path = eurlex / ORIGINAL.format("en")
    data, metadata = path.read_bytes(), path.with_suffix(".doc.xml").read_bytes()
    title_end = data.index(b"</TITLE>")
    untyped = data[:title_end].replace(b"Regulation", b"Rule") + data[title_end:]
    # "repealing Directive 95/46/EC" is left: it names another act, not this one's type
    with pytest.raises(ParseError, match=r"^cannot tell the act type .* no en act-type word .* near the act's "
                                         r"number 2016/679; give the act's \.doc\.xml metadata$"):
        parse_formex_act(untyped)
    assert parse_formex_act(untyped, metadata).act_id == GDPR  # the metadata states it: REG
    with pytest.raises(ParseError, match=r"^the metadata's LEGAL.VALUE is 'OPINION', not an act type"):
        parse_formex_act(data, metadata.replace(b"<LEGAL.VALUE>REG<", b"<LEGAL.VALUE>OPINION<"))
    corrigendum_metadata = (eurlex / "gdpr_32016R0679_formex_corrigendum_2018_en.doc.xml").read_bytes()
    with pytest.raises(ParseError, match=r"^the metadata \(\.doc\.xml\) is not this act's: it numbers no act"):
        parse_formex_act(data, corrigendum_metadata)
    with pytest.raises(ParseError, match=r"^not a en article title: 'Art 17', expected one like 'Article 1' "
                                         r"\(words\.structure\.article in grammars/en\.json\)$"):
        parse_formex_act(data.replace(b"<TI.ART>Article 17<", b"<TI.ART>Art 17<"))
    with pytest.raises(ParseError, match=r"^unsupported document language 'xx' \(LG.DOC\)"):
        parse_formex_act(data.replace(b"<LG.DOC>EN</LG.DOC>", b"<LG.DOC>XX</LG.DOC>"))
