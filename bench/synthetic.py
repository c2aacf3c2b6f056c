"""Synthetic enforcement sources at N× the real volume, made from the real corpus, for the scaling benchmark.

    python bench/synthetic.py --scale 10 --out DIR [--pdf-scale 10] [--seed 0] [--verify]

Writes into DIR what ``examples/offline.toml`` reads from the corpus, in the same formats, N times over:

    fines/cms_enforcementtracker.json      N × 2,225 rows: {"data": [[13 cells]]}, as the CMS feed
    fines/gdprhub_decisions.csv            N × 3,221 rows: UTF-8 with a BOM, multi-line quoted cells
    fines/privacyaffairs_violations.tsv    N × 347 rows
    decisions/html/*.html                  N × 19 GDPRhub case pages
    decisions/pdf/*.pdf                    P × 22 decisions in PDF (P is --pdf-scale, by default N)
    sources.toml                           the [[document]] entries of examples/offline.toml (absolute
                                           paths: the GDPR's provisions resolve the citations), the two
                                           decision folders and the three tables with their bundled mappings

Every value comes from the real files (a seeded ``random.Random``: the same arguments give the same bytes):

* a row starts from a real row of its source, which gives the authority and country as that source
  spells them, the sector, type, outcome and links, and whether its date, fine and controller are known;
* dates are uniform over 2018–2024, kept to the year or unknown where the real row's is; amounts are
  drawn from the real amounts of the row's currency; controllers are real names, or two words of real
  names with a real legal form; cited articles are a real row's list, written the way each source
  writes them; a summary is the real row's first sentence and as many more as the real one has, drawn
  from the summaries of that source about the same authority;
* ids are unique: ETid-1…, row numbers, privacyaffairs ids, case numbers given new digits;
* about one decision in ten is reported by two tables (in the real files 541 of 5,245 are): the same
  authority, day, amount and controller in CMS and GDPRhub, CMS and privacyaffairs, GDPRhub and
  privacyaffairs, one tracker's date a few weeks late in a quarter of them; half of the decision
  documents are also a GDPRhub row (their case number, day and fine) and a third of those in euro a CMS
  row (their day and fine).

Decision documents:

* GDPRhub pages are the real pages with the infobox's case number, decision and publication dates,
  fine and parties replaced (and the case number in the page title);
* PDFs are the real PDFs with an incremental update appended after their %%EOF (as PDF editors save a
  change) that replaces page 1 by its own text, set in Helvetica, with the case reference, decision date
  and first party replaced, and the same in the /Title of the metadata (the AEPD dates resolutions
  there). Pages 2 … stay the real pages, so reading them costs what reading the real ones does; what a
  document states only on later pages (an ICO notice's date, most fines) stays the real value. The
  scanned ICO notice, which has no text to vary, is copied with a comment appended after %%EOF.

Synthetic rows are all readable: the real files' few unreadable rows are not reproduced. ``--verify``
parses one copy of each PDF and page and prints what the parser read beside what was written.
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import random
import re
import tomllib
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.decision_lang import fold, grammar
from parsers.decision_pdf import parse_decision_pdf
from parsers.errors import ParseError
from parsers.normalise.money import major_units
from parsers.tabular import load_mapping, parse_tabular
from schema.enforcement import DecisionRecord, FineRecord, Precision

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()
OFFLINE = REPO / "examples" / "offline.toml"
# Each table: its bundled mapping, the real file and the synthetic file's name.
TABLES = {
    "cms_enforcementtracker": ("cms_enforcementtracker_2024-03.json", "cms_enforcementtracker.json"),
    "gdprhub_export": ("gdprhub_decisions_2024-03.csv", "gdprhub_decisions.csv"),
    "privacyaffairs_violations": ("privacyaffairs_gdpr_violations_2020-08.tsv", "privacyaffairs_violations.tsv"),
}
FIRST_DAY, LAST_DAY = dt.date(2018, 1, 1), dt.date(2024, 12, 31)
# Decisions reported by two tables, per pair: a share of the first table's rows (rows ×).
SHARED = {("cms_enforcementtracker", "gdprhub_export"): 0.20,
          ("privacyaffairs_violations", "cms_enforcementtracker"): 0.40,
          ("privacyaffairs_violations", "gdprhub_export"): 0.10}
LATE_SHARE, LATE_DAYS = 0.25, 90  # a tracker dating a shared decision by its publication
DOC_IN_GDPRHUB, DOC_IN_CMS = 0.5, 0.33

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_DIGITS = re.compile(r"\d+")
_UNREAD = frozenset({"", "n/a", "none", "unknown", "'-"})


# -- what a synthetic decision is -----------------------------------------------------------------
@dataclasses.dataclass
class Facts:
    """One decision as the sources report it; ``None`` is what the template row leaves as it is."""

    authority_id: str | None
    day: dt.date | None = None
    fine: tuple[int, str] | None = None  # (major units, currency)
    controller: str | None = None
    articles: list[tuple[str, str, str]] | None = None  # (article, paragraph, point)
    case_ref: str | None = None
    template: int | None = None  # index of the real row written over, in its source


@dataclasses.dataclass
class Table:
    """A real table: its rows as read (cells) and as parsed (records, by row index)."""

    name: str
    header: list[str] | None
    rows: list[list[str]]
    records: dict[int, FineRecord]

    def by_authority(self) -> dict[str | None, list[int]]:
        found: dict[str | None, list[int]] = collections.defaultdict(list)
        for index, record in self.records.items():
            found[record.authority_id].append(index)
        return found


def read_table(name: str) -> Table:
    """The real table through its bundled mapping; records are matched to rows by their row id."""
    mapping, data = load_mapping(name), (CORPUS / "fines" / TABLES[name][0]).read_bytes()
    result = parse_tabular(data, mapping, frozenset())
    if mapping.format.kind == "json":
        header, rows = None, json.loads(data)[mapping.format.rows]
        ids = {row[mapping.fields.row_id.column]: i for i, row in enumerate(rows)}
    else:
        delimiter = "\t" if mapping.format.kind == "tsv" else ","
        header, *rows = csv.reader(io.StringIO(data.decode(mapping.format.encoding), newline=""), delimiter=delimiter)
        column = mapping.fields.row_id.column
        ids = {(row[header.index(column)] if column else str(i + 1)): i for i, row in enumerate(rows)}
    return Table(name, header, rows, {ids[r.row_id]: r for r in result.records})


# -- vocabulary of the real files ---------------------------------------------------------------
class Vocabulary:
    """Values drawn from the real rows: amounts per currency, controllers, article lists, sentences."""

    def __init__(self, tables: dict[str, Table], rnd: random.Random) -> None:
        self.rnd = rnd
        records = [r for t in tables.values() for r in t.records.values()]
        self.amounts: dict[str, list[int]] = collections.defaultdict(list)
        for r in records:
            if r.fine and r.fine.amount_minor:
                self.amounts[r.fine.currency].append(major_units(r.fine.amount_minor, r.fine.currency))
        self.names = names = sorted({o.name for r in records for o in r.organisations if o.key})
        self.forms = sorted({o.legal_form for r in records for o in r.organisations if o.legal_form})
        self.words = sorted({w for n in names for w in n.split() if w.isalpha() and w[0].isupper() and len(w) > 3})
        self.articles = [a for r in records if (a := _articles(r.articles_raw))]
        self.sentences: dict[tuple[str, str | None], list[str]] = collections.defaultdict(list)
        for t in tables.values():
            for r in t.records.values():
                self.sentences[(t.name, r.authority_id)] += [s for s in _SENTENCE.split(r.summary or "")[1:]
                                                             if len(s) >= 40]  # not "EUR 5,000." after "approx."

    def day(self) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=self.rnd.randrange((LAST_DAY - FIRST_DAY).days + 1))

    def amount(self, currency: str = "EUR") -> int:
        return self.rnd.choice(self.amounts.get(currency) or self.amounts["EUR"])

    def controller(self) -> str:
        if self.rnd.random() < 0.75:
            return self.rnd.choice(self.names)
        return f"{self.rnd.choice(self.words)} {self.rnd.choice(self.words)} {self.rnd.choice(self.forms)}"

    def summary(self, source: str, authority_id: str | None, real: str) -> str:
        """As many sentences as the real summary ``real``: its first, then others about the authority."""
        first, *rest = _SENTENCE.split(real)
        pool = self.sentences.get((source, authority_id)) or self.sentences.get((source, None)) or rest
        return " ".join([first, *self.rnd.choices(pool, k=len(rest))]) if pool else first


_ARTICLE = re.compile(r"(?:Art\.?|Article)?\s*(\d{1,2})\s*(?:\((\d{1,2})\))?\s*(?:\(?([a-z])\))?", re.IGNORECASE)


def _articles(items: list[str]) -> list[tuple[str, str, str]]:
    """("5", "1", "f") for "Art. 5 (1) f) GDPR", "5(1)(f)", "Article 5(1)(f) GDPR"."""
    found = []
    for item in items:
        if (match := _ARTICLE.match(item.strip())) and 1 <= int(match[1]) <= 99:
            found.append((match[1], match[2] or "", (match[3] or "").lower()))
    return found


def cms_articles(articles: list[tuple[str, str, str]]) -> str:
    return ", ".join(f"Art. {a}{f' ({p})' if p else ''}{f' {x})' if x else ''} GDPR" for a, p, x in articles)


def gdprhub_articles(articles: list[tuple[str, str, str]]) -> str:
    return ", ".join(f"{a}{f'({p})' if p else ''}{f'({x})' if x else ''}" for a, p, x in articles)


def new_reference(reference: str, day: dt.date | None, rnd: random.Random, used: set[str]) -> str:
    """The reference with new digits (a year becomes the decision's year), unlike any given before."""
    for _ in range(20):
        new = _DIGITS.sub(lambda m: str(day.year if day else m[0]) if _is_year(m[0])
                          else "".join(rnd.choice("0123456789") for _ in m[0]), reference)
        if new not in used:
            used.add(new)
            return new
    used.add(new := f"{reference}-{len(used)}")
    return new


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1990 <= int(digits) <= 2030


# -- the tables ------------------------------------------------------------------------------------
class Tables:
    """N× each real table: the facts of every row, then each source's cells."""

    def __init__(self, tables: dict[str, Table], vocabulary: Vocabulary, scale: int, rnd: random.Random) -> None:
        self.real, self.vocabulary, self.rnd = tables, vocabulary, rnd
        self.authorities = {name: t.by_authority() for name, t in tables.items()}
        self.facts: dict[str, list[Facts]] = {name: [] for name in tables}
        self.size = {name: scale * len(t.rows) for name, t in tables.items()}
        self.references: set[str] = set()

    def share(self, first: str, second: str, facts: Facts) -> None:
        """One decision in two tables, the second's date late now and then."""
        self.facts[first].append(facts)
        late = self.rnd.randint(1, LATE_DAYS) if self.rnd.random() < LATE_SHARE and facts.day else 0
        self.facts[second].append(dataclasses.replace(facts, day=facts.day and facts.day + dt.timedelta(days=late)))

    def shared_decisions(self) -> None:
        for (first, second), share in SHARED.items():
            known = self.authorities[second]
            candidates = [i for i, r in self.real[first].records.items() if r.authority_id and r.authority_id in known]
            for _ in range(round(share * self.size[first])):
                authority = self.real[first].records[self.rnd.choice(candidates)].authority_id
                v = self.vocabulary
                self.share(first, second, Facts(authority, v.day(), (v.amount(), "EUR"), v.controller(),
                                                self.rnd.choice(v.articles)))

    def document(self, stated: Facts) -> None:
        """What a decision document states, as a GDPRhub row (and, in euro, a CMS row) now and then."""
        if not (stated.authority_id and stated.day) or self.rnd.random() >= DOC_IN_GDPRHUB:
            return
        facts = dataclasses.replace(stated, articles=self.rnd.choice(self.vocabulary.articles))
        if stated.authority_id in self.authorities["gdprhub_export"]:
            self.facts["gdprhub_export"].append(facts)
        in_euro = stated.fine and stated.fine[1] == "EUR"
        if in_euro and stated.authority_id in self.authorities["cms_enforcementtracker"] \
                and self.rnd.random() < DOC_IN_CMS:
            self.facts["cms_enforcementtracker"].append(dataclasses.replace(facts))

    def complete(self) -> None:
        """Fill each table up to its size with decisions of its own, then shuffle."""
        for name, facts in self.facts.items():
            del facts[self.size[name]:]
            indexes = list(self.real[name].records)
            facts += [self._own(name, self.rnd.choice(indexes)) for _ in range(self.size[name] - len(facts))]
            self.rnd.shuffle(facts)
            for f in facts:
                if f.template is None:  # a shared decision: a real row of its authority to write over
                    f.template = self.rnd.choice(self.authorities[name][f.authority_id])

    def _own(self, name: str, index: int) -> Facts:
        """A decision reported by one table, shaped like the real row it is written over."""
        record, v = self.real[name].records[index], self.vocabulary
        precision = record.decision_date.precision
        day = None if precision is Precision.UNKNOWN else v.day()
        day = day.replace(month=1, day=1) if precision is Precision.YEAR else day
        fine = (v.amount(record.fine.currency), record.fine.currency) if record.fine and record.fine.amount_minor \
            else None
        reference = new_reference(record.case_id, day, self.rnd, self.references) \
            if record.case_id and record.case_id.lower() not in _UNREAD else None
        return Facts(record.authority_id, day, fine, v.controller() if record.organisations else None,
                     self.rnd.choice(v.articles) if record.articles_raw else None, reference, index)

    # -- each source's cells --------------------------------------------------------------------
    def cms(self) -> bytes:
        table, rows = self.real["cms_enforcementtracker"], []
        for n, f in enumerate(self.facts["cms_enforcementtracker"], start=1):
            cells, record = list(table.rows[f.template]), table.records[f.template]
            cells[1] = f"ETid-{n}"
            if f.day:
                precise = record.decision_date.precision is not Precision.YEAR
                cells[4] = f.day.isoformat() if precise else str(f.day.year)
            cells[5] = f"{f.fine[0]:,}" if f.fine else cells[5]
            cells[6] = f.controller or cells[6]
            cells[8] = cms_articles(f.articles) if f.articles else cells[8]
            cells[10] = self.vocabulary.summary(table.name, f.authority_id, cells[10])
            cells[12] = re.sub(r"(ETid[- ]|copyETID\(|myShare)\d+", lambda m, n=n: f"{m[1]}{n}", cells[12])
            rows.append(cells)
        return json.dumps({"data": rows}, ensure_ascii=False).encode()

    def gdprhub(self) -> bytes:
        table, out = self.real["gdprhub_export"], io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.header)
        column = {name: i for i, name in enumerate(table.header)}
        for f in self.facts["gdprhub_export"]:
            cells = list(table.rows[f.template])
            cells[column["Case number/name"]] = f.case_ref or cells[column["Case number/name"]]
            cells[column["Date of decision"]] = f"{f.day:%d.%m.%Y}" if f.day else ""
            cells[column["Relevant GDPR articles"]] = gdprhub_articles(f.articles) if f.articles \
                else cells[column["Relevant GDPR articles"]]
            cells[column["Fine"]] = f"{f.fine[0]} {f.fine[1]}" if f.fine else ""
            if f.controller:
                parties = cells[column["Parties"]].count("\n") + 1
                cells[column["Parties"]] = "\n".join([f.controller] + [self.vocabulary.controller()
                                                                       for _ in range(parties - 1)])
            cells[column["Summary"]] = self.vocabulary.summary(table.name, f.authority_id, cells[column["Summary"]])
            writer.writerow(cells)
        return "\ufeff".encode() + out.getvalue().encode()

    def privacyaffairs(self) -> bytes:
        table, out = self.real["privacyaffairs_violations"], io.StringIO(newline="")
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(table.header)
        column = {name: i for i, name in enumerate(table.header)}
        for n, f in enumerate(self.facts["privacyaffairs_violations"], start=1):
            cells = list(table.rows[f.template])
            cells[column["id"]] = str(n)
            cells[column["date"]] = f"{f.day:%m/%d/%Y}" if f.day else "01/01/1970"
            cells[column["price"]] = str(f.fine[0]) if f.fine else cells[column["price"]]
            cells[column["controller"]] = f.controller or cells[column["controller"]]
            if f.articles:
                cells[column["article_violated"]] = cms_articles(f.articles).replace(", Art", "|Art")
            cells[column["summary"]] = self.vocabulary.summary(table.name, f.authority_id, cells[column["summary"]])
            writer.writerow(cells)
        return out.getvalue().encode()


