"""The words an act is written with in each language, read from ``parsers/grammars/<lang>.json``.

Two tables of a grammar file's ``words`` are read here (the rest is the citation grammar's):

``act_types``
    the words naming an act type, in the forms titles use, and the type's id code
    (``"règlement": "reg"``, HU ``"rendelete": "reg"``).
``structure``
    ``article``, ``chapter``, ``section``: the unit titles as templates, ``{n}`` for the number
    (``"Article {n}"``, HU ``"{n}. cikk"``, PT ``"Artigo {n}.o"``); ``number_words``: numbers written
    as words (FR ``"premier": "1"``); ``point_letters``: the letters points are labelled with, in
    enumeration order (EL ``α β γ δ ε στ …``): a point's id is the Latin letter of the same position;
    ``locations``: how a corrigendum's description names the ``recital`` or ``article`` it corrects,
    templates found anywhere in it (``"recital {n}"``, FI ``"{n} artikla"`` in "13 artiklan");
    ``elisions``: the marks a corrigendum leaves out wording with (``…``, LV ``(..)``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import get_args

from parsers.errors import ParseError
from schema.ids import ACT_TYPES
from schema.law import ActLang

__all__ = ["LATIN_LETTERS", "ActWords", "act_words"]

_GRAMMARS = resources.files("parsers") / "grammars"
_UNIT_KINDS = ("article", "chapter", "section")
_LOCATION_KINDS = ("recital", "article")
_NUMBER = r"\d+[a-z]?|[IVXLC]+"
_WORD = re.compile(r"\w+")
# An act's number right after or right before an act-type word: "Directive 95/46/EC", "95/46/EK irányelv"
_NUMBER_AFTER = re.compile(r"\s*(?:\(\w+\)\s*)?(?:No\.?\s*|n°\s*|Nr\.\s*)?(\d+/\d+)")
_NUMBER_BEFORE = re.compile(r"(\d+/\d+)(?:/\w+)?\s*$")
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ActWords:
    lang: str
    act_types: dict[str, str]  # lower-cased word -> reg, dir, dec
    unit_titles: dict[str, list[str]]  # kind -> templates
    title_patterns: dict[str, list[re.Pattern[str]]]  # kind -> the templates compiled
    number_words: dict[str, str]  # lower-cased word -> number
    point_letters: tuple[str, ...]
    locations: dict[str, list[re.Pattern[str]]]  # recital, article -> the templates compiled
    elisions: tuple[str, ...]

    def match_number(self, kind: str, title: str) -> str | None:
        """``"Article 17"`` → ``"17"``, HU ``"IV. FEJEZET"`` → ``"IV"``, FR ``"Article premier"`` → ``"1"``;
        None if ``title`` is not one of ``kind``."""
        text = " ".join(title.split())
        for pattern in self.title_patterns[kind]:
            if match := pattern.fullmatch(text):
                number = match.group("n")
                return self.number_words.get(number.lower(), number)
        return None

    def unit_number(self, kind: str, title: str) -> str:
        """:meth:`match_number`, or a :class:`ParseError` saying what title was expected."""
        if number := self.match_number(kind, title):
            return number
        text = " ".join(title.split())
        expected = " or ".join(repr(t.replace("{n}", "1")) for t in self.unit_titles[kind])
        raise ParseError(f"not a {self.lang} {kind} title: {text!r}, expected one like {expected} "
                         f"(words.structure.{kind} in grammars/{self.lang}.json)")

    def location(self, description: str) -> tuple[str, str] | None:
        """The recital or article a corrigendum's description names first, as (kind, number):
        ``"On page 55, point (c) of Article 37(1):"`` → ``("article", "37")``; None if it names neither."""
        found = [(match.start(), kind, match.group("n")) for kind, patterns in self.locations.items()
                 for pattern in patterns if (match := pattern.search(" ".join(description.split())))]
        return min(found)[1:] if found else None

    def latin_point_letter(self, label: str) -> str | None:
        """The Latin letter at the position of ``label`` in the language's point letters, or None."""
        letters = [letter.lower() for letter in self.point_letters]
        return LATIN_LETTERS[letters.index(label.lower())] if label.lower() in letters else None

    def act_type_near(self, title: str, start: int, end: int) -> str | None:
        """The act type (``reg``) named by the act-type word nearest to ``title[start:end]`` (the act's
        number), as in "Regulation (EU) 2016/679" or HU "(EU) 2016/679 rendelete"; None if no word.
        A word right before or after another act's number names that act ("repealing Directive 95/46/EC")."""
        found = [(max(start - word.end(), word.start() - end), self.act_types[word.group().lower()])
                 for word in _WORD.finditer(title) if word.group().lower() in self.act_types
                 and not _names_another_act(title, word, start)]
        return min(found)[1] if found else None


