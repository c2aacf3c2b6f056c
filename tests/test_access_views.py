"""Access labels on the real corpus: random labels on sources and on a fine table's fields, a random role.
Every read as the role — show, enforcement, prompt, a snapshot's manifest, a diff, and every HTTP
endpoint with the role's API key — equals the same read of a snapshot built from a config that never
held what the role may not see, and names none of the hidden sources.

All snapshots are published into one store (pinned by id when read), so that raw copies and parses are
shared; the checks that compare a refresh with the store's current snapshot are therefore left out of
the comparison (the current snapshot differs by construction)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from kb_store import EnforcementFilter, Reader, Store, diff_snapshots
from kb_store.access import ApiKey, Role, Roles, key_sha256
from kb_store.prompt import PromptBuilder
from pipelines.refresh import refresh
from pipelines.resources import RefreshOptions
from pipelines.serve import create_app
from tests.conftest import CORPUS, REPO

LABELS = ("public", "restricted", "secret")
LABELLED = ("gdpr_html_fr", "gdprhub", "dpa_pdf", "privacyaffairs_violations")  # gdpr_html_en stays public
FIELDS = ("organisations", "summary")  # of the fine table, each public, labelled, or left to the table's label
QUESTIONS = [("What are the rules on erasure of personal data in France?", "2021-03-01", None),
             ("Which fines were imposed for video surveillance of employees?", "2023-01-01", "fr")]
# Room for every candidate: what fits a tight budget turns on a token or two, and the context names the
# snapshot, whose id tokenises its own way.
BUDGET = 20_000
GUARDS = {"sources_kept", "no_sharp_shrink"}  # they compare with the store's current snapshot
_SOURCES = {
    "gdpr_html_en": ("document", 'celex = "32016R0679"\nlang = "en"\nformat = "eurlex_html"\n'
                                 'path = "{corpus}/eurlex/gdpr_32016R0679_eurlex_oj_en.html"'),
    "gdpr_html_fr": ("document", 'celex = "32016R0679"\nlang = "fr"\nformat = "eurlex_html"\n'
                                 'path = "{corpus}/eurlex/gdpr_32016R0679_eurlex_oj_fr.html"'),
    "gdprhub": ("decision_folder", 'path = "{corpus}/dpa/html"\nlang = "en"'),
    "dpa_pdf": ("decision_folder", 'path = "{corpus}/dpa/pdf"'),
    "privacyaffairs_violations": ("fine_table", 'path = "{corpus}/fines/privacyaffairs_gdpr_violations_2020-08.tsv"'),
}


def _config(labels: dict[str, Any], visible: frozenset[str] | None, folder: Path, licence: str = "test licence") -> Path:
    """The config of ``labels``; with ``visible``, as written by someone who never had what a reader of
    those labels may not see: hidden sources left out, hidden fields out of the table's mapping."""
    entries = []
    for name, (kind, fields) in _SOURCES.items():
        label = labels.get(name, "public")
        if visible is not None and label not in visible:
            continue
        lines = [f"[[{kind}]]", f'name = "{name}"', fields.format(corpus=CORPUS), f'licence = "{licence}"',
                 'attribution = "test attribution"', f'access = "{label}"']
        if kind == "fine_table":
            lines += _table_fields(labels, visible, folder)
        entries.append("\n".join(lines))
    text = "\n\n".join(entries) + "\n"
    path = folder / f"config-{abs(hash(text)):x}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _table_fields(labels: dict[str, Any], visible: frozenset[str] | None, folder: Path) -> list[str]:
    labelled = {field: labels[field] for field in FIELDS if labels.get(field)}
    hidden = {field for field, label in labelled.items() if visible is not None and label not in visible}
    shown = {field: label for field, label in labelled.items() if field not in hidden}
    lines = ["field_access = { " + ", ".join(f'{f} = "{l}"' for f, l in shown.items()) + " }"] if shown else []
    if not hidden:
        return ['mapping = "privacyaffairs_violations"', *lines]
    mapping = (REPO / "parsers" / "mappings" / "privacyaffairs_violations.toml").read_text(encoding="utf-8")
    for field in hidden:  # a field's entry runs from its name to the line that closes it
        mapping = re.sub(rf"(?ms)^{field} = \{{.*?\}}\n(?=\S|\Z)", "", mapping)
        assert f"\n{field} =" not in mapping, f"{field} is still in the mapping written without it"
    path = folder / f"mapping-{'-'.join(sorted(hidden))}.toml"
    path.write_text(mapping, encoding="utf-8")
    return [f'mapping = "{path}"', *lines]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for every snapshot of the test; its first holds the English law alone, under a licence of its
    own so that no later config makes it again (what diffs start from)."""
    root = tmp_path_factory.mktemp("access")
    first = _config(dict.fromkeys(LABELLED, "secret"), frozenset({"public"}), root, licence="the first")
    assert refresh(first, root / "store").published
    return root / "store"


def _publish(store: Path, config: Path) -> str:
    options = RefreshOptions(accept_removed=True, accept_shrink=list(_SOURCES))
    return refresh(config, store, options=options).manifest.id


def _first(store: Path) -> str:
    return Store(store).snapshots()[0].id


def _reads(store: Path, snapshot: str, role: Role | None) -> dict[str, Any]:
    """Every in-process read of ``snapshot`` as ``role``, snapshot ids replaced by a placeholder."""
    first = _first(store)
    found: dict[str, Any] = {}
    with Reader.open(store, snapshot=snapshot, role=role) as reader:
        found["enforcement"] = reader.decisions(EnforcementFilter()).model_dump(mode="json")
        for lang in ("en", "fr"):
            try:
                found[f"show {lang}"] = reader.show("art_17", dt.date(2021, 3, 1), lang).model_dump(mode="json")
            except LookupError as exc:
                found[f"show {lang}"] = str(exc)
    with PromptBuilder.open(store, snapshot, role) as builder:
        for question, as_of, lang in QUESTIONS:
            result = builder.build(question, as_of=dt.date.fromisoformat(as_of), lang=lang,
                                   budget_tokens=BUDGET).model_dump(mode="json")
            found[f"prompt {question}"] = _prompt(result)
    manifest = Store(store).manifest(snapshot, role.clearance if role else None)
    found["manifest"] = _manifest(manifest.model_dump(mode="json"))
    found["diff"] = _diff(diff_snapshots(Store(store), first, snapshot, examples=5, role=role).model_dump(mode="json"))
    return _placeholders(found, {snapshot: "<snapshot>", first: "<first>"})


def _prompt(result: dict[str, Any]) -> dict[str, Any]:
    """A prompt but its hash and token count: its text names the snapshot, whose id tokenises its own way."""
    return {k: v for k, v in result.items() if k not in ("content_hash", "tokens")}


def _diff(diff: dict[str, Any]) -> dict[str, Any]:
    return {**diff, "checks": [c for c in diff["checks"] if c["name"] not in GUARDS]}


def _manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a manifest says of its sources and graph, not of when and from which config it was built."""
    return {**{k: v for k, v in manifest.items() if k not in ("id", "created", "parent", "config_sha256")},
            "checks": [c for c in manifest["checks"] if c["name"] not in GUARDS]}


