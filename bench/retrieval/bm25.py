"""Okapi BM25 over a fixed list of documents, scored among any subset of them: the term statistics are
those of the subset, so documents not yet known on a date weigh nothing, not even in the idf."""

from __future__ import annotations

import collections
import re
from collections.abc import Sequence

import numpy as np
import Stemmer
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W\d_]+")
_STEMMER = Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """The stems of the words of ``text`` that are not stop words."""
    return _STEMMER.stemWords([w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS])


class BM25:
    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        postings: dict[str, tuple[list[int], list[int]]] = collections.defaultdict(lambda: ([], []))
        lengths = []
        for index, document in enumerate(documents):
            counts = collections.Counter(terms(document))
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                postings[term][0].append(index)
                postings[term][1].append(count)
        self._postings = {term: (np.array(docs), np.array(tfs, dtype=float)) for term, (docs, tfs) in postings.items()}
        self._lengths = np.array(lengths, dtype=float)

    def scores(self, query: str, among: np.ndarray | None = None) -> np.ndarray:
        """Each document's score for ``query``; 0 for the documents outside ``among`` (a mask)."""
        among = np.ones(len(self._lengths), dtype=bool) if among is None else among
        scores = np.zeros(len(self._lengths))
        n = among.sum()
        if n == 0:
            return scores
        norm = self._k1 * (1 - self._b + self._b * self._lengths / max(self._lengths[among].mean(), 1.0))
        for term in set(terms(query)) & self._postings.keys():
            docs, tfs = self._postings[term]
            docs, tfs = docs[among[docs]], tfs[among[docs]]
            if len(docs):
                idf = np.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
                scores[docs] += idf * tfs * (self._k1 + 1) / (tfs + norm[docs])
        return scores
