"""Decisions in their own language: dates, amounts, outcome words, case references, parties and the
other laws a decision cites.

Each language's grammar is one JSON file, ``parsers/grammars/decisions/<lang>.json`` (beside the
citation grammars of ``parsers.xref``), read by this one engine. Every pattern is a Python regex
matched, ignoring case, on *folded* text: whitespace runs are one space and letter-spaced words
("B E S C H E I D", "a b g e w i e s e n") are closed up, as PDF text often has them. Only the
``reasons`` and ``ruling`` headings are matched line by line (``^``/``$`` are a line's ends), on
unfolded text, and party patterns are matched with case, names being capitalised. In JSON a regex's
backslash is written twice: ``"\\\\d{4}"``. A file with a field not listed here, or without one of
them, is refused with its name.

The fields of a grammar (all required; an empty list, an empty object or null when a language's
decisions have none):

``lang``
    its ISO 639-1 code, the file's name.
``about``
    a sentence on whose decisions it was written from and how they write what it reads.
``countries``
    ISO 3166-1 alpha-2 codes of the countries where the language is official: a document's authority is
    looked up among theirs (and the Union's) when no hint names it.
``months``
    every month name as written, lower-case, with its inflected and abbreviated forms → its number 1–12.
``date_patterns``
    the ways a date is written, each matched whole: groups ``y`` (four digits) and ``d`` (day) and either
    ``m`` (month as a number) or ``month`` (a name); ``{month}`` stands for any of ``months``. A pattern
    without ``d`` reads a date known to its month ("maart 2019", or a form whose day was left blank).
``thousands``, ``decimal``
    the characters grouping digits by three (several allowed: ``" ."``) and the decimal mark.
``currencies``
    each way a currency is written ("€", "euros", "лв.") → its ISO 4217 code.
``fine_cues``
    what an imposed amount follows (within 120 characters without digits), most telling first.
``homoglyphs``
    letters of another script that look like the language's own → the letter meant ("a" → "а" in
    Bulgarian, where PDF text writes "жалбa" with a Latin a); replaced, one character for one, inside
    words holding a letter of the language's script, before anything is matched.
``outcomes``
    an ``Outcome`` value (``not_a_decision``, ``fine``, ``ban``, ``reprimand``, ``order``, ``dismissal``,
    ``opinion``, ``findings``) → the words of the operative part that say it; ``Outcome``'s order
    decides between them. ``not_a_decision`` comes first: the words by which a document says it is
    guidance, news, a speech or an interview; such a document has no fine, whatever amounts it names.
``reasons``
    the heading that ends the document's head (where its ruling and parties are), or null: without it
    (or in a document without it) the head is the first 3,000 characters.
``ruling``
    the heading of the operative part when it comes after the reasons, or null.
``decision_date_cues``, ``publication_date_cues``
    where the decision's date, and the publication's, are stated: ``{date}`` stands for any date
    ``date_patterns`` read; the first cue found wins. A date no cue announces is not the decision's.
``case_patterns``
    the case reference, as group ``ref`` (spaces beside its ``-`` and ``/`` are closed up).
``subpatterns``
    name → a regex that party patterns share, written in them as ``{name}``.
``party_patterns``
    an organisation a decision names: group ``name`` and, optionally, ``role``; ``{role}`` stands for any of
    ``roles`` (matched ignoring case).
``roles``
    a role word, lower-case → ``controller``, ``processor`` or ``respondent``.
``other_laws``
    a name to report ("the DSG") → the pattern of another law a decision may cite instead of the GDPR.

A document's language is identified with CLD2 (``pycld2``, offline), which knows every language of the
EEA; a language without a grammar file is reported as such, never read with another's grammar.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pycld2

from parsers.normalise.dates import parse_date
from parsers.normalise.money import parse_money
from parsers.normalise.organisations import organisation
from schema.enforcement import Money, Organisation, Outcome, PartialDate, PartyRole

__all__ = ["Grammar", "detect", "fold", "grammar", "languages"]

_GRAMMARS = Path(__file__).resolve().parent.parent / "grammars" / "decisions"
_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
_WHITESPACE = re.compile(r"\s+")
_GROUP = re.compile(r"\(\?P<\w+>")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,])")  # "S.A.U ." as PDF text spaces it
_SUBPATTERN = re.compile(r"\{([a-z_]+)\}")
_REF_JOINT = re.compile(r"\s*([-/])\s*")  # "ППН- 01- 737/2018" as PDF text spaces it
_WORD_RUN = re.compile(r"\w+")
# CLD2 takes UTF-8 text without control characters (pypdf leaves some in).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Of a document with no reasons heading, the head is this many characters.
_HEAD = 3000
# An amount follows its cue within this many characters that are not digits.
_CUE_GAP = 120
# The language of a document shows in its first pages.
_DETECT_CHARS = 20_000


def fold(text: str) -> str:
    """One space for every run of whitespace; letter-spaced words closed up."""
    return _WHITESPACE.sub(" ", _closed_up(text)).strip()


def _closed_up(text: str) -> str:
    return _LETTER_SPACED.sub(lambda match: match.group().replace(" ", ""), text)


@dataclass(frozen=True)
class Grammar:
    """How decisions in one language state what a parser looks for (the fields of its JSON file)."""

    lang: str
    about: str
    countries: frozenset[str]
    months: Mapping[str, int]
    date_patterns: tuple[str, ...]
    thousands: str
    decimal: str
    currencies: Mapping[str, str]
    homoglyphs: Mapping[str, str]
    fine_cues: tuple[str, ...]
    outcomes: Mapping[Outcome, str]
    reasons: str | None
    ruling: str | None
    decision_date_cues: tuple[str, ...]
    publication_date_cues: tuple[str, ...]
    case_patterns: tuple[str, ...]
    party_patterns: tuple[str, ...]  # with the subpatterns written in
    roles: Mapping[str, PartyRole]
    other_laws: Mapping[str, str]

    # -- the script ------------------------------------------------------------------------------------
    @cached_property
    def _script(self) -> tuple[dict[int, str], str | None]:
        """The homoglyphs' translation table and the script they are letters of ("CYRILLIC")."""
        scripts = {_script_of(letter) for letter in self.homoglyphs.values()}
        if len(scripts) > 1:
            raise ValueError(f"homoglyphs of {self.lang!r} stand for letters of several scripts: {sorted(scripts)}")
        return str.maketrans(dict(self.homoglyphs)), next(iter(scripts), None)

    def normalised(self, text: str) -> str:
        """``text`` with the homoglyphs inside the language's words replaced, character for character
        (so that every span of ``text`` is the same span of the result)."""
        table, script = self._script
        if script is None:
            return text
        return _WORD_RUN.sub(lambda word: word.group().translate(table)
                             if any(_script_of(char) == script for char in word.group()) else word.group(), text)

    # -- dates ------------------------------------------------------------------------------------
    @cached_property
    def _dates(self) -> list[re.Pattern[str]]:
        months = "|".join(sorted(map(re.escape, self.months), key=len, reverse=True))
        return [re.compile(pattern.replace("{month}", f"(?:{months})"), re.I) for pattern in self.date_patterns]

    @cached_property
    def _any_date(self) -> str:
        return "|".join(_GROUP.sub("(?:", pattern.pattern) for pattern in self._dates)

    def parse_date(self, text: str) -> PartialDate:
        """``"4 de agosto de 2020"`` → 2020-08-04; a month and year is a date to the month."""
        text = fold(text)
        for pattern in self._dates:
            if match := pattern.fullmatch(text):
                return self._date(match)
        raise ValueError(f"{text!r} is not a date in {self.lang!r}")

    def find_date(self, cues: tuple[str, ...], text: str) -> PartialDate | None:
        """The date after the first of ``cues`` found in folded ``text``."""
        for cue in cues:
            for match in re.finditer(cue.replace("{date}", f"(?P<date>{self._any_date})"), text, re.I):
                try:
                    return self.parse_date(match["date"])
                except ValueError:  # "31.02.2019" reads as a date and is none
                    continue
        return None

    def _date(self, match: re.Match[str]) -> PartialDate:
        groups = match.groupdict()
        month = groups.get("m") or self.months[groups["month"].lower()]
        day = groups.get("d")
        iso, fmt = (f"{groups['y']}-{month}-{day}", "%Y-%m-%d") if day else (f"{groups['y']}-{month}", "%Y-%m")
        return parse_date(iso, [fmt]).model_copy(update={"raw": match.group()})

    # -- money ------------------------------------------------------------------------------------
    @cached_property
    def _money(self) -> re.Pattern[str]:
        group, mark = re.escape(self.thousands), re.escape(self.decimal)
        number = rf"\d{{1,3}}(?:[{group}]\d{{3}})+(?:{mark}\d{{1,2}})?|\d+(?:{mark}\d{{1,2}})?"
        dashes = rf"(?:{mark}-{{1,2}})?"  # "2.200,--": no cents
        names = sorted(self.currencies, key=len, reverse=True)
        currency = "|".join(rf"\b{re.escape(name)}" + (r"\b" if name[-1].isalpha() else "")
                            if name[0].isalpha() else re.escape(name) for name in names)
        return re.compile(rf"(?P<before>{currency}) ?(?P<n1>{number}){dashes}(?!\d)"
                          rf"|(?<!\d)(?<!\d[{group}{mark}])(?P<n2>{number}){dashes} ?(?P<after>{currency})", re.I)

    def parse_money(self, text: str, on: dt.date | None = None) -> Money:
        """``"EUR 2.200,--"``, ``"SEK 200 000"``, ``"£500,000"`` → Money, in euro as of ``on``."""
        match = self._money.fullmatch(fold(text))
        if match is None:
            raise ValueError(f"{text!r} is not an amount in {self.lang!r}")
        return self._amount(match, on)

    def find_fine(self, texts: tuple[str, ...], on: dt.date | None = None) -> Money | None:
        """The amount after the most telling fine cue found, looking through ``texts`` in turn
        (the operative part first, then the whole document)."""
        for text in texts:
            for cue in self.fine_cues:
                pattern = rf"(?:{cue})\D{{0,{_CUE_GAP}}}?(?P<money>{self._money.pattern})"
                if match := re.search(pattern, text, re.I):
                    return self._amount(self._money.fullmatch(match["money"]), on)
        return None

    def _amount(self, match: re.Match[str], on: dt.date | None) -> Money:
        number = match["n1"] or match["n2"]
        written = match["before"] or match["after"]
        code = next(code for name, code in self.currencies.items() if name.lower() == written.lower())
        money = parse_money(number, thousands=self.thousands, decimal=self.decimal, currency=code, on=on)
        return money.model_copy(update={"raw": match.group()})

    # -- the document's parts ---------------------------------------------------------------------
    def operative_part(self, text: str) -> tuple[str, str]:
        """Where a decision says what it decides and against whom, folded: its head (up to the
        reasons) and its ruling (from the ruling heading to the next reasons heading, or the end;
        empty when the grammar or the document has none)."""
        text = _closed_up(text)
        reasons = list(re.finditer(self.reasons, text, re.I | re.M)) if self.reasons else []
        head = text[:reasons[0].start()] if reasons else text[:_HEAD]
        rulings = list(re.finditer(self.ruling, text, re.I | re.M)) if self.ruling else []
        if not rulings:
            return fold(head), ""
        start = rulings[-1].end()
        end = next((r.start() for r in reasons if r.start() > start), len(text))
        return fold(head), fold(text[start:end])

    def outcome(self, operative: str) -> Outcome:
        """The first outcome, in ``Outcome`` order, whose words the operative part uses."""
        found = {outcome for outcome, pattern in self.outcomes.items() if re.search(pattern, operative, re.I)}
        return next((outcome for outcome in Outcome if outcome in found), Outcome.OTHER)

    def case_reference(self, text: str) -> str | None:
        for pattern in self.case_patterns:
            if match := re.search(pattern, text, re.I):
                return _REF_JOINT.sub(r"\1", fold(match["ref"]))
        return None

    def find_parties(self, text: str) -> list[Organisation]:
        """The organisations the patterns name (matched with case: names are capitalised), once each by
        match key, with the first role stated."""
        roles = "|".join(sorted(map(re.escape, self.roles), key=len, reverse=True))
        found: dict[str, Organisation] = {}
        for pattern in self.party_patterns:
            for match in re.finditer(pattern.replace("{role}", f"(?i:{roles})"), text):
                org = organisation(_SPACE_BEFORE_MARK.sub(r"\1", match["name"]))
                role = self.roles.get((match.groupdict().get("role") or "").lower())
                if org.key and (org.key not in found or role and not found[org.key].role):
                    found[org.key] = org.model_copy(update={"role": role or org.role})
        return list(found.values())

    def laws_named(self, text: str) -> list[str]:
        """The other laws ``other_laws`` finds in ``text``, in order of first mention."""
        first = {name: match.start() for name, pattern in self.other_laws.items()
                 if (match := re.search(pattern, text, re.I))}
        return sorted(first, key=first.get)


