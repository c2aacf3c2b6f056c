"""The prompt builder: for a question as of a date, a prompt assembled from one published snapshot, with a
citation for every block of context and the trace of how each was chosen. Same inputs, same snapshot:
the same bytes.

    from kb_store.prompt import PromptBuilder, build_prompt
    result = build_prompt("What are the rules on erasure in France?", as_of=dt.date(2021, 3, 1), store=".store")
    with PromptBuilder.open(".store") as builder:          # one snapshot, many questions
        result = builder.build("…", budget_tokens=2000)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kb_store.access import Role
from kb_store.prompt._builder import PromptBuilder
from kb_store.prompt._model import (Audience, Block, Candidate, Citation, Flag, Persona, PromptParts, PromptResult,
                                    SourceRef, Trace, TraceQuery)
from kb_store.prompt._tokens import count_tokens

__all__ = ["Audience", "Block", "Candidate", "Citation", "Flag", "Persona", "PromptBuilder", "PromptParts",
           "PromptResult", "SourceRef", "Trace", "TraceQuery", "build_prompt", "count_tokens"]


def build_prompt(question: str, as_of: dt.date | None = None, snapshot: str | None = None, lang: str | None = None,
                 country: str | None = None, persona: Persona | None = None, budget_tokens: int = 4000,
                 store: Path | str = ".store", user: Role | None = None) -> PromptResult:
    """One prompt from ``snapshot`` of ``store`` (default: the current one), of what ``user`` (a role) may
    see (None: everything); see ``PromptBuilder`` for many."""
    with PromptBuilder.open(Path(store), snapshot, user) as builder:
        return builder.build(question, as_of=as_of, lang=lang, country=country, persona=persona,
                             budget_tokens=budget_tokens)
