"""What a prompt build returns: the prompt in its three parts, the cited blocks in rank order, and the
trace of how they were chosen."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from schema.law import Record


class Audience(StrEnum):
    LAWYER = "lawyer"
    DPO = "dpo"
    ENGINEER = "engineer"
    CITIZEN = "citizen"


class Persona(Record):
    """Who asks: changes the instructions and the order of what is selected, never the facts or citations.
    ``lang`` is the answer language; ``sector`` ("health", "telecoms" …) brings that sector's decisions first."""

    audience: Audience = Audience.LAWYER
    lang: str | None = None
    sector: str | None = None


class SourceRef(Record):
    name: str
    url: str
    sha256: str
    licence: str
    attribution: str


class Citation(Record):
    """Where a block's text comes from: the provision or decision it quotes and every document stating it."""

    key: str
    id: str
    sources: list[SourceRef]


class Block(Record):
    """One unit of context: a provision's wording valid on ``as_of`` or a decision's summary, as quoted data."""

    key: str
    kind: Literal["provision", "recital", "decision"]
    id: str
    label: str
    lang: str
    text: str
    tokens: int
    score: float
    reasons: list[str]
    citation: Citation
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    decision_date: dt.date | None = None
    date_precision: str | None = None


class TraceQuery(Record):
    """One graph query the build ran: which step, the statement, its parameters, the rows it gave."""

    step: str
    query: str
    params: dict[str, str]
    rows: int


class Candidate(Record):
    """Something considered for the context, its score, and why it was kept or dropped."""

    kind: str
    id: str
    score: float
    kept: bool
    why: str
    decision_date: dt.date | None = None


class Flag(Record):
    """Instruction-like content found in a block's source text, and what was done with it."""

    block: str
    kind: str
    matched: str
    action: str


class Trace(Record):
    analysis: dict
    queries: list[TraceQuery]
    candidates: list[Candidate]
    flags: list[Flag]
    left_out: list[str]


class PromptParts(Record):
    system: str
    context: str
    question: str


class PromptResult(Record):
    snapshot: str
    as_of: dt.date
    lang: str
    persona: Persona
    budget_tokens: int
    tokens: int
    content_hash: str
    prompt: PromptParts
    blocks: list[Block]
    trace: Trace
