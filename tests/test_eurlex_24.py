"""The GDPR in the 24 official languages of the EU, from the real Formex files: each language's act as
published and its consolidated text have the English structure and ids, and each language's 2018
corrigendum is read and changes the provisions its descriptions name.

Every file is parsed once (cached); the act and the corrigendum with their ``.doc.xml`` metadata, the
title-only reading of the act type checked against it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from pathlib import Path
from typing import get_args

import pytest
from lxml import etree

from parsers._act_words import LATIN_LETTERS, act_words
from parsers.corrigendum import CorrectionResult, apply_corrections
from parsers.formex import parse_formex_act
from parsers.formex_corrigendum import parse_formex_corrigendum
from schema.ids import GDPR, Kind
from schema.law import ActLang, ParsedAct, ParsedCorrigendum
from schema.text import normalise
from tests.conftest import CORPUS

LANGS = get_args(ActLang)
ORIGINAL = "gdpr_32016R0679_formex_original_{}.xml"
CONSOLIDATED = "gdpr_02016R0679_formex_consolidated_{}.xml"
CORRIGENDUM = "gdpr_32016R0679_formex_corrigendum_2018_{}.xml"

# Lists whose printed letters are misprinted in a text, by (language, file, PARAG IDENTIFIER): the n-th
# point is still the n-th letter, as in the other languages.
MISPRINTED = {
    ("et", ORIGINAL, "057.001"): "m) twice", ("et", CONSOLIDATED, "057.001"): "m) twice",
    ("fi", ORIGINAL, "013.001"): "d) twice", ("nl", ORIGINAL, "013.001"): "d) twice",
    ("ga", ORIGINAL, "009.002"): "(i) twice", ("ga", CONSOLIDATED, "009.002"): "(i) twice",
    ("sl", ORIGINAL, "014.002"): "(c) twice", ("sl", CONSOLIDATED, "014.002"): "(c) twice",
    ("el", ORIGINAL, "070.001"): "ι) left out",
}

# Corrections that name neither a recital nor an article: GA's correction of a section's title (quoted
# as plain text, found as the heading it is).
UNLOCATED = {"ga": ["Ar leathanach 76, i dteideal Chuid 3:"]}
# Corrections not applied, by language. Each was compared with the original: the corrigendum quotes
# wording the original does not have (a word, a space or a mark differs: DE recital 50 quotes recital
# 47's words, NL "de ", SK "písm. b)", MT "il- Bord", GA "inniúil"/"dea chleachtas"), or its wording to
# replace and its replacement elide different parts (BG, IT); SL's three terms replaced throughout the
# act "with the sentences adapted" state no adapted wording; SV Article 9(2)(j) quotes wording that
# is also in point (g) of the same article.
UNAPPLIED = {
    "de": ["Seite 9, Erwägungsgrund 50, Satz 6"],
    "bg": ["На страница 74, в член 65, параграф 1 буква а)"],
    "ga": ["Ar leathanach 14, in aithris 71, sa chúigiú agus sa séú habairt:",
           "Ar leathanach 74, in Airteagal 64(6), (7) agus (8):",
           "Ar leathanach 77, i bpointe (l) d'Airteagal 70(1):"],
    "hr": ["13.Na stranici 26. u uvodnoj izjavi 143. četvrtoj, šestoj i sedmoj rečenici:"],
    "it": ["Pagina 8, considerando (42), seconda e ultima frase:",
           "Pagina 14, considerando (71), quarta e quinta frase:",
           "Pagina 15, considerando (78), seconda e ultima frase:", "Pagina 20, considerando (108), quarta frase:",
           "Pagina 21, considerando (111), prima frase:"],
    "mt": ["Fil-paġna 14, il-premessa (71), il-ħames u s-sitt sentenzi:",
           "Fil-paġna 60, l-Artikolu 43(3), l-ewwel sentenza:",
           "Fil-paġna 69, il-punt (p) tal-Artikolu 57(1):", "Fil-paġna 76, l-Artikolu 69(2):"],
    "nl": ["Bladzijde 13, overweging 69, tweede zin:", "Bladzijde 15, overweging 75:",
           "Bladzijden 17 en 18, overweging 91, eerste, tweede en derde zin:",
           "Bladzijde 24, overweging 124, eerste zin:", "Bladzijde 38, artikel 9, lid 2, onder f):",
           "Bladzijde 41, artikel 13, lid 4:", "Bladzijde 59, artikel 43, lid 1, eerste zin:",
           "Bladzijde 64, artikel 49, lid 1, tweede alinea:", "Bladzijde 72, artikel 61, lid 1, tweede zin:",
           "Bladzijde 76, artikel 67, eerste alinea:"],
    "sk": ["Na strane 76, článok 69 ods. 2:"],
    "sl": [f"Izraz „{old}“ se nadomesti {by} „{new}“ v celotnem besedilu Uredbe in stavki se temu primerno "
           "jezikovno prilagodijo." for old, by, new in [
               ("sedež", "z", "ustanovitev"), ("kršitev varstva osebnih podatkov", "s", "kršitev varnosti osebnih podatkov"),
               ("potrjevanje", "s", "certificiranje")]],
    "sv": ["22.Sidan 39, artikel 9.2 led j"],
}
# Corrected provisions of the articles that differ from the official consolidated text, and why.
NOT_CONSOLIDATED = {
    "de": {"art_65/par_1/pnt_a": "the DE consolidated text also folds in the DE-only corrigendum of 2016"},
    "da": {"art_49/par_1/sub_2": "the DA consolidated text repeats 'hvis overførslen ikke gentages'"},
    "et": {"art_65/par_1/pnt_a": "the ET consolidated text leaves out the point's second sentence "
                                 "('Siduv otsus …'), which the corrigendum does not touch"},
    "hr": {"art_57/par_1/pnt_p": "the HR corrigendum's replacement ends without the point's ';'"},
    "sv": {"art_58/par_2/pnt_d": "the SV consolidated text ends the point with '.', the original and "
                                 "the corrigendum with ','"},
}


def source(name: str, lang: str) -> Path:
    """A corpus file: EN/FR/DE are in eurlex/, the other 21 languages in eurlex_24/."""
    for folder in ("eurlex", "eurlex_24"):
        if (path := CORPUS / folder / name.format(lang)).is_file():
            return path
    raise FileNotFoundError(f"{name.format(lang)} is in neither {CORPUS / 'eurlex'} nor {CORPUS / 'eurlex_24'}")


def metadata(path: Path) -> bytes:
    return path.with_suffix(".doc.xml").read_bytes()


@cache
def act(name: str, lang: str) -> ParsedAct:
    path = source(name, lang)
    return parse_formex_act(path.read_bytes(), metadata(path) if name == ORIGINAL else None)


@cache
def corrigendum(lang: str) -> ParsedCorrigendum:
    path = source(CORRIGENDUM, lang)
    return parse_formex_corrigendum(path.read_bytes(), metadata(path))


@cache
def corrected(lang: str) -> CorrectionResult:
    return apply_corrections(act(ORIGINAL, lang), corrigendum(lang))


def ids(parsed: ParsedAct) -> set[str]:
    return {p.id for p in parsed.provisions}


def by_id(parsed: ParsedAct) -> dict[str, tuple[str, str | None]]:
    return {p.id.removeprefix(f"{GDPR}/"): (p.text, p.heading) for p in parsed.provisions}


def inside(provision_id: str, unit: str) -> bool:
    return provision_id == unit or provision_id.startswith(f"{unit}/")


def printed_points(name: str, lang: str, identifier: str) -> list[tuple[str, str]]:
    """The points of a paragraph as the file prints them: (label, text), its own list only."""
    parag = etree.parse(str(source(name, lang))).find(f".//PARAG[@IDENTIFIER='{identifier}']")
    return [(normalise("".join(np.find("NO.P").itertext())), normalise("".join(np.find("TXT").itertext())))
            for np in parag.iterfind("ALINEA/LIST/ITEM/NP")]


def points_of(parsed: ParsedAct, paragraph: str) -> list[tuple[str, str]]:
    """The points directly in a paragraph, in order: (letter, text)."""
    return [(p.number, p.text) for p in parsed.provisions
            if p.parent_id == f"{GDPR}/{paragraph}" and p.kind is Kind.POINT]


# -- the act and the consolidated text --------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_the_original_has_the_english_structure(lang):
    parsed, english = act(ORIGINAL, lang), act(ORIGINAL, "en")
    counts = Counter(p.kind for p in parsed.provisions)
    assert (counts[Kind.ARTICLE], counts[Kind.CHAPTER], counts[Kind.SECTION], counts[Kind.RECITAL]) == (99, 11, 15, 173)
    assert counts == Counter(p.kind for p in english.provisions)  # paragraphs, points, indents … too
    assert ids(parsed) == ids(english)
    assert (parsed.act_id, parsed.lang, parsed.document_date) == (GDPR, lang, dt.date(2016, 4, 27))
    assert [p.number for p in parsed.provisions if p.kind is Kind.ARTICLE] == [str(n) for n in range(1, 100)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_title_names_the_act_type_the_metadata_states(lang):
    path = source(ORIGINAL, lang)
    assert parse_formex_act(path.read_bytes()).act_id == act(ORIGINAL, lang).act_id == GDPR


@pytest.mark.parametrize("lang", LANGS)
def test_the_consolidated_text_has_the_english_articles(lang):
    parsed = act(CONSOLIDATED, lang)
    counts = Counter(p.kind for p in parsed.provisions)
    assert (counts[Kind.ARTICLE], counts[Kind.CHAPTER], counts[Kind.RECITAL]) == (99, 11, 0)
    assert ids(parsed) == ids(act(CONSOLIDATED, "en"))
    assert (parsed.act_id, parsed.lang, parsed.document_date) == (GDPR, lang, dt.date(2018, 5, 23))


@pytest.mark.parametrize("lang", LANGS)
def test_points_are_numbered_by_the_latin_letter_of_their_position(lang):
    """Article 6(1) (a) to (f): BG а) б) в) …, EL α) β) … στ), the others a) … f). (BG prints the
    first as a Latin a), which looks the same.)"""
    printed = printed_points(ORIGINAL, lang, "006.001")
    assert points_of(act(ORIGINAL, lang), "art_6/par_1") == [
        (letter, text) for letter, (_, text) in zip(LATIN_LETTERS, printed, strict=False)]
    assert [label.strip("()") for label, _ in printed][1:] == list(act_words(lang).point_letters[1:6])


@pytest.mark.parametrize(("lang", "name", "identifier"), list(MISPRINTED), ids=[
    f"{lang}-{name.split('_')[3]}-{identifier}: {why}" for (lang, name, identifier), why in MISPRINTED.items()])
def test_a_misprinted_letter_takes_the_letter_of_its_position(lang, name, identifier):
    printed = printed_points(name, lang, identifier)
    ours = points_of(act(name, lang), f"art_{int(identifier[:3])}/par_{int(identifier[4:])}")
    assert [text for _, text in ours] == [text for _, text in printed]
    assert [letter for letter, _ in ours] == list(LATIN_LETTERS[:len(printed)])
    assert [label.strip("()") for label, _ in printed] != [letter for letter, _ in ours]  # the misprint


# -- the corrigendum ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_the_corrigendum_names_the_act_it_corrects(lang):
    path = source(CORRIGENDUM, lang)
    parsed = corrigendum(lang)
    assert (parsed.act_id, parsed.lang, parsed.document_date) == (GDPR, lang, dt.date(2018, 5, 23))
    assert parse_formex_corrigendum(path.read_bytes()).act_id == GDPR  # from the title alone


@pytest.mark.parametrize("lang", LANGS)
def test_every_correction_of_wording_is_read(lang):
    """Each CORRECTION gives at least one correction, but those that correct only the printed
    number or letter of what they quote (FI, GA, NL Article 13(1): the second d) is e); SV Article
    20(2): "2" is "2."): the ids already number by position, the wording is the same."""
    tree = etree.parse(str(source(CORRIGENDUM, lang)))
    marks = {chr(int(q.get("CODE"), 16)) for q in tree.iter("QUOT.START", "QUOT.END")}
    read = {"".join(ch for ch in c.description if ch not in marks) for c in corrigendum(lang).corrections}
    for element in tree.iter("CORRECTION"):
        if normalise("".join(element.find("DESCRIPTION").itertext())) not in read:
            (old_labels, old), (new_labels, new) = map(labels_and_wording, element.iterfind("*/QUOT.S"))
            assert old == new and old_labels != new_labels, normalise("".join(element.itertext()))[:80]


def labels_and_wording(quotation: etree._Element) -> tuple[list[str], str]:
    """A quotation's numbers and letters, and its wording without them (or the corrigendum's
    punctuation after it)."""
    labels = list(quotation.iter("NO.P", "NO.PARAG"))
    numbers = [normalise("".join(label.itertext())) for label in labels]
    for label in labels:
        label.getparent().remove(label)
    return numbers, normalise("".join(quotation.itertext())).rstrip(" .,;")


@pytest.mark.parametrize("lang", LANGS)
def test_the_corrigendum_changes_the_provisions_it_names(lang):
    result, original = corrected(lang), by_id(act(ORIGINAL, lang))
    ours = by_id(result.act)
    assert len(result.applied) + len(result.unapplied) == len(corrigendum(lang).corrections)
    assert [c.description for c, _ in result.unapplied] == UNAPPLIED.get(lang, [])
    for correction in result.applied:
        target = correction.target_id.removeprefix(f"{GDPR}/")
        assert ours[target] != original[target], correction.description
        assert correction.located_in is None or inside(correction.target_id, correction.located_in), (
            f"{correction.description!r} names {correction.located_in}, corrected {correction.target_id}")
    unlocated = [c.description for c in corrigendum(lang).corrections if c.located_in is None and not c.throughout]
    assert unlocated == UNLOCATED.get(lang, [])


@pytest.mark.parametrize("lang", LANGS)
def test_corrected_articles_equal_the_official_consolidated_text(lang):
    ours, official = by_id(corrected(lang).act), by_id(act(CONSOLIDATED, lang))
    targets = {c.target_id.removeprefix(f"{GDPR}/") for c in corrected(lang).applied if "/art_" in c.target_id}
    assert targets, "the corrigendum corrects no article"
    assert sorted(t for t in targets if ours[t] != official[t]) == sorted(NOT_CONSOLIDATED.get(lang, {}))


@pytest.mark.parametrize("lang", LANGS)
def test_corrected_provisions_compared_with_english(lang, capsys):
    """The corrigenda differ by language (each corrects its own text); an English target that a
    language leaves as it was is one that language's original already had right, or whose
    correction could not be applied (UNAPPLIED)."""
    english = {c.target_id for c in corrected("en").applied}
    theirs = {c.target_id for c in corrected(lang).applied}
    unapplied = [c.located_in for c, _ in corrected(lang).unapplied if c.located_in]
    original, consolidated = by_id(act(ORIGINAL, lang)), by_id(act(CONSOLIDATED, lang))
    with capsys.disabled():
        print(f"\n{lang}: {len(theirs)} provisions corrected; not corrected of the English "
              f"{len(english)}: {sorted(t.removeprefix(GDPR + '/') for t in english - theirs)}; "
              f"corrected beyond the English: {len(theirs - english)}")
    for target in english - theirs:
        short = target.removeprefix(f"{GDPR}/")
        already_right = short in consolidated and original[short] == consolidated[short]
        assert already_right or any(inside(target, unit) for unit in unapplied), target
