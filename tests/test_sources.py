from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from pipelines.sources import DEFAULT_CONFIG, ConfigError, Document, load_config
from schema.law import SourceFormat

REPO = Path(__file__).resolve().parents[1]

ENTRY = """
[[document]]
name = "{name}"
celex = "32016R0679"
lang = "en"
format = "{format}"
{where}
licence = "Commission Decision 2011/833/EU (reuse authorised)"
attribution = "© European Union, https://eur-lex.europa.eu"
"""


def write(tmp_path: Path, *entries: str) -> Path:
    config = tmp_path / "sources.toml"
    config.write_text("".join(entries), encoding="utf-8")
    return config


def entry(name: str = "gdpr_html_en", format: str = "eurlex_html", where: str = 'url = "https://example.org/x"') -> str:
    return ENTRY.format(name=name, format=format, where=where)


def test_default_config_lists_the_gdpr_in_every_format_and_language() -> None:
    config = load_config()
    assert DEFAULT_CONFIG.parent.name == "pipelines"
    kinds = {(doc.format, doc.lang) for doc in config.documents}
    formats = {SourceFormat.EURLEX_HTML, SourceFormat.FORMEX_ACT, SourceFormat.FORMEX_CORRIGENDUM, SourceFormat.FORMEX_CONSOLIDATED}
    assert kinds == {(f, lang) for f in formats for lang in ("en", "fr", "de")}
    assert all(urlsplit(doc.url).scheme == "https" for doc in config.documents)
    assert config["gdpr_html_fr"].url == "https://eur-lex.europa.eu/legal-content/FR/TXT/HTML/?uri=CELEX:32016R0679"
    assert {doc.celex for doc in config.documents} == {"32016R0679", "32016R0679R(02)", "02016R0679-20160504"}
    assert all(doc.licence.startswith("Commission Decision 2011/833/EU") for doc in config.documents)


def test_offline_config_points_at_every_eurlex_document_of_the_corpus(eurlex: Path) -> None:
    config = load_config(REPO / "examples" / "offline.toml")
    paths = [Path(url2pathname(urlsplit(doc.url).path)) for doc in config.documents]
    assert all(path.is_file() for path in paths)
    with (eurlex / "MANIFEST.tsv").open(encoding="utf-8") as f:
        corpus = {row["file"] for row in csv.DictReader(f, delimiter="\t") if not row["file"].endswith(".doc.xml")}
    assert sorted(path.name for path in paths) == sorted(corpus)
    assert config["gdpr_html_legacy_en"].format is SourceFormat.EURLEX_HTML_LEGACY
    # Same names as the live config, so the raw store keys agree whichever is used.
    live = {doc.name for doc in load_config().documents}
    assert live - {"gdpr_html_de"} <= {doc.name for doc in config.documents}


def test_path_is_relative_to_the_config_folder_and_valid_from_is_a_date(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "act.xml").write_bytes(b"<ACT/>")
    config = load_config(write(tmp_path, entry(where='path = "docs/act.xml"\nvalid_from = 2018-05-25')))
    doc = config["gdpr_html_en"]
    assert isinstance(doc, Document)
    assert doc.url == (tmp_path / "docs" / "act.xml").resolve().as_uri()
    assert doc.valid_from == dt.date(2018, 5, 25)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such source config file") as error:
        load_config(tmp_path / "absent.toml")
    assert "absent.toml" in str(error.value)


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    config = write(tmp_path, entry(), "[[document]\nname = 1\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*at line 10"):
        load_config(config)


def test_unknown_format_names_the_entry_and_the_value(tmp_path: Path) -> None:
    config = write(tmp_path, entry(), entry(name="gdpr_pdf_en", format="pdf"))
    with pytest.raises(ConfigError) as error:
        load_config(config)
    message = str(error.value)
    assert "document #2 'gdpr_pdf_en': format:" in message
    assert "'formex_corrigendum'" in message and "(got 'pdf')" in message


def test_duplicate_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="duplicate source name 'gdpr_html_en'"):
        load_config(write(tmp_path, entry(), entry()))


def test_path_that_does_not_exist_is_named(tmp_path: Path) -> None:
    config = write(tmp_path, entry(where='path = "corpus/missing.html"'))
    with pytest.raises(ConfigError, match="path does not exist: .*corpus/missing.html") as error:
        load_config(config)
    assert "document #1 'gdpr_html_en'" in str(error.value)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('url = "https://example.org/x"\npath = "x"', "either url or path"),
        ("", "url: Field required"),
        ('url = "ftp://example.org/x"', "not an http(s):// or file:// URL: ftp://example.org/x"),
        ('url = "https://example.org/x"\nfolder = "x"', "folder: Extra inputs are not permitted"),
    ],
)
def test_url_or_path_and_nothing_else(tmp_path: Path, where: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_config(write(tmp_path, entry(where=where)))


def test_names_must_be_usable_as_file_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="document #1 '../escape': name: String should match pattern"):
        load_config(write(tmp_path, entry(name="../escape")))
