"""Authority names as sources write them → gazetteer ids (``parsers/data/authorities.toml``).

A name resolves when exactly one authority of the row's country (of any country when the row has
none) bears it, comparing match keys: case, accents, punctuation and a leading article ("The",
"Der", "Die") do not count, and "ue" matches "ü". A name that does not resolve whole is read in
parts, the text outside and inside parentheses: ``"Austrian Data Protection Authority (dsb)"``,
``"LfDI (Baden-Württemberg)"``. The parts resolve when the authorities they name have exactly one in
common, or when every part naming a single authority names the same one. A country's national
authority is its one authority in the gazetteer, when it has one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from parsers.normalise._keys import match_key
from schema.enforcement import Authority

_LEADING_ARTICLE = re.compile(r"^(?:the|der|die|das) ")
_PARENTHESES = re.compile(r"[()]")


class Gazetteer:
    def __init__(self, authorities: Iterable[Authority]) -> None:
        self.authorities: dict[str, Authority] = {}
        self._ids_by_key: dict[str, set[str]] = {}
        for authority in authorities:
            if authority.id in self.authorities:
                raise ValueError(f"authority {authority.id} is listed twice")
            self.authorities[authority.id] = authority
            for name in _names(authority):
                for key in {_key(name), _key(name, umlauts=True)}:
                    self._ids_by_key.setdefault(key, set()).add(authority.id)

    def resolve(self, name: str, country: str | None = None) -> str | None:
        """The id of the one authority ``name`` designates in ``country``, or None."""
        found = self.bearing(name, country)
        if len(found) == 1:
            return next(iter(found))
        named = [ids for part in _PARENTHESES.split(name) if (ids := self.bearing(part, country))]
        if not named:
            return None
        common = set.intersection(*named)
        singles = {next(iter(ids)) for ids in named if len(ids) == 1}
        if len(common) == 1:
            return common.pop()
        return singles.pop() if len(singles) == 1 else None

    def national(self, country: str) -> str | None:
        """The id of ``country``'s authority when the gazetteer lists exactly one (Germany has many)."""
        ids = [id_ for id_, authority in self.authorities.items() if authority.country == country]
        return ids[0] if len(ids) == 1 else None

    def bearing(self, name: str, country: str | None = None) -> set[str]:
        """The ids of every authority (of ``country``, if given) that bears ``name`` whole."""
        ids = self._ids_by_key.get(_key(name), set())
        return {id_ for id_ in ids if country is None or self.authorities[id_].country == country}


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer of ``parsers/data/authorities.toml``."""
    data = tomllib.loads((files("parsers") / "data" / "authorities.toml").read_text(encoding="utf-8"))
    return Gazetteer(Authority(**entry) for entry in data["authority"])


def _names(authority: Authority) -> list[str]:
    return [authority.name_en, *authority.names.values(), *authority.abbreviations,
            *authority.former_names, *authority.aliases]


def _key(name: str, *, umlauts: bool = False) -> str:
    return _LEADING_ARTICLE.sub("", match_key(name, umlauts=umlauts))