# -- GDPRhub pages ---------------------------------------------------------------------------------
_CELL = r"(<td>{label}:</td>\s*<td>)(.*?)(\s*</td>)"


def gdprhub_page(page: str, record: DecisionRecord, facts: Facts, published: dt.date | None, serial: int) -> str:
    """The real page with its infobox's values replaced, numbered in a comment (no two copies the same)."""
    def cell(label: str, value: str | None) -> None:
        nonlocal page
        if value is not None:
            page = re.sub(_CELL.format(label=re.escape(label)), lambda m: f"{m[1]}{value}{m[3]}", page, count=1,
                          flags=re.DOTALL)

    if record.case_reference and facts.case_ref:
        page = page.replace(record.case_reference, facts.case_ref)
    cell("Decided", f"{facts.day:%d.%m.%Y}" if facts.day else None)
    cell("Published", f"{published:%d.%m.%Y}" if published else None)
    cell("Fine", f"{facts.fine[0]:,} {facts.fine[1]}" if facts.fine else None)
    cell("Parties", facts.controller)
    return f"{page}<!-- synthetic copy {serial} -->\n"


# -- PDFs --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class PdfTemplate:
    """A real PDF, what the parser reads in it, and what an update of its page 1 needs to know."""

    name: str
    data: bytes
    record: DecisionRecord | None = None  # None: the parser cannot read it (the scanned notice)
    page_one: str = ""
    title: str | None = None
    page_ref: tuple[int, int] = (0, 0)
    page_dict: bytes = b""  # page 1's dictionary less /Contents, /Resources and its closing ">>"
    size: int = 0
    previous_xref: int = 0
    root: bytes = b""
    info: tuple[tuple[int, int], DictionaryObject] | None = None


