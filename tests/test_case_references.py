"""Case references of known schemes, table-driven: read from a record's case reference field and from
the addresses of the documents it links to, in one form."""

from __future__ import annotations

import pytest

from parsers.normalise.case_references import case_references

CASES = [
    # (country, case reference field, URLs, references)
    ("ES", "PS/00331/2023", [], ["aepd PS/00331/2023"]),
    ("ES", "ps-00205-2021", [], ["aepd PS/00205/2021"]),
    ("ES", None, ["https://www.aepd.es/resoluciones/PS-00301-2019_ORI.pdf"], ["aepd PS/00301/2019"]),
    ("ES", "E/12707/2022", [], ["aepd E/12707/2022"]),
    ("ES", "EXP202104006", [], ["aepd-exp EXP202104006"]),
    ("IT", "9269618", [], ["garante-docweb 9269618"]),
    ("IT", None, ["https://www.gpdp.it/web/guest/home/docweb/-/docweb-display/docweb/9739586",
                  "https://www.garanteprivacy.it/web/guest/home/docweb/-/docweb-display/docweb/9739611"],
     ["garante-docweb 9739586", "garante-docweb 9739611"]),
    ("PL", None, ["https://uodo.gov.pl/decyzje/ZSPR.421.7.2019"], ["uodo ZSPR.421.7.2019"]),
    ("PL", "DKN.5131.22.2021", [], ["uodo DKN.5131.22.2021"]),
    ("FR", "SAN-2021-014", [], ["cnil SAN-2021-014"]),
    ("FR", None, ["https://www.legifrance.gouv.fr/cnil/id/CNILTEXT000045614368?query=san-2022-009&tab_selection=all"],
     ["cnil SAN-2022-009"]),
    ("SE", "DI-2019-3375", [], ["imy DI-2019-3375"]),
    # A number of another country's scheme, or of no scheme, is no reference of one.
    ("AT", "9269618", [], []),
    ("IT", "12/2019", [], []),
    ("ES", "APS-00301-20199", [], []),
    (None, "PS/00331/2023", [], []),
]


@pytest.mark.parametrize("country, field, urls, expected", CASES)
def test_case_references(country: str | None, field: str | None, urls: list[str], expected: list[str]) -> None:
    assert case_references(country, field, urls) == expected
