"""Country names, in English and in their own languages, → ISO 3166-1 alpha-2 codes.

Greece is ``GR`` and the United Kingdom ``GB`` (the EU's own ``EL`` and ``UK`` are read as names of
them); Union bodies belong to ``EU``, the code ISO 3166-1 reserves for the Union.
"""

from __future__ import annotations

from parsers.normalise._keys import match_key

# Every EEA state, the United Kingdom, the Isle of Man (it fines too) and the Union; English name
# first, then native names and other spellings sources use ("The Netherlands", German "Island").
_NAMES: dict[str, tuple[str, ...]] = {
    "AT": ("Austria", "Österreich"),
    "BE": ("Belgium", "België", "Belgique", "Belgien"),
    "BG": ("Bulgaria", "България", "Bulgariya"),
    "CY": ("Cyprus", "Κύπρος", "Kıbrıs"),
    "CZ": ("Czechia", "Czech Republic", "Česko", "Česká republika"),
    "DE": ("Germany", "Deutschland"),
    "DK": ("Denmark", "Danmark"),
    "EE": ("Estonia", "Eesti"),
    "ES": ("Spain", "España"),
    "FI": ("Finland", "Suomi", "Finnland"),
    "FR": ("France", "Frankreich"),
    "GB": ("United Kingdom", "UK", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"),
    "GR": ("Greece", "Ελλάδα", "Ελλάς", "Hellas", "Hellenic Republic", "EL"),
    "HR": ("Croatia", "Hrvatska"),
    "HU": ("Hungary", "Magyarország"),
    "IE": ("Ireland", "Éire"),
    "IM": ("Isle of Man", "Ellan Vannin"),
    "IS": ("Iceland", "Ísland", "Island"),
    "IT": ("Italy", "Italia"),
    "LI": ("Liechtenstein",),
    "LT": ("Lithuania", "Lietuva"),
    "LU": ("Luxembourg", "Lëtzebuerg", "Luxemburg"),
    "LV": ("Latvia", "Latvija"),
    "MT": ("Malta",),
    "NL": ("Netherlands", "The Netherlands", "Nederland", "Holland"),
    "NO": ("Norway", "Norge", "Noreg"),
    "PL": ("Poland", "Polska"),
    "PT": ("Portugal",),
    "RO": ("Romania", "România"),
    "SE": ("Sweden", "Sverige"),
    "SI": ("Slovenia", "Slovenija"),
    "SK": ("Slovakia", "Slovensko", "Slovak Republic"),
    "EU": ("European Union", "EU", "Union européenne", "Europäische Union"),
}

_CODES: dict[str, str] = {
    match_key(name): code for code, names in _NAMES.items() for name in (code, *names)
}


def country_code(name: str) -> str | None:
    """``"THE NETHERLANDS"`` → ``"NL"``, ``"Österreich"`` → ``"AT"``, ``"EL"`` → ``"GR"``; None if unknown."""
    return _CODES.get(match_key(name))


def country_names() -> dict[str, tuple[str, ...]]:
    """Every code the table knows and its names, English first."""
    return dict(_NAMES)