def _script_of(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def languages() -> list[str]:
    """The languages with a decision grammar."""
    return sorted(path.stem for path in _GRAMMARS.glob("*.json"))


@cache
def grammar(lang: str) -> Grammar:
    if lang not in languages():
        raise ValueError(f"no decision grammar for language {lang!r}: have {languages()}")
    path = _GRAMMARS / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("lang") != lang:
        raise ValueError(f"{path.name} is the decision grammar of {data.get('lang')!r}, not of {lang!r}")
    fields = set(Grammar.__dataclass_fields__)
    if unknown := set(data) - fields - {"subpatterns"}:
        raise ValueError(f"{path.name}: unknown fields {sorted(unknown)}; a grammar has {sorted(fields)}")
    try:
        return _grammar(data)
    except (KeyError, ValueError, re.error) as error:
        raise ValueError(f"{path.name}: {type(error).__name__}: {error}") from error


def _grammar(data: dict) -> Grammar:
    subpatterns = data["subpatterns"]

    def written_in(pattern: str) -> str:
        return _SUBPATTERN.sub(lambda name: subpatterns.get(name[1], name.group()), pattern)

    return Grammar(
        **{key: data[key] for key in ("lang", "about", "thousands", "decimal", "reasons", "ruling")},
        countries=frozenset(data["countries"]),
        months={name.lower(): number for name, number in data["months"].items()},
        currencies=data["currencies"],
        homoglyphs=data["homoglyphs"],
        outcomes={Outcome(outcome): pattern for outcome, pattern in data["outcomes"].items()},
        roles={word.lower(): PartyRole(role) for word, role in data["roles"].items()},
        other_laws=data["other_laws"],
        party_patterns=tuple(map(written_in, data["party_patterns"])),
        **{key: tuple(data[key]) for key in ("date_patterns", "fine_cues", "decision_date_cues",
                                             "publication_date_cues", "case_patterns")},
    )


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language CLD2 reads in ``text``; None when it cannot tell."""
    sample = _CONTROL.sub(" ", text[:_DETECT_CHARS]).encode("utf-8", "replace")
    _, _, found = pycld2.detect(sample, isPlainText=True, bestEffort=True)
    code = found[0][1]
    return None if code == "un" else code
