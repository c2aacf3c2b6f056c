"""The id rules of :class:`parsers._structure.ActBuilder`, call by call, on small made-up acts."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers._structure import ActBuilder, point_number
from parsers.registry import parse
from pipelines.sources import load_config
from schema.ids import Kind, kind_of
from schema.law import ParsedAct, SourceFormat
from tests.conftest import OFFLINE

ACT = "eu/reg/2016/679"
ARTICLE = ("article", "5", "Principles")


def build(*calls: tuple) -> ParsedAct:
    builder = ActBuilder(ACT, "en", SourceFormat.FORMEX_ACT, "REGULATION (EU) 2016/679")
    for method, *args in calls:
        getattr(builder, method)(*args)
    return builder.build()


def rows(act: ParsedAct) -> list[tuple[str, str, str]]:
    """(id, parent id, text) of every unit after the act, ids relative to the act ("" is the act)."""
    def rel(unit_id: str | None) -> str:
        return (unit_id or "").removeprefix(ACT).removeprefix("/")

    return [(rel(p.id), rel(p.parent_id), p.text) for p in act.provisions[1:]]


CASES = [  # (rule, calls after the article, units after the act as (id, parent, text))
    ("numbered paragraph", [("paragraph", "1", "The first.")],
     [("art_5", "", ""), ("art_5/par_1", "art_5", "The first.")]),
    ("chapeau, then subparagraphs", [("paragraph", "1", "A."), ("text_block", "B."), ("text_block", "C.")],
     [("art_5", "", ""), ("art_5/par_1", "art_5", "A."), ("art_5/par_1/sub_2", "art_5/par_1", "B."),
      ("art_5/par_1/sub_3", "art_5/par_1", "C.")]),
    ("article without paragraphs", [("text_block", "A."), ("text_block", "B.")],
     [("art_5", "", "A."), ("art_5/sub_2", "art_5", "B.")]),
    ("points follow their block",
     [("paragraph", "1", "A:"), ("point", "(a)", "x;"), ("point", "(b)", "y."), ("text_block", "B:"),
      ("point", "(a)", "z.")],
     [("art_5", "", ""), ("art_5/par_1", "art_5", "A:"), ("art_5/par_1/pnt_a", "art_5/par_1", "x;"),
      ("art_5/par_1/pnt_b", "art_5/par_1", "y."), ("art_5/par_1/sub_2", "art_5/par_1", "B:"),
      ("art_5/par_1/sub_2/pnt_a", "art_5/par_1/sub_2", "z.")]),
    ("nested points",
     [("text_block", "A:"), ("point", "(a)", "x:"), ("point", "(i)", "i;", 2), ("point", "(ii)", "ii;", 2),
      ("point", "(b)", "y.")],
     [("art_5", "", "A:"), ("art_5/pnt_a", "art_5", "x:"), ("art_5/pnt_a/pnt_i", "art_5/pnt_a", "i;"),
      ("art_5/pnt_a/pnt_ii", "art_5/pnt_a", "ii;"), ("art_5/pnt_b", "art_5", "y.")]),
    ("indents, numbered in each parent",
     [("paragraph", "1", "A:"), ("point", "—", "one;"), ("point", "—", "two."), ("paragraph", "2", "B:"),
      ("point", "—", "three;"), ("point", "(a)", "x:"), ("point", "–", "four.", 2)],
     [("art_5", "", ""), ("art_5/par_1", "art_5", "A:"), ("art_5/par_1/idt_1", "art_5/par_1", "one;"),
      ("art_5/par_1/idt_2", "art_5/par_1", "two."), ("art_5/par_2", "art_5", "B:"),
      ("art_5/par_2/idt_1", "art_5/par_2", "three;"), ("art_5/par_2/pnt_a", "art_5/par_2", "x:"),
      ("art_5/par_2/pnt_a/idt_1", "art_5/par_2/pnt_a", "four.")]),
    ("a point of several blocks", [("text_block", "A:"), ("point", "(a)", "x,"), ("append_to_point", "then y.")],
     [("art_5", "", "A:"), ("art_5/pnt_a", "art_5", "x, then y.")]),
    ("footnotes under the text calling them, in order",
     [("paragraph", "1", "A."), ("footnote", "OJ L 1."), ("footnote", "OJ L 2."), ("point", "(a)", "x"),
      ("footnote", "OJ L 3."), ("append_to_point", "y."), ("footnote", "OJ L 4."), ("text_block", "B."),
      ("footnote", "OJ L 5.")],
     [("art_5", "", ""), ("art_5/par_1", "art_5", "A."), ("art_5/par_1/ftn_1", "art_5/par_1", "OJ L 1."),
      ("art_5/par_1/ftn_2", "art_5/par_1", "OJ L 2."), ("art_5/par_1/pnt_a", "art_5/par_1", "x y."),
      ("art_5/par_1/pnt_a/ftn_1", "art_5/par_1/pnt_a", "OJ L 3."),
      ("art_5/par_1/pnt_a/ftn_2", "art_5/par_1/pnt_a", "OJ L 4."), ("art_5/par_1/sub_2", "art_5/par_1", "B."),
      ("art_5/par_1/sub_2/ftn_1", "art_5/par_1/sub_2", "OJ L 5.")]),
    ("a footnote of a heading", [("footnote", "OJ L 1."), ("text_block", "A.")],
     [("art_5", "", "A."), ("art_5/ftn_1", "art_5", "OJ L 1.")]),
    ("footnotes of the title and citations: the act's, first, under their printed numbers",
     [("text_block", "A."), ("act_footnote", "2", "OJ C 229."), ("act_footnote", "3", "OJ C 391.")],
     [("ftn_2", "", "OJ C 229."), ("ftn_3", "", "OJ C 391."), ("art_5", "", "A.")]),
]


@pytest.mark.parametrize(("calls", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_ids(calls, expected):
    act = build(ARTICLE, *calls)
    assert rows(act) == expected
    assert all(p.kind is kind_of(p.id) for p in act.provisions)


def test_articles_and_recitals_hang_on_the_act_whatever_holds_them():
    act = build(("recital", "3", "Directive 95/46/EC seeks"), ("footnote", "Directive 95/46/EC of 24 October 1995."),
                ("chapter", "II", "Principles"), ("section", "1", "General"), ARTICLE)
    assert rows(act) == [("rct_3", "", "Directive 95/46/EC seeks"),
                         ("rct_3/ftn_1", "rct_3", "Directive 95/46/EC of 24 October 1995."),
                         ("cpt_II", "", ""), ("cpt_II/sct_1", "cpt_II", ""), ("art_5", "cpt_II/sct_1", "")]
    footnote = act.provisions[2]
    assert (footnote.kind, footnote.number) == (Kind.FOOTNOTE, "1")


def test_text_is_normalised_and_the_original_kept():
    unit = build(ARTICLE, ("text_block", " A\u00a0\n b ")).provisions[1]
    assert (unit.text, unit.text_original) == ("A b", " A\u00a0\n b ")


ERRORS = [  # (case, calls, message)
    ("text for a point when none is open", [ARTICLE, ("paragraph", "1", "A."), ("append_to_point", "x")],
     r"^text for a point, but no point is open: 'x'$"),
    ("nested point without its outer point", [ARTICLE, ("paragraph", "1", "A:"), ("point", "(i)", "x", 2)],
     r"^point '\(i\)' at depth 2 without an open point at depth 1$"),
    ("point at depth 0", [ARTICLE, ("point", "(a)", "x", 0)], r"^point '\(a\)' at depth 0: lists start at depth 1$"),
    ("point outside any article", [("recital", "1", "x"), ("point", "(a)", "x")],
     r"^point '\(a\)' outside any article$"),
    ("paragraph outside any article", [("paragraph", "1", "x")], r"^paragraph outside any article$"),
    ("footnote before any provision", [("footnote", "OJ C 229.")], r"^footnote called before any provision"),
    ("duplicate id", [ARTICLE, ARTICLE], rf"^duplicate provision {ACT}/art_5$"),
    ("not a point label", [ARTICLE, ("point", "a)b", "x")], r"^not a point label: 'a\)b'$"),
]


@pytest.mark.parametrize(("calls", "message"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_structure_errors(calls, message):
    with pytest.raises(ValueError, match=message):
        build(*calls)


@pytest.mark.parametrize(("label", "number"), [
    ("(a)", "a"), ("(iv)", "iv"), ("(12)", "12"), ("1.", "1"), ("\u00a0(B)\n", "b"), ("( aa )", "aa"),
    ("—", None), ("–", None), ("•", None),
])
def test_point_number(label, number):
    assert point_number(label) == number


def _act_documents() -> list:
    """Every legal text examples/offline.toml lists but the corrigenda: (format, path), by name."""
    return [pytest.param(d.format, d.url.removeprefix("file://"), id=d.name)
            for d in load_config(OFFLINE).documents if d.format != "formex_corrigendum"]


@pytest.mark.parametrize("source_format, path", _act_documents())
def test_every_parser_gives_unique_ids_with_parents_before_children(source_format: str, path: str) -> None:
    seen: set[str] = set()
    for provision in parse(source_format, Path(path).read_bytes()).provisions:
        assert provision.id not in seen
        assert provision.parent_id is None or provision.parent_id in seen
        seen.add(provision.id)
    assert len(seen) > 800
