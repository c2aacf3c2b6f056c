"""Country names, in English and in their own languages, → ISO 3166-1 alpha-2 codes, and each
country's own currency; both from ``parsers/data/countries.toml``.

Greece is ``GR`` and the United Kingdom ``GB`` (the EU's own ``EL`` and ``UK`` are read as names of
them); Union bodies belong to ``EU``, the code ISO 3166-1 reserves for the Union.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

from parsers.normalise._keys import match_key


@cache
def _countries() -> dict[str, dict]:
    return tomllib.loads((files("parsers") / "data" / "countries.toml").read_text(encoding="utf-8"))["country"]


@cache
def _codes() -> dict[str, str]:
    return {match_key(name): code for code, entry in _countries().items() for name in (code, *entry["names"])}


def country_code(name: str) -> str | None:
    """``"THE NETHERLANDS"`` → ``"NL"``, ``"Österreich"`` → ``"AT"``, ``"EL"`` → ``"GR"``; None if unknown."""
    return _codes().get(match_key(name))


def country_names() -> dict[str, tuple[str, ...]]:
    """Every code the table knows and its names, English first."""
    return {code: tuple(entry["names"]) for code, entry in _countries().items()}


def national_currency(code: str) -> str:
    """The ISO 4217 code of the country's own currency: ``"HR"`` → ``"HRK"`` (which the euro replaced)."""
    return _countries()[code]["currency"]
