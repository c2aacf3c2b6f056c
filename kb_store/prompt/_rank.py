"""The documented, deterministic score of what a prompt may hold.

An article's score adds up the evidence that the question is about it:

    score(a) = NAMED · [the question names a or a provision in it]
             + TOPIC · Σ over concept hits pointing into a of the hit's weight (a defined term, a heading, a synonym)
             + PRECEDENT · vote(a) / max vote      (vote: Σ of the BM25 scores of the earlier decisions
                                                    resembling the question that cite a)
             + CITED · [a cites, or is cited by, a provision the question names (else the best article)]
             + PRIOR · share of earlier decisions citing a   (a tie-breaker among the question-aware signals)

Ties break on the article's order in the act. A decision's score:

    score(d) = JURISDICTION · [in a country or of an authority the question names]
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

NAMED = 8.0
TOPIC = 3.0
PRECEDENT = 4.0
CITED = 1.0
PRIOR = 1.0
JURISDICTION = 2.0
CITES_TOP = 1.0


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


def precedent_votes(neighbours: Iterable[Mapping]) -> dict[str, float]:
    """Each article's vote: the sum of the scores of the neighbours citing it (once per neighbour)."""
    votes: dict[str, float] = defaultdict(float)
    for neighbour in neighbours:
        for article in {article_of(p) for p in neighbour["cites"]} - {None}:
            votes[article] += neighbour["score"]
    return dict(votes)
