"""Case references of known numbering schemes, read from every field of a record that states one.

The schemes are data (``parsers/data/case_references.toml``). "ps-00205-2021", "PS/00205/2021" and
``https://www.aepd.es/resoluciones/PS-00205-2021_ORI.pdf`` all read as ``aepd PS/00205/2021``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class _Scheme:
    name: str
    country: str
    in_field: re.Pattern[str]
    in_url: re.Pattern[str]
    form: str
    conflicts: bool

    def read(self, pattern: re.Pattern[str], text: str) -> list[str]:
        return [f"{self.name} {self.form.format(**{k: v.upper() for k, v in m.groupdict().items()})}"
                for m in pattern.finditer(text)]


@cache
def _schemes() -> dict[str, list[_Scheme]]:
    """Country → its schemes."""
    data = tomllib.loads((files("parsers") / "data" / "case_references.toml").read_text(encoding="utf-8"))
    by_country: dict[str, list[_Scheme]] = {}
    for entry in data["scheme"]:
        in_field = re.compile(entry["pattern"], re.IGNORECASE)
        in_url = re.compile(entry["url"], re.IGNORECASE) if "url" in entry else in_field
        by_country.setdefault(entry["country"], []).append(
            _Scheme(entry["name"], entry["country"], in_field, in_url, entry["form"], entry.get("conflicts", True)))
    return by_country


def case_references(country: str | None, case_reference: str | None, urls: Iterable[str]) -> list[str]:
    """The references of ``country``'s schemes that a record's case reference and URLs state, sorted."""
    found: set[str] = set()
    for scheme in _schemes().get(country or "", []):
        if case_reference:
            found.update(scheme.read(scheme.in_field, case_reference))
        for url in urls:
            found.update(scheme.read(scheme.in_url, url))
    return sorted(found)


def scheme_of(reference: str) -> str:
    """``"aepd PS/00205/2021"`` → ``"aepd"``."""
    return reference.split(" ", 1)[0]


def numbers_conflict(reference: str) -> bool:
    """Whether two references of ``reference``'s scheme that differ report different decisions."""
    name = scheme_of(reference)
    return all(s.conflicts for schemes in _schemes().values() for s in schemes if s.name == name)
