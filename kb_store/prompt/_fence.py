"""Fencing: source text goes into the context as quoted data inside clear delimiters, never into the
instructions part; instruction-like content found in sources is neutralised and flagged in the trace with
its block.

A block of context reads

    <source key="[P3]" label="eu/reg/2016/679/art_17/par_1 · en · valid 2018-05-25–">
    …text…
    </source>

and the instructions part tells the model that text between ``<source …>`` and ``</source>`` is data,
never instructions. The delimiter cannot be forged from inside: a source's own ``<source …>`` or
``</source>`` comes out as ``‹/source›`` and is flagged as a fence break.

What ``neutralise`` does, kind by kind (the code points and patterns are data, ``injection_patterns.toml``):

- hidden_unicode, bidi_override, zero_width: removed (tag characters, bidi embeddings, overrides and
  isolates, zero-width characters, other format and control characters). A byte order mark opening the
  text is removed without a flag: an encoding artefact, not content.
- chat_template, fence_break, bracketed role markers: escaped, ``<|im_start|>`` becoming ``‹|im_start|›``,
  which no tokenizer or template parses.
- instruction, role markers in words ("System:"): kept as text, since they are part of the source and the
  fence quotes them, and flagged.

Soft hyphens and direction marks (LRM, RLM, ALM) are ordinary typography in the sources and stay; patterns
match through them as through removed characters, so neither can split a keyword out of sight.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from xml.sax.saxutils import escape as xml_escape

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

TAG = "source"
_BOM = "\ufeff"
_MATCHED_MAX = 80
# ASCII letters, digits, punctuation and the usual whitespace are never hidden: only the rest is looked up.
_CANDIDATE = re.compile(r"[^\t\n\r\x20-\x7e]")
_LINE_START = r"(?:^|(?<=[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]))"
_WORD = re.compile(r"\w+")
_KEY = re.compile(r"\[?[\w.:/#-]+\]?")


class InjectionKind(StrEnum):
    INSTRUCTION = "instruction"
    ROLE_MARKER = "role_marker"
    CHAT_TEMPLATE = "chat_template"
    HIDDEN_UNICODE = "hidden_unicode"
    BIDI_OVERRIDE = "bidi_override"
    ZERO_WIDTH = "zero_width"
    FENCE_BREAK = "fence_break"


_HIDDEN_KINDS = {InjectionKind.HIDDEN_UNICODE, InjectionKind.BIDI_OVERRIDE, InjectionKind.ZERO_WIDTH}


class Action(StrEnum):
    REMOVED = "removed"
    ESCAPED = "escaped"
    QUOTED = "quoted"


class InjectionFlag(BaseModel):
    """One finding: ``start``/``end`` are offsets in the original text, ``rule`` names the row of
    injection_patterns.toml that found it, ``matched`` is a rendering safe to show (code points for
    invisible characters, escaped tokens)."""

    model_config = ConfigDict(frozen=True)

    kind: InjectionKind
    rule: str
    matched: str
    start: int
    end: int
    action: Action


class Neutralised(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    flags: list[InjectionFlag]


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    reason: str


class _Characters(_Rule):
    ranges: list[tuple[int, int]] = []
    categories: list[str] = []

    def covers(self, char: str) -> bool:
        point = ord(char)
        return any(low <= point <= high for low, high in self.ranges) or unicodedata.category(char) in self.categories


class _Hidden(_Characters):
    kind: InjectionKind

    @field_validator("kind")
    @classmethod
    def _invisible_kind(cls, kind: InjectionKind) -> InjectionKind:
        if kind not in _HIDDEN_KINDS:
            raise ValueError(f"a hidden class is one of {sorted(_HIDDEN_KINDS)}, not {kind}")
        return kind


class _Pattern(_Rule):
    kind: InjectionKind
    action: Action
    regex: str
    opens: list[str] = []
    line_start: str | None = None
    case_sensitive: bool = False

    @field_validator("action")
    @classmethod
    def _kept_in_text(cls, action: Action) -> Action:
        if action is Action.REMOVED:
            raise ValueError("a pattern quotes or escapes what it finds; only hidden characters are removed")
        return action

    @field_validator("opens")
    @classmethod
    def _whole_words(cls, opens: list[str]) -> list[str]:
        if any(not _WORD.fullmatch(p[0] + p[-1]) for p in opens):
            raise ValueError(f"opening phrases begin and end with a letter or digit, unlike one of {opens}")
        return opens

    @model_validator(mode="after")
    def _compiles(self) -> _Pattern:
        self.compiled()
        return self

    def compiled(self) -> re.Pattern[str]:
        phrases = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in self.opens)
        source = (rf"\b(?:{phrases})\b" if self.opens else "") + f"(?:{self.regex})"
        if self.line_start is not None:
            source = _LINE_START + self.line_start + source
        try:
            return re.compile(source, 0 if self.case_sensitive else re.IGNORECASE)
        except re.error as error:
            raise ValueError(f"pattern {self.name!r} of injection_patterns.toml does not compile: {error}") from error


class _Escape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str
    chars: dict[str, str]

    @field_validator("chars")
    @classmethod
    def _one_for_one(cls, chars: dict[str, str]) -> dict[str, str]:
        if any(len(k) != 1 or len(v) != 1 or v in chars for k, v in chars.items()):
            raise ValueError("escapes map one character to one look-alike that is not escaped in turn")
        return chars


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    escape: _Escape
    typographic: list[_Characters]
    hidden: list[_Hidden]
    pattern: list[_Pattern]

    @field_validator("pattern")
    @classmethod
    def _no_fence_rule(cls, patterns: list[_Pattern]) -> list[_Pattern]:
        if any(p.kind is InjectionKind.FENCE_BREAK or p.kind in _HIDDEN_KINDS for p in patterns):
            raise ValueError("fence breaks follow from the delimiter and hidden characters are code points, not patterns")
        return patterns


# Derived from TAG so that the delimiter and what may not imitate it are declared once.
_FENCE_RULE = _Pattern(name="fence_delimiter", kind=InjectionKind.FENCE_BREAK, action=Action.ESCAPED,
                       regex=rf"<\s*/?\s*{TAG}s?\b(?:[^<>\n]{{0,200}}>)?",
                       reason=f"the source's own <{TAG}> or </{TAG}> would open or close a block of its own")


@functools.cache
def _rules() -> _Rules:
    text = files("kb_store.prompt").joinpath("injection_patterns.toml").read_text(encoding="utf-8")
    return _Rules.model_validate(tomllib.loads(text))


@dataclass(frozen=True)
class _Matchers:
    """The compiled patterns, and an index from a word to the patterns one of whose opening phrases has it:
    a text is only searched with the patterns whose phrase words it holds, the rest cannot match."""

    compiled: list[tuple[_Pattern, re.Pattern[str]]]
    always: frozenset[int]
    by_word: dict[str, list[tuple[int, frozenset[str]]]]

    def applicable(self, words: set[str]) -> list[tuple[_Pattern, re.Pattern[str]]]:
        hits = {i for word in words & self.by_word.keys() for i, phrase in self.by_word[word] if phrase <= words}
        return [self.compiled[i] for i in sorted(hits | self.always)]


@functools.cache
def _matchers() -> _Matchers:
    rules = [*_rules().pattern, _FENCE_RULE]
    by_word: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for i, rule in enumerate(rules):
        for phrase in (frozenset(_WORD.findall(_fold(p))) for p in rule.opens):
            by_word[max(phrase, key=lambda w: (len(w), w))].append((i, phrase))  # the longest word: the rarest
    return _Matchers([(rule, rule.compiled()) for rule in rules],
                     frozenset(i for i, rule in enumerate(rules) if not rule.opens), dict(by_word))


@functools.cache
def _escapes() -> dict[int, str]:
    return str.maketrans(_rules().escape.chars)


@functools.cache
def _class_of(char: str) -> _Characters | None:
    """The class of a code point: typographic (kept), hidden (removed) or None (ordinary text)."""
    if char.isspace():
        return None
    rules = _rules()
    return next((c for c in [*rules.typographic, *rules.hidden] if c.covers(char)), None)


@functools.lru_cache(maxsize=32768)  # the law's wordings recur from prompt to prompt; the result is frozen
def neutralise(text: str) -> Neutralised:
    """``text`` with hidden characters removed and chat-template tokens and delimiters escaped, and a flag
    for each finding. Deterministic; ordinary legal prose comes back unchanged and unflagged."""
    skipped = [(m.start(), c) for m in _CANDIDATE.finditer(text) if (c := _class_of(m.group())) is not None]
    removed = [(i, c) for i, c in skipped if isinstance(c, _Hidden)]
    found = _found(*_view(text, [i for i, _ in skipped]))
    flags = sorted([*_removal_flags(text, removed), *found], key=lambda f: (f.start, f.end, f.kind))
    escaped = [(f.start, f.end) for f in found if f.action is Action.ESCAPED]
    return Neutralised(text=_rendered(text, {i for i, _ in removed}, escaped), flags=flags)


def fence(block_key: str, text: str, label: str) -> str:
    """The block as quoted data between ``<source key=… label=…>`` and ``</source>``. Text and label are
    neutralised here, so what is fenced is safe whether or not the caller neutralised it first."""
    if not _KEY.fullmatch(block_key):
        raise ValueError(f"block key {block_key!r} is not a key: letters, digits and _.:/#- in optional "
                         "brackets, as in [P3]")
    shown = xml_escape(" ".join(neutralise(label).text.split()), {'"': "&quot;"})
    return f'<{TAG} key="{block_key}" label="{shown}">\n{neutralise(text).text}\n</{TAG}>'


def _view(text: str, skipped: list[int]) -> tuple[str, Callable[[int], int]]:
    """``text`` without the skipped positions, and the map from a position in it back to ``text``."""
    if not skipped:
        return text, lambda position: position
    bounds = [-1, *skipped, len(text)]
    view = "".join(text[a + 1:b] for a, b in zip(bounds, bounds[1:]))
    shifted = [i - n for n, i in enumerate(skipped)]
    return view, lambda position: position + bisect.bisect_right(shifted, position)


def _found(view: str, source_of: Callable[[int], int]) -> list[InjectionFlag]:
    flags = [InjectionFlag(kind=rule.kind, rule=rule.name, matched=_shown(m.group()), start=source_of(m.start()),
                           end=source_of(m.end() - 1) + 1, action=rule.action)
             for rule, pattern in _matchers().applicable(set(_WORD.findall(_fold(view))))
             for m in pattern.finditer(view) if m.end() > m.start()]
    return _without_overlaps(flags)


def _without_overlaps(flags: list[InjectionFlag]) -> list[InjectionFlag]:
    """The first, longest finding of each kind where several rules find the same words."""
    kept: list[InjectionFlag] = []
    reach: dict[InjectionKind, int] = {}
    for flag in sorted(flags, key=lambda f: (f.start, -f.end)):
        if flag.start >= reach.get(flag.kind, 0):
            kept.append(flag)
            reach[flag.kind] = flag.end
    return kept


def _removal_flags(text: str, removed: list[tuple[int, _Hidden]]) -> list[InjectionFlag]:
    runs: list[tuple[int, int, _Hidden]] = []
    for i, rule in removed:
        if i == 0 and text[0] == _BOM:
            continue
        if runs and runs[-1][1] == i and runs[-1][2] is rule:
            runs[-1] = (runs[-1][0], i + 1, rule)
        else:
            runs.append((i, i + 1, rule))
    return [InjectionFlag(kind=rule.kind, rule=rule.name, matched=_code_points(text[start:end]), start=start,
                          end=end, action=Action.REMOVED) for start, end, rule in runs]


def _rendered(text: str, removed: set[int], escaped: list[tuple[int, int]]) -> str:
    if not removed and not escaped:
        return text
    chars = list(text)
    for start, end in escaped:
        chars[start:end] = [c.translate(_escapes()) for c in chars[start:end]]
    for i in removed:
        chars[i] = ""
    return "".join(chars)


def _fold(text: str) -> str:
    """Case folding that equates at least what ``re.IGNORECASE`` does, so a gate never skips a match:
    casefold, and the dotted and dotless i that IGNORECASE takes for i."""
    return text.casefold().replace("i\u0307", "i").replace("ı", "i")


def _shown(matched: str) -> str:
    shown = " ".join(matched.split()).translate(_escapes())
    return shown if len(shown) <= _MATCHED_MAX else shown[:_MATCHED_MAX - 1] + "…"


def _code_points(run: str) -> str:
    shown = " ".join(f"U+{ord(c):04X}" for c in run[:4])
    return shown if len(run) <= 4 else f"{shown} … ({len(run)} code points)"
