"""Fencing end to end: injection payloads planted in the summaries of a real GDPRhub export, refreshed into a
store and built into prompts. Every planted decision reaches a prompt as a block; no payload appears in the
instructions, in the question or in the context outside its ``<source …>…</source>`` fence; no chat-template
token, hidden, bidi or zero-width character or forged delimiter survives raw anywhere in the context; and each
payload is flagged in the trace against its block with its kind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from kb_store.prompt import PromptBuilder, PromptResult
from parsers.tabular import load_mapping, parse_tabular
from tests.test_prompt_fence import DANGEROUS, PAYLOADS, invisible

EXPORT = Path("fines") / "gdprhub_decisions_2024-03.csv"
CLEAN_ROWS = 10
DAY = re.compile(r"\d{2}\.\d{2}\.\d{4}")

# One planted row per distinct payload, with every kind the fence test expects of it.
PLANTED: dict[str, set[str]] = {}
for _payload, _kind, _flagged, _action in PAYLOADS:
    PLANTED.setdefault(_payload, set()).add(str(_kind))
PLANTED_PAYLOADS = list(PLANTED)


def marker(i: int) -> str:
    """A nonsense word of one planted summary alone (letters only: the full-text index splits at digits),
    so that asking for it brings that decision first."""
    return f"zq{chr(97 + i // 26)}{chr(97 + i % 26)}bakery"


def decided(i: int) -> dt.date:
    return dt.date(2019, 1, 7) + dt.timedelta(days=7 * i)


def summary(i: int, payload: str) -> str:
    # The payload on a line of its own: role markers ("System:", "### Instruction") are found at line starts.
    return (f"Video surveillance of employees in a bakery ({marker(i)}) was found unlawful.\n{payload}\n"
            "The authority ordered the cameras removed.")


def readable(header: list[str], row: list[str]) -> bool:
    """Whether the export's mapping reads the row (some real rows are quarantined, e.g. for "2.000 EUR")."""
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    parsed = parse_tabular(out.getvalue().encode("utf-8-sig"), load_mapping("gdprhub_export"), frozenset())
    return not parsed.quarantined and len(parsed.records) == 1


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    from pipelines.refresh import refresh

    root = tmp_path_factory.mktemp("injection")
    with open(corpus / EXPORT, encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    date, jurisdiction, case, text = (header.index(c) for c in
                                      ("Date of decision", "Jurisdiction", "Case number/name", "Summary"))
    chosen, cases = [], set()
    for row in rows:  # rows with a day-precise date, a country and a case number of their own
        if (DAY.fullmatch(row[date]) and row[jurisdiction] not in ("", "'-") and row[case] and row[case] not in cases
                and readable(header, row)):
            cases.add(row[case])
            chosen.append(row)
        if len(chosen) == len(PLANTED_PAYLOADS) + CLEAN_ROWS:
            break
    articles = header.index("Relevant GDPR articles")
    for i, payload in enumerate(PLANTED_PAYLOADS):
        # A date of its own and the same articles for each planted row: asked as of that day, it is the
        # newest of equally ranked decisions, so it is first among the prompt's decisions.
        chosen[i][text], chosen[i][date], chosen[i][articles] = summary(i, payload), decided(i).strftime("%d.%m.%Y"), "5(1)(a), 6(1)"
    with open(root / "gdprhub_planted.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *chosen])
    eurlex = (corpus / "eurlex" / "gdpr_32016R0679_eurlex_oj_en.html").as_posix()
    (root / "sources.toml").write_text(f'''
[[document]]
name = "gdpr_html_en"
celex = "32016R0679"
lang = "en"
format = "eurlex_html"
path = "{eurlex}"
licence = "Commission Decision 2011/833/EU (reuse authorised)"
attribution = "© European Union, https://eur-lex.europa.eu"

[[fine_table]]
name = "gdprhub_export"
path = "gdprhub_planted.csv"
mapping = "gdprhub_export"
licence = "CC BY-NC-SA 4.0"
attribution = "GDPRhub, noyb – European Center for Digital Rights, https://gdprhub.eu"
''', encoding="utf-8")
    store = root / "store"
    report = refresh(root / "sources.toml", store)
    assert report.published
    return store


@pytest.fixture(scope="module")
def prompts(planted_store: Path) -> dict[int, PromptResult]:
    with PromptBuilder.open(planted_store) as builder:
        return {i: builder.build(f"video surveillance of employees in a bakery {marker(i)}", as_of=decided(i),
                                 budget_tokens=8000) for i in range(len(PLANTED_PAYLOADS))}


FENCED = re.compile(r'<source key="[^"]*" label="[^"]*">\n(.*?)\n</source>', re.DOTALL)


def split_context(context: str) -> tuple[list[str], str]:
    """The bodies of the fenced blocks, and everything else."""
    return FENCED.findall(context), FENCED.sub("", context)


def planted_block(result: PromptResult, i: int):
    found = [b for b in result.blocks if b.kind == "decision" and marker(i) in b.text]
    assert len(found) == 1, f"the decision planted with {marker(i)} is one block of its prompt"
    return found[0]


def test_enough_payloads_are_planted() -> None:
    assert len(PLANTED_PAYLOADS) >= 30


@pytest.mark.parametrize("i", range(len(PLANTED_PAYLOADS)), ids=[ascii(p)[:40] for p in PLANTED_PAYLOADS])
def test_planted_payload_is_fenced_neutralised_and_flagged(prompts: dict[int, PromptResult], i: int) -> None:
    payload = PLANTED_PAYLOADS[i]
    # the first prompt quoting the planted decision (asked as of its day, else of another planted row's day)
    result = next((r for r in [prompts[i], *prompts.values()]
                   if any(b.kind == "decision" and marker(i) in b.text for b in r.blocks)), prompts[i])
    block = planted_block(result, i)  # (a)
    assert block.decision_date is not None and block.date_precision == "day"
    system, context, question = result.prompt.system, result.prompt.context, result.prompt.question
    bodies, outside = split_context(context)
    # (b) never in the instructions, the question or the context outside the fences
    assert payload not in system and payload not in question
    assert payload not in outside
    assert marker(i) not in outside and marker(i) not in system, "source text stays inside its fence"
    assert context.count(f'<source key="{block.key}"') == 1
    # nothing dangerous raw anywhere: in the fenced bodies, nor around them
    # the instructions name the delimiter once, as "<source …> and </source>"
    system = system.replace("<source …> and </source>", "")
    for part in (system, question, outside, *bodies):
        assert not DANGEROUS.search(part), ascii(part)
        assert not any(invisible(c) for c in part), ascii(part)
    assert len(bodies) == len(result.blocks), "a forged delimiter neither opens nor closes a block"
    # (c) flagged against its block with every expected kind; the export's cleaning joins a summary's lines,
    # so a role marker written in words no longer starts a line (it stays quoted text inside the fence)
    kinds = {f.kind for f in result.trace.flags if f.block == block.key}
    assert PLANTED[payload] - {"role_marker"} <= kinds, (block.key, PLANTED[payload], kinds)


def test_clean_rows_and_the_law_are_unflagged(prompts: dict[int, PromptResult]) -> None:
    for result in prompts.values():
        markers = {b.key for b in result.blocks if b.kind == "decision" and "bakery (zq" in b.text}
        stray = [f for f in result.trace.flags if f.block not in markers]
        assert not stray, stray
