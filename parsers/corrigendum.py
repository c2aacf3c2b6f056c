"""Applies a corrigendum to an act parsed in the same language: a pure function, records in, records out.

A correction is located by its content, not by its description ("On page 55, point (c) of Article
37(1)" is a hint for people): the wording to replace, with its elisions ("…", "[…]") as gaps, must
occur exactly once in the act's provision texts (or headings). That occurrence is replaced by the new
wording, the elided parts kept as they are.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from parsers._act_words import act_words
from schema.law import Correction, ParsedAct, ParsedCorrigendum, ParsedProvision
from schema.text import normalise

__all__ = ["CorrectionResult", "apply_corrections"]

# Characters the corrigendum and the act write differently for the same thing (FR ’ and ').
_SAME = {"'": "['’]", "’": "['’]"}


class CorrectionResult(BaseModel):
    """The corrected act, the corrections applied (with ``target_id``) and those not, with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    act: ParsedAct
    applied: list[Correction]
    unapplied: list[tuple[Correction, str]]


def apply_corrections(act: ParsedAct, corrigendum: ParsedCorrigendum) -> CorrectionResult:
    """Apply, in the corrigendum's order, every correction that can be located in ``act``."""
    if (corrigendum.act_id, corrigendum.lang) != (act.act_id, act.lang):
        raise ValueError(f"a corrigendum of {corrigendum.act_id} ({corrigendum.lang}) "
                         f"cannot correct {act.act_id} ({act.lang})")
    provisions = list(act.provisions)
    applied: list[Correction] = []
    unapplied: list[tuple[Correction, str]] = []
    elision = _elision(act_words(act.lang).elisions)
    for correction in corrigendum.corrections:
        outcome = _locate(correction, provisions, elision)
        if isinstance(outcome, str) and correction.field == "text" and outcome.startswith("not found"):
            # a heading quoted as plain text (GA: the title of Section 3 of Chapter VII)
            as_heading = correction.model_copy(update={"field": "heading"})
            if not isinstance(found := _locate(as_heading, provisions, elision), str):
                correction, outcome = as_heading, found
        if isinstance(outcome, str):
            unapplied.append((correction, outcome))
            continue
        index, match = outcome
        provisions[index] = _replaced(provisions[index], correction, match, elision)
        applied.append(correction.model_copy(update={"target_id": provisions[index].id}))
    return CorrectionResult(act=act.model_copy(update={"provisions": provisions}),
                            applied=applied, unapplied=unapplied)


def _locate(correction: Correction, provisions: list[ParsedProvision],
            elision: re.Pattern[str]) -> tuple[int, re.Match[str]] | str:
    """The one provision and place the old wording occurs at, or why there is none. Where it occurs
    in several, the one in the recital or article the description names, if it is there once."""
    if correction.throughout:
        return ("a term replaced throughout the act, the sentences adapted to it: the adapted wording "
                "is not stated, so it is not applied")
    old, new = _segments(correction.old, elision), _segments(correction.new, elision)
    if not old:
        return "the wording to replace is only an elision"
    if len(old) != len(new):
        return f"the wording to replace has {len(old)} parts between elisions, its replacement {len(new)}"
    pattern = re.compile("(.*?)".join(map(_pattern, old)), re.DOTALL)
    literal = _literal(old[0])  # a provision without it cannot match: a quick look before the regex
    hits = [(index, match) for index, provision in enumerate(provisions)
            if literal in (text := _field(provision, correction.field)) for match in pattern.finditer(text)]
    where = f"{'heading' if correction.field == 'heading' else 'text'} of the act"
    if not hits:
        return f"not found: the wording to replace occurs in no provision {where}"
    named = [hit for hit in hits if _inside(provisions[hit[0]].id, correction.located_in)]
    if len(hits) > 1 and len(named) == 1:
        return named[0]
    if len(hits) > 1:
        places = list(dict.fromkeys(provisions[index].id for index, _ in hits))
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        return f"ambiguous: the wording to replace occurs {len(hits)} times in the {where}: {shown}"
    return hits[0]


def _inside(provision_id: str, unit: str | None) -> bool:
    return unit is not None and (provision_id == unit or provision_id.startswith(f"{unit}/"))


def _replaced(provision: ParsedProvision, correction: Correction, match: re.Match[str],
              elision: re.Pattern[str]) -> ParsedProvision:
    """``provision`` with the matched old wording replaced, parts elided by the corrigendum kept."""
    first, *rest = _segments(correction.new, elision)
    replacement = first + "".join(gap + part for gap, part in zip(match.groups(), rest))
    corrected = match.string[:match.start()] + replacement + match.string[match.end():]
    if correction.field == "heading":
        return provision.model_copy(update={"heading": normalise(corrected)})
    return provision.model_copy(update={"text": normalise(corrected), "text_original": corrected})


def _field(provision: ParsedProvision, field: str) -> str:
    """Where a correction is looked for: the source's own text (whitespace as it has it), or the heading."""
    return (provision.heading or "") if field == "heading" else provision.text_original


def _elision(marks: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the language's elision marks (``…``, ``[…]``, LV ``(..)``) with the spaces around it."""
    return re.compile(r"\s*(?:" + "|".join(map(re.escape, sorted(marks, key=len, reverse=True))) + r")\s*")


def _segments(fragment: str, elision: re.Pattern[str]) -> list[str]:
    """The wording between elisions: ``"… a … b"`` → ``["a", "b"]``."""
    return [part for part in elision.split(fragment) if part]


def _pattern(segment: str) -> str:
    """A normalised segment as a pattern over source text: any run of whitespace for a space."""
    return "".join(r"\s+" if char == " " else _SAME.get(char) or re.escape(char) for char in segment)


def _literal(segment: str) -> str:
    """The longest part of ``segment`` its ``_pattern`` matches only as written."""
    return max(re.split("[ " + "".join(_SAME) + "]", segment), key=len)