def _http_reads(store: Path, snapshot: str, key: str | None, roles: Roles) -> dict[str, Any]:
    """Every endpoint's answer for ``snapshot``, read with ``key``."""
    first = _first(store)
    headers = {"X-API-Key": key} if key else {}
    found: dict[str, Any] = {}
    with TestClient(create_app(store, warm=False, roles=roles)) as client:
        def get(path: str, **params: Any) -> Any:
            answer = client.get(path, params=params, headers=headers)
            return answer.status_code, answer.json()

        found["decisions"] = get("/decisions", snapshot=snapshot, limit=200)
        found["decisions page 2"] = get("/decisions", snapshot=snapshot, limit=200, offset=200)
        found["decisions cites"] = get("/decisions", snapshot=snapshot, cites="art_17", limit=200)
        for lang in ("en", "fr"):
            found[f"provision {lang}"] = get("/provisions/art_17", snapshot=snapshot, lang=lang, as_of="2021-03-01")
        status, listed = get("/snapshots")
        found["snapshots"] = status, [{k: v for k, v in s.items() if k in ("decisions", "provisions", "sources")}
                                      for s in listed["snapshots"] if s["id"] == snapshot]
        status, shown = get(f"/snapshots/{snapshot}")
        found["snapshot"] = status, _manifest(shown["manifest"])
        status, diff = get(f"/snapshots/{first}/diff/{snapshot}", examples=5)
        found["diff"] = status, _diff(diff)
        for question, as_of, lang in QUESTIONS:
            answer = client.post("/prompt", headers=headers, json={"question": question, "as_of": as_of, "lang": lang,
                                                                    "snapshot": snapshot, "budget_tokens": BUDGET})
            found[f"prompt {question}"] = answer.status_code, _prompt(answer.json())
    return _placeholders(found, {snapshot: "<snapshot>", first: "<first>"})


