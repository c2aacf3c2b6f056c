"""What a short text — a question, a command-line filter — names: provisions, countries, authorities
and dates, read with the extractors ingestion uses (the cross-reference grammars, the country table,
the authority gazetteer, the decision grammars' month names).

Every finder returns mentions in the order of the text, each with its span, so that a caller can
tell which words are already accounted for. The ``…_given`` readers take a filter's whole text as
naming one thing, and refuse it with ``NotUnderstood`` when it does not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
import re
import runpy
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from parsers.decision_lang import grammar as decision_grammar
from parsers.decision_lang import languages as decision_languages
from parsers.normalise import match_key
from parsers.normalise.authorities import gazetteer
from parsers.normalise.countries import country_code, country_names
from parsers.normalise.dates import parse_date
from parsers.xref import extract_references, languages
from schema.enforcement import Authority, Precision
from schema.ids import ACT_TYPES, GDPR, SEGMENT_PREFIX, Kind, act_of, kind_of

_QUERY_TEXT = "query"  # a citing id in no act: what a text names with its act resolves, and nothing else
_WORD = re.compile(r"[^\W_]+")
_LONGEST_COUNTRY = 4  # words in the longest country name worth finding ("Isle of Man", "Czech Republic")


class NotUnderstood(ValueError):
    """Words given to name one thing — a provision, a country, an authority — that name nothing the
    snapshot has, or several things; the message says what was not understood and what is accepted."""


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
_PROVISION_FORMS = ("an id (art_6, art_6/par_1, eu/reg/2016/679/art_6) or a citation as written in a language of "
                   "the law ('Article 17', 'Art. 5(1)(f)', 'Artikel 6 DSGVO', 'article 6 du RGPD')")
_SEGMENT = rf"(?:{'|'.join(SEGMENT_PREFIX.values())})_[A-Za-z0-9]+"
_ID = re.compile(rf"(?<![\w/])(?:eu/(?:{'|'.join(ACT_TYPES)})/\d{{4}}/\d+(?:/{_SEGMENT})*|{_SEGMENT}(?:/{_SEGMENT})*)"
                 r"(?![\w/])")
_BARE_NUMBER = re.compile(r"\s*(\d+)\s*")


def full_id(provision_id: str) -> str:
    """Accept ``art_17/par_1`` as short for the GDPR's ``eu/reg/2016/679/art_17/par_1``."""
    return provision_id if provision_id.startswith("eu/") else f"{GDPR}/{provision_id.strip('/')}"


def short_id(provision_id: str) -> str:
    """A GDPR provision's id relative to the GDPR (``art_17/par_1``), as ``full_id`` reads it; others whole."""
    return provision_id.removeprefix(f"{GDPR}/")


def provision_given(text: str, known: frozenset[str]) -> str:
    """The one provision (or act) of ``known`` that ``text`` names whole: an id, or a citation as
    written in any language of the law with at most its act's name and stop words beside it
    ("article 6 du RGPD"). A bare number, a provision ``known`` lacks, several provisions or words
    left unread are refused, each with its reason and the forms accepted."""
    if number := _BARE_NUMBER.fullmatch(text):
        raise NotUnderstood(_bare_number(number[1], known))
    if missing := next((full_id(m.group()) for m in _ID.finditer(text) if full_id(m.group()) not in known), None):
        raise NotUnderstood(f"the snapshot has no provision {missing}{_holds(missing, known)}; give {_PROVISION_FORMS}")
    named = provisions_named(text, None, known)
    ids = list(dict.fromkeys(mention.id for mention in named))
    if not ids:
        raise NotUnderstood(f"{text!r} names no provision the snapshot has; give {_PROVISION_FORMS}")
    if len(ids) > 1:
        raise NotUnderstood(f"{text!r} names {len(ids)} provisions ({', '.join(map(short_id, ids))}); give one: "
                            f"{_PROVISION_FORMS}")
    if unread := _unread_words(text, named, known):
        raise NotUnderstood(f"{' '.join(unread)!r} in {text!r} is not understood (it reads as {short_id(ids[0])} "
                            f"without it); give {_PROVISION_FORMS}")
    return ids[0]


def _bare_number(number: str, known: frozenset[str]) -> str:
    guesses = [f"{prefix}_{number} / {word} {number}" for prefix, word in (("art", "Article"), ("rct", "Recital"))
               if f"{GDPR}/{prefix}_{number}" in known]
    return f"{number!r} is a bare number, which names no provision: " + (
        f"did you mean {' or '.join(guesses)}?" if guesses else f"give {_PROVISION_FORMS}")


def _holds(missing: str, known: frozenset[str]) -> str:
    """What the nearest provision containing ``missing`` holds, when one below the act does."""
    container = missing.rsplit("/", 1)[0]
    while container not in known and container.count("/") > 3:
        container = container.rsplit("/", 1)[0]
    if container not in known or kind_of(container) is Kind.ACT:
        return ""
    below = sorted((id_ for id_ in known if id_.rsplit("/", 1)[0] == container), key=lambda id_: (len(id_), id_))
    return f" ({short_id(container)} holds {', '.join(map(short_id, below)) or 'no subdivisions'})"


