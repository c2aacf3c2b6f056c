"""What the baselines read from a snapshot's Parquet export: the GDPR's articles as units of text valid on
a date, and the decisions known before a date with the articles they cite."""

from __future__ import annotations

import bisect
import collections
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from schema.enforcement import Precision
from schema.ids import GDPR, Kind

from .gold import gdpr_articles

LANG = "en"


def _rows(tables: Path, table: str, columns: list[str]) -> list[dict[str, Any]]:
    return pq.read_table(tables / f"{table}.parquet", columns=columns).to_pylist()


@dataclass(frozen=True)
class Unit:
    """A paragraph of an article with its points, or an article without paragraphs, as one text."""

    id: str
    article: str
    text: str
    tokens: int


class Law:
    """The GDPR's articles in their English wording, as units: one per paragraph (its own text, then its
    points and subparagraphs in order), or one per article that has no paragraphs."""

    def __init__(self, tables: Path, count_tokens: Callable[[str], int]) -> None:
        provisions = [p for p in _rows(tables, "Provision", ["id", "act_id", "kind", "number", "parent_id", "ordinal"])
                      if p["act_id"] == GDPR]
        self.ids = frozenset(p["id"] for p in provisions)
        self._children: dict[str | None, list[dict[str, Any]]] = collections.defaultdict(list)
        for provision in sorted(provisions, key=lambda p: p["ordinal"]):
            self._children[provision["parent_id"]].append(provision)
        self._articles = [p for p in sorted(provisions, key=lambda p: p["ordinal"]) if p["kind"] == Kind.ARTICLE]
        self.articles = [article["id"] for article in self._articles]
        self._wordings: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for version in _rows(tables, "Version", ["provision_id", "lang", "heading", "text", "valid_from", "valid_to"]):
            if version["lang"] == LANG and version["provision_id"] in self.ids:
                self._wordings[version["provision_id"]].append(version)
        # The days on which some wording starts or ends: between two of them every unit reads the same.
        self._changes = sorted({day for versions in self._wordings.values() for v in versions
                                for day in (v["valid_from"], v["valid_to"]) if day is not None})
        self._count = count_tokens
        self._units: dict[int, list[Unit]] = {}

    def epoch(self, as_of: dt.date) -> int:
        """The same number for two dates exactly when every unit reads the same on both."""
        return bisect.bisect_right(self._changes, as_of)

    def units(self, as_of: dt.date) -> list[Unit]:
        epoch = self.epoch(as_of)
        if epoch not in self._units:
            self._units[epoch] = [unit for article in self._articles for unit in self._article_units(article, as_of)]
        return self._units[epoch]

    def by_article(self, as_of: dt.date) -> dict[str, list[Unit]]:
        grouped: dict[str, list[Unit]] = collections.defaultdict(list)
        for unit in self.units(as_of):
            grouped[unit.article].append(unit)
        return grouped

    def _article_units(self, article: dict[str, Any], as_of: dt.date) -> list[Unit]:
        heading = self._wording(article["id"], as_of).get("heading") or ""
        # Under its article's heading: a paragraph quoted alone does not say what it is about.
        title = f"Article {article['number']} {heading}".strip()
        paragraphs = [c for c in self._children[article["id"]] if c["kind"] == Kind.PARAGRAPH] or [article]
        units = []
        for paragraph in paragraphs:
            texts = [self._wording(p["id"], as_of).get("text") or "" for p in self._tree(paragraph)]
            text = "\n".join([title, *filter(None, texts)])
            units.append(Unit(paragraph["id"], article["id"], text, self._count(text)))
        return units

    def _tree(self, provision: dict[str, Any]) -> list[dict[str, Any]]:
        """``provision`` and what it contains, in the order of the text; footnotes (references to the
        Official Journal) left out."""
        below = [p for child in self._children[provision["id"]] if child["kind"] != Kind.FOOTNOTE
                 for p in self._tree(child)]
        return [provision, *below]

    def _wording(self, provision_id: str, as_of: dt.date) -> dict[str, Any]:
        for version in self._wordings[provision_id]:
            if version["valid_from"] <= as_of and (version["valid_to"] is None or as_of < version["valid_to"]):
                return version
        return {}


class Decisions:
    """Every decision of the snapshot: its summary, the last day it may have been taken on (the end of its
    day, month or year; undated ones never count as known), and the articles its source records cite."""

    def __init__(self, tables: Path, articles: list[str]) -> None:
        decisions = _rows(tables, "Decision", ["id", "decision_date", "date_precision", "summary"])
        records_of = collections.defaultdict(list)
        for edge in _rows(tables, "REPORTED_BY", ["decision_id", "record_id"]):
            records_of[edge["decision_id"]].append(edge["record_id"])
        cited = collections.defaultdict(list)
        for edge in _rows(tables, "RECORD_CITES", ["record_id", "provision_id"]):
            cited[edge["record_id"]].append(edge["provision_id"])
        column = {article: index for index, article in enumerate(articles)}
        self.summaries = [decision["summary"] or "" for decision in decisions]
        self.cites = np.zeros((len(decisions), len(articles)), dtype=bool)
        for row, decision in enumerate(decisions):
            provisions = [p for record in records_of[decision["id"]] for p in cited[record]]
            self.cites[row, [column[a] for a in gdpr_articles(provisions) if a in column]] = True
        never = dt.date.max.toordinal()
        self._last_day = np.array([_last_day(d["decision_date"], d["date_precision"]) or never for d in decisions])

    def before(self, as_of: dt.date) -> np.ndarray:
        """Which decisions are known to have been taken before ``as_of``."""
        return self._last_day < as_of.toordinal()


def _last_day(first: dt.date | None, precision: str) -> int | None:
    last = Precision(precision).last_day(first)
    return last.toordinal() if last else None
