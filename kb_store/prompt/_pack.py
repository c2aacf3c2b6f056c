"""Packing the token budget: whole units in priority order, a long one shortened only at a sentence end."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

# A sentence ends at . ; ! ? followed by space and what can open a sentence; "Art. 6" and "p. 3" do not
# end one because a digit or a lower-case word follows.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ‘“\"(«„])")

Item = TypeVar("Item")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def shorten(text: str, max_tokens: int, count: Callable[[str], int]) -> str | None:
    """The longest run of whole leading sentences of ``text`` within ``max_tokens``, or None if not even
    the first sentence fits."""
    kept: list[str] = []
    for sentence in sentences(text):
        if count(" ".join([*kept, sentence])) > max_tokens:
            break
        kept.append(sentence)
    return " ".join(kept) or None


@dataclass(frozen=True)
class Packed(Generic[Item]):
    kept: list[Item]
    left_out: list[Item]
    tokens: int


def pack(items: Iterable[Item], tokens: Callable[[Item], int], budget: int, smallest: int = 0) -> Packed[Item]:
    """Items in the order given while they fit; one that does not fit is left out and smaller ones after
    it may still go in, until less than ``smallest`` tokens are left (the rest are left out unsized)."""
    kept, left_out, used = [], [], 0
    for item in items:
        if budget - used < smallest:
            left_out.append(item)
            continue
        size = tokens(item)
        if used + size <= budget:
            kept.append(item)
            used += size
        else:
            left_out.append(item)
    return Packed(kept, left_out, used)
