"""Names of fined organisations → ``Organisation``: the name, its legal form, its role, and a match key.

The legal form ("S.A.U.", "GmbH", "Ltd" …) is split off the end of the name and kept, as written, in
``legal_form``; it is left out of ``key``, which is the rest of the name casefolded with accents and
punctuation dropped. So "VODAFONE ESPAÑA, S.A.U.", "Vodafone España, SAU" and "Vodafone Espana" share
the key ``vodafone espana``, while the records keep what each source wrote. A role marker ("Complainant:
…", "… (the data subject)", see ``parsers/data/parties.toml``) is taken off the name into ``role``.

Two keys name different organisations (``addressees_conflict``) only when each has a word that names
(not one of the data's describing words, "azienda", "bank", "municipality") and they share none of
them, even as an abbreviation: "UWV (Dutch employee insurance service provider)" and "UWV - Insurance
provider" are one organisation, "Azienda sanitaria locale di Bari" and "H&M" two, and "Employer" no
telling.
"""

from __future__ import annotations

import itertools
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from parsers.normalise._keys import match_key
from parsers.normalise.authorities import gazetteer
from schema.enforcement import Organisation, PartyRole
from schema.text import normalise

# Legal forms of companies in the EEA, the UK and the US, as their letters: a form matches with or
# without dots and spaces between them ("S.A.U.", "SAU", "S. A. U.").
_LEGAL_FORMS = (
    "GmbH & Co. KG", "Sp. z o.o.", "Sp.k.", "S.A.U.", "S.L.U.", "S.A.S.", "S.p.A.", "S.r.l.", "S.L.", "S.A.",
    "SARL", "SAS", "S.C.", "GmbH", "AG", "SE", "KG", "e.V.", "Ltd", "Limited", "LLC", "LLP", "Inc.",
    "Corp.", "plc", "B.V.", "N.V.", "C.V.", "AB", "A/S", "ASA", "AS", "ApS", "Oy", "Oyj", "s.r.o.", "a.s.",
    "Kft.", "Zrt.", "Nyrt.", "Bt.", "d.o.o.", "d.d.", "EOOD", "OOD", "EAD", "AD", "Lda", "IKE", "EPE",
)


def _letters_pattern(form: str) -> str:
    letters = [re.escape(char) for char in form if char.isalnum() or char == "&"]
    return r"[\s./]*".join(letters) + r"\.?"