def _names_another_act(title: str, word: re.Match[str], number_at: int) -> bool:
    """Whether an act's number other than the one at ``number_at`` is right after or before ``word``."""
    after = _NUMBER_AFTER.match(title, word.end())
    before = _NUMBER_BEFORE.search(title, 0, word.start())
    return bool(after and after.start(1) != number_at or before and before.start(1) != number_at)


def _pattern(template: str, number: str, within_text: bool = False) -> re.Pattern[str]:
    """``"{n}. cikk"`` → a pattern of its words, any whitespace between them, ``number`` for ``{n}``;
    ``within_text``: not starting inside a word, to be searched for."""
    words = r"\s+".join(map(re.escape, template.split()))
    start = r"(?<!\w)" if within_text else ""
    return re.compile(start + words.replace(re.escape("{n}"), f"(?P<n>{number})"), re.IGNORECASE)


@cache
def act_words(lang: str) -> ActWords:
    """The act words of ``lang``; ``ValueError`` naming what the grammar file lacks."""
    if lang not in get_args(ActLang):
        raise ValueError(f"not an EU language: {lang!r}, expected one of {get_args(ActLang)}")
    path = _GRAMMARS / f"{lang}.json"
    if not path.is_file():
        raise ValueError(f"no grammars/{lang}.json: the words of acts in {lang!r} are not known")
    words = json.loads(path.read_text(encoding="utf-8")).get("words", {})
    _check(lang, words)
    structure = words["structure"]
    number_words = {word.lower(): n for word, n in structure["number_words"].items()}
    title_number = "|".join([*map(re.escape, number_words), _NUMBER])
    templates = {kind: structure[kind] for kind in _UNIT_KINDS}
    return ActWords(
        lang=lang,
        act_types={word.lower(): code for word, code in words["act_types"].items()},
        unit_titles=templates,
        title_patterns={kind: [_pattern(t, title_number) for t in ts] for kind, ts in templates.items()},
        number_words=number_words,
        point_letters=tuple(structure["point_letters"]),
        locations={kind: [_pattern(t, r"\d+(?!\d)", within_text=True) for t in ts]
                   for kind, ts in structure["locations"].items()},
        elisions=tuple(structure["elisions"]),
    )


def _check(lang: str, words: dict) -> None:
    """``ValueError`` naming what ``grammars/<lang>.json`` lacks or states wrongly."""
    structure = words.get("structure", {})
    missing = [key for key in (*_UNIT_KINDS, "number_words", "point_letters", "locations", "elisions")
               if key not in structure]
    if missing or "act_types" not in words:
        raise ValueError(f"grammars/{lang}.json lacks words.structure.{missing} or words.act_types")
    if unknown := set(words["act_types"].values()) - set(ACT_TYPES):
        raise ValueError(f"grammars/{lang}.json: act types {sorted(unknown)} are none of {ACT_TYPES}")
    if bad := [t for kind in _UNIT_KINDS for t in structure[kind] if t.count("{n}") != 1]:
        raise ValueError(f"grammars/{lang}.json: unit titles {bad} need exactly one {{n}}")
    if len(structure["point_letters"]) > len(LATIN_LETTERS):
        raise ValueError(f"grammars/{lang}.json: more point letters than Latin letters to map them to")
    if set(structure["locations"]) != set(_LOCATION_KINDS):
        raise ValueError(f"grammars/{lang}.json: words.structure.locations needs exactly {_LOCATION_KINDS}")
