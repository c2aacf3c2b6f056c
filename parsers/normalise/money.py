"""Amounts of money as sources write them ("4,800", "10000 RON", "€ 1.500,00"), in minor units, with
their reference value in euro.

Euro reference rates are data (``parsers/data/eur_rates.toml``: the rates, their dates and origin).
An amount is converted at the latest listed rate published on or before its date; without a date,
or before the first listed rate, at the nearest listed one. The rate and its date go on the Money.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from importlib.resources import files

from schema.enforcement import Money

_EURO = "EUR"
_SYMBOLS = {"€": "EUR", "£": "GBP"}
# ISO 4217 minor-unit digits where they are not 2.
_MINOR_DIGITS = {"ISK": 0, "JPY": 0, "KRW": 0}
_DIGITS = re.compile(r"[0-9]+")
_FIRST_GROUP = re.compile(r"[0-9]{1,3}")
_GROUP = re.compile(r"[0-9]{3}")
_CURRENCY_AT_EDGES = re.compile(r"(?P<before>[A-Za-z]{3}|[€£])?\s*(?P<number>.*?)\s*(?P<after>[A-Za-z]{3}|[€£])?")


@cache
def _rates() -> dict[str, tuple[list[dt.date], list[Decimal]]]:
    """Currency → (publication dates ascending, units per euro on each)."""
    data = tomllib.loads((files("parsers") / "data" / "eur_rates.toml").read_text(encoding="utf-8"))
    series: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for fixing in sorted(data["fixing"], key=lambda fixing: fixing["date"]):
        for currency, rate in fixing["rates"].items():
            series.setdefault(currency, []).append((fixing["date"], Decimal(rate)))
    return {currency: ([day for day, _ in points], [rate for _, rate in points]) for currency, points in series.items()}


def currencies() -> frozenset[str]:
    """Every currency an amount may be in: the euro and those with a reference rate."""
    return frozenset(_rates()) | {_EURO}


def currency_code(text: str) -> str:
    """``"ron"`` → ``"RON"``, ``"€"`` → ``"EUR"``; an unknown currency is an error."""
    code = _SYMBOLS.get(text, text.upper())
    if code not in currencies():
        raise ValueError(f"unknown currency {text!r}")
    return code


def eur_rate(currency: str, on: dt.date | None) -> tuple[Decimal, dt.date]:
    """The reference rate (units of ``currency`` per euro) to convert an amount dated ``on``, and its date."""
    days, rates = _rates()[currency]
    index = len(days) - 1 if on is None else max(bisect.bisect_right(days, on) - 1, 0)
    return rates[index], days[index]


def parse_money(text: str, *, thousands: str = "", decimal: str = ".", currency: str | None = None,
                on: dt.date | None = None) -> Money:
    """Read ``text`` as an amount. ``thousands`` lists the characters that may group digits by three,
    ``decimal`` is the decimal mark ("" when amounts have none); a currency named in the text wins over
    ``currency``. More decimals than the currency has, or a grouping that is not by three, is an error."""
    match = _CURRENCY_AT_EDGES.fullmatch(text.strip())
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


def minor_digits(currency: str) -> int:
    """How many digits of minor units an ISO 4217 currency has (2 unless it has none, as ISK)."""
    return _MINOR_DIGITS.get(currency, 2)


def format_amount(amount_minor: int, currency: str) -> str:
    """``format_amount(130000000, "ISK") == "130,000,000 ISK"``; ``format_amount(225000000, "EUR") == "2,250,000.00 EUR"``."""
    digits = minor_digits(currency)
    return f"{amount_minor / 10**digits:,.{digits}f} {currency}"


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


def _to_euro(amount_minor: int, currency: str, on: dt.date | None) -> tuple[int, Decimal | None, dt.date | None]:
    if currency == _EURO:
        return amount_minor, None, None
    rate, rate_date = eur_rate(currency, on)
    euros = Decimal(amount_minor) / 10 ** _MINOR_DIGITS.get(currency, 2) / rate
    return int((euros * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), rate, rate_date
