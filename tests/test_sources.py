from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from parsers.tabular import load_mapping
from pipelines.sources import DEFAULT_CONFIG, ConfigError, DecisionSource, Document, FineTable, load_config
from schema.law import SourceFormat

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "parsers" / "mappings" / "cms_enforcementtracker.toml"

# A valid entry of each kind; a test changes a field (None: leaves it out).
ENTRIES: dict[str, dict[str, object]] = {
    "document": {"name": "gdpr_html_en", "celex": "32016R0679", "lang": "en", "format": "eurlex_html",
                 "url": "https://example.org/x", "licence": "Commission Decision 2011/833/EU (reuse authorised)",
                 "attribution": "© European Union, https://eur-lex.europa.eu"},
    "document_set": {"name": "act_{lang}", "langs": ["bg", "ga"], "celex": "32016R0679", "format": "formex_act",
                     "path": "docs/act_{lang}.xml", "licence": "l", "attribution": "a"},
    "decision": {"name": "at_dsb", "path": "decisions/a.pdf", "licence": "l", "attribution": "a"},
    "decision_folder": {"name": "dpa", "path": "decisions", "licence": "l", "attribution": "a", "lang": "de"},
    "fine_table": {"name": "fines", "url": "https://example.org/fines.json", "mapping": "cms_enforcementtracker",
                   "licence": "l", "attribution": "a"},
}


