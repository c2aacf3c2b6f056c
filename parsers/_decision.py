"""What the decision parsers (PDF, GDPRhub) share: the authority a text names, the decision's id,
the GDPR provisions a text cites and, when it cites none, why."""

from __future__ import annotations

import collections
import re
from collections.abc import Callable, Iterable
from functools import cache

from parsers.decision_lang import Grammar
from parsers.normalise._keys import match_key
from parsers.normalise.authorities import gazetteer
from parsers.xref import extract_references, languages
from schema.enforcement import Authority, Citation, PartialDate
from schema.ids import GDPR, Kind, act_of, kind_of
from schema.law import CrossReference

_UNION = "EU"  # the country code of the Union's bodies (EDPB, EDPS)
_ACT_TYPES = {"reg": "Regulation", "dir": "Directive", "dec": "Decision"}
# A name this short and without spaces is an abbreviation, matched as written: "AP", "DSB", "BlnBDI".
_ABBREVIATION = 6
_TOKEN = re.compile(r"\S+")
_TRAILING_PARENTHESES = re.compile(r"\s*\([^()]*\)\s*$")
# Ids stay readable: a long case name is cut, at a word, to this many characters.
_SLUG = 80


# -- the authority ------------------------------------------------------------------------------
@cache
def _authority_names() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One pattern of every name of every authority, and the ids bearing each name (by match key).
    Single-word aliases ("Berlin", "Commissioner") are words of other texts, so they are left out."""
    ids: dict[str, set[str]] = collections.defaultdict(set)
    for authority in gazetteer().authorities.values():
        for name in _names(authority):
            ids[match_key(name)].add(authority.id)
    names = sorted({name for authority in gazetteer().authorities.values() for name in _names(authority)},
                   key=len, reverse=True)
    alternatives = (f"(?-i:{re.escape(name)})" if len(name) <= _ABBREVIATION and " " not in name
                    else re.escape(name).replace(r"\ ", r"\s+") for name in names)
    # Not inside a word, an e-mail address or a domain name ("datainspektionen@datainspektionen.se").
    pattern = re.compile(rf"(?<![\w@./])(?:{'|'.join(alternatives)})(?![\w@])", re.I)
    return pattern, {key: frozenset(value) for key, value in ids.items()}


def _names(authority: Authority) -> list[str]:
    return [authority.name_en, *authority.names.values(), *authority.abbreviations, *authority.former_names,
            *(alias for alias in authority.aliases if " " in alias)]


def is_authority(name: str) -> bool:
    """Whether ``name`` (less a trailing "(Country)") or its first word is a name some authority bears:
    "CNPD (Portugal)", "LfDI Baden-Württemberg (Germany)"."""
    _, ids_by_key = _authority_names()
    key = match_key(_TRAILING_PARENTHESES.sub("", name))
    return key in ids_by_key or key.split(" ", 1)[0] in ids_by_key


def _hinted_authority(hint: str | None) -> str | None:
    """A hint's authority: a gazetteer id, or a name the gazetteer resolves."""
    if hint is None:
        return None
    return hint if hint in gazetteer().authorities else gazetteer().resolve(hint)


def countries_of(lang: str, grammar: Grammar | None) -> frozenset[str]:
    """Where ``lang`` is official: as its decision grammar says, else where an authority bears a name in it."""
    if grammar is not None:
        return grammar.countries
    return frozenset(a.country for a in gazetteer().authorities.values() if lang in a.names)


def find_authority(text: str, countries: frozenset[str], hint: str | None) -> tuple[str | None, str | None]:
    """The authority ``text`` names most often, among those of the hint's country (else of ``countries``,
    where the document's language is official, and the Union), with the text of its first mention;
    names several of them bear ("Datenschutzbehörde", "CNPD") do not count, and a national authority
    named at all outranks the Union's bodies, whose guidelines and opinions national documents cite.
    Else the hint."""
    hinted = _hinted_authority(hint)
    authorities = gazetteer().authorities
    countries = {authorities[hinted].country} if hinted else countries | {_UNION}
    pattern, ids_by_key = _authority_names()
    counts: collections.Counter[str] = collections.Counter()
    first: dict[str, str] = {}
    for match in pattern.finditer(text):
        ids = [id_ for id_ in ids_by_key.get(match_key(match.group()), ()) if authorities[id_].country in countries]
        if len(ids) == 1:
            counts[ids[0]] += 1
            first.setdefault(ids[0], " ".join(match.group().split()))
    national = {id_: n for id_, n in counts.items() if authorities[id_].country != _UNION}
    if candidates := national or counts:
        best = max(candidates.values())
        found = next(id_ for id_ in first if candidates.get(id_) == best)
        return found, first[found]
    return hinted, hint


