"""lexgraph's prompt builder as a retrieval method: its context is the blocks of the prompt it builds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .gold import Question, gdpr_article
from .metrics import Context

if TYPE_CHECKING:
    from kb_store.prompt import PromptBuilder, PromptResult


class Lexgraph:
    name = "lexgraph"

    def __init__(self, builder: PromptBuilder) -> None:
        self._builder = builder

    def contexts(self, question: Question, budgets: Sequence[int]) -> dict[int, Context]:
        return {budget: context_of(self._build(question, budget)) for budget in budgets}

    def _build(self, question: Question, budget: int) -> PromptResult:
        """A prompt whose blocks get ``budget`` tokens, as a baseline's units do: the prompt's budget also
        pays for the instructions, the question (a whole summary here) and the headings."""
        first = self._builder.build(question.text, as_of=question.as_of, budget_tokens=budget)
        overhead = first.tokens - sum(block.tokens for block in first.blocks)
        return self._builder.build(question.text, as_of=question.as_of, budget_tokens=budget + overhead)


def context_of(result: PromptResult) -> Context:
    """The GDPR articles of a prompt's provision blocks, in rank order, and the tokens of all its blocks."""
    articles = tuple(article for block in result.blocks
                     if block.kind == "provision" and (article := gdpr_article(block.id)))
    return Context(articles, sum(block.tokens for block in result.blocks))
