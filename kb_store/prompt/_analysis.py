"""Question analysis: what a question names — provisions, countries, authorities, organisations,
dates — read with the extractors ingestion uses, and what it is about, through the concept lexicon.

Words already accounted for (a provision's "Article 17 GDPR", an authority's "CNIL", a date) take no
part in finding topics; an authority brings its country. Every list is sorted: same question, same
lexicon, same analysis.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from kb_store._mentions import (NamedProvision, authorities_named, countries_named, dates_named, provisions_named,
                                words)
from kb_store.prompt._concepts import ConceptHit, Lexicon
from parsers.normalise.authorities import gazetteer
from schema.ids import Kind, kind_of

__all__ = ["Analysis", "ConceptHit", "NamedProvision", "analyse"]


class Analysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    question: str
    lang: str  # as given, else guessed among the loaded languages
    provisions: list[NamedProvision]  # in the question's order; acts named whole are left out
    countries: list[str]  # ISO 3166-1 alpha-2
    authorities: list[str]  # gazetteer ids
    organisations: list[str]  # Organisation node ids
    dates: list[dt.date]  # a month or a year stands for its first day
    topics: list[ConceptHit]  # by weight, heaviest first, then concept


def analyse(question: str, lexicon: Lexicon, known: frozenset[str], lang: str | None = None) -> Analysis:
    """Everything ``question`` names, read in ``lang`` (else the language it looks written in)."""
    tokens = words(question)
    lang = lang or lexicon.guess_language(tokens)
    named = provisions_named(question, lang, known, lexicon.languages)
    provisions = [p for p in named if kind_of(p.id) is not Kind.ACT]
    countries = countries_named(question)
    authorities = authorities_named(question, {c.id for c in countries})
    dates = dates_named(question, [(p.start, p.end) for p in named])
    taken = [(m.start, m.end) for m in [*named, *countries, *authorities, *dates]]
    free = [t for t in tokens if not any(start <= t.start < end for start, end in taken)]
    return Analysis(
        question=question, lang=lang, provisions=provisions,
        countries=sorted({c.id for c in countries} | {gazetteer().authorities[a.id].country for a in authorities}),
        authorities=sorted({a.id for a in authorities}),
        organisations=sorted({o.id for o in lexicon.organisations_named(question, tokens)}),
        dates=sorted({d.date for d in dates}),
        topics=lexicon.topics(free, lang))
