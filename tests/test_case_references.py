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
    ("HU", "NAIH / 2020/1154/9", [], ["naih NAIH-2020-1154"]),
    ("HU", None, ["https://www.naih.hu/files/NAIH-2020-0066-21-hatarozat.pdf"], ["naih NAIH-2020-66"]),
    ("HU", None, ["https://www.naih.hu/files/NAIH-2020-200-hatarozat.pdf"], ["naih NAIH-2020-200"]),
    ("HU", "NAIH-3748-1/2021", [], ["naih NAIH-2021-3748"]),
    ("HU", "NAIH-2010-1/2021", [], ["naih NAIH-2021-2010"]),  # a number, not a year, before the year
    ("BE", "53/2020", [], ["apd 53/2020"]),
    ("BE", "Decision 38/2021", [], ["apd 38/2021"]),
    ("BE", None, ["https://www.autoriteprotectiondonnees.be/publications/decision-quant-au-fond-n-07-2024.pdf",
                  "https://www.gegevensbeschermingsautoriteit.be/publications/beslissing-ten-gronde-nr.-127-2022.pdf",
                  "https://www.autoriteprotectiondonnees.be/sites/privacycommission/files/documents/Decision_CC_30-2020_FR.pdf",
                  "https://www.gegevensbeschermingsautoriteit.be/sites/privacycommission/files/documents/BETG_12-2019_NL.PDF"],
     ["apd 12/2019", "apd 127/2022", "apd 30/2020", "apd 7/2024"]),
    ("BE", "2021/AR/1044", [], []),  # the Market Court's
    # A number of another country's scheme, or of no scheme, is no reference of one.
    ("AT", "9269618", [], []),
    ("IT", "12/2019", [], []),
    ("ES", "APS-00301-20199", [], []),
    (None, "PS/00331/2023", [], []),
]


@pytest.mark.parametrize("country, field, urls, expected", CASES)
def test_case_references(country: str | None, field: str | None, urls: list[str], expected: list[str]) -> None:
    assert case_references(country, field, urls) == expected
