"""The concept layer of question analysis: what the GDPR calls things in every language the graph
holds — the headings of its articles, sections and chapters, the terms Article 4 defines — and what
people call them (``synonyms.toml``), each pointing to the provisions it is about.

Words are compared as stems: casefolded, accents dropped, stop words dropped, a few suffixes of the
language stripped ("erasure", "erase", "erased" → "eras"). A stem weighs its specificity, an inverse
document frequency over the GDPR's articles: "erasure" is in a few, "data" in nearly all. A heading
counts only when the question shares a specific stem with it, so "personal data" selects no article;
a defined term counts too when the question names it whole; a synonym only when named whole.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field

from kb_store._mentions import Mention, Word, full_id, stop_words, word_keys, words
from kb_store.engine import Engine
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code
from schema.ids import GDPR, article_of

SPECIFIC = 1.3  # the idf a stem needs to select a heading on its own: "transfer" has it, "rules" and "data" not
_ORGANISATION_LETTERS = 4  # "A.A.A", "BD", "ING" are no names to find in a question
_COMMON_IN_NAMES = 15  # a word in this many organisations' names is a kind, not a name: "bank", "municipality"
_DEFINITIONS = f"{GDPR}/art_4"
# Article 4 opens each definition with its term: quoted (EN ‘personal data’, DA »personoplysninger«, FI
# ’henkilötiedoilla’, GA after its verb: ciallaíonn “sonraí pearsanta”), or bare before a dash or colon
# (LT "asmens duomenys –", SV "personuppgifter:").
_QUOTED_TERM = re.compile(r"^\W*?(?:\w+\s+)?[‘’'\"“„«‹»]\s*(?P<term>[^’'\"”“»«›]+?)\s*[’'\"”“»«›]")
_BARE_TERM = re.compile(r"^(?P<term>[^\W\d][^–:;,.()]{1,60}?)\s*[–:]\s")
_PARENTHESES = re.compile(r"[()]")

# Suffixes stripped to compare inflected words, longest first, (suffix, replacement); accents are gone.
_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("isations", ""), ("izations", ""), ("ification", "ifi"), ("isation", ""), ("ization", ""),
           ("ations", ""), ("nesses", ""), ("ements", ""), ("ation", ""), ("ement", ""), ("ments", ""),
           ("ities", ""), ("ness", ""), ("ment", ""), ("ings", ""), ("ions", ""), ("ures", ""), ("ity", ""),
           ("ing", ""), ("ion", ""), ("ure", ""), ("ied", "i"), ("ies", "i"), ("ed", ""), ("es", ""),
           ("ly", ""), ("s", ""), ("e", ""), ("y", "i")),
    "fr": (("issements", ""), ("ification", "ifi"), ("issement", ""), ("ations", ""), ("ements", ""),
           ("ation", ""), ("ement", ""), ("ments", ""), ("euses", ""), ("ment", ""), ("ites", ""), ("euse", ""),
           ("eurs", ""), ("ives", ""), ("ions", ""), ("ite", ""), ("eur", ""), ("ive", ""), ("ifs", ""),
           ("ion", ""), ("ees", ""), ("ee", ""), ("es", ""), ("er", ""), ("ez", ""), ("if", ""), ("e", ""),
           ("s", ""), ("x", "")),
    "de": (("heiten", ""), ("keiten", ""), ("ischen", ""), ("lichen", ""), ("ungen", ""), ("liche", ""),
           ("ische", ""), ("heit", ""), ("keit", ""), ("lich", ""), ("isch", ""), ("ung", ""), ("ern", ""),
           ("en", ""), ("er", ""), ("es", ""), ("em", ""), ("e", ""), ("n", ""), ("s", "")),
}
_OTHER_SUFFIXES = (("es", ""), ("s", ""), ("e", ""))  # a language without rules: plurals at least


@lru_cache(maxsize=65536)
def stem(key: str, lang: str) -> str:
    """``key`` (a match key) with its longest suffix of ``lang`` stripped, keeping 3 letters, 4 for a
    suffix of 3 ("erasure" → "eras", but "secure" → "secur"); a final "s" stays after "s", "u" or "i"
    ("process", "status", "analysis")."""
    for suffix, replacement in _SUFFIXES.get(lang, _OTHER_SUFFIXES):
        if key.endswith(suffix) and len(key) - len(suffix) >= (4 if len(suffix) > 2 else 3):
            if suffix == "s" and key[-2] in "sui":
                continue
            return key[:-len(suffix)] + replacement
    return key


def content_stems(text: str, lang: str) -> list[str]:
    """The stems of the words of ``text`` that carry meaning in ``lang``, in order."""
    return [stem(word.key, lang) for word in words(text) if _is_content(word.key, lang)]


def _is_content(key: str, lang: str) -> bool:
    return len(key) > 1 and key.isalpha() and key not in stop_words(lang)


class Source(StrEnum):
    HEADING = "heading"
    DEFINED_TERM = "defined_term"
    SYNONYM = "synonym"


class ConceptHit(BaseModel):
    """A concept the question names, what of the question named it and the provisions it points to."""

    model_config = ConfigDict(frozen=True)

    concept: str  # the heading, term or synonym phrase as the graph or the data has it
    matched_text: str  # the words of the question that matched, in its order
    provisions: list[str]
    source: Source
    reason: str
    weight: float  # Σ idf of the stems matched × the share of the concept's idf they make up


@dataclass(frozen=True)
class Concept:
    text: str
    lang: str
    source: Source
    provisions: tuple[str, ...]
    reason: str
    forms: tuple[frozenset[str], ...]  # the stems of each way the concept is written: a heading and its parentheses


class Synonym(BaseModel):
    """An entry of ``synonyms.toml``: a phrase people use, the provisions it is about and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phrase: str = Field(min_length=1)
    provisions: list[str] = Field(min_length=1)  # short ids: "art_17", "art_6/par_1/pnt_f"
    reason: str = Field(min_length=1)
    lang: str = "en"


