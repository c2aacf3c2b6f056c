"""The normalisers, table-driven: dates, amounts, countries, authorities, organisations (euro rates: test_money)."""

from __future__ import annotations

import datetime as dt

import pytest

from parsers.normalise.authorities import Gazetteer, gazetteer
from parsers.normalise.countries import country_code
from parsers.normalise.dates import parse_date, precision_of
from parsers.normalise.money import parse_money
from parsers.normalise.organisations import organisation
from schema.enforcement import Authority, Precision

CMS_DATES = ("%Y-%m-%d", "%Y-%m", "%Y")


@pytest.mark.parametrize("text, formats, value, precision", [
    ("2018-09-27", CMS_DATES, dt.date(2018, 9, 27), Precision.DAY),
    ("2019-03", CMS_DATES, dt.date(2019, 3, 1), Precision.MONTH),
    ("2018", CMS_DATES, dt.date(2018, 1, 1), Precision.YEAR),
    ("31.01.2024", ("%d.%m.%Y",), dt.date(2024, 1, 31), Precision.DAY),
    ("10/18/2019", ("%m/%d/%Y",), dt.date(2019, 10, 18), Precision.DAY),
    ("March 2021", ("%B %Y",), dt.date(2021, 3, 1), Precision.MONTH),
])
def test_dates(text, formats, value, precision):
    date = parse_date(text, formats)
    assert (date.value, date.precision, date.raw) == (value, precision, text)


@pytest.mark.parametrize("text, formats, message", [
    ("31.02.2020", ("%d.%m.%Y",), "'31.02.2020' matches none of the formats %d.%m.%Y"),
    ("Unknown", CMS_DATES, "matches none"),
    ("18/10/2019", ("%m/%d/%Y",), "matches none"),
])
def test_dates_rejected(text, formats, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text, formats)


def test_a_format_without_a_date_directive_is_rejected():
    with pytest.raises(ValueError, match="no day, month or year"):
        precision_of("%H:%M")


@pytest.mark.parametrize("text, syntax, amount_minor, currency", [
    ("4,800", dict(thousands=",", decimal="", currency="EUR"), 480_000, "EUR"),
    ("300", dict(thousands=",", decimal="", currency="EUR"), 30_000, "EUR"),
    ("1,234,567", dict(thousands=",", decimal="", currency="EUR"), 123_456_700, "EUR"),
    ("10000 RON", dict(thousands=",", currency="EUR"), 1_000_000, "RON"),
    ("239,000.00 EUR", dict(thousands=","), 23_900_000, "EUR"),
    ("1500 €", dict(thousands=","), 150_000, "EUR"),
    ("£500,000", dict(thousands=","), 50_000_000, "GBP"),
    ("EUR 1.500,50", dict(thousands=".", decimal=","), 150_050, "EUR"),
    ("48 000 €", dict(thousands=" ", decimal=","), 4_800_000, "EUR"),
    ("2,000,000 ISK", dict(thousands=","), 2_000_000, "ISK"),
    ("12000000 sek", dict(), 1_200_000_000, "SEK"),
    ("0", dict(decimal="", currency="EUR"), 0, "EUR"),
])
def test_amounts(text, syntax, amount_minor, currency):
    money = parse_money(text, **syntax)
    assert (money.amount_minor, money.currency, money.raw) == (amount_minor, currency, text)


@pytest.mark.parametrize("text, syntax, message", [
    ("4,8OO", dict(thousands=",", decimal="", currency="EUR"),
     r"'4,8OO' is not a number \(thousands ',', decimal ''\)"),
    ("1,50", dict(thousands=",", decimal="", currency="EUR"), "is not a number"),
    ("2.000 EUR", dict(thousands=",", decimal="."), "'2.000 EUR' has 3 decimals, EUR has 2"),
    ("12.5 ISK", dict(), "has 1 decimals, ISK has 0"),
    ("100 XYZ", dict(), "unknown currency 'XYZ'"),
    ("EUR 100 GBP", dict(), "names two currencies"),
    ("100", dict(), "names no currency"),
    ("", dict(currency="EUR"), "is not a number"),
])
def test_amounts_rejected(text, syntax, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text, **syntax)


