"""A language's reference grammar: the JSON data in ``parsers/grammars/<lang>.json`` compiled to
spaCy ``Matcher`` token patterns, each token spec keeping the role its token plays in a reference.

A grammar file holds these (see ``en.json``):

``words``
    the vocabulary the engine interprets: ``conjunctions`` and ``range`` words (``and``, ``to``),
    ``fillers`` (optional: words that may stand between the labels of a run and mean nothing, as
    Hungarian repeats its article: "a 13. és [a] 14. cikk"),
    ``ordinals`` (``"second": "2"``), ``act_types`` (``"directive": "dir"``), ``forms`` (optional:
    named lists of a word's forms, for patterns to share: ``"article": ["cikk", "cikke", …]``) and ``acts``, the
    named acts (``"GDPR": "eu/reg/2016/679"``; ``null`` for an act without an id, like a treaty or a
    national law: its provisions are reported, never taken for the GDPR's). ``structure`` (the
    words of an act's own unit titles, point letters and corrigendum locations) is not read here but
    by ``parsers._act_words``, as ``act_types`` is too; a language with no act text to parse,
    read in decisions only (Norwegian, Icelandic), has none.
``kinds``
    optional: the kinds a level's word may be, the first that exists winning, where the language
    has one word for two (Latvian "punkts" is a paragraph, and in Article 4 a point:
    ``"par": ["par", "pnt"]``).
``labels``
    regexes for one label token (``"NUM": "\\d+"``), matched case-sensitively on the token text.
``patterns``
    lists of spaCy token specs, each with a ``role`` and optionally one of the shorthands
    ``"label": "NUM"`` (one label), ``"run": "NUM|PAREN"`` (any number of labels, conjunctions
    and range words: ``12 to 22, 24 and 25``) or ``"words": "ordinals"`` (any word of a table:
    ``ordinals``, ``act_types`` or one of ``forms``).

Patterns match *pieces* (``Article 6(1)``, ``of``, ``this Article``, ``Directive 95/46/EC``); the
engine chains adjacent pieces into one mention. Named acts need no pattern: they come from ``acts``.

Where a language writes the label before the word of its level (Hungarian "a 6. cikk (1)
bekezdésének a) pontja", Latvian "6. panta 1. punkta", Lithuanian "6 straipsnio 1 dalies a
punktas"), the labels take the role ``ord``: a piece is then labels followed by the level they
label. The case endings of those words are just more words of a ``forms`` list.

A mention states a level or names an act, so a text with none of the words that open a level or
an act (``Grammar.trigger_words``, the acts' names) has no reference and is not read further.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from parsers._act_words import act_words

# A keyword opening a unit of that kind (the id segment prefixes): chapter, section, article,
# recital, paragraph, subparagraph, point.
LEVELS = ("cpt", "sct", "art", "rct", "par", "sub", "pnt")
ROLES = frozenset({
    *LEVELS,
    "val",  # a label (or run of labels) of the level opened before it: "Article [6(1)]"
    "ord",  # an ordinal or label of the level opened after it: "the [second] subparagraph", "a [6.] cikk"
    "of",  # the next piece contains the previous one: "point (a) [of] Article 9(2)"
    "skip",  # part of the mention, meaning nothing: "[l’]article", "Art[.]"
    "this_act", "this_art", "this_par",  # the citing act, article or paragraph
    "that_act",  # the act named last before: "Articles 12 to 15 [of that Directive]"
    "thereof",  # the provision cited last before: "the second subparagraph [thereof]"
    "act_type", "act_year", "act_number", "act",  # "[Regulation] [(EC)] [No] [45]/[2001]"
    "act_name",  # a named act, from ``words.acts``
})
_SHORTHANDS = ("role", "label", "run", "words")
_TRIGGERS = frozenset({*LEVELS, "act_type"})  # the roles a mention cannot do without (or a named act)
_GRAMMARS = resources.files("parsers") / "grammars"


@dataclass(frozen=True)
class Grammar:
    lang: str
    conjunctions: frozenset[str]
    ranges: frozenset[str]
    ordinals: dict[str, str]
    act_types: dict[str, str]
    acts: dict[str, str | None]  # name as written -> act id
    labels: dict[str, str]
    patterns: list[list[dict[str, Any]]]
    fillers: frozenset[str] = frozenset()
    forms: dict[str, frozenset[str]] = field(default_factory=dict)
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a level -> the kinds it may be
    # A point letter of another script → the Latin letter of its position, which point ids use:
    # BG "б" → "b", EL "στ" → "f" (from the language's ``words.structure.point_letters``).
    latin_letters: dict[str, str] = field(default_factory=dict)

    @property
    def separators(self) -> frozenset[str]:
        return self.conjunctions | self.ranges

    @property
    def run_words(self) -> frozenset[str]:
        """The words a run of labels may hold besides labels: separators and fillers."""
        return self.separators | self.fillers

    def token_pattern(self, pattern: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """A grammar pattern as a spaCy token pattern plus the role of each of its elements."""
        specs, roles = [], []
        for element in pattern:
            role = element.get("role")
            if role not in ROLES:
                raise ValueError(f"{self.lang} grammar: unknown role {role!r} in {element}")
            spec = {key: value for key, value in element.items() if key not in _SHORTHANDS}
            if "label" in element:
                spec["TEXT"] = {"REGEX": f"^(?:{self._alternatives(element['label'])})$"}
            elif "run" in element:
                between = "|".join(map(re.escape, sorted(self.run_words)))
                spec["TEXT"] = {"REGEX": f"^(?:{self._alternatives(element['run'])}|(?i:{between}))$"}
                spec.setdefault("OP", "*")
            elif "words" in element:
                spec["LOWER"] = {"IN": sorted(self._words(element["words"]))}
            specs.append(spec)
            roles.append(role)
        return specs, roles

    @cached_property
    def trigger_words(self) -> frozenset[str] | None:
        """The lower-cased words that open a level or an act in some pattern; None if a pattern
        opens one with something else than words (then no word is needed)."""
        words: set[str] = set()
        for element in itertools.chain.from_iterable(self.patterns):
            if element.get("role") in _TRIGGERS:
                if (stated := self._stated_words(element)) is None:
                    return None
                words |= stated
        return frozenset(words)

    def _stated_words(self, element: dict[str, Any]) -> set[str] | None:
        """The words a token spec accepts, lower-cased; None if it accepts more than a list of words."""
        if "words" in element:
            return self._words(element["words"])
        for key in ("LOWER", "ORTH"):
            value = element.get(key)
            if isinstance(value, str):
                return {value.lower()}
            if isinstance(value, dict) and set(value) == {"IN"}:
                return {word.lower() for word in value["IN"]}
        return None

    def _alternatives(self, names: str) -> str:
        """``"NUM|ordinals"`` → one regex: the named labels and the words of the named tables."""
        parts = []
        for name in names.split("|"):
            if name in self.labels:
                parts.append(self.labels[name])
            else:
                parts.append("(?i:" + "|".join(map(re.escape, sorted(self._words(name)))) + ")")
        return "|".join(parts)

    def _words(self, table: str) -> set[str]:
        words = {"ordinals": self.ordinals, "act_types": self.act_types, **self.forms}.get(table)
        if words is None:
            raise ValueError(f"{self.lang} grammar: no label or word table {table!r}")
        return set(words)


def name_key(words: list[str]) -> str:
    """How a named act is looked up: its tokens, lower-cased, with one kind of apostrophe."""
    return " ".join(words).lower().replace("’", "'")


def available() -> list[str]:
    return sorted(path.name.removesuffix(".json") for path in _GRAMMARS.iterdir()
                  if path.name.endswith(".json"))


@cache
def load(lang: str) -> Grammar:
    if lang not in available():
        raise ValueError(f"no reference grammar for language {lang!r}: have {available()}")
    data = json.loads((_GRAMMARS / f"{lang}.json").read_text(encoding="utf-8"))
    if data["lang"] != lang:
        raise ValueError(f"grammars/{lang}.json is the grammar of {data['lang']!r}")
    words = data["words"]
    return Grammar(
        lang=lang,
        conjunctions=frozenset(word.lower() for word in words["conjunctions"]),  # compared with lower-cased tokens
        ranges=frozenset(word.lower() for word in words["range"]),
        ordinals={word.lower(): value for word, value in words["ordinals"].items()},
        act_types={word.lower(): value for word, value in words["act_types"].items()},
        acts=words["acts"],
        labels=data["labels"],
        patterns=data["patterns"],
        fillers=frozenset(word.lower() for word in words.get("fillers", ())),
        forms={name: frozenset(word.lower() for word in forms) for name, forms in words.get("forms", {}).items()},
        kinds=_kinds(lang, data.get("kinds", {})),
        latin_letters=_latin_letters(lang) if "structure" in words else {},
    )


def _kinds(lang: str, kinds: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    for level, may_be in kinds.items():
        if level not in LEVELS or not may_be or not set(may_be) <= set(LEVELS) or may_be[0] != level:
            raise ValueError(f"{lang} grammar: kinds of {level!r} must be levels of {LEVELS}, {level!r} first: {may_be}")
    return {level: tuple(may_be) for level, may_be in kinds.items()}


def _latin_letters(lang: str) -> dict[str, str]:
    words = act_words(lang)
    return {letter.lower(): latin for letter in words.point_letters
            if not letter.isascii() and (latin := words.latin_point_letter(letter))}