def load_synonyms() -> list[Synonym]:
    data = tomllib.loads((files("kb_store.prompt") / "synonyms.toml").read_text(encoding="utf-8"))
    return [Synonym(**entry) for entry in data["synonym"]]


class Lexicon:
    """Every concept of one snapshot, indexed by stem, with the idf of each stem per language, the
    words of the law per language (to tell a question's language) and the organisations' names."""

    def __init__(self, concepts: Iterable[Concept], idf: dict[str, dict[str, float]], default_idf: dict[str, float],
                 vocabulary: dict[str, frozenset[str]], organisations: dict[str, str]) -> None:
        self.concepts = tuple(concepts)
        self.languages = tuple(sorted(vocabulary))
        self.vocabulary = vocabulary
        self._idf, self._default_idf = idf, default_idf
        self._index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, concept in enumerate(self.concepts):
            for found in sorted(set().union(*concept.forms)):
                self._index[concept.lang, found].append(position)
        self._concept_langs = tuple(sorted({concept.lang for concept in self.concepts}))
        self._organisations = _organisation_index(organisations, self._generic_words())

    @classmethod
    def build(cls, engine: Engine) -> Lexicon:
        """From the graph: headings, defined terms, the law's words; then ``synonyms.toml``."""
        texts = _law_texts(engine)
        idf, default_idf = _idf(texts)
        vocabulary = {lang: frozenset(key for article in by_article.values() for key in article)
                      for lang, by_article in texts.items()}
        known = frozenset(row["id"] for row in engine.execute(
            "MATCH (p:Provision) WHERE p.act_id = $act RETURN p.id AS id", {"act": GDPR}))
        concepts = [*_headings(engine), *_defined_terms(engine), *_synonyms(known)]
        organisations = {row["id"]: row["key"] for row in engine.execute(
            "MATCH (o:Organisation) RETURN o.id AS id, o.key AS key ORDER BY id")}
        return cls(concepts, idf, default_idf, vocabulary, organisations)

    def counts(self) -> dict[str, int]:
        """How many concepts of each source, and organisations findable by name."""
        found = Counter(concept.source.value for concept in self.concepts)
        return {**dict(sorted(found.items())), "organisations": sum(map(len, self._organisations.values()))}

    def idf(self, stem_: str, lang: str) -> float:
        unseen = self._default_idf.get(lang, max(self._default_idf.values(), default=0.0))
        return self._idf.get(lang, {}).get(stem_, unseen)

    # -- a question ---------------------------------------------------------------------------------
    def guess_language(self, tokens: Sequence[Word]) -> str:
        """The loaded language whose stop words and law words together the question uses most, then whose
        stop words; else English. Without a stop word of any language, English: law words alone
        ("Article", "protection") are shared by the languages, and one stop word of another language
        among English law words (Romanian "data") does not make the question Romanian."""
        # A single letter is a point's label ("(c)") before it is French "c'".
        keys = [t.key for t in tokens if len(t.key) > 1]
        scores = {lang: (sum(key in stop_words(lang) or key in self.vocabulary[lang] for key in keys),
                         sum(key in stop_words(lang) for key in keys)) for lang in self.languages}
        best = max(scores.values(), default=(0, 0))
        tied = [lang for lang in self.languages if scores[lang] == best]
        return "en" if best[1] == 0 or "en" in tied else tied[0]

    def topics(self, tokens: Sequence[Word], lang: str) -> list[ConceptHit]:
        """The concepts ``tokens`` name, one per source and set of provisions (the one in ``lang`` if
        any, else the weightiest), by weight then concept. A word of the law in ``lang`` is compared
        with the concepts of ``lang`` only: English "fines" is not French "fins"."""
        own = self.vocabulary.get(lang, frozenset()) | stop_words(lang)
        matched: dict[int, dict[str, list[Word]]] = defaultdict(lambda: defaultdict(list))
        for concept_lang in self._concept_langs:
            for token in tokens:
                if _is_content(token.key, concept_lang) and (concept_lang == lang or token.key not in own):
                    found = stem(token.key, concept_lang)
                    for position in self._index.get((concept_lang, found), ()):
                        matched[position][found].append(token)
        hits = [(self.concepts[position], hit) for position, stems in matched.items()
                if (hit := self._hit(self.concepts[position], stems)) is not None]
        return _one_per_target(hits, lang)

    def _hit(self, concept: Concept, stems: dict[str, list[Word]]) -> ConceptHit | None:
        best: tuple[float, frozenset[str]] | None = None
        for form in concept.forms:
            if not (found := form & stems.keys()) or not self._counts(concept, form, found):
                continue
            got = sum(self.idf(s, concept.lang) for s in found)
            weight = round(got * got / sum(self.idf(s, concept.lang) for s in form), 4)
            if best is None or weight > best[0]:
                best = (weight, found)
        if best is None:
            return None
        tokens = sorted({token for s in best[1] for token in stems[s]}, key=lambda token: token.start)
        return ConceptHit(concept=concept.text, matched_text=" ".join(dict.fromkeys(t.text for t in tokens)),
                          provisions=list(concept.provisions), source=concept.source, reason=concept.reason,
                          weight=best[0])

    def _counts(self, concept: Concept, form: frozenset[str], found: frozenset[str]) -> bool:
        whole = found == form
        specific = max(self.idf(s, concept.lang) for s in found) >= SPECIFIC
        return {Source.SYNONYM: whole, Source.DEFINED_TERM: whole or specific, Source.HEADING: specific}[concept.source]

    def organisations_named(self, text: str, tokens: Sequence[Word]) -> list[Mention]:
        """Organisations whose whole name the question writes, capitalised, in its words."""
        found = []
        for position, token in enumerate(tokens):
            if not text[token.start].isupper():
                continue
            for keys, organisation in self._organisations.get(token.key, ()):
                span = tokens[position:position + len(keys)]
                if tuple(t.key for t in span) == keys:
                    found.append(Mention(id=organisation, matched_text=text[token.start:span[-1].end],
                                         start=token.start, end=span[-1].end))
        return found

    def _generic_words(self) -> frozenset[str]:
        """Words that make no organisation's name on their own: stop words, the law's words, the synonyms'."""
        synonym_words = {word.key for concept in self.concepts if concept.source is Source.SYNONYM
                         for word in words(concept.text)}
        return frozenset().union(*(stop_words(lang) | self.vocabulary[lang] for lang in self.languages), synonym_words)


