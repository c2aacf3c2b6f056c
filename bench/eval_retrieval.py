"""Retrieval evaluation of lexgraph's prompt builder, beside four baselines on the same units and budgets.

    python bench/eval_retrieval.py --store STORE [--limit N]

Questions:

- the development gold set: GDPRhub summaries (``shared/corpus/fines/gdprhub_decisions_2024-03.csv``, read
  with the project's own mapping) with the GDPR articles of their decision as gold; each asked the day
  before its decision, so that it and every later decision are invisible. Left out: summaries under 40
  words, decisions not dated to the day, rows without a GDPR article, and summaries that name an article
  themselves ("Article 6", "Art. 5(1)(f)", "GDPR 6(1)"); the rest sampled to 300 by a hash of the summary.
- the article-style questions of ``bench/article_questions.jsonl`` ("What must a controller do when a
  breach occurs?"), written by hand with their article, none naming a number; asked as of 2024-04-01.

Methods: lexgraph (``PromptBuilder.build``: its provision blocks), BM25 and dense retrieval (all-MiniLM-L6-v2)
over the units (each paragraph of an article in its English wording valid on as_of, with its points;
an article without paragraphs is one unit), the question-blind prior (the articles most often cited by
decisions taken before as_of) and the neighbour vote (BM25 over the summaries of those decisions, the
articles of the nearest 20 voted by score); the prior and the vote quote every paragraph of their
articles, in rank order. A baseline's context is its units in rank order that fit the budget (cl100k
tokens, ``kb_store.prompt.count_tokens``); lexgraph's is the prompt built with that budget.

Every measure ranks articles by their first appearance in the context and is averaged over questions:
recall@5 and @10 of the gold articles (4k context); recall@10 on the gold articles outside the prior's
ten as of the question (what only a question-aware method can find; questions with none left out); the
recall of the whole 2k and 4k context beside the distinct articles it holds (a context quoting a
paragraph of twenty frequent articles scores well on recall alone); hit@1 and hit@5 on article questions.

Needs the ``eval`` extra, after the CPU build of torch (the plain PyPI wheel pulls in CUDA):

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    pip install -e '.[eval]'
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb_store import Store
from kb_store.prompt import PromptBuilder, count_tokens
from retrieval.baselines import Dense, Method, NeighbourVote, ParagraphBM25, Prior
from retrieval.gold import GoldSet, Question, build_gold, load_article_questions
from retrieval.lexgraph import Lexgraph
from retrieval.metrics import Context, hit_at, mean, recall_at
from retrieval.tables import Decisions, Law

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus"))
EXPORT = CORPUS / "fines" / "gdprhub_decisions_2024-03.csv"
ARTICLE_QUESTIONS = REPO / "bench" / "article_questions.jsonl"
# The day after the export's last month: every decision it reports counts as known.
ARTICLES_AS_OF = dt.date(2024, 4, 1)
BUDGETS = (2000, 4000)
RANKED_BUDGET = 4000  # the context that recall@k and hit@k rank


@dataclass(frozen=True)
class Answer:
    """One method's contexts for one question, beside the prior's ten as of the question."""

    question: Question
    contexts: dict[int, Context]
    prior_ten: frozenset[str]
    seconds: float

    def ranked(self, budget: int = RANKED_BUDGET) -> list[str]:
        return self.contexts[budget].ranked


Measure = Callable[[Answer], float | None]
GOLD, ARTICLES = "gold", "article questions"


@dataclass(frozen=True)
class Row:
    label: str
    on: str  # the questions it is measured on
    measure: Measure
    shown: str = ".2f"
    bar: str = ""  # what lexgraph must reach


def _budget_rows(budget: int) -> list[Row]:
    k = f"{budget // 1000}k"
    return [Row(f"recall, {k} context", GOLD, lambda a: recall_at(a.ranked(budget), a.question.articles)),
            Row(f"distinct articles, {k} context", GOLD, lambda a: a.contexts[budget].distinct, ".1f",
                "≤ BM25 paragraphs" if budget == RANKED_BUDGET else ""),
            Row(f"tokens, {k} context", GOLD, lambda a: a.contexts[budget].tokens, ".0f")]


ROWS = [
    Row("recall@5", GOLD, lambda a: recall_at(a.ranked(), a.question.articles, 5), bar="≥ 0.80, above all"),
    Row("recall@10", GOLD, lambda a: recall_at(a.ranked(), a.question.articles, 10)),
    Row("recall@10 outside the prior's ten", GOLD,
        lambda a: recall_at(a.ranked(), a.question.articles - a.prior_ten, 10), bar="≥ 0.65, above all"),
    *(row for budget in BUDGETS for row in _budget_rows(budget)),
    Row("hit@1", ARTICLES, lambda a: hit_at(a.ranked(), a.question.articles, 1)),
    Row("hit@5", ARTICLES, lambda a: hit_at(a.ranked(), a.question.articles, 5), bar="≥ 0.97"),
    Row("seconds per question", GOLD, lambda a: a.seconds, ".3f"),
]


def answers(method: Method, questions: Sequence[Question], prior: Prior) -> list[Answer]:
    found = []
    for question in questions:
        start = time.perf_counter()
        contexts = method.contexts(question, BUDGETS)
        found.append(Answer(question, contexts, frozenset(prior.on(question.as_of)[:10]), time.perf_counter() - start))
    return found


def table(results: dict[str, dict[str, list[Answer]]]) -> str:
    """One row per measure, one column per method, then how many questions it averages and lexgraph's bar."""
    names = list(results)
    width = max(len(row.label) for row in ROWS)
    lines = [f"{'':<{width}}  {'n':>4}  " + "  ".join(f"{name:>15}" for name in names) + "  bar (lexgraph)"]
    for row in ROWS:
        values = {name: [row.measure(answer) for answer in results[name][row.on]] for name in names}
        counted = sum(value is not None for value in values[names[0]])
        cells = "  ".join(f"{_shown(mean(values[name]), row.shown):>15}" for name in names)
        lines.append(f"{row.label:<{width}}  {counted:>4}  {cells}  {row.bar}".rstrip())
    return "\n".join(lines)


