"""Disjoint sets of ids, for the transforms that join records (reconciliation) and decisions (cases)."""

from __future__ import annotations

from collections.abc import Iterable


class UnionFind:
    """Each set is named by its smallest id, whatever the order of joining: names are stable."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._parent = {i: i for i in ids}

    def root(self, i: str) -> str:
        while self._parent[i] != i:
            self._parent[i] = i = self._parent[self._parent[i]]
        return i

    def join(self, a: str, b: str) -> tuple[str, str]:
        """Join the sets of two roots; returns (the root kept, the root joined into it)."""
        kept, joined = min(a, b), max(a, b)
        self._parent[joined] = kept
        return kept, joined