def _placeholders(found: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(found, sort_keys=True, ensure_ascii=False)
    for snapshot, placeholder in ids.items():
        text = text.replace(snapshot, placeholder)
    return json.loads(text)


def _roles(labels: frozenset[str]) -> tuple[Roles, str]:
    """A roles file with one role reading ``labels``, and its API key."""
    key = "key-" + "-".join(sorted(labels))
    return Roles(roles={"asking": Role(name="asking", labels=tuple(labels - {"public"}))},
                 keys=[ApiKey(sha256=key_sha256(key), role="asking")]), key


labellings = st.fixed_dictionaries({**{name: st.sampled_from(LABELS) for name in LABELLED},
                                    **{field: st.sampled_from((None, *LABELS)) for field in FIELDS}})
clearances = st.sets(st.sampled_from(LABELS[1:])).map(lambda labels: frozenset({"public", *labels}))


# Each example publishes two snapshots: few examples, and no shrinking (a failure prints its labels).
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          phases=[Phase.explicit, Phase.generate])
@given(labels=labellings, visible=clearances)
@example(labels={"gdpr_html_fr": "restricted", "gdprhub": "public", "dpa_pdf": "secret",
                 "privacyaffairs_violations": "public", "organisations": "restricted", "summary": None},
         visible=frozenset({"public", "secret"}))
def test_a_role_reads_what_a_store_without_the_hidden_sources_holds(store: Path, tmp_path_factory: pytest.TempPathFactory,
                                                                    labels: dict[str, Any], visible: frozenset[str]) -> None:
    folder = tmp_path_factory.mktemp("configs")
    labelled = _publish(store, _config(labels, None, folder))
    without = _publish(store, _config(labels, visible, folder))
    roles, key = _roles(visible)
    role = roles.role("asking")

    as_role, http_as_role = _reads(store, labelled, role), _http_reads(store, labelled, key, roles)
    assert as_role == _reads(store, without, None)
    everything = Roles(roles={"all": Role(name="all", labels=LABELS[1:])},
                       keys=[ApiKey(sha256=key_sha256("all"), role="all")])
    assert http_as_role == _http_reads(store, without, "all", everything)

    hidden = _hidden(store, labelled, visible)
    seen = json.dumps([as_role, http_as_role], ensure_ascii=False)
    assert not [name for name in hidden if name in seen], "a hidden source is named in a read"


def _hidden(store: Path, snapshot: str, visible: frozenset[str]) -> list[str]:
    """The names and sha256 of the sources of ``snapshot`` a reader of ``visible`` labels may not see."""
    sources = Store(store).manifest(snapshot).sources
    return [value for s in sources if s.access not in visible for value in (s.name, s.sha256)]


def test_a_wrong_key_reveals_nothing_and_no_key_reads_only_what_is_public(store: Path,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    labels = {"gdprhub": "restricted", "dpa_pdf": "public", "privacyaffairs_violations": "secret"}
    folder = tmp_path_factory.mktemp("configs")
    labelled = _publish(store, _config(labels, None, folder))
    roles, _ = _roles(frozenset({"public", "restricted"}))
    with TestClient(create_app(store, warm=False, roles=roles)) as client:
        wrong = [client.get(path, headers={"X-API-Key": "guess"}) for path in
                 ("/snapshots", f"/snapshots/{labelled}", "/snapshots/nothing-here", "/decisions", "/healthz/x")]
        assert {(w.status_code, w.text) for w in wrong} == {(401, '{"error":"unknown API key"}')}
        bearer = client.get("/decisions", headers={"Authorization": "Bearer guess"})
        assert (bearer.status_code, bearer.json()) == (401, {"error": "unknown API key"})
        anonymous = client.get("/decisions", params={"snapshot": labelled, "limit": 200}).json()
    with Reader.open(store, snapshot=labelled, role=Role(name="anonymous")) as public, \
            Reader.open(store, snapshot=labelled) as everything:
        assert anonymous["total"] == public.decisions(EnforcementFilter()).total
        assert anonymous["total"] < everything.decisions(EnforcementFilter()).total
