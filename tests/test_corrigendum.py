"""The 2018 GDPR corrigendum (EN/FR/DE): parsed from Formex, applied to the original act, and checked
against the official consolidated text of the same language."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

import pytest
from lxml import etree

from parsers.corrigendum import CorrectionResult, apply_corrections
from parsers.errors import ParseError
from parsers.formex import parse_formex_act
from parsers.formex_corrigendum import parse_formex_corrigendum
from schema.ids import GDPR
from schema.law import Correction, ParsedAct, ParsedCorrigendum
from schema.text import normalise

LANGS = ("en", "fr", "de")
CORRIGENDUM = "gdpr_32016R0679_formex_corrigendum_2018_{}.xml"
ORIGINAL = "gdpr_32016R0679_formex_original_{}.xml"
CONSOLIDATED = "gdpr_02016R0679_formex_consolidated_{}.xml"
WITH_PREAMBLE = "gdpr_02016R0679_formex_consolidated_with_corrected_preamble_{}.xml"

# CORRECTION elements per language, and the corrections they give: "Article 64(6), (7) and (8)"
# replaces three paragraphs, so it gives three.
CORRECTIONS = {"en": (15, 17), "fr": (21, 23), "de": (38, 40)}
# The one correction that cannot be applied, and why: the DE corrigendum quotes recital 50 with the
# words of recital 47 ("dabei sind die vernünftigen Erwartungen …"); recital 50 reads "insbesondere
# die vernünftigen Erwartungen …", so the quoted wording is nowhere left to correct.
UNAPPLIED = {"en": [], "fr": [], "de": ["Seite 9, Erwägungsgrund 50, Satz 6"]}

# Where original + corrigendum differs from the official consolidated text, and why.
EARLIER_DE_CORRIGENDUM = ("the DE consolidated text also folds in the DE-only corrigendum of 2016 "
                          "(OJ L 314, 22.11.2016, CELEX 32016R0679R(01)), which is not in the corpus")
NOT_CONSOLIDATED = {
    "en": {},
    "fr": {"art_53/par_1/idt_3": "the consolidation re-typed all of the quoted Article 53(1) with the "
                                 "corrigendum's apostrophe (’); this indent's wording is unchanged"},
    "de": dict.fromkeys(["art_28/par_7", "art_30/par_5", "art_33/par_1", "art_65/par_1/pnt_a"],
                        EARLIER_DE_CORRIGENDUM),
}


@cache
def act(path: Path) -> ParsedAct:
    return parse_formex_act(path.read_bytes())


@cache
def corrigendum(path: Path) -> ParsedCorrigendum:
    return parse_formex_corrigendum(path.read_bytes())


@cache
def corrected(eurlex: Path, lang: str) -> CorrectionResult:
    return apply_corrections(act(eurlex / ORIGINAL.format(lang)), corrigendum(eurlex / CORRIGENDUM.format(lang)))


def texts(parsed: ParsedAct, part: str) -> dict[str, tuple[str, str | None]]:
    """The texts and headings of the articles (``part="art"``) or recitals, and all their parts."""
    return {p.id.removeprefix(f"{GDPR}/"): (p.text, p.heading) for p in parsed.provisions if f"/{part}_" in p.id}


# -- parsing ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_corrigendum_metadata_and_counts(eurlex, lang):
    path = eurlex / CORRIGENDUM.format(lang)
    parsed = corrigendum(path)
    assert (parsed.act_id, parsed.lang, parsed.document_date) == (GDPR, lang, dt.date(2018, 5, 23))
    descriptions = [normalise("".join(d.itertext())) for d in etree.parse(str(path)).iter("DESCRIPTION")]
    assert (len(descriptions), len(parsed.corrections)) == CORRECTIONS[lang]
    assert {c.description for c in parsed.corrections} == set(descriptions)  # each gives at least one


@pytest.mark.parametrize("lang", LANGS)
def test_quotation_marks_and_trailing_punctuation_are_the_corrigendum_s(eurlex, lang):
    for c in corrigendum(eurlex / CORRIGENDUM.format(lang)).corrections:
        for fragment in (c.old, c.new):
            assert fragment[-1] not in "’»“", fragment
            assert not fragment.endswith((".,", "..", ";,", ";.", ",.")), fragment
        assert c.old != c.new and c.target_id is None


def test_one_correction_per_replaced_unit(eurlex):
    en = corrigendum(eurlex / CORRIGENDUM.format("en")).corrections
    article_64 = [c for c in en if c.description == "On page 74, Article 64(6), (7) and (8):"]
    assert [c.old.split(" shall")[0] for c in article_64] == [
        "The competent supervisory authority", "The supervisory authority referred to in paragraph 1",
        "Where the supervisory authority concerned informs the Chair of the Board within the period referred to "
        "in paragraph 7 of this Article that it does not intend to follow the opinion of the Board, in whole or "
        "in part, providing the relevant grounds, Article 65(1)"]
    point_c = next(c for c in en if c.description == "On page 55, point (c) of Article 37(1):")
    assert point_c.old.endswith("pursuant to Article 9 and personal data relating to criminal convictions and "
                                "offences referred to in Article 10.")
    assert " 9 or personal data " in point_c.new and point_c.new.endswith("Article 10.")
    recital = next(c for c in en if "recital 71" in c.description)
    assert recital.old.startswith("… Such measure should not concern a child. In order to ensure")


def test_headings_and_nested_quotes(eurlex):
    de = corrigendum(eurlex / CORRIGENDUM.format("de")).corrections
    assert [(c.old, c.new) for c in de if c.field == "heading"] == [
        ("Gemeinsam für die Verarbeitung Verantwortliche", "Gemeinsam Verantwortliche"),
        ("Stellungnahme Ausschusses", "Stellungnahme des Ausschusses")]
    # quoted inside the corrigendum's „…“ as ‚Unternehmen‘, in the act as „Unternehmen“
    definition = next(c for c in de if c.description == "Seite 36, Artikel 4 Ziffer 18")
    assert definition.old == "„Unternehmen“ eine natürliche und juristische Person, die …"
    # a trailing comma that is the act's own (the point goes on with the next one) stays
    point_a = next(c for c in de if c.description == "Seite 55, Artikel 37 Absatz 1 Buchstabe a")
    assert point_a.old.endswith("im Rahmen ihrer justiziellen Tätigkeit handeln,")
    assert point_a.new.endswith("soweit sie im Rahmen ihrer justiziellen Tätigkeit handeln,")
    fr = corrigendum(eurlex / CORRIGENDUM.format("fr")).corrections
    assert [c.old for c in fr if "article 65" in c.description][0].endswith("pas pertinente ou motivée. […];")


def test_bad_corrigendum_inputs(eurlex):
    data = (eurlex / CORRIGENDUM.format("en")).read_bytes()
    with pytest.raises(ParseError, match=r"not well-formed XML.*line \d+, column \d+"):
        parse_formex_corrigendum(data[:len(data) // 2])
    with pytest.raises(ParseError, match="empty document"):
        parse_formex_corrigendum(b"")
    with pytest.raises(ParseError, match=r"Formex act .*use parse_formex_act"):
        parse_formex_corrigendum((eurlex / ORIGINAL.format("en")).read_bytes())
    with pytest.raises(ParseError, match=r"not a Formex corrigendum: root element <rss>"):
        parse_formex_corrigendum(b"<rss><channel/></rss>")
    with pytest.raises(ParseError, match=r"^the corrigendum's title does not name the act it corrects"):
        parse_formex_corrigendum(data.replace("Regulation (EU)\u00a02016/679".encode(), b"Regulation", 1))
    with pytest.raises(ParseError, match=r"^the corrigendum's title names act 2016/679 without a en act-type word"):
        title_end = data.index(b"</TITLE>")
        parse_formex_corrigendum(data[:title_end].replace(b"Regulation", b"Rule") + data[title_end:])
    act_metadata = (eurlex / ORIGINAL.format("en")).with_suffix(".doc.xml").read_bytes()
    with pytest.raises(ParseError, match=r"^the metadata \(\.doc\.xml\) numbers no corrected act"):
        parse_formex_corrigendum(data, act_metadata)


# -- applying ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_every_correction_is_applied_but_the_known_exceptions(eurlex, lang):
    result = corrected(eurlex, lang)
    assert len(result.applied) + len(result.unapplied) == CORRECTIONS[lang][1]
    assert [c.description for c, _ in result.unapplied] == UNAPPLIED[lang]
    for _, reason in result.unapplied:
        assert reason.startswith("not found: the wording to replace occurs in no provision text")
    assert all(c.target_id and c.target_id.startswith(f"{GDPR}/") for c in result.applied)


def test_targets_found_by_content(eurlex):
    targets = [c.target_id.removeprefix(f"{GDPR}/") for c in corrected(eurlex, "en").applied]
    assert targets == ["rct_71", "art_37/par_1/pnt_c", "art_41/par_3", "art_41/par_5", "art_42/par_7",
                       "art_43/par_3", "art_43/par_6", "art_57/par_1/pnt_p", "art_64/par_1/pnt_c",
                       "art_64/par_6", "art_64/par_7", "art_64/par_8", "art_65/par_1/pnt_a", "art_69/par_2",
                       "art_70/par_1/pnt_l", "art_70/par_1/pnt_o", "art_70/par_1/pnt_p"]
    de = {c.target_id.removeprefix(f"{GDPR}/") for c in corrected(eurlex, "de").applied if c.field == "heading"}
    assert de == {"art_26", "art_64"}


def test_article_37_and_recital_71_are_corrected(eurlex):
    original = texts(act(eurlex / ORIGINAL.format("en")), "art")["art_37/par_1/pnt_c"][0]
    result = corrected(eurlex, "en")
    point = next(p for p in result.act.provisions if p.id == f"{GDPR}/art_37/par_1/pnt_c")
    assert "categories of data pursuant to Article 9 and personal data relating to criminal convictions" in original
    assert "categories of data pursuant to Article 9 or personal data relating to criminal convictions" in point.text
    assert " 9 or personal data " in point.text_original
    recital = texts(result.act, "rct")["rct_71"][0]
    assert "interests and rights of the data subject, and prevent, inter alia, discriminatory effects" in recital
    assert recital.endswith("or processing that results in measures having such an effect. Automated "
                            "decision-making and profiling based on special categories of personal data should "
                            "be allowed only under specific conditions.")


@pytest.mark.parametrize("lang", LANGS)
def test_corrected_articles_equal_the_official_consolidated_text(eurlex, lang):
    """The strong check: original + corrigendum = consolidated, provision by provision, heading included.

    The consolidated text prints the act's footnotes 19-21 as 1-3: the same notes, under the same
    provisions, with the same wording."""
    ours = texts(corrected(eurlex, lang).act, "art")
    official = texts(act(eurlex / CONSOLIDATED.format(lang)), "art")
    assert ours.keys() == official.keys() and len(ours) == 868 + 3
    assert [k for k in ours if k.endswith("/ftn_1")] == [
        "art_4/pnt_25/ftn_1", "art_43/par_1/pnt_b/ftn_1", "art_76/par_2/ftn_1"]
    assert sorted(k for k in ours if ours[k] != official[k]) == sorted(NOT_CONSOLIDATED[lang])
    if lang == "fr":
        assert ours["art_53/par_1/idt_3"][0].replace("'", "’") == official["art_53/par_1/idt_3"][0]
    if lang == "de":
        listed = etree.parse(str(eurlex / CONSOLIDATED.format(lang))).xpath("//GR.CORRIG/CORRIG//NO.CELEX/text()")
        assert listed == ["32016R0679R(01)", "32016R0679R(02)"]


@pytest.mark.parametrize("lang", LANGS)
def test_corrected_recitals_equal_the_derived_corrected_preamble(eurlex, lang):
    ours = texts(corrected(eurlex, lang).act, "rct")
    assert len(ours) == 173 + 15  # recitals and the notes they call
    assert ours == texts(act(eurlex / WITH_PREAMBLE.format(lang)), "rct")


def test_the_original_act_is_left_as_it_was(eurlex):
    original = act(eurlex / ORIGINAL.format("en"))
    before = original.model_dump()
    corrected(eurlex, "en")
    apply_corrections(original, corrigendum(eurlex / CORRIGENDUM.format("en")))
    assert original.model_dump() == before


def test_unlocatable_corrections_are_reported_with_their_reason(eurlex):
    original = act(eurlex / ORIGINAL.format("en"))

    def reason(old: str, new: str, field: Literal["text", "heading"] = "text") -> str:
        sheet = ParsedCorrigendum(act_id=GDPR, lang="en", document_date=dt.date(2018, 5, 23),
                                  corrections=[Correction(description="test", field=field, old=old, new=new)])
        result = apply_corrections(original, sheet)
        assert result.applied == [] and result.act == original
        return result.unapplied[0][1]

    assert reason("the controller shall", "x") == (
        "ambiguous: the wording to replace occurs 23 times in the text of the act: "
        f"{GDPR}/art_6/par_4, {GDPR}/art_7/par_1, {GDPR}/art_11/par_1 and 20 more")
    assert reason("no such wording", "x") == (
        "not found: the wording to replace occurs in no provision text of the act")
    assert reason("Right to be informed", "x", field="heading") == (
        "not found: the wording to replace occurs in no provision heading of the act")
    assert reason("Right to erasure … forgotten", "Right") == (
        "the wording to replace has 2 parts between elisions, its replacement 1")
    assert reason("…", "x") == "the wording to replace is only an elision"
    with pytest.raises(ValueError, match="cannot correct"):
        apply_corrections(act(eurlex / ORIGINAL.format("fr")), corrigendum(eurlex / CORRIGENDUM.format("en")))