def pdf_template(path: Path) -> PdfTemplate:
    data = path.read_bytes()
    try:
        record = parse_decision_pdf(data)
    except ParseError:
        return PdfTemplate(path.stem, data)
    reader = PdfReader(io.BytesIO(data))
    page, trailer = reader.pages[0], reader.trailer
    info = None
    if "/Info" in trailer:
        ref = trailer.raw_get("/Info")
        info = ((ref.idnum, ref.generation), DictionaryObject(dict(trailer["/Info"].items())))
    return PdfTemplate(
        path.stem, data, record, page.extract_text(), str(info[1]["/Title"]) if info and "/Title" in info[1] else None,
        (page.indirect_reference.idnum, page.indirect_reference.generation),
        _serialised(DictionaryObject({k: v for k, v in page.items() if k not in ("/Contents", "/Resources")}))[:-2],
        int(trailer["/Size"]), int(re.findall(rb"startxref\s+(\d+)", data[-2048:])[-1]),
        _serialised(trailer.raw_get("/Root")), info)


def _serialised(obj) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _loose(text: str) -> re.Pattern[str]:
    """``text`` with any whitespace, or none, between its characters (as PDF text spaces it)."""
    return re.compile(r"\s*".join(re.escape(char) for char in text if not char.isspace()))


