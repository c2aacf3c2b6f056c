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
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
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


@cache
def _parties() -> _Parties:
    data = tomllib.loads((files("parsers") / "data" / "parties.toml").read_text(encoding="utf-8"))
    return _Parties(
        markers=[(re.compile(m["pattern"], re.IGNORECASE), PartyRole(m["role"])) for m in data["marker"]],
        known={match_key(name): PartyRole(entry["role"]) for entry in data["known"] for name in entry["names"]},
        describing=frozenset(data["words"]["describing"]))


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
    left, right = list(left), list(right)
    if not all(match_key(name).isascii() for name in left + right):  # "Piraeus Leasing", "ΠΕΙΡΑΙΩΣ …": no telling
        return None
    left_names, right_names = _naming(left), _naming(right)
    if not (left_names and right_names):
        return None
    return any(same(a, b) for a in left_names for b in right_names)


@dataclass(frozen=True)
class _Name:
    words: frozenset[str]  # the naming words
    initials: str  # of its words but the short describing ones: "Istituto Nazionale … (INAIL)" → "inail…"
    joined: str  # the naming words run together: "Job Team" and "JobTeam" → "jobteam"


# "Debt collection company", "Store owner": a description, every word after the first in lower case.
_DESCRIPTION = re.compile(r"\S+(?:\s+[a-z][a-z'-]*)+")


def _naming(names: Iterable[str]) -> list[_Name]:
    """The names that name, not describe; each by its words."""
    describing = _parties().describing
    found = []
    for name in names:
        if _DESCRIPTION.fullmatch(name.strip()):
            continue
        words = _letters_joined(match_key(name).split())
        words = [w[:-1] if w.endswith("s") and w[:-1] in describing else w for w in words]
        naming = [w for w in words if w not in describing and len(w) > 1]
        if naming:
            initials = "".join(w[0] for w in words if w not in describing or len(w) > 3)
            found.append(_Name(frozenset(naming), initials, "".join(naming)))
    return found


def _same_organisation(a: _Name, b: _Name) -> bool:
    shorter, longer = sorted((a, b), key=lambda name: len(name.words))
    return shorter.words <= longer.words or shorter.joined in longer.words | {longer.joined}


def _letters_joined(words: list[str]) -> list[str]:
    """Runs of single letters as one word: "R.T.I." → "r t i" → "rti", "H&M" → "hm"."""
    joined: list[str] = []
    for word, run in itertools.groupby(words, key=len):
        joined += ["".join(run)] if word == 1 else list(run)
    return joined


def _one_organisation(a: _Name, b: _Name) -> bool:
    """A naming word in common (or one the start of the other: "Transport", "Transporte"), one's words
    run together the other's ("JobTeam", "Job Team"), or one's initials a word of the other."""
    return (bool(a.words & b.words) or a.joined in b.words | {b.joined} or b.joined in a.words
            or a.initials in b.words or b.initials in a.words
            or any(min(len(x), len(y)) >= 5 and (x.startswith(y) or y.startswith(x)) for x in a.words for y in b.words))
