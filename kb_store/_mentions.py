"""What a short text — a question, a command-line filter — names: provisions, countries, authorities
and dates, read with the extractors ingestion uses (the cross-reference grammars, the country table,
the authority gazetteer, the decision grammars' month names).

Every finder returns mentions in the order of the text, each with its span, so that a caller can
tell which words are already accounted for.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import runpy
from collections.abc import Collection, Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from parsers.decision_lang import grammar as decision_grammar
from parsers.decision_lang import languages as decision_languages
from parsers.normalise import match_key
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code
from parsers.normalise.dates import parse_date
from parsers.xref import extract_references, languages
from schema.enforcement import Authority, Precision
from schema.ids import GDPR, Kind, kind_of

_QUERY_TEXT = "query"  # a citing id in no act: what a text names with its act resolves, and nothing else
_WORD = re.compile(r"[^\W_]+")
_LONGEST_COUNTRY = 4  # words in the longest country name worth finding ("Isle of Man", "Czech Republic")


class Mention(BaseModel):
    """Something a text names: its id, the words naming it and their span."""

    model_config = ConfigDict(frozen=True)

    id: str
    matched_text: str
    start: int
    end: int


class NamedProvision(Mention):
    """A provision (or an act) the text names, by its id in the graph."""


class NamedDate(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: dt.date  # a month or a year stands for its first day
    precision: Precision
    matched_text: str
    start: int
    end: int


class Word(NamedTuple):
    key: str  # casefolded, accents dropped
    text: str
    start: int
    end: int


@lru_cache(maxsize=256)
def words(text: str) -> tuple[Word, ...]:
    """The words and numbers of ``text`` with their spans ("l’oubli" is two words, "l" and "oubli");
    kept for the last texts read, which every finder reads again."""
    return tuple(Word(key, match.group(), match.start(), match.end())
                 for match in _WORD.finditer(text) for key in match_key(match.group()).split())


def word_keys(text: str) -> set[str]:
    """The match keys of the words of ``text``, as ``words`` reads them, without their spans."""
    return {key for word in set(_WORD.findall(text)) for key in match_key(word).split()}


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words of ``lang`` as match keys; none for a language spaCy has no list for."""
    # Read the list alone: importing spacy.lang.<lang> loads its tokenizer exceptions, seconds for French.
    spacy = importlib.util.find_spec("spacy")
    path = Path(spacy.origin).parent / "lang" / lang / "stop_words.py" if spacy and spacy.origin else None
    if path is None or not path.is_file():
        return frozenset()
    return frozenset(match_key(word) for word in runpy.run_path(str(path))["STOP_WORDS"]) - {""}


# -- provisions -------------------------------------------------------------------------------------
def provisions_named(text: str, lang: str, known: frozenset[str],
                     langs: Sequence[str] | None = None) -> list[NamedProvision]:
    """The provisions of ``known`` that ``text`` names, in its order. A provision named without its
    act is the GDPR's ("Article 17"), one named with another act that act's; an act named alone is
    the act, when the text names nothing else.

    Read with the grammar of ``lang`` if it resolves every mention it sees; else with the other grammars
    of ``langs`` (default: all): of the readings that resolve every mention they see, the one covering
    most text ("Art. 5 Abs. 1 lit. f" is German, not the Danish "Art. 5" and some words), else of all."""
    grammars = languages()
    readings = [_read(text, grammar_lang, known) for grammar_lang in dict.fromkeys([lang, *(grammars if langs is None else langs)])
                if grammar_lang in grammars]
    if readings and readings[0].complete and lang in grammars:
        return readings[0].named
    complete = [reading for reading in readings if reading.complete]
    return max(complete or readings, key=lambda reading: reading.covered).named if readings else []


class _Reading(NamedTuple):
    named: list[NamedProvision]
    complete: bool  # a provision below an act found, and no mention left unresolved
    covered: int  # characters of the text the resolved mentions span


def _read(text: str, lang: str, known: frozenset[str]) -> _Reading:
    references = extract_references(GDPR, text, lang, known)  # as GDPR text: bare "Article 17" is its own
    if not references:  # outside any act, the GDPR named alone is the act
        references = extract_references(_QUERY_TEXT, text, lang, known)
    found: dict[tuple[str, int], NamedProvision] = {}
    for reference in references:
        if reference.target_id in known:
            found.setdefault((reference.target_id, reference.start), NamedProvision(
                id=reference.target_id, matched_text=reference.text, start=reference.start, end=reference.end))
    named = sorted(found.values(), key=lambda mention: mention.start)
    covered = len({char for mention in named for char in range(mention.start, mention.end)})
    below_act = any(kind_of(mention.id) is not Kind.ACT for mention in named)
    return _Reading(named, below_act and all(r.target_id in known for r in references), covered)


