"""``lexgraph forget`` on real GDPRhub decision pages: after erasing one decision document, no file under
the store holds its bytes or its text, plainly or as a reader gets it back; every snapshot left opens and
reads; a refresh does not bring it back, and ``--undo`` lets the next one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kb_store import EnforcementFilter, Manifest, Reader, Store, StoreLocked
from kb_store.export import ordered_rows
from pipelines.cli import main as cli
from pipelines.erasure import ForgetRefused, ForgetReport, NothingToForget, UnknownSource, forget
from pipelines.erasure_log import Fate, read_log
from pipelines.refresh import refresh
from tests.test_store import HOLD_LOCK

PAGE = ('[[decision]]\nname = "{name}"\npath = "{corpus}/dpa/html/gdprhub_{file}.html"\nlicence = "CC BY-NC-SA 4.0"\n'
        'attribution = "{attribution}"\nlang = "en"\n\n')
PAGES = {"decision_a": "DPC_Ireland_-_IN-20-7-1", "decision_b": "Datatilsynet_Denmark_-_Danske_Bank",
         "decision_c": "CNPD_Portugal_-_Deliberacao_2021_1569", "decision_d": "DPC_Ireland_-_IN-21-9-1"}
ERASED = "decision_b"


def _config(root: Path, corpus: Path, name: str, pages: list[str], attribution_of_a: str) -> Path:
    config = root / f"{name}.toml"
    config.write_text("".join(PAGE.format(name=page, corpus=corpus, file=PAGES[page],
                                          attribution=attribution_of_a if page == "decision_a" else "GDPRhub")
                              for page in pages), encoding="utf-8")
    return config


@dataclass(frozen=True)
class Erased:
    store: Path
    config: Path
    before: list[Manifest]  # the snapshots before the erasure, oldest first
    report: ForgetReport
    raw: bytes = field(repr=False)  # the erased document's bytes
    others: list[bytes] = field(repr=False)  # the other pages'
    texts: list[str] = field(repr=False)  # what the graph held of it: its organisations, case reference, decision id
    views: dict[str, str] = field(repr=False)  # every decision of the current snapshot before, as JSON, by id


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Erased:
    """Three snapshots holding decision_b — the oldest read with another attribution of decision_a than
    the config's now, so it cannot be built again — then decision_b forgotten."""
    root = tmp_path_factory.mktemp("forget")
    store = root / "store"
    three = ["decision_a", "decision_b", "decision_c"]
    for config in (_config(root, corpus, "v1", three, "GDPRhub (2024)"), _config(root, corpus, "v2", three, "GDPRhub"),
                   current := _config(root, corpus, "v3", [*three, "decision_d"], "GDPRhub")):
        assert refresh(config, store).published
    before = Store(store).snapshots()
    with Reader.open(store) as reader:
        views = {d.id: d.model_dump_json() for d in reader.decisions(EnforcementFilter()).results}
    held = [json.loads(v) for v in views.values() if any(s["source"] == ERASED for s in json.loads(v)["sources"])]
    assert len(held) == 1 and held[0]["organisations"], "the erased page names an organisation"
    texts = sorted({*held[0]["organisations"], held[0]["case_reference"], held[0]["id"]})
    pages = {name: (corpus / "dpa" / "html" / f"gdprhub_{file}.html").read_bytes() for name, file in PAGES.items()}
    report = forget(current, store, [ERASED], reason="the controller's request of 2024-05-02")
    return Erased(store, current, before, report, pages.pop(ERASED), list(pages.values()), texts, views)


