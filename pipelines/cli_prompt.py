"""``lexgraph prompt``: a cited prompt for a question as of a date, one at a time or a JSONL file of them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.progress import Progress

from kb_store import UnknownSnapshot
from kb_store.access import AccessError
from kb_store.prompt import Audience, Persona, PromptBuilder, PromptResult
from pipelines import cli_access


class Question(BaseModel):
    """One line of a ``--questions`` file."""

    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    as_of: dt.date | None = None
    country: str | None = None
    lang: str | None = None


def add_command(commands: argparse._SubParsersAction, default_store: Path) -> None:
    prompt = commands.add_parser("prompt", help="a cited prompt built from the graph for a question as of a date")
    prompt.add_argument("question", nargs="?", help="the question (or --questions FILE.jsonl)")
    prompt.add_argument("--questions", type=Path, help="JSONL, one {\"id\", \"question\", \"as_of\"?, \"country\"?, "
                                                       "\"lang\"?} per line; one JSON result per line out")
    prompt.add_argument("--out", type=Path, help="write the batch's results here instead of standard output")
    prompt.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
    prompt.add_argument("--country", help="ISO 3166 alpha-2 code of the jurisdiction, e.g. FR")
    prompt.add_argument("--lang", help="answer language, ISO 639-1 (the law is quoted in it where the graph has it)")
    prompt.add_argument("--persona", choices=[a.value for a in Audience], default=Audience.LAWYER.value)
    prompt.add_argument("--sector", help="bring decisions of this sector first, e.g. health")
    prompt.add_argument("--budget", type=int, default=4000, help="token budget of the whole prompt (default 4000)")
    prompt.add_argument("--store", type=Path, default=default_store, help="store directory (default: .store)")
    prompt.add_argument("--snapshot", help="read this snapshot (see `lexgraph snapshots list`), not the current one")
    prompt.add_argument("--format", choices=("json", "md"), default="md")
    cli_access.add_role_options(prompt)
    prompt.set_defaults(run=_prompt)


def _prompt(args: argparse.Namespace) -> int:
    if (args.question is None) == (args.questions is None):
        print("lexgraph prompt: give a question or --questions FILE.jsonl, not both", file=sys.stderr)
        return 2
    if args.budget < 200:
        print(f"lexgraph prompt: --budget {args.budget} is too small for instructions and question (200 at least)",
              file=sys.stderr)
        return 2
    try:
        builder = PromptBuilder.open(args.store, args.snapshot, cli_access.role_given(args))
    except AccessError as exc:
        print(f"lexgraph prompt: {exc}", file=sys.stderr)
        return 2
    except (UnknownSnapshot, FileNotFoundError, LookupError) as exc:
        print(f"lexgraph prompt: {exc}", file=sys.stderr)
        return 1
    persona = Persona(audience=Audience(args.persona), lang=args.lang, sector=args.sector)
    with builder:
        if args.questions:
            return _batch(builder, args, persona)
        try:
            result = builder.build(args.question, as_of=args.as_of, country=args.country, persona=persona,
                                   budget_tokens=args.budget)
        except (LookupError, ValueError) as exc:
            print(f"lexgraph prompt: {exc}", file=sys.stderr)
            return 2
    print(_json(result, indent=2) if args.format == "json" else render_markdown(result))
    return 0


def _batch(builder: PromptBuilder, args: argparse.Namespace, persona: Persona) -> int:
    """One JSON result per line, in the file's order; a line that cannot be read gives an error line."""
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    failed = 0
    with (args.out.open("w", encoding="utf-8") if args.out else nullcontext(sys.stdout)) as out, \
            Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("prompts", total=len(lines))
        for number, question in _questions(lines):
            if isinstance(question, str):
                failed += 1
                _write(out, {"line": number, "error": question})
            else:
                try:
                    result = builder.build(question.question, as_of=question.as_of or args.as_of,
                                           country=question.country or args.country,
                                           persona=persona.model_copy(update={"lang": question.lang or persona.lang}),
                                           budget_tokens=args.budget)
                    _write(out, {"id": question.id, **json.loads(_json(result))})
                except (LookupError, ValueError) as exc:
                    failed += 1
                    _write(out, {"id": question.id, "line": number, "error": f"line {number}: {exc}"})
            progress.advance(task)
    if failed:
        print(f"lexgraph prompt: {failed} of {len(lines)} lines could not be read (see their \"error\")",
              file=sys.stderr)
    return 1 if failed else 0


def _questions(lines: list[str]) -> Iterator[tuple[int, Question | str]]:
    for number, line in enumerate(lines, 1):
        try:
            yield number, Question.model_validate_json(line)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            yield number, f"line {number}: {problems}"


def _write(out: IO[str], row: dict) -> None:
    out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _json(result: PromptResult, indent: int | None = None) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def render_markdown(result: PromptResult) -> str:
    """The prompt's three parts, then each block's citation."""
    lines = [f"# Prompt — snapshot {result.snapshot}, as of {result.as_of}", "",
             f"_{result.tokens} tokens of {result.budget_tokens}; content sha256 {result.content_hash}_", "",
             "## System", "", result.prompt.system, "", "## Context", "", result.prompt.context,
             "## Question", "", result.prompt.question, "", "## Citations", ""]
    for block in result.blocks:
        sources = "; ".join(f"{s.name} {s.url} (sha256 {s.sha256[:12]}…, {s.licence}; {s.attribution})"
                            for s in block.citation.sources)
        lines.append(f"- {block.key} {block.id}: {sources}")
    if result.trace.flags:
        lines += ["", "## Flagged in sources", "", *(f"- {f.block}: {f.kind} {f.matched} ({f.action})"
                                                    for f in result.trace.flags)]
    return "\n".join(lines) + "\n"
