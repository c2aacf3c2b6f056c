"""The registry of source kinds: every config field that shapes the graph is declared, and the parse key
and the snapshot fingerprint follow the declarations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.source_kinds import KINDS, fingerprint, parse_key, snapshot_id
from pipelines.sources import DecisionSource, Document, FineTable, load_config
from tests.conftest import REPO

SHA = "0" * 64
# Config fields that are not inputs of their own, and why.
NOT_INPUTS = {"path": "read as the url", "format": "the kind itself", "mapping": "its content is mapping_json"}
MODELS = {Document: [k for k in KINDS if k not in ("decision_pdf", "gdprhub_html", "fine_table")],
          DecisionSource: ["decision_pdf", "gdprhub_html"], FineTable: ["fine_table"]}


@pytest.mark.parametrize("model, kind", [(model, kind) for model, kinds in MODELS.items() for kind in kinds])
def test_every_config_field_is_an_input_of_its_kind(model: type, kind: str) -> None:
    declared = set(KINDS[kind].parse_fields) | set(KINDS[kind].graph_fields)
    assert set(model.model_fields) - declared == set(NOT_INPUTS) & set(model.model_fields)


def _entries(tmp_path: Path, corpus: Path) -> dict[str, object]:
    mapping = tmp_path / "mine.toml"
    mapping.write_text((REPO / "parsers/mappings/privacyaffairs_violations.toml").read_text())
    (tmp_path / "c.toml").write_text(f"""
[[document]]
name = "act"
celex = "32016R0679"
lang = "en"
format = "formex_act"
valid_from = 2016-05-04
path = "{corpus / 'eurlex/gdpr_32016R0679_formex_original_en.xml'}"
licence = "l"
attribution = "a"

[[decision]]
name = "dsb"
path = "{next((corpus / 'dpa/pdf').glob('AT_DSB_*.pdf'))}"
authority = "DSB"
licence = "l"
attribution = "a"

[[fine_table]]
name = "pa"
path = "{corpus / 'fines/privacyaffairs_gdpr_violations_2020-08.tsv'}"
mapping = "{mapping}"
licence = "l"
attribution = "a"
""")
    config = load_config(tmp_path / "c.toml")
    return {entry.name: entry for entry in config.sources}


# (entry, field, new value, changes the parse): a change of any input makes another snapshot; only
# what the parser reads makes another parse.
CHANGES = [
    ("act", "valid_from", dt.date(2016, 5, 25), False),
    ("act", "licence", "CC0", False),
    ("act", "celex", "32016R0679R(02)", False),
    ("dsb", "authority", "IMY", True),
    ("dsb", "licence", "CC0", True),  # decision records carry their licence
    ("dsb", "group", "folder", False),
    ("pa", "attribution", "someone", False),
]


@pytest.mark.parametrize("name, field, value, reparses", CHANGES)
def test_a_changed_input_changes_the_fingerprint(tmp_path: Path, corpus: Path, name: str, field: str,
                                                 value: object, reparses: bool) -> None:
    entry = _entries(tmp_path, corpus)[name]
    changed = entry.model_copy(update={field: value})
    assert fingerprint(changed, SHA) != fingerprint(entry, SHA)
    assert (parse_key(changed, SHA, frozenset()) != parse_key(entry, SHA, frozenset())) is reparses


def test_an_edited_mapping_file_changes_the_fingerprint_and_the_parse(tmp_path: Path, corpus: Path) -> None:
    before = _entries(tmp_path, corpus)["pa"]
    mapping = tmp_path / "mine.toml"
    mapping.write_text(mapping.read_text().replace('[source]', '[source]\n# a comment changes nothing'))
    assert fingerprint(load_config(tmp_path / "c.toml")["pa"], SHA) == fingerprint(before, SHA)
    mapping.write_text(mapping.read_text().replace('kind = "tsv"', 'kind = "csv"\ndelimiter = "\\t"', 1))
    edited = load_config(tmp_path / "c.toml")["pa"]
    assert edited.mapping_json() != before.mapping_json()
    assert fingerprint(edited, SHA) != fingerprint(before, SHA)
    assert parse_key(edited, SHA, frozenset()) != parse_key(before, SHA, frozenset())


def test_the_bytes_and_the_provisions_known_change_the_parse(tmp_path: Path, corpus: Path) -> None:
    entry = _entries(tmp_path, corpus)["dsb"]
    assert parse_key(entry, SHA, frozenset()) != parse_key(entry, "1" * 64, frozenset())
    assert parse_key(entry, SHA, frozenset()) != parse_key(entry, SHA, frozenset({"eu/reg/2016/679/art_6"}))


def test_the_snapshot_id_follows_config_order() -> None:
    """Order ranks sources in reconciliation: the same sources in another order make another graph."""
    assert snapshot_id([("a", "1"), ("b", "2")]) != snapshot_id([("b", "2"), ("a", "1")])
    assert snapshot_id([("a", "1"), ("b", "2")]) == snapshot_id(iter([("a", "1"), ("b", "2")]))