def _shown(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _gold_summary(gold: GoldSet) -> str:
    reasons = ", ".join(f"{reason} {count}" for reason, count in gold.left_out.items() if count)
    return f"gold set: {len(gold.questions)} questions from {EXPORT.name}; left out: {reasons}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first N questions of each set")
    args = parser.parse_args()
    store = Store(args.store)
    snapshot = store.current_id()
    if snapshot is None:
        raise SystemExit(f"no published snapshot in {args.store}")
    law = Law(store.tables_dir(snapshot), count_tokens)
    decisions = Decisions(store.tables_dir(snapshot), law.articles)
    gold = build_gold(EXPORT.read_bytes(), law.ids)
    questions = {GOLD: gold.questions[:args.limit],
                 ARTICLES: load_article_questions(ARTICLE_QUESTIONS, law.ids, ARTICLES_AS_OF)[:args.limit]}
    print(f"snapshot {snapshot}; {_gold_summary(gold)}")
    print(f"article questions: {len(questions[ARTICLES])}, asked as of {ARTICLES_AS_OF}; measured: "
          f"{len(questions[GOLD])} gold questions; budgets {', '.join(map(str, BUDGETS))} tokens\n")
    prior = Prior(law, decisions)
    with PromptBuilder.open(args.store) as builder:
        methods: list[Method] = [Lexgraph(builder), ParagraphBM25(law), Dense(law), prior,
                                 NeighbourVote(law, decisions)]
        results = {method.name: {on: answers(method, asked, prior) for on, asked in questions.items()}
                   for method in methods}
    print(table(results))


if __name__ == "__main__":
    main()