# -- the id -------------------------------------------------------------------------------------
def decision_id(authority_id: str | None, country: str | None, case_reference: str | None,
                decision_date: PartialDate, source: str | None) -> str:
    """``decision/at/dsb/dsb-d550-037-0003-dsb-2018/2018-12-20``: the authority (or country), the case
    reference (or the document's name) and the decision date, each where known."""
    issuer = authority_id.removeprefix("authority/") if authority_id else (country or "xx").lower()
    parts = ["decision", issuer, _slug(case_reference or source or "unnamed")]
    if decision_date.value:
        parts.append(decision_date.value.isoformat())
    return "/".join(parts)


def _slug(text: str) -> str:
    slug = match_key(text).replace(" ", "-")
    return (slug[:_SLUG].rsplit("-", 1)[0] if len(slug) > _SLUG else slug) or "unnamed"


# -- citations ----------------------------------------------------------------------------------
def _references(citing_id: str, text: str, lang: str, known_ids: frozenset[str],
                normalised: Callable[[str], str]) -> list[CrossReference]:
    """Every reference ``parsers.xref`` finds in ``text``, read with its whitespace folded (PDF text breaks
    lines inside citations) and ``normalised`` (one character for one), spans and matched text given back
    in ``text`` as it is."""
    folded, where = _folded(text)
    found = extract_references(citing_id, normalised(folded), lang, known_ids)
    return [ref.model_copy(update={"start": where[ref.start], "end": where[ref.end - 1] + 1,
                                   "text": text[where[ref.start]:where[ref.end - 1] + 1]})
            for ref in found]


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with every run of whitespace one space (letter-spaced words stay as they are, so that
    each character keeps a place), and where each of its characters is in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for token in _TOKEN.finditer(text):
        if chars:
            chars.append(" ")
            where.append(token.start() - 1)
        chars.append(token.group())
        where.extend(range(token.start(), token.end()))
    return "".join(chars), where


def read_citations(citing_id: str, parts: list[tuple[int | str, str]], lang: str, grammar: Grammar | None,
                   known_ids: frozenset[str], text: str) -> tuple[list[Citation], str | None]:
    """The GDPR provisions each part (a page by its number, or a section by its name) cites, read with
    ``lang``'s citation grammar, and when none, why not (``text`` is the whole document, folded, where
    the other laws of its decision ``grammar``, if it has one, are looked for)."""
    if lang not in languages():
        return [], _no_citation_reason(lang, grammar, text, [])
    normalised = grammar.normalised if grammar else str
    found = [(where, ref) for where, part in parts
             for ref in _references(citing_id, part, lang, known_ids, normalised)]
    cited = [Citation(**{"page" if isinstance(where, int) else "section": where}, reference=ref)
             for where, ref in found if _cites_gdpr(ref)]
    return cited, None if cited else _no_citation_reason(lang, grammar, text, [ref for _, ref in found])


def _cites_gdpr(reference: CrossReference) -> bool:
    """A reference to a provision of the GDPR (not to the GDPR as a whole)."""
    target = reference.target_id
    return target is not None and act_of(target) == GDPR and kind_of(target) is not Kind.ACT


def _no_citation_reason(lang: str, grammar: Grammar | None, text: str, references: Iterable[CrossReference]) -> str:
    """Why a decision cites no GDPR provision: its language has no citation grammar yet; or it names the
    GDPR only in ways the grammar does not resolve to a provision; or the other laws it cites; or none."""
    if lang not in languages():
        return f"no citation grammar for {lang!r} yet: its citations of the GDPR are not read"
    acts: dict[str, str] = {}
    for ref in references:
        if ref.target_id and kind_of(ref.target_id) is Kind.ACT:
            acts.setdefault(ref.target_id, " ".join(ref.text.split()))
        elif ref.target_id:
            acts.setdefault(act_of(ref.target_id), _act_name(act_of(ref.target_id)))
    if GDPR in acts:
        return (f"names the GDPR ({acts[GDPR]!r}) but none of its provisions in a form the citation grammar "
                f"resolves")
    named = [*(grammar.laws_named(text) if grammar else []), *acts.values()]
    if not named:
        return "cites no provision of the GDPR, nor of any other law"
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"cites {listed}, not the GDPR"


def _act_name(act: str) -> str:
    """``eu/dir/2002/58`` → "Directive 2002/58"."""
    _, kind, year, number = act.split("/")[:4]
    return f"{_ACT_TYPES.get(kind, kind)} {year}/{number}"
