"""Question analysis on the real graph: provisions, countries, authorities, organisations, dates and
topics, each row a question and what its analysis must hold; the concept lexicon and its synonyms;
the provision reader shared with ``enforcement --cites``."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

from kb_store._mentions import countries_named, dates_named, provisions_named
from kb_store.prompt import _concepts
from kb_store.prompt._analysis import analyse
from kb_store.prompt._concepts import Lexicon, Source, Synonym, stem
from kb_store.store import Store
from schema.ids import GDPR
from schema.law import ActLang


@pytest.fixture(scope="module")
def graph(offline_store: Path) -> Iterator[tuple[Lexicon, frozenset[str]]]:
    with Store(offline_store).open_current() as engine:
        known = frozenset(row["id"] for row in engine.execute("MATCH (p:Provision) RETURN p.id AS id"))
        yield Lexicon.build(engine), known


def short(ids: list[str]) -> list[str]:
    return [i.removeprefix(f"{GDPR}/") for i in ids]


# question, language given, what the analysis must hold:
#   lang, provisions, countries, authorities, dates: exactly;  organisations: at least;
#   topics: provisions some hit points to;  top: a provision the heaviest hit points to;  via: its source
ROWS = [
    ("What are the rules on erasure of personal data in France?", None,
     dict(lang="en", provisions=[], countries=["FR"], authorities=[], dates=[], top="art_17", via=Source.HEADING)),
    ("Que dit l'article 17 du RGPD ?", None, dict(lang="fr", provisions=["art_17"], countries=[], dates=[])),
    ("Artikel 6 Absatz 1 DSGVO", None, dict(provisions=["art_6/par_1"], countries=[])),  # no stop word: read as English
    ("Art. 5 Abs. 1 lit. f DSGVO", "en", dict(provisions=["art_5/par_1/pnt_f"])),
    ("Fines by the Spanish AEPD since 1 March 2021 under Art. 6(1)(f) and Article 17 GDPR", None,
     dict(provisions=["art_6/par_1/pnt_f", "art_17"], countries=["ES"], authorities=["authority/es/aepd"],
          dates=[dt.date(2021, 3, 1)])),
    ("CCTV in a shop", None, dict(lang="en", provisions=[], countries=[], topics=["art_6", "art_13", "art_35"],
                                  top="art_35", via=Source.SYNONYM)),
    ("What did the CNIL decide in 2020?", None,
     dict(provisions=[], countries=["FR"], authorities=["authority/fr/cnil"], dates=[dt.date(2020, 1, 1)])),
    ("Is it legal in IT? And is it in Austria, the UK or the Netherlands?", None,
     dict(countries=["AT", "GB", "NL"], authorities=[])),
    ("Die Datenschutzbehörde in Österreich und das Recht auf Löschung", None,
     dict(lang="de", countries=["AT"], authorities=["authority/at/dsb"], top="art_17", via=Source.HEADING)),
    ("droit à l'oubli et vidéosurveillance", None, dict(lang="fr", topics=["art_17", "art_35"])),
    ("Security of the passwords we store", None, dict(top="art_32")),
    ("right to be forgotten", None, dict(top="art_17")),
    ("Can I transfer personal data to the USA?", None, dict(topics=["art_44", "art_45", "art_46"], top="art_45")),
    ("Did Google Ireland get fined by the DPC?", None,
     dict(organisations=["organisation/google-ireland"], authorities=["authority/ie/dpc"], countries=["IE"],
          topics=["art_83"])),
    ("Regulation (EU) 2016/679 and Directive 95/46/EC: a fine of 2000 euros", None, dict(provisions=[], dates=[])),
    ("Decisions between 1.3.2021 and 2021-06-30, or in May 2022", None,
     dict(dates=[dt.date(2021, 3, 1), dt.date(2021, 6, 30), dt.date(2022, 5, 1)])),
]


@pytest.mark.parametrize(("question", "lang", "expected"), ROWS, ids=[row[0][:40] for row in ROWS])
def test_a_question_is_analysed(graph: tuple[Lexicon, frozenset[str]], question: str, lang: str | None,
                                expected: dict) -> None:
    lexicon, known = graph
    analysis = analyse(question, lexicon, known, lang)
    for field in ("lang", "countries", "authorities", "dates"):
        if field in expected:
            assert getattr(analysis, field) == expected[field], field
    if "provisions" in expected:
        assert short([p.id for p in analysis.provisions]) == expected["provisions"]
    assert set(expected.get("organisations", [])) <= set(analysis.organisations)
    pointed = {p for hit in analysis.topics for p in short(hit.provisions)}
    assert set(expected.get("topics", [])) <= pointed, analysis.topics
    if "top" in expected:
        assert expected["top"] in short(analysis.topics[0].provisions), analysis.topics
    if "via" in expected:
        assert analysis.topics[0].source is expected["via"]


def test_cctv_comes_from_a_synonym_with_its_reason(graph: tuple[Lexicon, frozenset[str]]) -> None:
    (hit,) = [h for h in analyse("CCTV in a shop", *graph).topics if h.concept == "CCTV"]
    assert hit.source is Source.SYNONYM and hit.matched_text == "CCTV"
    assert short(hit.provisions) == ["art_6", "art_13", "art_35"]
    assert "video surveillance" in hit.reason


def test_a_heading_hit_says_which_heading(graph: tuple[Lexicon, frozenset[str]]) -> None:
    hit = analyse("Can they refuse the erasure?", *graph).topics[0]
    assert hit.reason == "heading of Article 17 (en): Right to erasure (‘right to be forgotten’)"
    assert hit.matched_text == "erasure" and hit.provisions == [f"{GDPR}/art_17"]


def test_a_section_heading_points_to_its_articles(graph: tuple[Lexicon, frozenset[str]]) -> None:
    topics = analyse("rectification and erasure", *graph).topics
    (hit,) = [h for h in topics if h.concept == "Rectification and erasure"]
    assert hit.reason.startswith("heading of Chapter III, Section 3 (en)")
    assert short(hit.provisions) == ["art_16", "art_17", "art_18", "art_19", "art_20"]


@pytest.mark.parametrize("question", ["personal data", "data", "processing", "the controller's right"])
def test_generic_words_select_no_article(graph: tuple[Lexicon, frozenset[str]], question: str) -> None:
    topics = analyse(question, *graph).topics
    assert all(hit.source is Source.DEFINED_TERM and hit.weight < 1.0 for hit in topics), topics


def test_a_defined_term_points_to_its_definition(graph: tuple[Lexicon, frozenset[str]]) -> None:
    for question, lang in [("What is a personal data breach?", "en"), ("Qu'est-ce qu'une violation de données à "
                                                                       "caractère personnel ?", "fr")]:
        hits = [h for h in analyse(question, *graph).topics if h.source is Source.DEFINED_TERM]
        assert f"{GDPR}/art_4/pnt_12" in {p for h in hits for p in h.provisions}, hits
        assert any(h.reason.startswith(f"defined in Article 4(12) ({lang})") for h in hits)


def test_an_english_word_is_not_read_as_french(graph: tuple[Lexicon, frozenset[str]]) -> None:
    """"fines" is an English word of the law: it does not select the French heading with "à des fins"."""
    topics = analyse("What fines were imposed?", *graph).topics
    assert short(topics[0].provisions) == ["art_83"]
    assert "art_89" not in {p for hit in topics for p in short(hit.provisions)}


def test_the_analysis_is_deterministic_and_sorted(graph: tuple[Lexicon, frozenset[str]]) -> None:
    question = ("Our employer installed CCTV cameras and refuses to delete the recordings; the German and "
                "French authorities fined others in 2019 under Article 6 GDPR.")
    first, second = analyse(question, *graph), analyse(question, *graph)
    assert first == second
    assert [(-h.weight, h.concept) for h in first.topics] == sorted((-h.weight, h.concept) for h in first.topics)
    assert first.countries == ["DE", "FR"] and first.dates == [dt.date(2019, 1, 1)]


def test_the_lexicon_holds_every_heading_and_definition_in_every_language(
        graph: tuple[Lexicon, frozenset[str]]) -> None:
    lexicon, _ = graph
    assert lexicon.languages == tuple(sorted(get_args(ActLang)))
    counts = lexicon.counts()
    assert counts["heading"] >= 24 * (99 + 11 + 15)  # articles, chapters, sections
    assert counts["defined_term"] >= 24 * 26
    assert counts["synonym"] == len(_synonym_entries())
    terms = {(c.lang, c.text) for c in lexicon.concepts if c.source is Source.DEFINED_TERM}
    assert {("en", "personal data"), ("fr", "données à caractère personnel"),
            ("de", "personenbezogene Daten")} <= terms
    assert {lang for lang, _ in terms} == set(get_args(ActLang))


def _synonym_entries() -> list[dict]:
    path = Path(_concepts.__file__).with_name("synonyms.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))["synonym"]


def test_every_synonym_has_a_reason() -> None:
    entries = [Synonym(**entry) for entry in _synonym_entries()]
    assert 30 <= len(entries) <= 80  # a small list: what headings and defined terms do not already say
    assert len({(e.phrase.casefold(), e.lang) for e in entries}) == len(entries)
    for entry in entries:
        assert entry.reason.endswith(".") and len(entry.reason.split()) >= 5, entry.phrase


def test_a_synonym_pointing_nowhere_is_refused(offline_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_concepts, "load_synonyms", lambda: [
        Synonym(phrase="teleportation", provisions=["art_999"], reason="No such article.")])
    with (Store(offline_store).open_current() as engine,
          pytest.raises(ValueError, match="'teleportation' points to art_999")):
        Lexicon.build(engine)


@pytest.mark.parametrize(("lang", "forms"), [
    ("en", ["erasure", "erase", "erased", "erasing"]),
    ("en", ["security", "secure"]),
    ("en", ["cookies", "cookie"]),
    ("en", ["process", "processes", "processing"]),
    ("fr", ["effacement", "effacer", "effacees"]),
    ("fr", ["securite", "securites"]),
    ("de", ["loschung", "loschen"]),
    ("de", ["verarbeitung", "verarbeiten"]),
])
def test_inflected_forms_share_a_stem(lang: str, forms: list[str]) -> None:
    assert len({stem(form, lang) for form in forms}) == 1, {form: stem(form, lang) for form in forms}


# -- the readers shared with enforcement --cites ---------------------------------------------------------
@pytest.mark.parametrize(("citation", "lang", "expected"), [
    ("Art. 6", "en", ["art_6"]),
    ("Article 5(1)(f)", "en", ["art_5/par_1/pnt_f"]),
    ("Articles 9 to 11", "en", ["art_9", "art_10", "art_11"]),  # --cites refuses several
    ("GDPR", "en", [GDPR]),
    ("Art. 5 Abs. 1 lit. f", "en", ["art_5/par_1/pnt_f"]),  # read with the German grammar
    ("l'article 17 du RGPD", "fr", ["art_17"]),
    ("Art. 6 or art_17/par_1 of eu/reg/2016/679", "en", ["art_6", "art_17/par_1", GDPR]),  # ids name themselves
    ("the erasure of data", "en", []),
])
def test_the_provisions_a_text_names(graph: tuple[Lexicon, frozenset[str]], citation: str, lang: str,
                                     expected: list[str]) -> None:
    _, known = graph
    assert short([p.id for p in provisions_named(citation, lang, known)]) == expected


def test_the_countries_a_text_names() -> None:
    text = "in it, IT, DE and in FR: French, spanische, the United Kingdom, Greece (EL), Österreich"
    assert [m.id for m in countries_named(text)] == ["FR", "FR", "ES", "GB", "GR", "AT"]  # "EL" is Spanish "el"


def test_the_dates_a_text_names() -> None:
    named = dates_named("on 1er mars 2021, 1. März 2021, 4 August 2020 or 2016/679; 31.02.2019 is none")
    assert [(d.date, d.precision.value) for d in named] == [
        (dt.date(2021, 3, 1), "day"), (dt.date(2021, 3, 1), "day"), (dt.date(2020, 8, 4), "day")]
    # "listopada" is November in Polish and October in Croatian: of a text in no known language, the year alone.
    assert [(d.date, d.precision.value) for d in dates_named("15 listopada 2020, 12. ledna 2020")] == [
        (dt.date(2020, 1, 1), "year"), (dt.date(2020, 1, 12), "day")]
