"""The retrieval evaluation's questions and measures: the gold set built from the real GDPRhub export, the
hand-written article questions, and the metrics, as tables of (input, expected)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bench.retrieval.gold import (CAP, MIN_WORDS, GoldSet, build_gold, gdpr_articles, load_article_questions,
                                  names_an_article)
from bench.retrieval.metrics import Context, hit_at, mean, recall_at
from schema.ids import GDPR

ARTICLE_QUESTIONS = Path(__file__).resolve().parents[1] / "bench" / "article_questions.jsonl"
EXPORT_ROWS = 3221


def art(*numbers: int) -> frozenset[str]:
    return frozenset(f"{GDPR}/art_{n}" for n in numbers)


@pytest.fixture(scope="module")
def gold(corpus: Path, gdpr_ids: frozenset[str]) -> GoldSet:
    return build_gold((corpus / "fines" / "gdprhub_decisions_2024-03.csv").read_bytes(), gdpr_ids)


# Wordings of the export's summaries (and near them) → whether they name an article.
@pytest.mark.parametrize("text, expected", [
    ("pursuant to Article 58(1)(a) and (e) GDPR", True),
    ("violated Articles 31 and 37 GDPR", True),
    ("breached Article (5)(1)(e) GDPR by keeping the data", True),
    ("as a health data pursuant to Article(4)(15) GDPR", True),
    ("a breach of Art. 5(1)(f) DSGVO", True),
    ("nach Artikel 9 DSGVO", True),
    ("the controller relied on GDPR 6(1)", True),
    ("an infringement of 5(1)(f) GDPR", True),
    ("the failure to comply with several GDPR Articles.", False),
    ("having published in an online newspaper article the name of the data subject", False),
    ("fined UK Ministry of Defence €409,080 (GBP 350,000) for disclosure of 265 email addresses", False),
    ("a Belgian company (3M Belgium) won the tender", False),
])
def test_names_an_article(text, expected):
    assert names_an_article(text) is expected


def test_every_row_of_the_export_is_a_question_or_left_out_for_a_reason(gold):
    assert len(gold.questions) == CAP
    assert len(gold.questions) + sum(gold.left_out.values()) == EXPORT_ROWS
    assert set(gold.left_out) == {"quarantined by the parser", f"summary under {MIN_WORDS} words",
                                  "decision date not known to the day", "no GDPR article", "summary names an article",
                                  f"beyond the sample of {CAP}"}
    assert len({question.id for question in gold.questions}) == CAP


def test_every_question_is_a_summary_fit_to_ask(gold):
    for question in gold.questions:
        assert len(question.text.split()) >= MIN_WORDS and not names_an_article(question.text)
        assert question.articles and all(a.startswith(f"{GDPR}/art_") and a.count("/") == 4 for a in question.articles)


# Row of the export → (asked as of, the gold articles), or None: not in the gold set.
@pytest.mark.parametrize("row, expected", [
    ("23", (dt.date(2023, 12, 4), art(4, 28, 36))),  # decided 05.12.2023; "36(4)" and "4" cited
    ("24", (dt.date(2023, 9, 6), art(12, 17, 24, 58))),
    ("958", (dt.date(2021, 10, 12), art(38, 39, 83))),
    ("2097", (dt.date(2020, 11, 3), art(4, 5, 7, 9))),
    ("1", None),  # no date
    ("5", None),  # "violated Articles 31 and 37 GDPR"
    ("2497", None),  # "breached Article (5)(1)(e) GDPR"
    ("334", None),  # no GDPR article
])
def test_rows_of_the_export(gold, row, expected):
    asked = {q.id: (q.as_of, q.articles) for q in gold.questions}
    assert asked.get(f"gdprhub_export/{row}") == expected


@pytest.mark.parametrize("provisions, expected", [
    ([f"{GDPR}/art_5/par_1/pnt_f", f"{GDPR}/art_5/par_2", f"{GDPR}/art_32"], art(5, 32)),
    ([f"{GDPR}/rct_47", "eu/dir/1995/46/art_7"], frozenset()),
    ([f"{GDPR}/art_4/pnt_11"], art(4)),
])
def test_gdpr_articles(provisions, expected):
    assert gdpr_articles(provisions) == expected


def test_article_questions_ask_without_naming_the_article(gdpr_ids):
    questions = load_article_questions(ARTICLE_QUESTIONS, gdpr_ids, dt.date(2024, 4, 1))
    assert len(questions) == 50 and len({q.id for q in questions}) == 50
    assert all(q.articles and q.as_of == dt.date(2024, 4, 1) for q in questions)


@pytest.mark.parametrize("entry, message", [
    ({"id": "x1", "question": "What does Article 17 say?", "articles": [f"{GDPR}/art_17"]}, "x1 names an article"),
    ({"id": "x2", "question": "Who may erase?", "articles": [f"{GDPR}/art_17/par_1"]},
     "x2 answers with no GDPR article"),
    ({"id": "x3", "question": "Who may erase?", "articles": [f"{GDPR}/art_117"]}, "x3 answers with no GDPR article"),
    ({"id": "x4", "question": "Who may erase?", "articles": []}, "x4 answers with no GDPR article"),
])
def test_article_questions_refuse(tmp_path, gdpr_ids, entry, message):
    path = tmp_path / "questions.jsonl"
    path.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"questions.jsonl:1: {message}"):
        load_article_questions(path, gdpr_ids, dt.date(2024, 4, 1))


A5, A6, A32, A83 = (f"{GDPR}/art_{n}" for n in (5, 6, 32, 83))


# ranked articles, gold, k → recall@k
@pytest.mark.parametrize("ranked, gold, k, expected", [
    ([A5, A6, A32], art(5, 83), 5, 0.5),
    ([A5, A6, A32], art(32), 2, 0.0),
    ([A5, A6, A32], art(32), None, 1.0),
    ([], art(5), 10, 0.0),
    ([A5], frozenset(), 10, None),  # every gold article inside the prior's ten: nothing to measure
])
def test_recall_at(ranked, gold, k, expected):
    assert recall_at(ranked, gold, k) == expected


@pytest.mark.parametrize("ranked, gold, k, expected", [
    ([A5, A6, A32], art(6), 1, 0.0),
    ([A5, A6, A32], art(6), 5, 1.0),
    ([A5, A6, A32], art(6, 5), 1, 1.0),
])
def test_hit_at(ranked, gold, k, expected):
    assert hit_at(ranked, gold, k) == expected


def test_a_context_ranks_articles_by_first_appearance():
    context = Context((A83, A5, A83, A6, A5), tokens=900)
    assert context.ranked == [A83, A5, A6]
    assert context.distinct == 3


@pytest.mark.parametrize("values, expected", [([1.0, 0.0, None], 0.5), ([None], None), ([], None)])
def test_mean_leaves_out_what_does_not_apply(values, expected):
    assert mean(values) == expected