# -- countries --------------------------------------------------------------------------------------
# People name a country by its adjective too ("the French authority", "spanische Bußgelder"), which
# the country table does not hold: English, French and German adjectives, as match keys.
_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "AT": ("austrian", "autrichien", "osterreichisch"), "BE": ("belgian", "belge", "belgisch"),
    "BG": ("bulgarian", "bulgare", "bulgarisch"), "CY": ("cypriot", "chypriote", "zyprisch"),
    "CZ": ("czech", "tcheque", "tschechisch"), "DE": ("german", "allemand", "deutsch"),
    "DK": ("danish", "danois", "danisch"), "EE": ("estonian", "estonien", "estnisch"),
    "ES": ("spanish", "espagnol", "spanisch"), "FI": ("finnish", "finlandais", "finnisch"),
    "FR": ("french", "francais", "franzosisch"), "GB": ("british", "britannique", "britisch"),
    "GR": ("greek", "grec", "griechisch"), "HR": ("croatian", "croate", "kroatisch"),
    "HU": ("hungarian", "hongrois", "ungarisch"), "IE": ("irish", "irlandais", "irisch"),
    "IS": ("icelandic", "islandais", "islandisch"), "IT": ("italian", "italien", "italienisch"),
    "LT": ("lithuanian", "lituanien", "litauisch"), "LU": ("luxembourgish", "luxembourgeois", "luxemburgisch"),
    "LV": ("latvian", "letton", "lettisch"), "MT": ("maltese", "maltais", "maltesisch"),
    "NL": ("dutch", "neerlandais", "niederlandisch"), "NO": ("norwegian", "norvegien", "norwegisch"),
    "PL": ("polish", "polonais", "polnisch"), "PT": ("portuguese", "portugais", "portugiesisch"),
    "RO": ("romanian", "roumain", "rumanisch"), "SE": ("swedish", "suedois", "schwedisch"),
    "SI": ("slovenian", "slovene", "slowenisch"), "SK": ("slovak", "slovaque", "slowakisch"),
}
_ENDINGS = ("", "e", "s", "es", "n", "en", "er", "em", "ne", "nes")  # "française", "französischen"
_BY_ADJECTIVE = {adjective + ending: code for code, adjectives in _ADJECTIVES.items()
                 for adjective in adjectives for ending in _ENDINGS}


def countries_named(text: str) -> list[Mention]:
    """The countries ``text`` names (ISO 3166-1 alpha-2, as ``country_code`` reads them), by name in
    any language the country table holds, by adjective, or by a code written in capitals that is no
    word in a grammar's language: "FR", "UK", but not "in", "it", nor "IT" or "DE"; the longest first."""
    tokens = words(text)
    keys = [token.key for token in tokens]
    found: list[Mention] = []
    position = 0
    while position < len(tokens):
        length, code = _country_at(tokens, keys, position)
        if code is None:
            position += 1
            continue
        start, end = tokens[position].start, tokens[position + length - 1].end
        found.append(Mention(id=code, matched_text=text[start:end], start=start, end=end))
        position += length
    return found


def _country_at(tokens: tuple[Word, ...], keys: list[str], position: int) -> tuple[int, str | None]:
    """The most words from ``position`` on that name a country, and its code."""
    for length in range(min(_LONGEST_COUNTRY, len(keys) - position), 1, -1):
        if code := country_code(" ".join(keys[position:position + length])):
            return length, code
    token = tokens[position]
    if len(token.key) > 2 or (token.text.isupper() and token.key not in _grammar_words()):
        if code := country_code(token.key) or _BY_ADJECTIVE.get(token.key):
            return 1, code
    return 1, None


@cache
def _grammar_words() -> frozenset[str]:
    """The stop words of every language with a reference grammar."""
    return frozenset().union(*(stop_words(lang) for lang in languages()))


# -- authorities ------------------------------------------------------------------------------------
class _AuthorityName(NamedTuple):
    keys: tuple[str, ...]
    ids: frozenset[str]
    capitals: bool  # an abbreviation in capitals matches only in capitals: "ICO", not "ico"


def authorities_named(text: str, countries: Collection[str] = ()) -> list[Mention]:
    """The authorities ``text`` names (gazetteer ids), by any name, former name, abbreviation or alias
    the gazetteer holds, the longest name first. A name several authorities share ("Datatilsynet",
    "CNPD") counts when exactly one of them is in ``countries``. Two-letter abbreviations ("AP", "IP")
    and one-word aliases (region names, "Commissioner") are too common a word to count."""
    tokens = words(text)
    names = _authority_names()
    found: list[Mention] = []
    position = 0
    while position < len(tokens):
        match = next((name for name in names.get(tokens[position].key, ())
                      if _matches(text, tokens, position, name)), None)
        ids = match and (match.ids if len(match.ids) == 1 else
                         {id_ for id_ in match.ids if gazetteer().authorities[id_].country in countries})
        if not ids or len(ids) != 1:
            position += 1
            continue
        last = tokens[position + len(match.keys) - 1]
        found.append(Mention(id=next(iter(ids)), matched_text=text[tokens[position].start:last.end],
                             start=tokens[position].start, end=last.end))
        position += len(match.keys)
    return found


