"""The documented, deterministic score of what a prompt may hold.

An article's score adds up the evidence that the question is about it:

    score(a) = named · [the question names a or a provision in it]
             + topic · Σ over concept hits pointing into a of the hit's weight (a defined term, a heading, a
                       synonym; a defined term counts DEFINITION_SHARE of it) / the largest such sum
             + law_text · bm25(a) / max bm25      (bm25: the best BM25 score of a wording of a's against the
                                                    question's words, in the question's language)
             + precedent · vote(a) / max vote      (vote: Σ of the BM25 scores of the earlier decisions
                                                    resembling the question that cite a)
             + cited · [a cites, or is cited by, a provision the question names (else the best article)]
             + prior · share of earlier decisions citing a
             + local_prior · share of earlier decisions of the countries or authorities the question names
                             citing a

The weights (``Weights``) depend on the question's length; ties break on the article's order in the act.
A decision's score:

    score(d) = JURISDICTION · [in a country the question names, or the one asked for]
             + PRECEDENT · bm25(d) / max bm25 + CITES_TOP · [cites one of the top articles]

ties broken by the latest date, then the id; before the GDPR applied (2018-05-25) no decision applied it, so
none is considered; with a persona's sector, the decisions whose summaries name it
come first, in that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from schema.ids import article_of

JURISDICTION = 2.0
DEFINITION_SHARE = 0.3  # of a defined term's weight, for Article 4
PRECEDENT = 4.0
CITES_TOP = 1.0


@dataclass(frozen=True)
class Weights:
    """The weights of the article score. A question that tells a case (a decision's summary, a
    complaint) is answered first from the decisions that resemble it; a short question about the law
    from the law's own words and concepts: the weights move from ``SHORT`` to ``CASE`` with its length."""

    named: float
    topic: float
    law_text: float
    precedent: float
    cited: float
    prior: float
    local_prior: float

    def towards(self, other: Weights, share: float) -> Weights:
        return Weights(**{name: round(getattr(self, name) + share * (getattr(other, name) - getattr(self, name)), 6)
                          for name in self.__dataclass_fields__})


SHORT = Weights(named=8.0, topic=4.0, law_text=2.0, precedent=1.0, cited=1.0, prior=0.5, local_prior=0.5)
CASE = Weights(named=8.0, topic=1.0, law_text=1.0, precedent=6.0, cited=0.0, prior=1.0, local_prior=3.0)
SHORT_WORDS, CASE_WORDS = 15, 60  # at most SHORT_WORDS words: SHORT; at least CASE_WORDS: CASE


def weights_for(words: int) -> Weights:
    return SHORT.towards(CASE, min(1.0, max(0.0, (words - SHORT_WORDS) / (CASE_WORDS - SHORT_WORDS))))


@dataclass
class ArticleScore:
    article: str
    ordinal: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        if points > 0:
            self.score += points
            self.reasons.append(f"{reason} (+{points:.2f})")


class ArticleScores:
    """Scores of the articles any signal points to, with the reasons each got its points."""

    def __init__(self, ordinals: Mapping[str, int]) -> None:
        self._ordinals = ordinals
        self._scores: dict[str, ArticleScore] = {}

    def add(self, provision_id: str, points: float, reason: str) -> None:
        article = article_of(provision_id)
        if article is None or article not in self._ordinals:
            return
        entry = self._scores.setdefault(article, ArticleScore(article, self._ordinals[article]))
        entry.add(points, reason)

    def add_votes(self, votes: Mapping[str, float], weight: float, reason: str) -> None:
        top = max(votes.values(), default=0.0)
        for article, vote in sorted(votes.items()):
            self.add(article, weight * vote / top if top else 0.0, reason)

    def ranked(self) -> list[ArticleScore]:
        return sorted((s for s in self._scores.values() if s.score > 0), key=lambda s: (-round(s.score, 9), s.ordinal))


def topic_votes(hits: Iterable) -> dict[str, float]:
    """Each article's sum of the weights of the concept hits pointing into it."""
    votes: dict[str, float] = defaultdict(float)
    for hit in hits:
        for article in {article_of(p) for p in hit.provisions} - {None}:
            votes[article] += hit.weight
    return dict(votes)


def best_per_article(found: Iterable[Mapping]) -> dict[str, float]:
    """Each article's best score among the provisions found in it."""
    best: dict[str, float] = {}
    for row in found:
        if (article := article_of(row["id"])) is not None:
            best[article] = max(best.get(article, 0.0), row["score"])
    return best


def precedent_votes(neighbours: Iterable[Mapping]) -> dict[str, float]:
    """Each article's vote: the sum of the scores of the neighbours citing it (once per neighbour)."""
    votes: dict[str, float] = defaultdict(float)
    for neighbour in neighbours:
        for article in {article_of(p) for p in neighbour["cites"]} - {None}:
            votes[article] += neighbour["score"]
    return dict(votes)
