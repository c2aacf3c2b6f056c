"""Citations of the GDPR in the national styles of data protection authorities and fine trackers: one
table per language of (citing, text, expected), through the same grammars and engine as EUR-Lex text.

``citing`` is a decision (text outside any act: only what names its act resolves) or, relative to the
GDPR, one of its provisions (the bare forms an act's own text uses). Sentences marked "real" are
copied from the decisions in ``dpa/pdf/``, whitespace folded. Each reference is written as its target
relative to the GDPR ("art_5/par_1/pnt_f"), another act's id ("eu/dir/1995/46"), "?DSG" when it cites
an act without an id, or "?" when it names no act at all. The tables of languages written as data
are the ``[[citation]]`` examples of ``tests/citations/<lang>.toml``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from parsers.xref import extract_references, languages
from parsers.xref.pipeline import pipeline_for
from schema.ids import GDPR
from schema.law import CrossReference

DECISION = "decision/xx/dpa/case-1"
CITATIONS = Path(__file__).with_name("citations")

DE = [
    (DECISION, "Art. 5 Abs. 1 lit. f DSGVO", ["art_5/par_1/pnt_f"]),
    (DECISION, "Art. 6 Abs. 1 lit. a und f DSGVO", ["art_6/par_1/pnt_a", "art_6/par_1/pnt_f"]),
    (DECISION, "Art. 83 Abs. 5 lit. a DSGVO", ["art_83/par_5/pnt_a"]),
    (DECISION, "Artikel 5 Absatz 1 Buchstabe f DSGVO", ["art_5/par_1/pnt_f"]),
    (DECISION, "§ 1 DSG", ["?DSG"]),
    (DECISION, "Art. 4 Z 1 DSGVO", ["art_4/pnt_1"]),
    (DECISION, "gemäß Art. 58 Abs. 2 lit. i iVm Art. 83 DSGVO", ["art_58/par_2/pnt_i", "art_83"]),
    (DECISION, "gemäß Art. 58 Abs. 2 lit. i i.V.m. Art. 83 DSGVO", ["art_58/par_2/pnt_i", "art_83"]),
    (DECISION, "Art. 6 Abs. 1 lit. f", ["?"]),
    ("art_83/par_2", "Art. 6 Abs. 1 lit. f", ["art_6/par_1/pnt_f"]),
    # real
    (DECISION, "Zu 2): Art. 5 Abs. 1 lit. a und c sowie Art. 6 Abs. 1 DSGVO (für den Zeitraum vom 25.05.2018",
     ["art_5/par_1/pnt_a", "art_5/par_1/pnt_c", "art_6/par_1"]),
    (DECISION, "Art. 5 Abs. 1 lit. a und c sowie Art. 6 Abs. 1 der Verordnung (EU) 2016/679 (Datenschutz-"
     "Grundverordnung – DSGVO), ABl. Nr. L 119 vom 4.5.2016", ["art_5/par_1/pnt_a", "art_5/par_1/pnt_c",
                                                            "art_6/par_1", GDPR, GDPR]),
    (DECISION, "der in § 96 Abs. 3 TKG 2003 iVm Art. 5 Abs. 1 lit. a DSGVO geforderten transparenten",
     ["?TKG 2003", "art_5/par_1/pnt_a"]),
    (DECISION, "als Verantwortlicher im Sinne des Art. 4 Z 7 Datenschutz-Grundverordnung (DSGVO) eine",
     ["art_4/pnt_7"]),
    (DECISION, "Gemäß § 30 Abs. 1 und Abs. 2 iVm § 62 Abs. 3 DSG kann die Datenschutzbehörde",
     ["?DSG", "?DSG", "?DSG"]),
    (DECISION, "gemäß Art. 17 Abs. 3 lit. c iVm Art. 9 Abs. 2 lit. i DSGVO eine Ausnahme",
     ["art_17/par_3/pnt_c", "art_9/par_2/pnt_i"]),
    (DECISION, "der Einwilligung nach Art. 4 Z 11 bzw. Art. 7 DSGVO, wie sich aus Art. 94 Abs. 2 DSGVO ergibt.",
     ["art_4/pnt_11", "art_7", "art_94/par_2"]),
    (DECISION, "Art. 83 Abs. 5 lit. a DSGVO legt fest, dass bei Verstößen gegen die Bestimmungen der Art 5 und 6 "
     "DSGVO", ["art_83/par_5/pnt_a", "art_5", "art_6"]),
    (DECISION, "Rechtsgrundlagen: Art. 51 Abs. 1, Art. 57 Abs. 1 lit. f sowie Art. 77 Abs. 1 der Verordnung (EU) "
     "2016/679", ["art_51/par_1", "art_57/par_1/pnt_f", "art_77/par_1"]),
]

ES = [
    (DECISION, "artículo 6.1.a) del RGPD", ["art_6/par_1/pnt_a"]),
    (DECISION, "artículo 6.1 del RGPD", ["art_6/par_1"]),
    (DECISION, "artículo 83.5 del RGPD", ["art_83/par_5"]),
    (DECISION, "art. 5.1.f) RGPD", ["art_5/par_1/pnt_f"]),
    (DECISION, "artículos 13 y 14 del RGPD", ["art_13", "art_14"]),
    (DECISION, "artículo 58.2 del Reglamento (UE) 2016/679", ["art_58/par_2"]),
    (DECISION, "apartado 1 del artículo 6 del RGPD", ["art_6/par_1"]),
    ("art_7/par_1", "apartado 1 del artículo 6", ["art_6/par_1"]),
    (DECISION, "LOPDGDD", ["?LOPDGDD"]),
    ("art_83/par_2", "artículo 58, apartado 2, letras a) a h) y j)", [f"art_58/par_2/pnt_{x}" for x in "abcdefghj"]),
    ("art_46/par_3", "artículos 46 o 47 o el artículo 49, apartado 1, párrafo segundo",
     ["art_46", "art_47", "art_49/par_1/sub_2"]),
    # real
    (DECISION, "infracción tipificada en el artículo 83.5. apartado a) del RGPD y calificada",
     ["art_83/par_5/pnt_a"]),
    (DECISION, "por infracción del artículo 6.1.del RGPD, tipificada en su artículo 83.5.a), disfrutando",
     ["art_6/par_1", "art_83/par_5/pnt_a"]),
    (DECISION, "(artículo 83.2.k, del RGPD en relación con el artículo 76.2.b, de la LOPDGDD)",
     ["art_83/par_2/pnt_k", "?LOPDGDD"]),
    (DECISION, "las previsiones de los artículos 83.1 y 83.2 del RGPD. A su vez, conforme al artículo 83.2.k RGPD",
     ["art_83/par_1", "art_83/par_2", "art_83/par_2/pnt_k"]),
    (DECISION, "No obstante, la LOPDGDD en su artículo 77, Régimen aplicable", ["?LOPDGDD", "?LOPDGDD"]),
    (DECISION, "de acuerdo con el artículo 4.14 del RGPD tienen esta consideración", ["art_4/pnt_14"]),
    (DECISION, "debemos buscarlo en el artículo 9 y 6 del RGPD. El artículo 9 del RGPD establece",
     ["art_9", "art_6", "art_9"]),
    (DECISION, "especial mención de la letra b) del artículo 9.2 del RGPD, según la cual", ["art_9/par_2/pnt_b"]),
    ("art_68/par_4", "al Comité a que se refiere el artículo 68. 5. La autoridad de control", ["art_68"]),
    ("art_9/par_2/pnt_i", "de conformidad con el artículo 9, apartado 2, letras h) e i), y apartado 3; d) con fines",
     ["art_9/par_2/pnt_h", "art_9/par_2/pnt_i", "art_9/par_3"]),
]

NL = [
    (DECISION, "artikel 5, eerste lid, aanhef en onder a, AVG", ["art_5/par_1/pnt_a"]),
    (DECISION, "artikel 9, eerste lid, van de AVG", ["art_9/par_1"]),
    (DECISION, "artikel 83, vierde lid, AVG", ["art_83/par_4"]),
    (DECISION, "artikel 6 AVG", ["art_6"]),
    (DECISION, "artikel 4, aanhef en onder 14, van de AVG", ["art_4/pnt_14"]),
    (DECISION, "UAVG", ["?UAVG"]),
    # real
    (DECISION, "een boete op van € 725.000,-- op grond van artikel 58, lid 2, aanhef en onder i en artikel 83, "
     "lid 5, AVG, gelezen in samenhang met artikel 14 lid 3 UAVG", ["art_58/par_2/pnt_i", "art_83/par_5", "?UAVG"]),
    (DECISION, "(artikel 33, eerste lid, en artikel 34, eerste lid, van de AVG). 1.2 Verloop onderzoek",
     ["art_33/par_1", "art_34/par_1"]),
    (DECISION, "Op grond van artikel 4, onderdeel 11, AVG is toestemming een vrije", ["art_4/pnt_11"]),
    (DECISION, "ingevuld door de Nederlandse wetgever in artikel 29 Uitvoeringswet AVG. Het betreft",
     ["?Uitvoeringswet AVG"]),
    (DECISION, "van artikel 9, lid 2, onder g, AVG in samenhang met artikel 29 UAVG.", ["art_9/par_2/pnt_g", "?UAVG"]),
    (DECISION, "handelt hierdoor in strijd met artikel 32, eerste lid, aanhef, van de AVG. Ten aanzien",
     ["art_32/par_1"]),
    # Article 4 has points, not paragraphs: "lid 14" is not found, and said so.
    (DECISION, "Volgens artikel 4, lid 14, AVG omvatten biometrische gegevens", ["?"]),
]

SV = [
    (DECISION, "artikel 32 i dataskyddsförordningen", ["art_32"]),
    (DECISION, "artikel 5.1 c i dataskyddsförordningen", ["art_5/par_1/pnt_c"]),
    (DECISION, "artikel 6.1 e dataskyddsförordningen", ["art_6/par_1/pnt_e"]),
    (DECISION, "artiklarna 12 och 13 i dataskyddsförordningen", ["art_12", "art_13"]),
    ("art_83/par_2", "artikel 58.2 d", ["art_58/par_2/pnt_d"]),
    (DECISION, "kamerabevakningslagen", ["?kamerabevakningslagen"]),
    # real
    ("art_83/par_2", "de åtgärder som avses i artikel 58.2 a–h och j. Vidare framgår",
     [f"art_58/par_2/pnt_{x}" for x in "abcdefghj"]),
    (DECISION, "Enligt artikel 58.2 (i) i dataskyddsförordningen framgår att", ["art_58/par_2/pnt_i"]),
    (DECISION, "för överträdelserna av artikel 5, artikel 6 och artikel 13 i dataskyddsförordningen ska betala",
     ["art_5", "art_6", "art_13"]),
    (DECISION, "överträtt artiklarna 5 och 6 i dataskyddsförordningen samt genom", ["art_5", "art_6"]),
    (DECISION, "Av 7 § kamerabevakningslagen följer att tillstånd krävs", ["?kamerabevakningslagen"]),
    (DECISION, "intresseavvägning enligt artikel 6.1 f dataskyddsförordningen. Det innebär", ["art_6/par_1/pnt_f"]),
    (DECISION, "förelägger med stöd av artikel 58.2 d i dataskyddsförordningen BRF Gårdsbjörken",
     ["art_58/par_2/pnt_d"]),
    # "83. 2": a full stop and a space end the label; "I" opening a sentence is no "of".
    (DECISION, "sammankopplade uppgiftsbehandlingar. I artikel 83. 2 i dataskyddsförordningen anges", ["?"]),
]

FR = [
    (DECISION, "article 17 du RGPD", ["art_17"]),
    (DECISION, "l'article 6, paragraphe 1, point a), du RGPD", ["art_6/par_1/pnt_a"]),
    (DECISION, "articles 5 et 6 du RGPD", ["art_5", "art_6"]),
    (DECISION, "article 83 du règlement (UE) 2016/679", ["art_83"]),
    # real (Luxembourg)
    (DECISION, "Considérant que l’article 64, paragraphe 1, lettre c) du RGPD prévoit", ["art_64/par_1/pnt_c"]),
    (DECISION, "prendre en compte l'article 5 paragraphe (1) lettre (e) du RGPD prévoyant", ["art_5/par_1/pnt_e"]),
    (DECISION, "Conformément à l'article 57, paragraphe 1er, lettre (e) du règlement n° 2016/679 du 27 avril 2016",
     ["art_57/par_1/pnt_e"]),
    (DECISION, "L'article 4 point (5) du RGPD définit la pseudonymisation", ["art_4/pnt_5"]),
    (DECISION, "Considérant que l’article 58 , paragraphe 3 du RGPD accorde", ["art_58/par_3"]),
    (DECISION, "visés aux paragraphes 1 et 2 de l’article 43 du RGPD ;", ["art_43/par_1", "art_43/par_2"]),
    (DECISION, "article 82 de la loi Informatique et Libertés", ["?loi Informatique et Libertés"]),
]

IT = [
    (DECISION, "art. 5, par. 1, lett. a), del RGPD", ["art_5/par_1/pnt_a"]),
    (DECISION, "artt. 13 e 14 del RGPD", ["art_13", "art_14"]),
    (DECISION, "ai sensi dell'art. 58, par. 2, lett. i), del Regolamento (UE) 2016/679", ["art_58/par_2/pnt_i"]),
    (DECISION, "l'articolo 6, paragrafo 1, lettera f), del GDPR", ["art_6/par_1/pnt_f"]),
    (DECISION, "articolo 4, punto 11, del RGPD", ["art_4/pnt_11"]),
    (DECISION, "artt. 15-22 del RGPD", [f"art_{n}" for n in range(15, 23)]),
    (DECISION, "art. 83, parr. 4 e 5, del RGPD", ["art_83/par_4", "art_83/par_5"]),
    (DECISION, "art. 166, comma 5, del Codice", ["?Codice"]),
    (DECISION, "art. 157 del d.lgs. 196/2003", ["?d.lgs. 196/2003"]),
]

EN = [
    # fine trackers' article items
    (DECISION, "Art. 5 (1) f) GDPR", ["art_5/par_1/pnt_f"]),
    (DECISION, "Art. 5 (1) a), c) GDPR", ["art_5/par_1/pnt_a", "art_5/par_1/pnt_c"]),
    (DECISION, "Art. 5 (1) a) - d) GDPR", [f"art_5/par_1/pnt_{x}" for x in "abcd"]),
    (DECISION, "Art. 32 (1) b), d), (2) GDPR", ["art_32/par_1/pnt_b", "art_32/par_1/pnt_d", "art_32/par_2"]),
    (DECISION, "Art. 35 (1), (3), (7) b) GDPR", ["art_35/par_1", "art_35/par_3", "art_35/par_7/pnt_b"]),
    (DECISION, "Art. 5 (1) a) f) GDPR", ["art_5/par_1/pnt_a", "art_5/par_1/pnt_f"]),
    (DECISION, "Art. 32 GDPR", ["art_32"]),
    (DECISION, "Art. 6 (1) GDPR", ["art_6/par_1"]),
    (DECISION, "Art 6(1)(f) GDPR", ["art_6/par_1/pnt_f"]),
    (DECISION, "Art, 25 (1) GDPR", ["art_25/par_1"]),
    (DECISION, "Article 5(1)(f) GDPR", ["art_5/par_1/pnt_f"]),
    (DECISION, "Art. 83 (5) GDPR", ["art_83/par_5"]),
    (DECISION, "Art. 32 GPDR", ["art_32"]),
    (DECISION, "Art. 13 GDRP", ["art_13"]),
    (DECISION, "Art. 6 DSGVO", ["art_6"]),
    (DECISION, "Art. 58(2)(i) GDPR", ["art_58/par_2/pnt_i"]),
    ("art_83/par_2", "Art. 58(2)(i)", ["art_58/par_2/pnt_i"]),
    (DECISION, "Article 4(11) GDPR", ["art_4/pnt_11"]),
    (DECISION, "Art. 2-ter Codice della privacy", ["?", "?Codice della privacy"]),
    (DECISION, "Art. 27 (2) Croatian Act on the Implementation of the GDPR", ["?", GDPR]),
    (DECISION, "Article 5(1)(f) UK GDPR", ["?UK GDPR"]),
    # GDPRhub summaries, some translated from Italian
    (DECISION, "Articles 5(1)(f), Article 5(2), Article 24, and Article 32 GDPR",
     ["art_5/par_1/pnt_f", "art_5/par_2", "art_24", "art_32"]),
    (DECISION, "art. 83, par. 2, letter i) of the GDPR", ["art_83/par_2/pnt_i"]),
    (DECISION, "Article 9, paragraph 1, of the GDPR from 25 May 2018", ["art_9/par_1"]),
    (DECISION, "Articles 12-14 GDPR", ["art_12", "art_13", "art_14"]),
    (DECISION, "Article 83(2)(a) – (k) GDPR", [f"art_83/par_2/pnt_{x}" for x in "abcdefghijk"]),
    (DECISION, "article 37-1-a) of the GDPR", ["art_37/par_1/pnt_a"]),  # a dash between levels, French style
    (DECISION, "article 38-4 of the GDPR", ["art_38/par_4"]),
    # real (ICO)
    (DECISION, "11. PECR implements European legislation (Directive 2002/58/EC) aimed at", ["?PECR", "eu/dir/2002/58"]),
]

TABLE = [(lang, *row) for lang, rows in
         (("de", DE), ("es", ES), ("nl", NL), ("sv", SV), ("fr", FR), ("it", IT), ("en", EN)) for row in rows]


def _table_of_data() -> list[tuple[str, str, str, list[str]]]:
    """The ``[[citation]]`` examples of ``tests/citations/<lang>.toml``: the languages written as data::

        [[citation]]
        citing = "decision"                  # or a GDPR unit the text is in, "art_7/par_1"
        text = "чл. 6, пар. 1, буква „а“ от Регламент (ЕС) 2016/679"
        cites = ["art_6/par_1/pnt_a"]
        real = "BG_CPDP_2019-06-25_PPN-01-554-2018.pdf"   # optional: the document it is copied from
    """
    rows = []
    for file in sorted(CITATIONS.glob("*.toml")):
        for example in tomllib.loads(file.read_text(encoding="utf-8")).get("citation", []):
            citing = DECISION if example["citing"] == "decision" else example["citing"]
            rows.append((file.stem, citing, example["text"], example["cites"]))
    return rows


TABLE += _table_of_data()


def full(unit: str) -> str:
    return unit if unit.startswith(("eu/", "decision/")) else f"{GDPR}/{unit}"


def key(reference: CrossReference) -> str:
    """A reference as the tables write it."""
    if reference.target_id:
        return reference.target_id if reference.target_id == GDPR else reference.target_id.removeprefix(f"{GDPR}/")
    act = re.fullmatch(r"no id for the act (['\"])(.+)\1", reference.reason or "")
    return f"?{act[2]}" if act else "?"


@pytest.mark.parametrize(("lang", "citing", "text", "expected"), TABLE, ids=[f"{r[0]}:{r[2][:50]}" for r in TABLE])
def test_table(gdpr_ids, lang, citing, text, expected):
    references = extract_references(full(citing), text, lang, gdpr_ids)
    assert sorted(map(key, references)) == sorted(expected)
    for reference in references:
        assert reference.text == text[reference.start:reference.end]
        if citing == DECISION and reference.target_id:  # a decision cites another act
            assert reference.external
        if reference.target_id is None:
            assert reference.reason


def test_an_act_without_an_id_is_reported_as_another_act(gdpr_ids):
    [reference] = extract_references(DECISION, "gemäß § 1 Abs. 1 DSG", "de", gdpr_ids)
    assert (reference.target_id, reference.external, reference.text) == (None, True, "§ 1 Abs. 1 DSG")
    assert reference.reason == "no id for the act 'DSG'"


def test_outside_any_act_an_unnamed_act_is_not_guessed(gdpr_ids):
    [reference] = extract_references(DECISION, "nach Art. 6 Abs. 1 lit. f", "de", gdpr_ids)
    assert reference.target_id is None and not reference.external
    assert reference.reason == f"names no act, and {DECISION} is in none"


@pytest.mark.parametrize("lang", languages())
def test_a_text_without_any_word_a_citation_needs_is_not_read(lang):
    pieces = pipeline_for(lang).get_pipe("xref_pieces")
    assert pieces.triggers is not None  # every grammar opens its levels and acts with words
    assert not pieces.may_cite("2018-05-25: 300 EUR, 20.000.000 (2) a) b) c)")
    assert extract_references(DECISION, "nothing here (2)", lang, frozenset()) == []