def restyle_date(raw: str, lang: str, day: dt.date) -> str | None:
    """``raw`` ("21.6.2018", "3 avril 2020") saying ``day`` instead, written the same way."""
    rules = grammar(lang)
    months = "|".join(sorted(map(re.escape, rules.months), key=len, reverse=True))
    names = {number: name for name, number in reversed(list(rules.months.items()))}  # the first name of each
    values = {"d": day.day, "m": day.month, "y": day.year}
    for pattern in rules.date_patterns:
        if match := re.fullmatch(pattern.replace("{month}", f"(?:{months})"), fold(raw), re.IGNORECASE):
            text = match.group()
            for group in sorted((g for g, v in match.groupdict().items() if v), key=match.start, reverse=True):
                old = match[group]
                new = names[day.month] if group == "month" else str(values[group]).zfill(2 if old[0] == "0" else 1)
                text = text[:match.start(group)] + (new.capitalize() if old[0].isupper() else new) \
                    + text[match.end(group):]
            return text
    return None


def synthetic_pdf(template: PdfTemplate, facts: Facts, serial: int) -> tuple[bytes, Facts]:
    """The PDF, and what it states: the new values whose old ones were found on page 1 or in the title,
    the real ones elsewhere (its fine, as a rule)."""
    record = template.record
    if record is None:
        return template.data + b"\n%% synthetic copy %d\n" % serial, Facts(None)
    text, title = template.page_one, template.title
    fine = (major_units(record.fine.amount_minor, record.fine.currency), record.fine.currency) if record.fine else None
    stated = Facts(record.authority_id, None, fine, record.parties[0].name if record.parties else None)
    new_date = restyle_date(record.decision_date.raw, record.language, facts.day) \
        if record.decision_date.value and facts.day else None
    changes = [("case_ref", record.case_reference, facts.case_ref),
               ("case_ref", (record.case_reference or "").replace("/", "-"), (facts.case_ref or "").replace("/", "-")),
               ("day", record.decision_date.raw, new_date),
               ("controller", stated.controller, facts.controller)]
    for field, old, new in changes:
        if not (old and new):
            continue
        pattern = _loose(old)
        new = new.upper() if old.isupper() else new
        if pattern.search(text) or (title and pattern.search(title)):
            text = pattern.sub(lambda _, new=new: new, text)
            title = pattern.sub(lambda _, new=new: new, title) if title else title
            setattr(stated, field, getattr(facts, field))
    return page_one_replaced(template, text, title, serial), stated