def _matches(text: str, tokens: tuple[Word, ...], position: int, name: _AuthorityName) -> bool:
    span = tokens[position:position + len(name.keys)]
    if tuple(token.key for token in span) != name.keys:
        return False
    written = text[span[0].start:span[-1].end]
    return not name.capitals or written == written.upper()


@cache
def _authority_names() -> dict[str, list[_AuthorityName]]:
    """Every name of the gazetteer by its first word, longest first."""
    ids_by_keys: dict[tuple[tuple[str, ...], bool], set[str]] = {}
    for authority in gazetteer().authorities.values():
        for name, capitals in _names_to_find(authority):
            for umlauts in (False, True):
                if keys := tuple(match_key(name, umlauts=umlauts).split()):
                    ids_by_keys.setdefault((keys, capitals), set()).add(authority.id)
    names: dict[str, list[_AuthorityName]] = {}
    for (keys, capitals), ids in ids_by_keys.items():
        names.setdefault(keys[0], []).append(_AuthorityName(keys, frozenset(ids), capitals))
    for candidates in names.values():
        candidates.sort(key=lambda name: (-len(name.keys), name.keys, name.capitals))
    return names


def _names_to_find(authority: Authority) -> Iterable[tuple[str, bool]]:
    for name in (authority.name_en, *authority.names.values(), *authority.former_names):
        yield name, False
    for alias in authority.aliases:
        if len(alias.split()) > 1:
            yield alias, False
    for abbreviation in authority.abbreviations:
        if sum(char.isalpha() for char in abbreviation) > 2:
            yield abbreviation, abbreviation.isupper()


# -- dates ------------------------------------------------------------------------------------------
_START = r"(?<![\d/.-])"
_END = r"(?!\d|[/.-]\d)"  # "2016/679" and "2019-20" are no dates
_MONEY = r"(?!\s*(?:[€£$]|(?:eur|euros?|gbp|sek|dkk|nok|pln)\b))"  # "2000 euros" is no year


@cache
def _month_numbers() -> dict[str, int]:
    """The month names of every decision grammar that mean one month in all of them: "listopad" is
    October in Croatian and November in Czech and Polish, so a text of unknown language leaves it unread."""
    numbers: dict[str, set[int]] = {}
    for lang in decision_languages():
        for name, number in decision_grammar(lang).months.items():
            numbers.setdefault(name.lower(), set()).add(number)
    return {name: next(iter(months)) for name, months in numbers.items() if len(months) == 1}


@cache
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    """Most precise first: a day, a month, a year; the month names of :func:`_month_numbers`."""
    months = sorted(_month_numbers(), key=lambda name: (-len(name), name))
    month = f"(?P<month>{'|'.join(map(re.escape, months))})"
    year = rf"(?P<y>(?:19|20)\d\d){_END}"
    return tuple(re.compile(pattern, re.I) for pattern in (
        rf"{_START}(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_END}",
        rf"{_START}(?P<d>\d{{1,2}})[./](?P<m>\d{{1,2}})[./]{year}",
        rf"{_START}(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?(?: day of| of| de)? {month}(?: de|,)? {year}",
        rf"\b{month} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? {year}",
        rf"\b{month}(?: de)? {year}",
        rf"{_START}(?P<y>\d{{4}})-(?P<m>\d{{2}}){_END}",
        rf"{_START}{year}{_MONEY}",
    ))


def dates_named(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[NamedDate]:
    """The dates ``text`` names — "2021-03-01", "1 March 2021", "1er mars 2021", "March 2021", "in
    2019" — outside the ``taken`` spans (a provision's "Regulation (EU) 2016/679"), in its order."""
    spans = list(taken)
    found: list[NamedDate] = []
    for pattern in _date_patterns() if any(char.isdigit() for char in text) else ():
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in spans):
                continue
            if (named := _date(match)) is not None:
                found.append(named)
                spans.append((match.start(), match.end()))
    return sorted(found, key=lambda named: named.start)


def _date(match: re.Match[str]) -> NamedDate | None:
    groups = match.groupdict()
    month = groups.get("m") or (_month_number(groups["month"]) if groups.get("month") else None)
    parts, formats = [groups["y"]], ["%Y"]
    if month:
        parts, formats = [*parts, str(month)], [*formats, "%m"]
    if groups.get("d"):
        parts, formats = [*parts, groups["d"]], [*formats, "%d"]
    try:
        parsed = parse_date("-".join(parts), ["-".join(formats)])
    except ValueError:  # "31.02.2019" reads as a date and is none
        return None
    return NamedDate(date=parsed.value, precision=parsed.precision, matched_text=match.group(),
                     start=match.start(), end=match.end())


def _month_number(name: str) -> int:
    return _month_numbers()[name.lower()]
