"""The whole EUR-Lex refresh on the real corpus: structure, versions, reads, determinism, bad input."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import get_args

import pytest

from kb_store.export import ordered_rows
from kb_store.read import Reader
from kb_store.store import Store
from pipelines.cli import main as cli
from pipelines.refresh import RefreshFailed, refresh
from pipelines.resources import HttpResource
from pipelines.sources import load_config
from schema.law import ActLang
from tests.conftest import OFFLINE
from tests.test_eurlex_24 import UNAPPLIED, corrected
from tests.http_server import Server
GDPR = "eu/reg/2016/679"
BEFORE, AFTER = dt.date(2017, 1, 1), dt.date(2019, 1, 1)


def test_the_offline_refresh_quarantines_no_legal_text(offline_store: Path) -> None:
    laws = [q for q in Store(offline_store).current().quarantined if q.name.startswith("gdpr_")]
    assert laws == []


def count(store: Path, query: str, **params) -> int:
    with Store(store).open_current() as engine:
        return engine.execute(query, params)[0]["n"]


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
@pytest.mark.parametrize("kind, expected", [("article", 99), ("chapter", 11), ("recital", 173)])
def test_structure_in_every_language(offline_store: Path, lang: str, kind: str, expected: int) -> None:
    n = count(offline_store, "MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE p.kind = $kind AND v.lang = $lang "
                             "AND v.valid_from <= $day AND (v.valid_to IS NULL OR v.valid_to > $day) "
                             "RETURN count(DISTINCT p) AS n", kind=kind, lang=lang, day=AFTER)
    assert n == expected


@pytest.mark.parametrize("page, lang", [("gdpr_32016R0679_eurlex_oj_en.html", "en"),
                                        ("gdpr_32016R0679_eurlex_oj_fr.html", "fr")])
def test_every_paragraph_of_the_html_is_in_the_graph(offline_store: Path, eurlex: Path, page: str, lang: str) -> None:
    html = (eurlex / page).read_text(encoding="utf-8")
    wanted = {f"{GDPR}/art_{int(a)}/par_{int(p)}" for a, p in re.findall(r'<div id="(\d{3})\.(\d{3})"', html)}
    assert len(wanted) > 300
    with Store(offline_store).open_current() as engine:
        rows = engine.execute("MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE p.kind = 'paragraph' "
                              "AND v.lang = $lang RETURN DISTINCT p.id AS id", {"lang": lang})
    assert wanted <= {row["id"] for row in rows}


# The wording on each side of the 2018-05-23 corrigendum, as the corrigendum of each language prints it.
CORRECTED = [
    ("en", "art_37/par_1/pnt_c", "pursuant to Article 9 and personal data", "pursuant to Article 9 or personal data"),
    ("fr", "art_37/par_1/pnt_c", "article 9 et de données à caractère", "article 9 ou de données à caractère"),
    ("de", "art_37/par_1/pnt_a", "mit Ausnahme von Gerichten, die im Rahmen", "mit Ausnahme von Gerichten, soweit sie im Rahmen"),
    ("en", "rct_71", "and that prevents, inter alia, discriminatory", "and prevent, inter alia, discriminatory"),
    ("fr", "rct_71", "et qui prévienne, entre autres", "et prévenir, entre autres"),
    ("de", "rct_71", "und mit denen verhindert wird, dass", "und unter anderem verhindern, dass"),
]


@pytest.mark.parametrize("lang, provision, before, after", CORRECTED)
def test_the_corrigendum_changes_the_wording_on_its_date(offline_store: Path, lang: str, provision: str,
                                                        before: str, after: str) -> None:
    with Reader.open(offline_store) as reader:
        old, new = (reader.show(provision, day, lang) for day in (BEFORE, AFTER))
    assert before in old.text and after not in old.text
    assert after in new.text and before not in new.text
    assert old.valid_to == new.valid_from == dt.date(2018, 5, 23)


@pytest.mark.parametrize("lang", get_args(ActLang))
def test_every_language_reads_what_its_corrigendum_corrects_differently_before_and_after(
        offline_store: Path, lang: str) -> None:
    targets = sorted({correction.target_id for correction in corrected(lang).applied})
    assert len(targets) >= 10
    with Reader.open(offline_store) as reader:
        read = {day: {target: (view.heading, view.text) for target in targets
                      for view in [reader.show(target, day, lang)]} for day in (BEFORE, AFTER)}
        unchanged = [target for target in targets if read[BEFORE][target] == read[AFTER][target]]
    assert not unchanged, f"{lang}: read alike on {BEFORE} and {AFTER}: {unchanged}"


def test_point_c_of_article_37_1_is_not_corrected_in_german(offline_store: Path) -> None:
    with Reader.open(offline_store) as reader:
        old, new = (reader.show("art_37/par_1/pnt_c", day, "de") for day in (BEFORE, AFTER))
    assert old.text == new.text and old.version_id == new.version_id


def test_show_json_has_the_contract_fields(offline_store: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["show", "art_17", "--as-of", "2021-03-01", "--lang", "en", "--store", str(offline_store),
                "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert {"id", "text", "valid_from", "valid_to", "children", "cites", "cited_by"} <= view.keys()
    assert view["id"] == f"{GDPR}/art_17" and view["heading"].startswith("Right to erasure")
    assert [c["id"].rsplit("/", 1)[-1] for c in view["children"]] == ["par_1", "par_2", "par_3"]
    points = view["children"][0]["children"]
    assert [p["id"].rsplit("/", 1)[-1] for p in points] == [f"pnt_{x}" for x in "abcdef"]
    assert f"{GDPR}/art_6/par_1/pnt_a" in {c["id"] for c in points[1]["cites"]}
    assert any(c["id"].startswith(f"{GDPR}/art_12/") for c in view["cited_by"])  # "Articles 15 to 22"


@pytest.mark.parametrize("lang", get_args(ActLang))
def test_show_reads_article_17_in_every_language(offline_store: Path, lang: str, capsys: pytest.CaptureFixture) -> None:
    assert cli(["show", "art_17", "--as-of", "2019-01-01", "--lang", lang, "--store", str(offline_store),
                "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)
    with Reader.open(offline_store) as reader:
        english = reader.show("art_17", AFTER, "en")
    assert view["lang"] == lang and view["heading"] and (view["heading"] != english.heading or lang == "en")
    assert [c["id"].rsplit("/", 1)[-1] for c in view["children"]] == ["par_1", "par_2", "par_3"]
    points = view["children"][0]["children"]
    assert [p["id"].rsplit("/", 1)[-1] for p in points] == [f"pnt_{x}" for x in "abcdef"]
    # Point (b) cites points (a) of Articles 6(1) and 9(2), as the English text does: the language's grammar read it.
    assert {c["id"] for c in points[1]["cites"]} >= {f"{GDPR}/art_6/par_1/pnt_a", f"{GDPR}/art_9/par_2/pnt_a"}


def test_show_reports_a_date_before_any_wording(offline_store: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["show", "art_17", "--as-of", "2010-01-01", "--store", str(offline_store)]) == 1
    assert "no en wording valid on 2010-01-01" in capsys.readouterr().err


def test_a_second_refresh_reads_nothing_and_publishes_nothing(offline_store: Path) -> None:
    current = Store(offline_store).current()
    report = refresh(OFFLINE, offline_store)
    # The fetch alone shows the sources would make the current snapshot again: not even a cached parse is read.
    assert report.parsed.parsed == report.parsed.cached == 0 and not report.seconds
    assert len(report.fetched.documents) == len(load_config(OFFLINE).sources) and not report.fetched.changed
    assert not report.published and Store(offline_store).current() == current


def test_a_new_store_with_the_parse_cache_reparses_nothing_and_makes_the_same_graph(offline_store: Path,
                                                                                     tmp_path: Path) -> None:
    for folder in ("raw", "parsed"):
        shutil.copytree(offline_store / folder, tmp_path / folder)
    report = refresh(OFFLINE, tmp_path)
    laws = [d for d in report.fetched.documents if d.format not in ("decision_pdf", "gdprhub_html", "fine_table")]
    assert report.parsed.parsed == 0 and report.parsed.cached == len(laws) == len(load_config(OFFLINE).documents) == 78
    # The same raw bytes make the same graph, row for row (a refresh from scratch of generated sources, parsing
    # everything again, is compared with its first refresh in test_snapshot_properties).
    with Store(offline_store).open_current() as a, Store(tmp_path).open_current() as b:
        first, second = list(ordered_rows(a)), list(ordered_rows(b))
    assert len(first) > 10_000
    assert first == second


def _config(entries: list[dict]) -> str:
    """TOML for ``[[document]]`` entries (strings and dates only)."""
    def value(v: object) -> str:
        return v.isoformat() if isinstance(v, dt.date) else json.dumps(v)
    return "\n".join("[[document]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in e.items()) for e in entries)


def _offline_entries() -> list[dict]:
    entries = tomllib.loads(OFFLINE.read_text())["document"]
    for entry in entries:
        entry["path"] = str((OFFLINE.parent / entry["path"]).resolve())
    return entries


BAD_INPUTS = {
    # name: (format, bytes, words the quarantine reason must hold)
    "truncated_html": ("eurlex_html", lambda good: good[: len(good) // 2], "truncated"),
    "not_gdpr_html": ("eurlex_html", lambda _: b"<html><head><title>Weather</title></head><body><p>Sunny</p></body></html>",
                      "EUR-Lex"),
    "not_formex_xml": ("formex_act", lambda _: b'<?xml version="1.0"?><rss><channel><title>News</title></channel></rss>',
                       "Formex"),
    "empty_file": ("formex_act", lambda _: b"", "empty"),
}


def test_bad_input_is_quarantined_and_the_rest_loads(tmp_path: Path, eurlex: Path) -> None:
    good = (eurlex / "gdpr_32016R0679_eurlex_oj_en.html").read_bytes()
    entries = [e for e in _offline_entries() if e["name"] in ("gdpr_formex_act_en", "gdpr_html_en")]
    for name, (fmt, make, _) in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(make(good))
        entries.append({**entries[0], "name": name, "format": fmt, "path": str(tmp_path / name)})
    config = tmp_path / "bad.toml"
    config.write_text(_config(entries))
    report = refresh(config, tmp_path / "store")
    reasons = {q.name: q.reason for q in report.parsed.quarantined}
    for name, (_, _, words) in BAD_INPUTS.items():
        assert words.lower() in reasons[name].lower(), (name, reasons.get(name))
    assert set(reasons) == set(BAD_INPUTS)
    assert [q.name for q in report.manifest.quarantined] == [q.name for q in report.parsed.quarantined]
    assert count(tmp_path / "store", "MATCH (p:Provision) WHERE p.kind = 'article' AND p.act_id = $act RETURN count(p) AS n", act=GDPR) == 99


def test_a_refresh_over_http_sends_conditional_requests_the_second_time(eurlex: Path, tmp_path: Path) -> None:
    with Server(eurlex) as server:
        entries = [{**{k: v for k, v in e.items() if k != "path"}, "url": server.url(Path(e["path"]).name)}
                   for e in _offline_entries()]
        config = tmp_path / "http.toml"
        config.write_text(_config(entries))
        http = HttpResource(read_timeout=5, attempts=2, backoff=0.01)
        first = refresh(config, tmp_path / "store", http=http)
        asked = len(server.requests)
        second = refresh(config, tmp_path / "store", http=http)
        again = server.requests[asked:]
    assert first.published and len(first.fetched.changed) == len(entries)
    assert len(again) == len(entries) and all("If-None-Match" in seen.headers for seen in again)
    assert second.parsed.parsed == 0 and not second.fetched.changed and not second.published


def test_html_legacy_html_and_formex_of_2016_word_every_provision_alike(offline_store: Path) -> None:
    (agree,) = [c for c in Store(offline_store).current().checks if c.name == "sources_agree"]
    of_2016 = [line for line in agree.details if "2016-05-04" in line]
    assert of_2016 == [], "\n".join(of_2016)


def test_every_correction_is_applied_but_those_the_corrigenda_misquote(offline_store: Path) -> None:
    """The check names the corrections of every language left unapplied, and only those the parse test
    explains (the German corrigendum, for one, quotes recital 47's wording for recital 50, sentence 6)."""
    (corrections,) = [c for c in Store(offline_store).current().checks if c.name == "corrections_applied"]
    expected = [f"[{lang}] {description}: " for lang, descriptions in UNAPPLIED.items() for description in descriptions]
    assert len(corrections.details) == len(expected) == sum(map(len, UNAPPLIED.values()))
    assert all(any(line.startswith(start) for line in corrections.details) for start in expected)


def test_a_refresh_that_fetches_nothing_fails_and_keeps_the_current_snapshot(tmp_path: Path) -> None:
    formex = next(e for e in _offline_entries() if e["name"] == "gdpr_formex_act_en")
    (tmp_path / "good.toml").write_text(_config([formex]))
    unreachable = {k: v for k, v in formex.items() if k != "path"} | {"name": "gone", "url": "http://127.0.0.1:9/gone"}
    (tmp_path / "unreachable.toml").write_text(_config([unreachable]))
    current = refresh(tmp_path / "good.toml", tmp_path / "store").manifest
    with pytest.raises(RefreshFailed, match=r"no source could be fetched.*127\.0\.0\.1:9/gone"):
        refresh(tmp_path / "unreachable.toml", tmp_path / "store", http=HttpResource(attempts=1, connect_timeout=1))
    assert Store(tmp_path / "store").current() == current
