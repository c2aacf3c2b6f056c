"""Decisions in their own language: dates, amounts, outcome words, case references, parties and the
other laws a decision cites.

Each language is one module of data (``de``, ``es``, ``nl``, ``sv``, ``fr``, ``en``) holding a
``GRAMMAR``; this engine reads them all the same way. Every pattern is a regex matched, ignoring
case, on *folded* text: whitespace runs are one space and letter-spaced words ("B E S C H E I D",
"a b g e w i e s e n") are closed up, as PDF text often has them. ``{month}`` in a date pattern is
any month name; ``{date}`` in a cue is any date; ``{role}`` in a party pattern any role word.
Only the ``reasons`` and ``ruling`` headings are matched line by line, on unfolded text, and party
patterns are matched with case, names being capitalised.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pkgutil import iter_modules

from parsers.normalise.dates import parse_date
from parsers.normalise.money import parse_money
from parsers.normalise.organisations import organisation
from schema.enforcement import Money, Outcome, PartialDate, Party, PartyRole

__all__ = ["Grammar", "detect", "fold", "grammar", "languages"]

_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
_WHITESPACE = re.compile(r"\s+")
_GROUP = re.compile(r"\(\?P<\w+>")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,])")  # "S.A.U ." as PDF text spaces it
_WORD = re.compile(r"[^\W\d_]+")
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
    """How decisions in one language state what a parser looks for."""

    lang: str
    countries: frozenset[str]  # where the language is official: its authorities are looked up there
    stopwords: frozenset[str]  # common words telling the language of an unlabelled document
    months: Mapping[str, int]
    date_patterns: tuple[str, ...]  # groups d, m or month, y
    thousands: str  # characters grouping digits by three
    decimal: str
    currencies: Mapping[str, str]  # as written → ISO 4217
    fine_cues: tuple[str, ...]  # what an imposed amount follows, most telling first
    outcomes: tuple[tuple[Outcome, str], ...]
    reasons: str | None  # the heading that ends the document's head (its ruling and parties)
    ruling: str | None  # the heading of the operative part, when it comes after the reasons
    decision_date_cues: tuple[str, ...]  # with {date}; the first found wins
    publication_date_cues: tuple[str, ...]
    case_patterns: tuple[str, ...]  # group ref
    party_patterns: tuple[str, ...]  # groups name and, optionally, role
    roles: Mapping[str, PartyRole]
    other_laws: tuple[tuple[str, str], ...]  # (name to report, pattern)

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
        currency = "|".join(rf"\b{re.escape(name)}\b" if name.isalpha() else re.escape(name) for name in names)
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
        found = {outcome for outcome, pattern in self.outcomes if re.search(pattern, operative, re.I)}
        return next((outcome for outcome in Outcome if outcome in found), Outcome.OTHER)

    def case_reference(self, text: str) -> str | None:
        for pattern in self.case_patterns:
            if match := re.search(pattern, text, re.I):
                return fold(match["ref"])
        return None

    def find_parties(self, text: str) -> list[Party]:
        """The organisations the patterns name (matched with case: names are capitalised), once each by
        match key, with the first role stated."""
        roles = "|".join(sorted(map(re.escape, self.roles), key=len, reverse=True))
        found: dict[str, Party] = {}
        for pattern in self.party_patterns:
            for match in re.finditer(pattern.replace("{role}", f"(?i:{roles})"), text):
                org = organisation(_SPACE_BEFORE_MARK.sub(r"\1", match["name"]))
                role = self.roles.get((match.groupdict().get("role") or "").lower())
                if org.key and (org.key not in found or role and not found[org.key].role):
                    found[org.key] = Party(**org.model_dump(), role=role)
        return list(found.values())

    def laws_named(self, text: str) -> list[str]:
        """The other laws ``other_laws`` finds in ``text``, in order of first mention."""
        first = {name: match.start() for name, pattern in self.other_laws
                 if (match := re.search(pattern, text, re.I))}
        return sorted(first, key=first.get)


def languages() -> list[str]:
    """The languages with a grammar module."""
    return sorted(module.name for module in iter_modules(__path__))


@cache
def grammar(lang: str) -> Grammar:
    if lang not in languages():
        raise ValueError(f"no decision grammar for language {lang!r}: have {languages()}")
    return importlib.import_module(f"{__name__}.{lang}").GRAMMAR


def detect(text: str) -> str:
    """The language whose stopwords ``text`` uses most."""
    words = [word.lower() for word in _WORD.findall(text[:_DETECT_CHARS])]
    scores = {lang: sum(word in grammar(lang).stopwords for word in words) for lang in languages()}
    return max(scores, key=scores.get)
