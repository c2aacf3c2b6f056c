"""Access labels, roles files and API keys: what each accepts, what it refuses and how it says so, and
which view of a snapshot a reader of some labels reads. Reads on the real corpus: test_access_views.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_store.access import AccessError, Roles, UnknownKey, clearance, key_sha256, view_key, views_of, visible_in
from pipelines.cli import main as cli
from pipelines.sources import ConfigError, load_config
from tests.conftest import CORPUS

KEY = "s3cret-key"
ROLES = f"""
[roles.analyst]
labels = ["restricted"]

[roles.auditor]
labels = ["restricted", "names"]

[[keys]]
sha256 = "{key_sha256(KEY)}"
role = "analyst"
"""


@pytest.mark.parametrize("labels, reader, expected", [
    # a snapshot of public sources alone: every reader reads its graph
    ({"public"}, {"public"}, None),
    # a reader of every label the snapshot holds reads its graph too
    ({"public", "restricted"}, {"public", "restricted", "names"}, None),
    ({"public", "restricted"}, {"public"}, {"public"}),
    ({"public", "restricted", "names"}, {"public", "names"}, {"public", "names"}),
    # labels the snapshot does not hold tell nothing about it
    ({"public", "restricted"}, {"public", "secret"}, {"public"}),
])
def test_a_reader_reads_the_view_of_the_labels_it_shares_with_the_snapshot(labels, reader, expected) -> None:
    assert visible_in(labels, frozenset(reader)) == (frozenset(expected) if expected else None)
    assert visible_in(labels, None) is None  # the operator's reads: everything


def test_a_snapshot_has_a_view_for_each_set_of_its_labels_a_reader_may_see_but_the_whole() -> None:
    assert views_of({"public"}) == []
    assert [view_key(v) for v in views_of({"public", "restricted", "names"})] == [
        "public", "names+public", "public+restricted"]
    assert clearance(["restricted"]) == {"public", "restricted"}


def test_a_key_reads_as_its_role_and_any_other_key_is_refused_alike(tmp_path: Path) -> None:
    (tmp_path / "roles.toml").write_text(ROLES, encoding="utf-8")
    roles = Roles.load(tmp_path / "roles.toml")
    assert roles.for_key(KEY).name == "analyst"
    assert roles.for_key(KEY).clearance == {"public", "restricted"}
    refusals = set()
    for wrong in ("", "s3cret-ke", KEY + " ", key_sha256(KEY)):
        with pytest.raises(UnknownKey) as refused:
            roles.for_key(wrong)
        refusals.add(str(refused.value))
    assert refusals == {"unknown API key"}


@pytest.mark.parametrize("text, message", [
    ("[roles.analyst\n", "invalid TOML"),
    ('[roles.analyst]\nlabels = ["Restricted"]\n', "roles.analyst.labels: Value error, not an access label: 'Restricted'"),
    ('[roles.analyst]\nlabel = ["restricted"]\n', "roles.analyst.label: Extra inputs are not permitted"),
    ('[roles.analyst]\n[[keys]]\nsha256 = "abc"\nrole = "analyst"\n', "keys.0.sha256: String should match pattern"),
    (f'[roles.analyst]\n[[keys]]\nsha256 = "{key_sha256(KEY)}"\nrole = "admin"\n',
     "a key reads as role 'admin', which the file does not declare (roles: analyst)"),
    ("[keys]\n", "roles: Field required"),
])
def test_a_roles_file_that_cannot_be_used_is_refused_with_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AccessError) as refused:
        Roles.load(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)


def test_an_unknown_role_names_the_roles_there_are(tmp_path: Path) -> None:
    (tmp_path / "roles.toml").write_text(ROLES, encoding="utf-8")
    with pytest.raises(AccessError, match=r"no role 'admin' in the roles file \(roles: analyst, auditor\)"):
        Roles.load(tmp_path / "roles.toml").role("admin")
    with pytest.raises(AccessError, match="no such roles file"):
        Roles.load(tmp_path / "missing.toml")


def _table(extra: str) -> str:
    return (f'[[fine_table]]\nname = "fines"\npath = "{CORPUS}/fines/privacyaffairs_gdpr_violations_2020-08.tsv"\n'
            f'mapping = "privacyaffairs_violations"\nlicence = "l"\nattribution = "a"\n{extra}\n')


@pytest.mark.parametrize("extra, message", [
    ('access = "Top Secret"', "fine_table #1 'fines': access: String should match pattern"),
    ('field_access = { controller = "names" }',
     "field_access: controller is not an optional field of the mapping; expected one of articles, "
     "decision_date, fine, organisations, source_urls, summary, violation"),
    ('field_access = { row_id = "names" }', "row_id is not an optional field of the mapping"),
    ('field_access = { country = "names" }', "country is not an optional field of the mapping"),
    ('field_access = { organisations = "Names" }', "field_access: organisations: not an access label: 'Names'"),
])
def test_a_label_or_a_labelled_field_that_cannot_be_is_refused(tmp_path: Path, extra: str, message: str) -> None:
    (tmp_path / "sources.toml").write_text(_table(extra), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path / "sources.toml")
    assert message in str(refused.value)


def test_more_labels_than_views_can_be_built_for_are_refused(tmp_path: Path) -> None:
    fields = ", ".join(f'{f} = "l{i}"' for i, f in enumerate(["organisations", "summary", "violation", "fine"]))
    (tmp_path / "sources.toml").write_text(_table(f'access = "l9"\nfield_access = {{ {fields} }}'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"5 access labels besides public \(l0, l1, l2, l3, l9\); at most 4"):
        load_config(tmp_path / "sources.toml")


def test_a_read_as_a_role_the_roles_file_lacks_exits_2_and_names_the_roles(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "roles.toml").write_text(ROLES, encoding="utf-8")
    for command in (["show", "art_17"], ["enforcement"], ["prompt", "What is personal data?"]):
        assert cli([*command, "--store", str(tmp_path), "--role", "admin"]) == 2
        assert "no role 'admin' in the roles file (roles: analyst, auditor)" in capsys.readouterr().err
    assert cli(["enforcement", "--store", str(tmp_path), "--role", "analyst", "--roles", str(tmp_path / "no.toml")]) == 2
    assert "no such roles file" in capsys.readouterr().err