_SUFFIX = re.compile(
    r"[\s,]+(?P<form>" + "|".join(_letters_pattern(form) for form in _LEGAL_FORMS) + r")\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Parties:
    markers: list[tuple[re.Pattern[str], PartyRole]]
    known: dict[str, PartyRole]  # match key → role
    describing: frozenset[str]
    offices: dict[str, str]  # word → the public office it names


@cache
def _parties() -> _Parties:
    data = tomllib.loads((files("parsers") / "data" / "parties.toml").read_text(encoding="utf-8"))
    return _Parties(
        markers=[(re.compile(m["pattern"], re.IGNORECASE), PartyRole(m["role"])) for m in data["marker"]],
        known={match_key(name): PartyRole(entry["role"]) for entry in data["known"] for name in entry["names"]},
        describing=frozenset(data["words"]["describing"]),
        offices={word: office for office, words in data["offices"].items() for word in words})


def organisation(text: str) -> Organisation:
    """``"Vodafone España, S.A.U."`` → name "Vodafone España", legal form "S.A.U.", key "vodafone espana";
    ``"Complainant: Max Schrems"`` → name "Max Schrems", role complainant."""
    text, role = _role(normalise(text))
    match = _SUFFIX.search(text)
    name, form = (text[: match.start()], match["form"]) if match else (text, None)
    key = match_key(name)
    return Organisation(name=name, legal_form=form, key=key, role=role or _parties().known.get(key))


# "LGS Handling Ltd, Louis Travel Ltd, and Louis Aviation": a list, when its parts end with legal forms.
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+(?=[A-Z])")


def organisations(text: str) -> list[Organisation]:
    """One cell naming one organisation or several: split at semicolons, then where all parts of a list
    but the last end with a legal form ("Marks and Spencer", "Ernst & Young" stay whole)."""
    found = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        parts = [part for part in _LIST_SEPARATOR.split(item) if part]
        whole = len(parts) < 2 or not all(_SUFFIX.search(" " + part) for part in parts[:-1])
        found += [organisation(item)] if whole else [organisation(part) for part in parts]
    return found


def _role(text: str) -> tuple[str, PartyRole | None]:
    for pattern, role in _parties().markers:
        if (match := pattern.match(text)) and match["name"].strip():
            return match["name"].strip(), role
    return text, PartyRole.AUTHORITY if gazetteer().resolve(text) else None


def addressees_conflict(left: Iterable[str], right: Iterable[str]) -> bool:
    """Whether two lists of names (as written) certainly name different organisations: each holds a
    name that names, and no name of one is, by its naming words, a name of the other."""
    return _compared(left, right) is False


def addressees_agree(left: Iterable[str], right: Iterable[str]) -> bool:
    """Whether a name of one list is a name of the other, every naming word of the shorter one found in
    the longer ("Marriott International" and "Marriott International, Inc", not "British Airways" and
    "Cathay Pacific Airways"): evidence enough to join two decisions into one case."""
    return _compared(left, right, _same_organisation) is True


def _compared(left: Iterable[str], right: Iterable[str],
              same: Callable[[_Name, _Name], bool] | None = None) -> bool | None:
    """One organisation in common by ``same`` (True), certainly none (False), or no telling (None)."""
    same = same or _one_organisation
    left, right = tuple(left), tuple(right)
    left_names, right_names = _naming(left), _naming(right)
    if left_names is None or right_names is None:  # "Piraeus Leasing", "ΠΕΙΡΑΙΩΣ …": no telling
        return None
    if not (left_names and right_names):
        return False if _different_offices(left, right) else None
    return any(same(a, b) for a in left_names for b in right_names)


def _different_offices(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether each list describes its addressees by public offices, none of them the other's."""
    def offices(names: tuple[str, ...]) -> set[str]:
        offices = _parties().offices
        return {offices[word] for name in names for word in match_key(name).split() if word in offices}

    left_offices, right_offices = offices(left), offices(right)
    return bool(left_offices and right_offices) and not left_offices & right_offices


@dataclass(frozen=True)
class _Name:
    words: frozenset[str]  # the naming words
    initials: str  # of its words but the short describing ones: "Istituto Nazionale … (INAIL)" → "inail…"
    joined: str  # the naming words run together: "Job Team" and "JobTeam" → "jobteam"


# "Debt collection company", "Store owner": a description, every word after the first in lower case.
_DESCRIPTION = re.compile(r"\S+(?:\s+[a-z][a-z'-]*)+")


@lru_cache(maxsize=65_536)  # reconciliation compares each record's names with many others
def _naming(names: tuple[str, ...]) -> tuple[_Name, ...] | None:
    """The names that name, not describe; each by its words. None where a name is in a script of its own."""
    if not all(match_key(name).isascii() for name in names):
        return None
    describing = _parties().describing
    found = []
    for name in (variant for name in names for variant in _variants(name)):
        if _DESCRIPTION.fullmatch(name.strip()):
            continue
        words, initialisms = _letters_joined(match_key(name).split())
        words = [w[:-1] if w.endswith("s") and w[:-1] in describing else w for w in words]
        # "L.E." is a name's initials, not the article "le"
        naming = [w for w in words if (w not in describing or w in initialisms) and len(w) > 1]
        if naming:
            initials = "".join(w[0] for w in words if w not in describing or w in initialisms or len(w) > 3)
            found.append(_Name(frozenset(naming), initials, "".join(naming)))
    return tuple(found)


_PARENTHESIS = re.compile(r"^(?P<outside>[^()]+?)\s*\((?P<inside>[^()]+)\)\s*$")


def _variants(name: str) -> list[str]:
    """A name, and for "X (Y)" also X and Y apart: the part in parentheses is an abbreviation or a
    description of the other ("UWV (Dutch employee insurance service provider)")."""
    match = _PARENTHESIS.match(name)
    return [name, match["outside"], match["inside"]] if match else [name]


def _same_organisation(a: _Name, b: _Name) -> bool:
    shorter, longer = sorted((a, b), key=lambda name: len(name.words))
    return shorter.words <= longer.words or shorter.joined in longer.words | {longer.joined}


def _letters_joined(words: list[str]) -> tuple[list[str], set[str]]:
    """Runs of single letters as one word: "R.T.I." → "r t i" → "rti", "H&M" → "hm"; and the words so
    joined."""
    joined: list[str] = []
    initialisms: set[str] = set()
    for length, run in itertools.groupby(words, key=len):
        run = list(run)
        if length == 1 and len(run) > 1:
            initialisms.add(word := "".join(run))
            joined.append(word)
        else:
            joined += run
    return joined, initialisms


def _one_organisation(a: _Name, b: _Name) -> bool:
    """A naming word in common (or one spelt as the other in another language: "Transport", "Transporte";
    "Innovasjon", "Innovation"), one's words run together the other's ("JobTeam", "Job Team"), or one's
    initials a word of the other."""
    return (bool(a.words & b.words) or a.joined in b.words | {b.joined} or b.joined in a.words
            or a.initials in b.words or b.initials in a.words
            or any(_cognate(x, y) for x in a.words for y in b.words))


_COGNATE_PREFIX = 5  # letters, and …
_COGNATE_SHARE = 0.6  # … of the shorter word, that two words spelt in two languages begin with alike


def _cognate(x: str, y: str) -> bool:
    common = len(os.path.commonprefix((x, y)))
    return common >= max(_COGNATE_PREFIX, _COGNATE_SHARE * min(len(x), len(y)))
