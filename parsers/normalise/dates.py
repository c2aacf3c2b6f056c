"""Dates as sources write them, to a day, a month or a year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from schema.enforcement import PartialDate, Precision

# The finest directive a strptime format holds decides the precision of what it parses.
_DIRECTIVES = (
    (Precision.DAY, ("%d", "%j")),
    (Precision.MONTH, ("%m", "%b", "%B")),
    (Precision.YEAR, ("%Y", "%y")),
)


def precision_of(fmt: str) -> Precision:
    """``"%Y-%m"`` → month. A format with no date directive is an error."""
    for precision, directives in _DIRECTIVES:
        if any(directive in fmt for directive in directives):
            return precision
    raise ValueError(f"date format {fmt!r} has no day, month or year directive")


def parse_date(text: str, formats: Sequence[str]) -> PartialDate:
    """The first of ``formats`` that reads ``text`` wins; a month or a year stands for its first day."""
    for fmt in formats:
        try:
            value = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return PartialDate(value=value, precision=precision_of(fmt), raw=text)
    raise ValueError(f"date {text!r} matches none of the formats {', '.join(formats)}")


def unknown_date(raw: str | None = None) -> PartialDate:
    return PartialDate(precision=Precision.UNKNOWN, raw=raw or "")