def page_one_replaced(template: PdfTemplate, text: str, title: str | None, serial: int) -> bytes:
    """The template's bytes with an incremental update: page 1 shows ``text`` (Helvetica, line by line)
    and the metadata's /Title is ``title``; a comment numbers the copy, so that no two copies are the
    same bytes even where page 1 states nothing that was varied."""
    size = template.size
    lines = b"".join(b"<%s> Tj T*\n" % line.encode("cp1252", "replace").hex().encode() for line in text.split("\n"))
    content = b"BT /FSyn 9 Tf 11 TL 50 800 Td\n" + lines + b"ET"
    objects = {
        (size, 0): b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        (size + 1, 0): b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        template.page_ref: template.page_dict + b" /Contents %d 0 R /Resources << /Font << /FSyn %d 0 R >> >> >>"
        % (size, size + 1),
    }
    trailer = b"/Size %d /Root %s /Prev %d" % (size + 2, template.root, template.previous_xref)
    if template.info:
        ref, info = template.info
        if title is not None:
            info = DictionaryObject(info)
            info[NameObject("/Title")] = TextStringObject(title)
        objects[ref] = _serialised(info)
        trailer += b" /Info %d %d R" % ref
    out = bytearray(template.data if template.data.endswith(b"\n") else template.data + b"\n")
    out += b"%% synthetic copy %d\n" % serial
    offsets = {}
    for (number, generation), body in objects.items():
        offsets[(number, generation)] = len(out)
        out += b"%d %d obj\n%s\nendobj\n" % (number, generation, body)
    xref = len(out)
    out += b"xref\n" + b"".join(b"%d 1\n%010d %05d n\r\n" % (number, offset, generation)
                                for (number, generation), offset in sorted(offsets.items()))
    return bytes(out + b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))