def _unread_words(text: str, named: list[NamedProvision], known: frozenset[str]) -> list[str]:
    """The words of ``text`` outside ``named`` that are neither stop words nor a name of its act ("du RGPD")."""
    rest, act = _blank(text, named), act_of(named[0].id)
    if _words_besides_stop_words(rest) and act in known:
        rest = _blank(rest, [mention for mention in provisions_named(rest, None, known) if mention.id == act])
    return _words_besides_stop_words(rest)


def _words_besides_stop_words(text: str) -> list[str]:
    return [word.text for word in words(text) if word.key not in _grammar_words()]


def _blank(text: str, mentions: Iterable[NamedProvision]) -> str:
    """``text`` with the characters of ``mentions`` made spaces, so that the rest keeps its offsets."""
    chars = list(text)
    for mention in mentions:
        chars[mention.start:mention.end] = " " * (mention.end - mention.start)
    return "".join(chars)


def provisions_named(text: str, lang: str | None, known: frozenset[str],
                     langs: Sequence[str] | None = None) -> list[NamedProvision]:
    """The provisions of ``known`` that ``text`` names, in its order. An id names itself (``art_17/par_1``,
    ``eu/reg/2016/679/art_6``); a provision written without its act is the GDPR's ("Article 17"), one
    written with another act that act's; an act named alone is the act, when the text names nothing else.

    Written mentions are read with the grammar of ``lang`` if it resolves every mention it sees; else
    (and with no ``lang``) with the other grammars of ``langs`` (default: all): of the readings that
    resolve every mention they see, the one covering most text ("Art. 5 Abs. 1 lit. f" is German, not
    the Danish "Art. 5" and some words), else of all."""
    ids = [NamedProvision(id=full_id(m.group()), matched_text=m.group(), start=m.start(), end=m.end())
           for m in _ID.finditer(text)]
    written = _blank(text, ids)
    named = [*(mention for mention in ids if mention.id in known),
             *(_written(written, lang, known, langs) if _WORD.search(written) else [])]
    return sorted(named, key=lambda mention: mention.start)


def _written(text: str, lang: str | None, known: frozenset[str], langs: Sequence[str] | None) -> list[NamedProvision]:
    grammars = languages()
    readings = [_read(text, grammar_lang, known)
                for grammar_lang in dict.fromkeys([lang, *(grammars if langs is None else langs)])
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


def country_given(text: str) -> str:
    """The country ``text`` names whole, as ``country_code`` reads it: "ES", "es", "Spain", "España"."""
    if code := country_code(text):
        return code
    names = {name: f"{names[0]} ({code})" for code, names in country_names().items() for name in names}
    raise NotUnderstood(f"no country {text!r}{_closest(text, names)}; give an ISO 3166-1 alpha-2 code or the "
                        "country's name in English or its own language: ES, Spain, España")


def _closest(text: str, labels: Mapping[str, str]) -> str:
    """", closest: …" and the labels of up to three names written most like ``text``, if any are."""
    by_key: dict[str, str] = {}
    for name, label in labels.items():
        by_key.setdefault(match_key(name), label)
    close = dict.fromkeys(by_key[key] for key in difflib.get_close_matches(match_key(text), by_key, n=3))
    return f", closest: {'; '.join(close)}" if close else ""


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


def authority_given(text: str, country: str | None = None) -> str:
    """The one authority (of ``country``, if given) that ``text`` names whole: an id, or a name,
    abbreviation, former name or alias the gazetteer holds. A name several authorities share is
    refused with their names, ids and countries; an unknown one with the names closest to it."""
    authorities = gazetteer().authorities
    where = f" in {country}" if country else ""
    if text in authorities:
        if country and authorities[text].country != country:
            raise NotUnderstood(f"{text} is an authority of {authorities[text].country}, not{where}")
        return text
    if found := gazetteer().resolve(text, country):
        return found
    if len(bearing := gazetteer().bearing(text, country)) > 1:
        several_countries = len({authorities[id_].country for id_ in bearing}) > 1
        raise NotUnderstood(f"{text!r} names {len(bearing)} authorities{where}: {_authority_labels(bearing)}; "
                            "give one's id" + (", or its country" if several_countries else ""))
    if elsewhere := gazetteer().bearing(text):
        raise NotUnderstood(f"no authority {text!r}{where}; by that name: {_authority_labels(elsewhere)}")
    names = {name: f"{name} ({authority.id}, {authority.country})" for authority in authorities.values()
             for name in (authority.name_en, *authority.names.values(), *authority.abbreviations,
                          *authority.former_names, *authority.aliases)}
    raise NotUnderstood(f"no authority {text!r}{where}{_closest(text, names)}; give a name, abbreviation or id the "
                        "gazetteer knows (e.g. 'AEPD', 'authority/es/aepd')")


def _authority_labels(ids: Iterable[str]) -> str:
    authorities = gazetteer().authorities
    return "; ".join(f"{authorities[id_].name_en} ({id_}, {authorities[id_].country})" for id_ in sorted(ids))


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