def entry(kind: str = "document", **changes: object) -> str:
    fields = {**ENTRIES[kind], **changes}
    return f"\n[[{kind}]]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in fields.items() if value is not None)


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A config folder with a legal text, two decisions and mapping files good and bad."""
    (tmp_path / "docs").mkdir()
    for name in ("act.xml", "act_bg.xml", "act_ga.xml"):
        (tmp_path / "docs" / name).write_bytes(b"<ACT/>")
    (tmp_path / "decisions").mkdir()
    for name in ("a.pdf", "b c.html", "notes.txt"):
        (tmp_path / "decisions" / name).write_bytes(b"")
    (tmp_path / "mappings").mkdir()
    bundled = BUNDLED.read_text(encoding="utf-8")
    (tmp_path / "mappings" / "good.toml").write_text(bundled.replace('"cms_enforcementtracker"', '"my_tracker"'))
    (tmp_path / "mappings" / "broken.toml").write_text("[source\n")
    wrong = bundled.replace('kind = "json"', 'kind = "xml"').replace('clean = ["hrefs"]', 'clean = ["links"]')
    (tmp_path / "mappings" / "wrong.toml").write_text(wrong)
    return tmp_path.resolve()


def write(tmp_path: Path, *entries: str) -> Path:
    config = tmp_path / "sources.toml"
    config.write_text("".join(entries), encoding="utf-8")
    return config


def test_default_config_lists_the_gdpr_in_every_format_and_language() -> None:
    config = load_config()
    assert DEFAULT_CONFIG.parent.name == "pipelines"
    kinds = {(doc.format, doc.lang) for doc in config.documents}
    formex = {SourceFormat.FORMEX_ACT, SourceFormat.FORMEX_CORRIGENDUM, SourceFormat.FORMEX_CONSOLIDATED}
    assert kinds == ({(f, lang) for f in formex for lang in EU_LANGS.split(", ")}
                     | {(SourceFormat.EURLEX_HTML, lang) for lang in ("en", "fr", "de")})
    assert config["gdpr_formex_corrigendum_2018_mt"].url == (
        "https://publications.europa.eu/resource/oj/JOL_2018_127_R_0002.MLT.fmx4.L_2018127MT.01000201.xml")
    assert all(urlsplit(doc.url).scheme == "https" for doc in config.documents)
    assert config["gdpr_html_fr"].url == "https://eur-lex.europa.eu/legal-content/FR/TXT/HTML/?uri=CELEX:32016R0679"
    assert {doc.celex for doc in config.documents} == {"32016R0679", "32016R0679R(02)", "02016R0679-20160504"}
    assert all(doc.licence.startswith("Commission Decision 2011/833/EU") for doc in config.documents)


def test_offline_config_points_at_every_eurlex_document_of_the_corpus_in_every_language(eurlex: Path) -> None:
    config = load_config(REPO / "examples" / "offline.toml")
    paths = [Path(url2pathname(urlsplit(doc.url).path)) for doc in config.documents]
    assert all(path.is_file() for path in paths)
    corpus = set()
    for folder in (eurlex, eurlex.parent / "eurlex_24"):
        with (folder / "MANIFEST.tsv").open(encoding="utf-8") as f:
            corpus |= {row["file"] for row in csv.DictReader(f, delimiter="\t") if not row["file"].endswith(".doc.xml")}
    assert sorted(path.name for path in paths) == sorted(corpus)
    assert config["gdpr_html_legacy_en"].format is SourceFormat.EURLEX_HTML_LEGACY
    # Same names as the live config, so the raw store keys agree whichever is used.
    live = {doc.name for doc in load_config().documents}
    assert live - {"gdpr_html_de"} <= {doc.name for doc in config.documents}


def test_path_is_relative_to_the_config_folder_and_valid_from_is_a_date(base: Path) -> None:
    config = load_config(write(base, entry(url=None, path="docs/act.xml", valid_from=dt.date(2018, 5, 25))))
    doc = config["gdpr_html_en"]
    assert isinstance(doc, Document)
    assert doc.url == (base / "docs" / "act.xml").as_uri()
    assert doc.valid_from == dt.date(2018, 5, 25)


def test_a_document_set_is_a_document_per_language(base: Path) -> None:
    url = "https://publications.europa.eu/resource/oj/JOL_2016_119_R_0001.{LANG3}.fmx4.L_2016119{LANG}.01000101.xml"
    config = load_config(write(base, entry("document_set"), entry("document_set", name="live_{lang}", path=None, url=url)))
    assert [(d.name, d.lang) for d in config.documents] == [
        ("act_bg", "bg"), ("act_ga", "ga"), ("live_bg", "bg"), ("live_ga", "ga")]
    assert config["act_ga"].url == (base / "docs" / "act_ga.xml").as_uri()
    assert config["live_bg"].url.endswith("JOL_2016_119_R_0001.BUL.fmx4.L_2016119BG.01000101.xml")
    assert all(isinstance(d, Document) and d.format == SourceFormat.FORMEX_ACT for d in config.documents)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such source config file") as error:
        load_config(tmp_path / "absent.toml")
    assert "absent.toml" in str(error.value)


def test_a_folder_is_a_decision_per_document_with_the_folder_hints(base: Path) -> None:
    config = load_config(write(base, entry("decision_folder")))
    assert [d.name for d in config.decisions] == ["dpa.a", "dpa.b-c"]
    assert all(isinstance(d, DecisionSource) and d.group == "dpa" and d.lang == "de" for d in config.decisions)
    assert [d.format for d in config.decisions] == ["decision_pdf", "gdprhub_html"]


def test_a_fine_table_holds_its_mapping_read_once(base: Path) -> None:
    config = load_config(write(base, entry("fine_table"), entry("fine_table", name="mine", mapping="mappings/good.toml")))
    bundled, mine = config.fine_tables
    assert isinstance(bundled, FineTable)
    assert bundled.load_mapping() == load_mapping("cms_enforcementtracker")
    assert bundled.load_mapping() is bundled.load_mapping()
    assert bundled.mapping_json() == load_mapping("cms_enforcementtracker").model_dump_json()
    # A mapping file is relative to the config's folder, like path.
    assert mine.mapping == str(base / "mappings" / "good.toml")
    (base / "mappings" / "good.toml").unlink()  # read with the config, not again
    assert mine.load_mapping().source.name == "my_tracker"
    assert mine.mapping_json() != bundled.mapping_json()


KINDS = "[[document]], [[document_set]], [[decision]], [[decision_folder]], [[fine_table]]"
EU_LANGS = "bg, cs, da, de, el, en, es, et, fi, fr, ga, hr, hu, it, lt, lv, mt, nl, pl, pt, ro, sk, sl, sv"
DOCUMENT_FIELDS = "name, url, path, licence, attribution, format, lang, access, celex, valid_from"
FORMATS = "eurlex_html, eurlex_html_legacy, formex_act, formex_consolidated, formex_corrigendum"
MAPPINGS = "cms_enforcementtracker, gdprhub_export, privacyaffairs_violations"
NAME_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,199}$"

# (config text, the line of the ConfigError after "<config file>: "); {base} is the config's folder.
ERRORS = [
    # the file
    (entry() + "[[document]\nname = 1\n",
     "invalid TOML: Expected ']]' at the end of an array declaration (at line 10, column 11)"),
    ("[[documents]]\n", f"[[documents]] is not a kind of source; expected one of {KINDS} (did you mean [[document]]?)"),
    ("[[fine_tables]]\n", f"[[fine_tables]] is not a kind of source; expected one of {KINDS} (did you mean [[fine_table]]?)"),
    ("[[law]]\n", f"[[law]] is not a kind of source; expected one of {KINDS}"),
    ('[document]\nname = "x"\n', "document: write each entry as a [[document]] table"),
    ("document = [1]\n", "document #1: Input should be a valid dictionary or instance of Document"),
    # fields
    (entry(lcence="x"),
     f"document #1 'gdpr_html_en': lcence is not a field of [[document]]; expected one of {DOCUMENT_FIELDS}"
     " (did you mean licence?)"),
    (entry("decision_folder", url="x"),
     "decision_folder #1 'dpa': url is not a field of [[decision_folder]];"
     " expected one of name, path, licence, attribution, authority, lang, access"),
    (entry("fine_table", mappping="x"),
     "fine_table #1 'fines': mappping is not a field of [[fine_table]];"
     " expected one of name, url, path, licence, attribution, format, lang, access, mapping, field_access"
     " (did you mean mapping?)"),
    (entry(licence=""), "document #1 'gdpr_html_en': licence: String should have at least 1 character"),
    (entry(name="../escape"),
     f"document #1 '../escape': name: String should match pattern '{NAME_PATTERN}' (got '../escape')"),
    (entry(celex="GDPR"),
     "document #1 'gdpr_html_en': celex: String should match pattern '^[0-9CE]\\d{4}[A-Z]{1,2}\\d{4}' (got 'GDPR')"),
    (entry(lang="english"), "document #1 'gdpr_html_en': lang: String should match pattern '^[a-z]{2}$' (got 'english')"),
    (entry(valid_from="soon"),
     "document #1 'gdpr_html_en': valid_from: Input should be a valid date or datetime, input is too short"),
    # accepted values
    (entry(format="html"), f"document #1 'gdpr_html_en': format: expected one of {FORMATS} (got 'html')"),
    (entry("decision", format="pdf"), "decision #1 'at_dsb': format: expected one of decision_pdf, gdprhub_html (got 'pdf')"),
    (entry("decision", path="decisions/notes.txt"), "decision #1 'at_dsb': format: Field required"),
    # where the bytes are
    (entry(url=None), "document #1 'gdpr_html_en': url: Field required"),
    (entry(path="docs/act.xml"), "document #1 'gdpr_html_en': path: give either url or path, not both"),
    (entry(url=None, path=3), "document #1 'gdpr_html_en': path: expected a string (got 3)"),
    (entry(url=None, path="corpus/missing.html"), "document #1 'gdpr_html_en': path: no such file: {base}/corpus/missing.html"),
    (entry(url="ftp://example.org/x"), "document #1 'gdpr_html_en': url: not an http(s):// or file:// URL: ftp://example.org/x"),
    (entry("decision_folder", path="nope"), "decision_folder #1 'dpa': path: not a folder: {base}/nope"),
    # a document set: its own fields, then each language's document
    (entry("document_set", langs=["bg", "xx"]),
     f"document_set #1 'act_{{lang}}': langs.1: expected one of {EU_LANGS} (got 'xx')"),
    (entry("document_set", langs=[]), "document_set #1 'act_{lang}': langs: List should have at least 1 item after validation, not 0"),
    (entry("document_set", lang="bg"),
     "document_set #1 'act_{lang}': lang: a document set has langs, the list of its languages, not lang"),
    (entry("document_set", name="act"), "document_set #1 'act': name: String should match pattern '\\{lang\\}' (got 'act')"),
    (entry("document_set", langs=["bg", "mt"]),
     "document_set #1 'act_{lang}' (mt): path: no such file: {base}/docs/act_mt.xml"),
    (entry("document_set", lcence="x"),
     f"document_set #1 'act_{{lang}}' (bg, ga): lcence is not a field of [[document]]; expected one of {DOCUMENT_FIELDS}"
     " (did you mean licence?)"),
    # mappings
    (entry("fine_table", mapping="cms_enforcement_tracker"),
     f"fine_table #1 'fines': mapping: cms_enforcement_tracker is not a bundled mapping; expected one of {MAPPINGS}"
     " (did you mean cms_enforcementtracker?)"),
    (entry("fine_table", mapping="mappings/absent.toml"),
     "fine_table #1 'fines': mapping: cannot read {base}/mappings/absent.toml: No such file or directory"),
    (entry("fine_table", mapping="mappings/broken.toml"),
     "fine_table #1 'fines': mapping: {base}/mappings/broken.toml: invalid TOML:"
     " Expected ']' at the end of a table declaration (at line 1, column 8)"),
    (entry("fine_table", mapping="mappings/wrong.toml"),
     "fine_table #1 'fines': mapping: {base}/mappings/wrong.toml is not a valid mapping:"
     " format.kind: expected one of json, csv, tsv (got 'xml');"
     " fields.source_urls.clean: no cleaner links: cleaners are html, entities, hrefs"),
    (entry("fine_table", mapping=""), "fine_table #1 'fines': mapping: String should have at least 1 character"),
    # names
    (entry() + entry(),
     "document #2 'gdpr_html_en': name: duplicate source name 'gdpr_html_en' (first used by document #1 'gdpr_html_en')"),
    (entry() + entry("fine_table", name="gdpr_html_en"),
     "fine_table #1 'gdpr_html_en': name: duplicate source name 'gdpr_html_en'"
     " (first used by document #1 'gdpr_html_en')"),
    (entry("decision", name="dpa.a") + entry("decision_folder"),
     "decision_folder #1 'dpa': name: duplicate source name 'dpa.a' (first used by decision #1 'dpa.a')"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_config_errors_name_the_file_the_entry_and_the_field(base: Path, text: str, expected: str) -> None:
    config = write(base, text)
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value).splitlines() == [f"{config}: {expected.replace('{base}', str(base))}"]


def test_every_error_of_a_file_is_reported_at_once(base: Path) -> None:
    """One line per error, whatever its kind: a mistake does not hide the ones after it."""
    config = write(base, entry("fine_table", mapping="cms"), "[[documents]]\n",
                   entry(format="html", url=None, path="corpus/missing.html", lcence="x"),
                   entry(name="gdpr_html_fr"), entry(name="gdpr_html_fr"), entry("decision_folder", path="nope"))
    with pytest.raises(ConfigError) as error:
        load_config(config)
    starts = ["[[documents]] is not a kind of source", "document #1 'gdpr_html_en': path: no such file",
              "document #1 'gdpr_html_en': format: expected one of", "document #1 'gdpr_html_en': lcence is not a field",
              "decision_folder #1 'dpa': path: not a folder", "fine_table #1 'fines': mapping: cms is not a bundled",
              "document #3 'gdpr_html_fr': name: duplicate source name"]
    lines = str(error.value).splitlines()
    assert len(lines) == len(starts)
    assert all(line.startswith(f"{config}: {start}") for line, start in zip(lines, starts))
    assert error.value.__context__ is None  # no chained traceback: the message is the whole story