def _one_per_target(hits: list[tuple[Concept, ConceptHit]], lang: str) -> list[ConceptHit]:
    best: dict[tuple[Source, tuple[str, ...]], tuple[Concept, ConceptHit]] = {}
    for concept, hit in hits:
        key = (hit.source, concept.provisions)
        if key not in best or _preference(concept, hit, lang) < _preference(*best[key], lang):
            best[key] = (concept, hit)
    return sorted((hit for _, hit in best.values()), key=lambda hit: (-hit.weight, hit.concept, hit.provisions))


def _preference(concept: Concept, hit: ConceptHit, lang: str) -> tuple:
    return concept.lang != lang, -hit.weight, hit.concept


# -- building ---------------------------------------------------------------------------------------
def _law_texts(engine: Engine) -> dict[str, dict[str, set[str]]]:
    """For each language, the words (match keys) of each GDPR article and recital, every wording."""
    rows = engine.execute(
        "MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE p.act_id = $act "
        "RETURN p.id AS id, v.lang AS lang, v.heading AS heading, v.text AS text", {"act": GDPR})
    texts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        unit = article_of(row["id"]) or row["id"]
        texts[row["lang"]][unit] |= word_keys(f"{row['heading'] or ''} {row['text']}")
    return texts


def _idf(texts: dict[str, dict[str, set[str]]]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """ln((N + 1) / (df + 1)) of each stem over the N articles of each language; the default for a
    stem in none."""
    idf, default = {}, {}
    for lang, by_unit in texts.items():
        articles = [keys for unit, keys in by_unit.items() if article_of(unit)]
        frequency = Counter(found for keys in articles for found in {stem(key, lang) for key in keys})
        idf[lang] = {found: math.log((len(articles) + 1) / (n + 1)) for found, n in frequency.items()}
        default[lang] = math.log(len(articles) + 1)
    return idf, default


def _headings(engine: Engine) -> list[Concept]:
    rows = engine.execute(
        "MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE p.act_id = $act AND p.kind IN ['article', 'section', "
        "'chapter'] AND v.heading IS NOT NULL RETURN DISTINCT p.id AS id, p.kind AS kind, v.lang AS lang, "
        "v.heading AS heading ORDER BY id, lang, heading", {"act": GDPR})
    under = _articles_under(engine)
    return [_concept(row["heading"], row["lang"], Source.HEADING, under.get(row["id"], (row["id"],)),
                     f"heading of {_label(row['id'])} ({row['lang']}): {row['heading']}",
                     _PARENTHESES.split(row["heading"]))
            for row in rows if row["heading"].strip()]


def _articles_under(engine: Engine) -> dict[str, tuple[str, ...]]:
    """The articles of each chapter and section, in the act's order."""
    rows = engine.execute(
        "MATCH (c:Provision)-[:CONTAINS*1..2]->(a:Provision) WHERE c.act_id = $act AND c.kind IN ['chapter', "
        "'section'] AND a.kind = 'article' RETURN c.id AS container, a.id AS article ORDER BY container, a.ordinal",
        {"act": GDPR})
    under: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        under[row["container"]].append(row["article"])
    return {container: tuple(articles) for container, articles in under.items()}


def _label(provision_id: str) -> str:
    """``…/cpt_III/sct_3`` → "Chapter III, Section 3"; ``…/art_17`` → "Article 17"."""
    names = {"cpt": "Chapter", "sct": "Section", "art": "Article"}
    parts = [segment.split("_", 1) for segment in provision_id.removeprefix(GDPR + "/").split("/")]
    return ", ".join(f"{names[prefix]} {number}" for prefix, number in parts)


def _defined_terms(engine: Engine) -> list[Concept]:
    rows = engine.execute(
        "MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE p.parent_id = $definitions RETURN DISTINCT "
        "p.id AS id, p.number AS number, v.lang AS lang, v.text AS text ORDER BY id, lang, text",
        {"definitions": _DEFINITIONS})
    concepts = []
    for row in rows:
        if match := _QUOTED_TERM.match(row["text"]) or _BARE_TERM.match(row["text"]):
            term = match["term"]
            concepts.append(_concept(term, row["lang"], Source.DEFINED_TERM, (row["id"],),
                                     f"defined in Article 4({row['number']}) ({row['lang']}): {term}", [term]))
    return concepts


def _synonyms(known: frozenset[str]) -> list[Concept]:
    concepts = []
    for synonym in load_synonyms():
        provisions = tuple(full_id(short) for short in synonym.provisions)
        if missing := [short for short, full in zip(synonym.provisions, provisions) if full not in known]:
            raise ValueError(f"synonyms.toml: {synonym.phrase!r} points to {', '.join(missing)}, "
                             "which the graph does not hold")
        concepts.append(_concept(synonym.phrase, synonym.lang, Source.SYNONYM, provisions, synonym.reason,
                                 [synonym.phrase]))
    return concepts


def _concept(text: str, lang: str, source: Source, provisions: Iterable[str], reason: str,
             forms: Iterable[str]) -> Concept:
    stems = tuple(dict.fromkeys(frozenset(found) for form in forms if (found := content_stems(form, lang))))
    return Concept(text, lang, source, tuple(provisions), reason, stems)


def _organisation_index(organisations: dict[str, str],
                        generic: frozenset[str]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Organisations by the first word of their name, leaving out the names that are no names: too
    short, only generic or common words, or a country's or an authority's."""
    common = Counter(key for name in organisations.values() for key in set(name.split()))
    index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for organisation, name in organisations.items():
        keys = tuple(name.split())
        if (sum(char.isalpha() for char in name) < _ORGANISATION_LETTERS or country_code(name)
                or gazetteer().resolve(name)
                or all(key in generic or common[key] >= _COMMON_IN_NAMES or not key.isalpha() for key in keys)):
            continue
        index[keys[0]].append((keys, organisation))
    return dict(index)