def _samples(raw: bytes, others: list[bytes]) -> list[bytes]:
    """Windows of the raw bytes, spread over it, that no other page holds (the pages share their wiki's
    markup): a partial copy is found too."""
    windows = (raw[at:at + 96] for at in range(0, len(raw) - 96, len(raw) // 40))
    return [window for window in windows if not any(window in other for other in others)]


def _files(store: Path) -> list[Path]:
    return [path for path in store.rglob("*") if path.is_file()]


def _read_back(store: Path, snapshot: str) -> str:
    """Everything a reader gets back from a snapshot: its manifest, its Parquet tables decoded, its graph dumped."""
    folder = Store(store).snapshot_dir(snapshot)
    tables = [json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
              for path in sorted((folder / "tables").glob("*.parquet"))]
    engine = Store(store).open(snapshot)[1]
    try:
        dumped = list(ordered_rows(engine))
    finally:
        engine.close()
    return "\n".join([(folder / "manifest.json").read_text(encoding="utf-8"), *tables, *dumped])


def test_the_setup_holds_what_is_erased_where_the_searches_look(erased: Erased) -> None:
    """The searches below can fail: before the erasure, the snapshots held the page's bytes and text."""
    assert len(erased.before) == 3 and all(any(s.name == ERASED for s in m.sources) for m in erased.before)
    assert erased.texts and len(_samples(erased.raw, erased.others)) >= 10


def test_no_file_under_the_store_holds_the_bytes_or_the_text(erased: Erased) -> None:
    needles = [*_samples(erased.raw, erased.others), *(text.encode("utf-8") for text in erased.texts),
               PAGES[ERASED].encode("utf-8")]
    found = [(path, needle[:40]) for path in _files(erased.store) for needle in needles if needle in path.read_bytes()]
    assert found == []


def test_no_snapshot_left_gives_the_text_back_and_each_opens_and_reads(erased: Erased) -> None:
    left = Store(erased.store).snapshots()
    assert left
    for manifest in left:
        back = _read_back(erased.store, manifest.id)
        assert [text for text in [*erased.texts, ERASED, PAGES[ERASED]] if text in back] == []
        with Reader.open(erased.store, manifest.id) as reader:
            assert reader.decisions(EnforcementFilter()).total == len(manifest.sources) > 0


def test_the_current_snapshot_is_the_old_one_less_the_erased_decision(erased: Erased) -> None:
    fate = next(f for f in erased.report.snapshots if f.current)
    assert fate.snapshot == erased.before[-1].id and fate.fate is Fate.REBUILT
    assert Store(erased.store).current_id() == fate.rebuilt_as == erased.report.current
    with Reader.open(erased.store) as reader:
        after = {d.id: d.model_dump_json() for d in reader.decisions(EnforcementFilter()).results}
    assert after == {id_: view for id_, view in erased.views.items() if id_ not in erased.texts}
    assert len(after) == len(erased.views) - 1
    assert [move.current for move in Store(erased.store).history()][-1] == fate.rebuilt_as
    checks = {check.name: check for check in Store(erased.store).current().checks}
    assert checks["sources_kept"].passed and checks["decision_documents_read"].passed  # a refresh's checks


def test_older_snapshots_are_rebuilt_where_they_can_be_and_dropped_where_not(erased: Erased) -> None:
    oldest, middle, current = erased.before
    fates = {f.snapshot: f for f in erased.report.snapshots}
    assert fates[oldest.id].fate is Fate.DROPPED and "decision_a" in fates[oldest.id].reason
    assert fates[middle.id].fate is Fate.REBUILT
    store = Store(erased.store)
    rebuilt = store.manifest(fates[middle.id].rebuilt_as)
    assert rebuilt.created == middle.created and rebuilt.parent is None  # its parent was dropped
    assert [s.name for s in rebuilt.sources] == ["decision_a", "decision_c"]
    assert [s.fingerprint for s in rebuilt.sources] == [s.fingerprint for s in middle.sources if s.name != ERASED]
    assert {m.id for m in store.snapshots()} == {fates[middle.id].rebuilt_as, fates[current.id].rebuilt_as}


def test_the_log_records_by_hash_when_and_why_never_the_content(erased: Erased) -> None:
    import hashlib

    entries = read_log(erased.store)
    assert [e.action for e in entries] == ["forget", "erased"]
    assert entries[0].reason == "the controller's request of 2024-05-02" and entries[0].sources == [ERASED]
    assert entries[1].sha256 == [hashlib.sha256(erased.raw).hexdigest()] == erased.report.sha256
    assert entries[1].parses >= 1 and len(entries[1].snapshots) == 3
    text = (erased.store / "erasure.jsonl").read_text(encoding="utf-8")
    assert [t for t in erased.texts if t in text] == []


def test_the_parses_and_bytes_of_the_other_sources_stay(erased: Erased) -> None:
    store = Store(erased.store)
    objects = [p.name for p in (store.raw_dir / "objects").rglob("*") if p.is_file()]
    held = {s.sha256 for s in store.current().sources}
    assert set(objects) == held
    assert {p.name.split("-", 1)[0] for p in store.parsed_dir.glob("*.json")} == held


def test_forgetting_it_again_or_an_unknown_source_is_refused_with_the_reason(erased: Erased,
                                                                           capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(NothingToForget, match=r"decision_b: forgotten already.*forget --undo"):
        forget(erased.config, erased.store, [ERASED])
    assert cli(["forget", "--source", "decision_e", "--config", str(erased.config), "--store", str(erased.store)]) == 2
    assert "no source named 'decision_e'" in capsys.readouterr().err
    with pytest.raises(UnknownSource, match=r"did you mean decision_a"):
        forget(erased.config, erased.store, ["decison_a"])
    assert [e.action for e in read_log(erased.store)] == ["forget", "erased"]  # a refusal logs nothing


def test_a_store_being_written_or_a_snapshot_being_read_is_refused(erased: Erased, tmp_path: Path) -> None:
    store = Path(shutil.copytree(erased.store, tmp_path / "store"))
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked, match=r"another refresh .*--wait"):
            forget(erased.config, store, ["decision_c"])
    finally:
        holder.kill()
        holder.wait()
    current = Store(store).current_id()
    with Store(store).lease(current):
        with pytest.raises(ForgetRefused, match=rf"snapshot .*{current}.* is being read"):
            forget(erased.config, store, ["decision_c"])
    assert Store(store).current_id() == current and len(read_log(store)) == 2


def test_a_refresh_leaves_it_out_until_undo_lets_it_back(erased: Erased, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    store = Path(shutil.copytree(erased.store, tmp_path / "store"))
    assert cli(["refresh", "--config", str(erased.config), "--store", str(store)]) == 0
    said = capsys.readouterr().err
    assert "nothing changed" in said and f"left out, forgotten in the store until `lexgraph forget --undo`: {ERASED}" in said
    assert Store(store).current_id() == erased.report.current
    assert not (store / "raw" / "documents" / f"{ERASED}.json").exists()
    assert cli(["forget", "--undo", "--source", ERASED, "--store", str(store)]) == 0
    assert "fetches them again" in capsys.readouterr().err
    back = refresh(erased.config, store)
    assert back.published and back.manifest.id == erased.before[-1].id  # the same sources make the same id
    with Reader.open(store) as reader:
        assert {d.id for d in reader.decisions(EnforcementFilter()).results} == set(erased.views)
