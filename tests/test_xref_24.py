"""Each language's citation grammar against the ground truth the GDPR itself gives: the references
between its own provisions. In every language the act as published and its consolidated text must
cite what the English ones cite; each difference left is listed, with its reason, in the
language's file of ``tests/citations/<lang>.toml`` (which also holds its citation examples, read by
tests/test_xref_dpa.py)::

    [[difference]]
    text = "original"                     # or "consolidated"
    edge = ["art_93/par_3", "art_5"]      # citing and cited ids, relative to the GDPR
    only_in = "fr"                        # "en" or the language: where the edge is found
    reason = "the French text says 'l'article 5' where the English says 'Article 5 thereof'"

The test fails on a difference not listed and on a listed one that is gone, so the list stays true.
"""

from __future__ import annotations

import time
import tomllib
from functools import cache
from pathlib import Path
from typing import get_args

import pytest

from parsers.formex import parse_formex_act
from parsers.xref import extract_references
from schema.ids import GDPR
from schema.law import ActLang
from tests.conftest import CORPUS

TEXTS = {"original": "gdpr_32016R0679_formex_original_{}.xml", "consolidated": "gdpr_02016R0679_formex_consolidated_{}.xml"}
DIFFERENCES = Path(__file__).with_name("citations")
Edge = tuple[str, str]


def _path(text: str, lang: str) -> Path:
    folder = "eurlex" if lang in ("en", "fr", "de") else "eurlex_24"
    return CORPUS / folder / TEXTS[text].format(lang)


@cache
def edges(text: str, lang: str) -> frozenset[Edge]:
    """The internal references of one text, as (citing, cited) ids relative to the GDPR."""
    act = parse_formex_act(_path(text, lang).read_bytes())
    known = frozenset(p.id for p in act.provisions)
    found = set()
    for provision in act.provisions:
        for reference in extract_references(provision.id, provision.text, lang, known) if provision.text else ():
            if reference.target_id and not reference.external:
                found.add((_relative(provision.id), _relative(reference.target_id)))
    return frozenset(found)


def _relative(unit: str) -> str:
    return unit.removeprefix(f"{GDPR}/")


def listed(text: str, lang: str) -> dict[tuple[Edge, str], str]:
    """The differences ``tests/citations/<lang>.toml`` explains: (edge, where it is found) → reason."""
    file = DIFFERENCES / f"{lang}.toml"
    entries = tomllib.loads(file.read_text(encoding="utf-8")).get("difference", []) if file.is_file() else []
    return {((entry["edge"][0], entry["edge"][1]), entry["only_in"]): entry["reason"]
            for entry in entries if entry["text"] == text}


@pytest.mark.parametrize("lang", [lang for lang in get_args(ActLang) if lang != "en"])
@pytest.mark.parametrize("text", list(TEXTS))
def test_every_language_cites_what_english_cites(text: str, lang: str) -> None:
    start = time.perf_counter()
    english, other = edges(text, "en"), edges(text, lang)
    found = {(edge, "en"): edge for edge in english - other} | {(edge, lang): edge for edge in other - english}
    explained = listed(text, lang)
    print(f"\n{lang} {text}: {len(other)} edges, EN {len(english)}, differing {len(found)}, "
          f"explained {len(explained)} ({time.perf_counter() - start:.1f} s)")
    unexplained = sorted(set(found) - set(explained))
    for (source, target), where in unexplained:
        print(f"  only in {where}: {source} -> {target}")
    gone = sorted(set(explained) - set(found))
    for key in gone:
        print(f"  listed but not found: {key} ({explained[key]})")
    assert len(english) > 650
    assert not unexplained and not gone
