"""The prompt builder on the real graph: what a question as of a date gets, in what wording, with which
citations, and that the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kb_store import EnforcementFilter, Reader
from kb_store.prompt import Audience, Persona, PromptBuilder, PromptResult, count_tokens
from schema.ids import GDPR, article_of

ERASURE = "What are the rules on erasure of personal data in France?"


@pytest.fixture(scope="module")
def builder(offline_store: Path):
    with PromptBuilder.open(offline_store) as opened:
        yield opened


@pytest.fixture(scope="module")
def erasure_2021(builder: PromptBuilder) -> PromptResult:
    return builder.build(ERASURE, as_of=dt.date(2021, 3, 1))


def _of_kind(result: PromptResult, kind: str) -> list:
    return [b for b in result.blocks if b.kind == kind]


def test_erasure_in_france_gives_article_17_its_paragraphs_references_recitals_and_cnil_decisions(
        erasure_2021: PromptResult, offline_store: Path) -> None:
    law = _of_kind(erasure_2021, "provision")
    assert article_of(law[0].id) == f"{GDPR}/art_17", "Article 17 comes first"
    assert {f"{GDPR}/art_17/par_{n}" for n in (1, 2, 3)} <= {b.id for b in law}
    with Reader.open(offline_store) as reader:
        cited = _cited_below(reader.show("art_17", dt.date(2021, 3, 1), "en"))
        cnil = {d.id for d in reader.decisions(EnforcementFilter(authority="CNIL", cites="Art. 17",
                                                                 before=dt.date(2021, 3, 1))).results}
    outside = {c for c in cited if article_of(c) != f"{GDPR}/art_17"}
    assert any(b.id in outside or any(c.startswith(b.id + "/") for c in outside) for b in law), \
        "a provision Article 17 cross-references is quoted"
    assert {f"{GDPR}/rct_65", f"{GDPR}/rct_66"} <= {b.id for b in _of_kind(erasure_2021, "recital")}
    decisions = _of_kind(erasure_2021, "decision")
    assert cnil & {b.id for b in decisions}, "a CNIL decision citing Art. 17 decided before the date"
    assert all(b.decision_date is None or b.decision_date <= dt.date(2021, 3, 1) for b in decisions)
    assert all(b.citation.sources for b in erasure_2021.blocks)


def _cited_below(view) -> set[str]:
    return {c.id for c in view.cites} | {c for child in view.children for c in _cited_below(child)}


def test_before_the_gdpr_applied_the_context_says_so_quotes_2016_and_holds_no_decision(builder: PromptBuilder) -> None:
    result = builder.build(ERASURE, as_of=dt.date(2017, 1, 1))
    assert "did not yet apply" in result.prompt.context and "2018-05-25" in result.prompt.context
    assert not _of_kind(result, "decision")
    assert not [c for c in result.trace.candidates if c.kind == "decision"]
    law = _of_kind(result, "provision")
    assert law and all(b.valid_from == dt.date(2016, 5, 4) for b in law)


def test_between_corrections_the_wording_of_then_is_quoted(builder: PromptBuilder) -> None:
    """Article 37(1)(c) read "and personal data" before the 2018 corrigendum and "or personal data" after."""
    before = builder.build("Article 37(1)(c) GDPR data protection officer", as_of=dt.date(2017, 1, 1))
    after = builder.build("Article 37(1)(c) GDPR data protection officer", as_of=dt.date(2019, 1, 1))
    (old,) = [b for b in before.blocks if b.id == f"{GDPR}/art_37/par_1"]
    (new,) = [b for b in after.blocks if b.id == f"{GDPR}/art_37/par_1"]
    assert "and personal data relating to criminal" in old.text and old.valid_to == dt.date(2018, 5, 23)
    assert "or personal data relating to criminal" in new.text


def test_the_prompt_fits_its_budget_and_says_what_was_left_out(builder: PromptBuilder) -> None:
    for budget in (1000, 2000, 4000):
        result = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), budget_tokens=budget)
        text = "\n".join((result.prompt.system, result.prompt.context, result.prompt.question))
        assert result.tokens == count_tokens(text) <= budget
        if result.trace.left_out:
            assert "Left out for lack of budget" in result.prompt.context
    small = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), budget_tokens=1000)
    assert small.trace.left_out and len(small.blocks) < len(builder.build(ERASURE, as_of=dt.date(2021, 3, 1)).blocks)


def test_every_query_is_in_the_trace_with_its_parameters_and_rows(erasure_2021: PromptResult) -> None:
    steps = [q.step for q in erasure_2021.trace.queries]
    assert {"precedent.search", "law.units", "law.cross_references", "enforcement.citing"} <= set(steps)
    search = next(q for q in erasure_2021.trace.queries if q.step == "precedent.search")
    assert json.loads(search.params["as_of"]) == "2021-03-01" and search.rows > 0
    kept = {c.id for c in erasure_2021.trace.candidates if c.kept}
    assert {b.id for b in _of_kind(erasure_2021, "decision")} <= kept
    assert all(c.why for c in erasure_2021.trace.candidates)


def test_personas_change_instructions_and_order_never_facts(builder: PromptBuilder) -> None:
    lawyer = builder.build(ERASURE, as_of=dt.date(2021, 3, 1))
    citizen = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), persona=Persona(audience=Audience.CITIZEN))
    assert lawyer.prompt.system != citizen.prompt.system
    by_id = {b.id: b for b in lawyer.blocks}
    assert len(by_id.keys() & {b.id for b in citizen.blocks}) >= 3, "both quote the same law"
    for block in citizen.blocks:
        if block.id in by_id:
            assert (block.text, block.citation.sources) == (by_id[block.id].text, by_id[block.id].citation.sources)


def test_the_answer_language_quotes_the_law_in_it_where_the_graph_has_it(builder: PromptBuilder) -> None:
    french = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), persona=Persona(lang="fr"))
    assert all(b.lang == "fr" for b in _of_kind(french, "provision"))
    assert "effacement" in french.blocks[0].text or "effacement" in french.blocks[0].label
    bulgarian = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), persona=Persona(lang="bg"))
    assert all(b.lang == "bg" for b in _of_kind(bulgarian, "provision"))
    assert "изтриване" in bulgarian.blocks[0].text or "изтриване" in bulgarian.blocks[0].label
    # Norwegian is read in decisions, but the GDPR has no Norwegian wording: English, said so.
    norwegian = builder.build(ERASURE, as_of=dt.date(2021, 3, 1), persona=Persona(lang="no"))
    assert all(b.lang == "en" for b in _of_kind(norwegian, "provision"))
    assert "no no wording" in norwegian.prompt.context


def _questions(store: Path, count: int) -> list[tuple[str, dt.date]]:
    """Decision summaries of the snapshot, each asked as of the day before its decision (every 7th dated one)."""
    with Reader.open(store) as reader:
        folder = store / "graphs" / reader.snapshot / "tables"
    rows = pq.read_table(folder / "Decision.parquet", columns=["summary", "decision_date", "date_precision"]).to_pylist()
    dated = sorted((r["decision_date"], r["summary"]) for r in rows
                   if r["date_precision"] == "day" and r["summary"] and len(r["summary"].split()) > 20)
    return [(summary[:600], day - dt.timedelta(days=1)) for day, summary in dated[::7][:count]]


def test_every_block_of_200_questions_cites_a_source_document_of_the_snapshot(
        builder: PromptBuilder, offline_store: Path) -> None:
    with Reader.open(offline_store) as reader:
        documents = {s.sha256 for s in reader.manifest.sources}
    questions = _questions(offline_store, 170) + [(f"What does the GDPR say about {topic}?", dt.date(2022, 6, 1)) for topic in (
        "consent of children", "data breaches", "the data protection officer", "transfers to third countries",
        "video surveillance", "the right of access", "fines", "processors", "impact assessments", "profiling",
        "data portability", "records of processing", "security of processing", "legitimate interests",
        "health data", "codes of conduct", "certification", "the EDPB", "complaints", "compensation",
        "restriction of processing", "rectification", "objection to direct marketing", "joint controllers",
        "representatives of controllers not established in the Union", "prior consultation", "employment",
        "archiving in the public interest", "churches", "freedom of expression")]
    assert len(questions) == 200
    cited = 0
    for question, as_of in questions:
        result = builder.build(question, as_of=as_of)
        for block in result.blocks:
            assert block.citation.sources, f"{block.key} {block.id} has no source"
            assert {s.sha256 for s in block.citation.sources} <= documents, block.id
            cited += 1
        assert all(b.decision_date is None or b.decision_date <= as_of for b in _of_kind(result, "decision"))
    assert cited > 1000


def test_same_question_same_snapshot_gives_the_same_bytes_across_processes(offline_store: Path) -> None:
    command = [sys.executable, "-m", "pipelines.cli", "prompt", ERASURE, "--as-of", "2021-03-01",
               "--store", str(offline_store), "--format", "json"]
    first, second = (subprocess.run(command, capture_output=True, check=True).stdout for _ in range(2))
    assert first == second
    result = json.loads(first)
    assert {"snapshot", "as_of", "tokens", "content_hash", "prompt", "blocks", "trace"} <= result.keys()
    assert {"system", "context", "question"} == result["prompt"].keys()
    assert all({"key", "kind", "id", "text", "citation"} <= b.keys() for b in result["blocks"])
    assert all("decision_date" in b for b in result["blocks"] if b["kind"] == "decision")
    assert all({"id", "decision_date"} <= c.keys() for c in result["trace"]["candidates"] if c["kind"] == "decision")


def test_batch_mode_writes_one_result_per_line_with_its_id_and_reports_bad_lines(
        offline_store: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join([
        json.dumps({"id": "q1", "question": ERASURE, "as_of": "2021-03-01"}),
        json.dumps({"id": "q2", "question": "Que dit l'article 17 du RGPD ?", "lang": "fr", "as_of": "2020-01-01"}),
        json.dumps({"id": "q3", "question": "no date", "as_of": "yesterday"})]) + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "prompt", "--questions", str(questions),
                           "--out", str(out), "--store", str(offline_store)], capture_output=True, text=True)
    assert done.returncode == 1 and "1 of 3 lines" in done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line.get("id") for line in lines] == ["q1", "q2", None]
    assert lines[1]["lang"] == "fr" and lines[1]["as_of"] == "2020-01-01"
    assert "line 3" in lines[2]["error"] and "as_of" in lines[2]["error"]


@pytest.mark.parametrize("country, question, error", [
    ("ZZ", ERASURE, "no country 'ZZ' in the graph"),
    ("Spain", ERASURE, "no country 'Spain' in the graph"),
    (None, "   ", "the question is empty"),
])
def test_a_question_the_graph_cannot_answer_as_asked_is_refused_with_the_reason(
        builder: PromptBuilder, country: str | None, question: str, error: str) -> None:
    with pytest.raises((LookupError, ValueError), match=error):
        builder.build(question, as_of=dt.date(2021, 3, 1), country=country)


def test_the_command_refuses_an_unknown_country_with_exit_2(offline_store: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "prompt", ERASURE, "--country", "ZZ",
                           "--store", str(offline_store)], capture_output=True, text=True)
    assert done.returncode == 2 and "no country 'ZZ'" in done.stderr and "FR" in done.stderr
