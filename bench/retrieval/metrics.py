"""What a retrieved context is worth against a question's gold articles. A context is measured by the
articles it quotes, ranked by their first appearance in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Context:
    """The article of each block of a context, in rank order (an article quoted twice appears twice), and
    the tokens its blocks take."""

    articles: tuple[str, ...]
    tokens: int

    @property
    def ranked(self) -> list[str]:
        return list(dict.fromkeys(self.articles))

    @property
    def distinct(self) -> int:
        return len(set(self.articles))


def recall_at(ranked: list[str], gold: frozenset[str], k: int | None = None) -> float | None:
    """The share of ``gold`` among the first ``k`` of ``ranked`` (all of it for None); None without gold."""
    if not gold:
        return None
    return len(gold.intersection(ranked[:k])) / len(gold)


def hit_at(ranked: list[str], gold: frozenset[str], k: int) -> float:
    return float(not gold.isdisjoint(ranked[:k]))


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (a question a measure does not apply to), or None."""
    kept = [value for value in values if value is not None]
    return sum(kept) / len(kept) if kept else None