# -- the source config -------------------------------------------------------------------------------
def _toml_value(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    raise TypeError(f"no TOML for {value!r}")


def toml_entries(kind: str, entries: list[dict]) -> str:
    return "".join(f"\n[[{kind}]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in entry.items())
                   for entry in entries)


def law_documents(config: Path = OFFLINE) -> str:
    """The [[document]] entries of ``config``, their paths made absolute: a config of its own or a part of one."""
    documents = tomllib.loads(config.read_text(encoding="utf-8")).get("document", [])
    return toml_entries("document", [{**d, "path": str((config.parent / d["path"]).resolve())} if "path" in d else d
                                     for d in documents])


def sources_toml(out: Path) -> str:
    """offline.toml's entries, pointing at the synthetic files (same names, licences and mappings)."""
    offline = tomllib.loads(OFFLINE.read_text(encoding="utf-8"))
    folders = [{**f, "path": str(out / "decisions" / Path(f["path"]).name)} for f in offline["decision_folder"]]
    tables = [{**t, "path": str(out / "fines" / TABLES[t["mapping"]][1])} for t in offline["fine_table"]]
    return ("# Synthetic enforcement sources (bench/synthetic.py) and the GDPR documents of examples/offline.toml.\n"
            + law_documents() + toml_entries("decision_folder", folders) + toml_entries("fine_table", tables))


# -- writing it all ---------------------------------------------------------------------------------
def generate(out: Path, scale: int, pdf_scale: int | None = None, seed: int = 0) -> dict[str, int]:
    """Write the synthetic set into ``out``; returns what was written, by kind."""
    rnd = random.Random(seed)
    pdf_scale = scale if pdf_scale is None else pdf_scale
    real = {name: read_table(name) for name in TABLES}
    vocabulary = Vocabulary(real, rnd)
    tables = Tables(real, vocabulary, scale, rnd)
    for folder in ("fines", "decisions/pdf", "decisions/html"):
        (out / folder).mkdir(parents=True, exist_ok=True)

    counts = collections.Counter()
    pdfs = [pdf_template(path) for path in sorted((CORPUS / "dpa" / "pdf").glob("*.pdf"))]
    for serial in range(pdf_scale * len(pdfs)):
        template = pdfs[serial % len(pdfs)]
        wanted = _document_facts(template.record, vocabulary, tables.references)
        data, stated = synthetic_pdf(template, wanted, serial)
        prefix = "_".join(template.name.split("_")[:2])
        (out / "decisions" / "pdf" / f"{prefix}_synthetic_{serial:05d}.pdf").write_bytes(data)
        tables.document(stated)
        counts["pdf"] += 1

    pages = [(path, path.read_text(encoding="utf-8")) for path in sorted((CORPUS / "dpa" / "html").glob("*.html"))]
    records = [parse_gdprhub_page(page.encode()) for _, page in pages]
    for serial in range(scale * len(pages)):
        (path, page), record = pages[serial % len(pages)], records[serial % len(pages)]
        facts = _document_facts(record, vocabulary, tables.references)
        published = facts.day + dt.timedelta(days=rnd.randint(0, 30)) if facts.day else \
            (vocabulary.day() if record.publication_date.value else None)
        (out / "decisions" / "html" / f"{path.stem[:40]}_synthetic_{serial:05d}.html").write_text(
            gdprhub_page(page, record, facts, published, serial), encoding="utf-8")
        tables.document(facts)
        counts["html"] += 1

    tables.shared_decisions()
    tables.complete()
    for name, data in (("cms_enforcementtracker", tables.cms()), ("gdprhub_export", tables.gdprhub()),
                       ("privacyaffairs_violations", tables.privacyaffairs())):
        (out / "fines" / TABLES[name][1]).write_bytes(data)
        counts[name] = len(tables.facts[name])
    (out / "sources.toml").write_text(sources_toml(out), encoding="utf-8")
    return dict(counts)


def _document_facts(record: DecisionRecord | None, vocabulary: Vocabulary, used: set[str]) -> Facts:
    """New values for what a decision document states: its case number, day, fine (same currency), party."""
    if record is None:
        return Facts(None)
    day = vocabulary.day() if record.decision_date.value else None
    reference = new_reference(record.case_reference, day, vocabulary.rnd, used) if record.case_reference else None
    fine = (vocabulary.amount(record.fine.currency), record.fine.currency) if record.fine else None
    controller = vocabulary.controller() if record.parties else None
    return Facts(record.authority_id, day, fine, controller, None, reference)


def verify(out: Path) -> None:
    """Parse one synthetic copy of each real document and print what the parser read."""
    for folder, parse in (("pdf", parse_decision_pdf), ("html", parse_gdprhub_page)):
        seen = set()
        for path in sorted((out / "decisions" / folder).iterdir()):
            prefix = path.name.rsplit("_synthetic_", 1)[0]
            if prefix in seen and folder == "pdf":
                continue
            seen.add(prefix)
            try:
                r = parse(path.read_bytes())
            except ParseError as error:
                print(f"{path.name:<60} {error}")
                continue
            print(f"{path.name:<60} {r.case_reference or '-':<34} {r.decision_date.value or '-'!s:<10} "
                  f"{r.fine.raw if r.fine else '-':<16} {', '.join(p.name for p in r.parties)[:40]}")
            if folder == "html" and len(seen) > 19:
                break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True, help="N: times the real number of rows and documents")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pdf-scale", type=int, help="times the real number of PDFs (default: --scale)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verify", action="store_true", help="parse one copy of each document and print it")
    args = parser.parse_args()
    counts = generate(args.out.resolve(), args.scale, args.pdf_scale, args.seed)
    print(", ".join(f"{name}: {n:,}" for name, n in counts.items()), f"→ {args.out.resolve() / 'sources.toml'}")
    if args.verify:
        verify(args.out.resolve())


if __name__ == "__main__":
    main()
