"""The procedural events of a case that a record's summary states in words: "Update: On November 11th,
2020, … the Bonn District Court … reduced the fine from originally EUR 9,55 million to EUR 900,000".

Pure function of the text. The patterns are data (``parsers/data/case_events.toml``), read in order; a
span of text is read by the first pattern that matches it. An event's date and court are its own, else
the last written before it in its sentence or the one before, else the first after it in its sentence;
an amount in prose ("£183.39M", "EUR 9,55 million", "183.39
million pounds") is read with its scale, the decimal mark being the separator followed by one or two
digits.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

from parsers.normalise.money import parse_money
from schema.enforcement import EventKind, Money, PartialDate, Precision

_SCALES = {"million": 10**6, "mio": 10**6, "mio.": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9, "k": 10**3}
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)(?!\d)")
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}


@dataclass(frozen=True)
class StatedEvent:
    """An event as a text states it; ``start``/``end`` span ``text`` in the summary."""

    kind: EventKind
    event_date: PartialDate | None
    court: str | None
    amount: Money | None
    original: Money | None
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Pattern:
    kind: EventKind
    cues: tuple[str, ...]  # a text without any of them cannot match: the cheap test first
    regex: re.Pattern[str]
    needs_court: bool


@cache
def _grammar() -> tuple[list[_Pattern], re.Pattern[str], dict[str, str]]:
    data = tomllib.loads((files("parsers") / "data" / "case_events.toml").read_text(encoding="utf-8"))
    pieces = data["pieces"]
    currencies = {name.lower(): code for name, code in data["currencies"].items()}

    def compiled(pattern: str) -> re.Pattern[str]:
        for name in ("amount", "original"):
            pattern = pattern.replace(f"(?P<{name}>{{amount}})", f"(?P<{name}>{pieces['amount'].replace('{name}', name)})")
        pattern = pattern.replace("{court}", f"(?-i:{pieces['court']})").replace("{date}", f"(?:{pieces['date']})")
        return re.compile(pattern, re.IGNORECASE)

    patterns = [_Pattern(EventKind(entry["kind"]), tuple(entry["cues"]), compiled(entry["pattern"]),
                         entry.get("court", False)) for entry in data["event"]]
    return patterns, _Nearby(re.compile(pieces["date"], re.IGNORECASE), re.compile(pieces["court"])), currencies


@dataclass(frozen=True)
class _Nearby:
    """What an event's sentence may say of it besides its own words."""

    dates: re.Pattern[str]
    courts: re.Pattern[str]

    def find(self, pattern: re.Pattern[str], match: re.Match[str], summary: str) -> str | None:
        """The last ``pattern`` match before ``match`` in its sentence or the one before ("On November
        11th, 2020, … the Bonn District Court decided … . The chamber has therefore reduced …"), else the
        first after it in its sentence."""
        ends = [m.end() for m in _SENTENCE_END.finditer(summary, 0, match.start())]
        start = ends[-2] if len(ends) > 1 else 0
        end = next((m.start() for m in _SENTENCE_END.finditer(summary, match.end())), len(summary))
        before = list(pattern.finditer(summary, start, match.start()))
        after = pattern.search(summary, match.end(), end)
        found = before[-1] if before else after
        return found.group() if found else None


def stated_events(summary: str | None, on: dt.date | None = None) -> list[StatedEvent]:
    """The events ``summary`` states, in the order of the text; amounts in euro as of ``on``."""
    if not summary:
        return []
    patterns, nearby, currencies = _grammar()
    found: list[StatedEvent] = []
    taken: list[tuple[int, int]] = []
    lowered = summary.lower()
    for pattern in (p for p in patterns if any(cue in lowered for cue in p.cues)):
        for match in pattern.regex.finditer(summary):
            court = _group(match, "court") or nearby.find(nearby.courts, match, summary)
            if any(match.start() < end and start < match.end() for start, end in taken) or (
                    pattern.needs_court and court is None):
                continue
            taken.append(match.span())
            written = _group(match, "date") or nearby.find(nearby.dates, match, summary)
            event_date = _date(written) if written else None
            when = event_date.value if event_date else on
            found.append(StatedEvent(
                kind=pattern.kind, event_date=event_date, court=court,
                amount=_money(match, "amount", currencies, when), original=_money(match, "original", currencies, when),
                text=match.group(), start=match.start(), end=match.end()))
    return sorted(found, key=lambda event: event.start)


def _group(match: re.Match[str], name: str) -> str | None:
    value = match.groupdict().get(name)
    return value.strip() if value else None


def _date(text: str) -> PartialDate | None:
    """"November 11th, 2020", "2020/10/30" → the day; "July 2019" → the month; "2021" → the year."""
    words = re.findall(r"[A-Za-z]+|\d+", text)
    numbers = [int(w) for w in words if w.isdigit()]
    month = next((_MONTHS[w.lower()] for w in words if w.lower() in _MONTHS), None)
    try:
        if month is None and len(numbers) == 3:
            (year, month, day), precision = numbers, Precision.DAY
        elif month is None:
            (year,), month, day, precision = numbers, 1, 1, Precision.YEAR
        elif len(numbers) == 1:
            (year,), day, precision = numbers, 1, Precision.MONTH
        else:
            day, year = sorted(numbers)
            precision = Precision.DAY
        return PartialDate(value=dt.date(year, month, day), precision=precision, raw=text)
    except ValueError:  # "February 30, 2021": written as a date, none
        return None


def _money(match: re.Match[str], name: str, currencies: dict[str, str], on: dt.date | None) -> Money | None:
    groups = match.groupdict()
    number = groups.get(f"{name}_number") or groups.get(f"{name}_number2")
    if not number:
        return None
    written = groups.get(f"{name}_before") or groups[f"{name}_after"]
    code = currencies.get(written.lower(), written.upper())
    scale = (groups.get(f"{name}_scale") or groups.get(f"{name}_scale2") or "").lower()
    value = _number(number, scaled=bool(scale)) * _SCALES.get(scale, 1)
    money = parse_money(format(value.normalize(), "f"), currency=code, on=on)  # 9.55 × 10^6 → "9550000"
    return money.model_copy(update={"raw": match.group(name)})


def _number(text: str, scaled: bool) -> Decimal:
    """"9,55" (scaled) → 9.55; "900,000" → 900000; "120.000" → 120000; "18.4" → 18.4."""
    *head, last = re.split(r"[.,]", text)
    if head and (len(last) in (1, 2) or (scaled and len(last) != 3)):
        return Decimal("".join(head) + "." + last)
    return Decimal("".join(head) + last)
