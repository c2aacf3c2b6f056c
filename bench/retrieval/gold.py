"""The questions retrieval is measured on: the development gold set (GDPRhub summaries, each with the GDPR
articles its decision cites, asked the day before that decision) and the article-style questions written
by hand in ``bench/article_questions.jsonl``."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from parsers.tabular import load_mapping, parse_tabular
from schema.enforcement import FineRecord, Precision
from schema.ids import GDPR, act_of, article_of

MIN_WORDS = 40
CAP = 300

# "Article 6", "Articles 31 and 37", "Art. 5(1)(f)", "Article (5)(1)(e)", "Artikel 9", "GDPR 6(1)", "5(1)(f) GDPR":
# a summary that names its articles lets any method find them by their number, not by what the case is about.
_NAMES_AN_ARTICLE = re.compile(
    r"\b(?:art(?:icle|ikel|ículo|icolo|igo)?s?\b\.?\s*\(?\d+|gdpr\s*\(?\d+|\d+\s*\(\d+\))", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question asked as of ``as_of``, and the GDPR articles (``…/art_N`` ids) that answer it."""

    id: str
    text: str
    articles: frozenset[str]
    as_of: dt.date


@dataclass(frozen=True)
class GoldSet:
    questions: list[Question]
    left_out: dict[str, int]  # why a row of the export is not a question → how many rows


def names_an_article(text: str) -> bool:
    return _NAMES_AN_ARTICLE.search(text) is not None


def gdpr_article(provision_id: str) -> str | None:
    """The GDPR article a provision id lies in, or None (a recital, another act)."""
    return article_of(provision_id) if act_of(provision_id) == GDPR else None


def gdpr_articles(provision_ids: list[str]) -> frozenset[str]:
    return frozenset(filter(None, map(gdpr_article, provision_ids)))


def build_gold(export: bytes, known_ids: frozenset[str], cap: int = CAP) -> GoldSet:
    """The GDPRhub ``export`` (CSV bytes) as questions: every row fit to be one, sampled down to ``cap`` in
    the order of a hash of its summary, so that the sample holds while rows are added or reordered."""
    parsed = parse_tabular(export, load_mapping("gdprhub_export"), known_ids)
    left_out: collections.Counter[str] = collections.Counter({"quarantined by the parser": len(parsed.quarantined)})
    fit: list[Question] = []
    for record in parsed.records:
        if reason := _unfit(record):
            left_out[reason] += 1
        else:
            fit.append(_question(record))
    fit.sort(key=lambda question: hashlib.sha256(question.text.encode()).hexdigest())
    left_out[f"beyond the sample of {cap}"] = max(0, len(fit) - cap)
    return GoldSet(fit[:cap], dict(left_out))


def _unfit(record: FineRecord) -> str | None:
    """Why ``record`` cannot be a gold question, or None."""
    if len((record.summary or "").split()) < MIN_WORDS:
        return f"summary under {MIN_WORDS} words"
    if record.decision_date.precision is not Precision.DAY:
        return "decision date not known to the day"
    if not gdpr_articles(record.articles):
        return "no GDPR article"
    if names_an_article(record.summary):
        return "summary names an article"
    return None


def _question(record: FineRecord) -> Question:
    # Asked the day before: the decision itself and every later one are not yet known.
    return Question(id=f"{record.source}/{record.row_id}", text=record.summary, articles=gdpr_articles(record.articles),
                    as_of=record.decision_date.value - dt.timedelta(days=1))


def load_article_questions(path: Path, known_ids: frozenset[str], as_of: dt.date) -> list[Question]:
    """The hand-written questions of ``path`` (JSON lines: id, question, articles), all asked as of ``as_of``.

    Refuses a question that names an article number and an answer that is no article of the GDPR."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = json.loads(line)
        if names_an_article(entry["question"]):
            raise ValueError(f"{path}:{number}: {entry['id']} names an article: {entry['question']!r}")
        unknown = [a for a in entry["articles"] if a not in known_ids or gdpr_article(a) != a]
        if unknown or not entry["articles"]:
            raise ValueError(f"{path}:{number}: {entry['id']} answers with no GDPR article: {unknown or 'none'}")
        questions.append(Question(entry["id"], entry["question"], frozenset(entry["articles"]), as_of))
    return questions