@pytest.mark.parametrize("name, code", [
    ("AUSTRIA", "AT"), ("Österreich", "AT"), ("THE NETHERLANDS", "NL"), ("Netherlands", "NL"),
    ("Poland ", "PL"), ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Ελλάδα", "GR"), ("Greece", "GR"),
    ("EL", "GR"), ("UK", "GB"), ("United Kingdom", "GB"), ("Isle of Man", "IM"), ("Island", "IS"),
    ("Finnland", "FI"), ("European Union", "EU"), ("România", "RO"), ("Sverige", "SE"), ("atlantis", None),
])
def test_countries(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize("name, country, authority_id", [
    # one authority, all its names: official, English, abbreviation, former, as sources render them
    ("Integritetsskyddsmyndigheten", "SE", "authority/se/imy"),
    ("IMY", None, "authority/se/imy"),
    ("Datainspektionen", "SE", "authority/se/imy"),
    ("The Data Inspectorate", None, "authority/se/imy"),
    ("Swedish Authority for Privacy Protection", None, "authority/se/imy"),
    ("Data Protection Authority of Sweden (Integritetsskyddsmyndigheten)", "SE", "authority/se/imy"),
    # a name several authorities share resolves within the row's country only
    ("Datatilsynet", "DK", "authority/dk/datatilsynet"),
    ("Datatilsynet", "NO", "authority/no/datatilsynet"),
    ("Datatilsynet", None, None),
    ("CNPD", "LU", "authority/lu/cnpd"),
    ("CNPD (Portugal)", "PT", "authority/pt/cnpd"),
    ("AEPD", "FR", None),
    # parts: an abbreviation and a region, or a description and an abbreviation
    ("LfDI (Baden-Württemberg)", "DE", "authority/de-bw/lfdi"),
    ("LfDI (Bremen)", "DE", "authority/de-hb/lfdi"),
    ("LfDI", "DE", None),
    ("BayLDA (Bavaria)", "DE", "authority/de-by/baylda"),
    ("Bavaria", "DE", None),
    ("Austrian Data Protection Authority (dsb)", "AT", "authority/at/dsb"),
    ("Czech Data Protection Auhtority (UOOU)", "CZ", "authority/cz/uoou"),
    ("UOOU (Slovakia)", "SK", "authority/sk/uoou"),
    # spelling: accents, umlauts, doubled spaces, leading articles, quotes
    ("Data Protection Authority of  Baden-Wuerttemberg", "DE", "authority/de-bw/lfdi"),
    ("Data Protection Authority of Thüringen", "DE", "authority/de-th/tlfdi"),
    ("Der Bundesbeauftragte für den Datenschutz und die Informationsfreiheit", "DE", "authority/de/bfdi"),
    ("Icelandic data protection authority ('Persónuvernd')", "IS", "authority/is/personuvernd"),
    ("Persónuvernd", None, "authority/is/personuvernd"),
    ("Commission nationale de l'informatique et des libertés", None, "authority/fr/cnil"),
    ("Autorité de protection des données", "BE", "authority/be/apd-gba"),
    ("GIODO", None, "authority/pl/uodo"),
    ("Article 29 Working Party", None, "authority/eu/edpb"),
    ("EDPB", "EU", "authority/eu/edpb"),
    ("Information Commissioner", "GB", "authority/gb/ico"),
    ("Data Protection Authority", "DE", None),
    ("Private person", "ES", None),
])
def test_authorities(name, country, authority_id):
    assert gazetteer().resolve(name, country) == authority_id


EEA_AND_UK = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "GB",
}


def test_the_gazetteer_covers_the_eea_the_uk_and_the_german_lander():
    authorities = gazetteer().authorities.values()
    assert EEA_AND_UK <= {authority.country for authority in authorities}
    lander = {authority.subdivision for authority in authorities if authority.country == "DE"} - {None}
    assert len(lander) == 16
    for authority in authorities:
        assert authority.id.startswith(f"authority/{(authority.subdivision or authority.country).lower()}/")


def test_a_gazetteer_refuses_an_id_twice():
    twice = [Authority(id="authority/xx/a", country="XX", name_en="A")] * 2
    with pytest.raises(ValueError, match="authority/xx/a is listed twice"):
        Gazetteer(twice)


@pytest.mark.parametrize("text, name, legal_form, key", [
    ("VODAFONE ESPAÑA, S.A.U.", "VODAFONE ESPAÑA", "S.A.U.", "vodafone espana"),
    ("Vodafone España, SAU", "Vodafone España", "SAU", "vodafone espana"),
    ("Vodafone Espana", "Vodafone Espana", None, "vodafone espana"),
    ("Österreichische Post AG", "Österreichische Post", "AG", "osterreichische post"),
    ("Meta Platforms Ireland Limited", "Meta Platforms Ireland", "Limited", "meta platforms ireland"),
    ("Allegro Sp. z o.o.", "Allegro", "Sp. z o.o.", "allegro"),
    ("Medical Service s.r.l.", "Medical Service", "s.r.l.", "medical service"),
    ("Danske Bank A/S", "Danske Bank", "A/S", "danske bank"),
    ("  Homeowners'   association ", "Homeowners' association", None, "homeowners association"),
    ("Casa", "Casa", None, "casa"),
])
def test_organisations(text, name, legal_form, key):
    assert organisation(text).model_dump() == dict(name=name, legal_form=legal_form, key=key, role=None)
