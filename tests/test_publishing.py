"""Publishing snapshots, with real processes and a real HTTP server on 127.0.0.1: one writer at a time,
kill -9 at every crash point, readers during a refresh, a table served cut short, a dead host, sources
dropped from the config, config errors, and what a snapshot id is derived from."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import pipelines.refresh
from kb_store import Reader, Store
from kb_store.crash import POINTS
from parsers.tabular import Mapping, parse_tabular
from pipelines.cli import main as cli_main
from pipelines.refresh import Outcome, refresh
from pipelines.resources import HttpResource
from tests.conftest import CORPUS, REPO
from tests.http_server import Reply, Server

ACT = CORPUS / "eurlex" / "gdpr_32016R0679_formex_original_en.xml"
CORRIGENDUM = CORPUS / "eurlex" / "gdpr_32016R0679_formex_corrigendum_2018_en.xml"
FINES = CORPUS / "fines" / "privacyaffairs_gdpr_violations_2020-08.tsv"
MAPPINGS = REPO / "parsers" / "mappings"
DECISION = CORPUS / "dpa" / "html" / "gdprhub_CNIL_France_-_SAN-2019-001.html"
AS_OF = dt.date(2020, 1, 1)
STALL = 2.0  # seconds the server sits on a writer's fetch, so that a second refresh meets the lock held
COLUMNS = "1000"  # wide enough that rich wraps no line of a summary


# -- configs ------------------------------------------------------------------------------------
Entry = tuple[str, dict[str, object]]  # ([[kind]], fields)


def _at(where: str | Path) -> dict[str, str]:
    return {"url": where} if str(where).startswith("http") else {"path": str(where)}


def act(where: str | Path, **fields: object) -> Entry:
    return "document", {"name": "act", "celex": "32016R0679", "lang": "en", "format": "formex_act",
                        "valid_from": dt.date(2016, 5, 4), **_at(where), "licence": "l", "attribution": "a", **fields}


def corrigendum(where: str | Path) -> Entry:
    return "document", {"name": "corrigendum", "celex": "32016R0679R(02)", "lang": "en",
                        "format": "formex_corrigendum", **_at(where), "licence": "l", "attribution": "a"}


def fines(where: str | Path, mapping: str | Path = "privacyaffairs_violations") -> Entry:
    return "fine_table", {"name": "fines", **_at(where), "mapping": str(mapping), "licence": "l", "attribution": "a"}


def decision(where: str | Path, **hints: object) -> Entry:
    return "decision", {"name": "decision", **_at(where), "licence": "l", "attribution": "a", **hints}


def toml(*entries: Entry) -> str:
    def value(v: object) -> str:
        return v.isoformat() if isinstance(v, dt.date) else json.dumps(v)
    return "\n".join(f"[[{kind}]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in fields.items())
                     for kind, fields in entries)


def write_config(path: Path, *entries: Entry) -> Path:
    path.write_text(toml(*entries), encoding="utf-8")
    return path


def changed_act(folder: Path) -> Path:
    """The act's bytes with a comment after the root: new bytes, the same text."""
    path = folder / "act_v2.xml"
    path.write_bytes(ACT.read_bytes() + b"\n<!-- v2 -->\n")
    return path


# -- processes ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    pid: int
    returncode: int
    out: str
    err: str  # whitespace collapsed

    @property
    def said(self) -> str:
        return f"exit {self.returncode}\n{self.out}\n{self.err}"


def launch(*args: object, crash_at: str | None = None) -> subprocess.Popen:
    """``lexgraph ARGS`` in a process of its own (this checkout's code)."""
    env = {k: v for k, v in os.environ.items() if k != "LEXGRAPH_CRASH_AT"}
    env.update(PYTHONPATH=str(REPO), COLUMNS=COLUMNS, **({"LEXGRAPH_CRASH_AT": crash_at} if crash_at else {}))
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 180) -> Run:
    out, err = process.communicate(timeout=timeout)
    return Run(process.pid, process.returncode, out, " ".join(err.split()))


def lexgraph(*args: object, crash_at: str | None = None) -> Run:
    return finish(launch(*args, crash_at=crash_at))


def cli(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str]:
    """``lexgraph ARGS`` in this process: the exit code and stderr, whitespace collapsed."""
    capsys.readouterr()
    code = cli_main([str(a) for a in args])
    return code, " ".join(capsys.readouterr().err.split())


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", COLUMNS)


# -- the store ----------------------------------------------------------------------------------
def read_current(store: Path) -> str:
    """Read the current snapshot as a user does; the id it answered from, which CURRENT names."""
    with Reader.open(store) as reader:
        view = reader.show("art_17", AS_OF, "en")
    assert view.heading.startswith("Right to erasure")
    assert reader.snapshot == Store(store).current_id() and Store(store).has(reader.snapshot)
    return reader.snapshot


def leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in (store / "graphs").glob(".build-*"))


def mtimes(path: Path) -> dict[str, int]:
    files = [path, *path.rglob("*")] if path.is_dir() else [path]
    return {str(f.relative_to(path.parent)): f.stat().st_mtime_ns for f in files}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose current snapshot holds the act, read from the corpus; tests copy it."""
    folder = tmp_path_factory.mktemp("published")
    report = refresh(write_config(folder / "act.toml", act(ACT)), folder / "store")
    assert report.published
    return folder / "store"


def copy_of(store: Path, tmp_path: Path) -> Path:
    shutil.copytree(store, tmp_path / "store")
    return tmp_path / "store"


# -- 1. one writer at a time --------------------------------------------------------------------
def two_at_once(*args: object) -> list[Run]:
    first = launch(*args)
    time.sleep(0.5)
    second = launch(*args)
    return [finish(first), finish(second)]


def test_two_refreshes_at_once_one_writes_the_other_is_refused_or_waits(tmp_path: Path) -> None:
    store, body = tmp_path / "store", ACT.read_bytes()
    with Server(tmp_path) as server:
        config = write_config(tmp_path / "http.toml", act(server.url("act.xml")))
        server.serve("act.xml", Reply(body=body, delay=STALL))  # the writer stalls on its fetch, holding the lock
        runs = two_at_once("refresh", "--config", config, "--store", store)
        assert sorted(run.returncode for run in runs) == [0, 1], [run.said for run in runs]
        writer, refused = sorted(runs, key=lambda run: run.returncode)
        current = Store(store).current_id()
        assert current and f"published snapshot {current}" in writer.err
        assert "refresh refused" in refused.err and f"pid {writer.pid} since" in refused.err, refused.said
        assert "being written by another refresh" in refused.err and "--wait" in refused.err

        shown = lexgraph("show", "art_1", "--as-of", AS_OF, "--store", store, "--format", "json")
        assert shown.returncode == 0, shown.said
        view = json.loads(shown.out)
        assert view["snapshot"] == current and view["id"] == "eu/reg/2016/679/art_1"

        server.serve("act.xml", Reply(body=body + b"\n<!-- v2 -->\n", delay=STALL))
        runs = two_at_once("refresh", "--config", config, "--store", store, "--wait")
    assert [run.returncode for run in runs] == [0, 0], [run.said for run in runs]
    later = Store(store).current_id()
    assert later != current
    said = sorted(run.err for run in runs)
    assert sum(f"published snapshot {later}" in err for err in said) == 1, said
    assert sum(f"nothing changed; current snapshot stays {later}" in err for err in said) == 1, said
    assert read_current(store) == later


# -- 2. kill -9 anywhere ------------------------------------------------------------------------
CRASHES = {
    # point: (CURRENT may name the new snapshot after the kill, the kill leaves a build aside)
    "parse": (False, False),
    "export": (False, True),
    "graph_build": (False, True),
    "pointer_switch": (True, False),
}


@pytest.fixture(scope="module")
def killed(published: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Run]]:
    """A refresh with something new to publish (the act's bytes changed), killed at each crash point, all
    at once, each over its own copy of ``published``: point → (store, config, run)."""
    started = {}
    for point in POINTS:
        folder = tmp_path_factory.mktemp(f"killed_{point}")
        store = copy_of(published, folder)
        config = write_config(folder / "v2.toml", act(changed_act(folder)))
        started[point] = (store, config, launch("refresh", "--config", config, "--store", store, crash_at=point))
    return {point: (store, config, finish(process)) for point, (store, config, process) in started.items()}


@pytest.mark.parametrize("point", POINTS)
def test_a_refresh_killed_at_any_point_leaves_a_readable_snapshot_and_the_next_one_publishes(
        point: str, published: Path, killed: dict[str, tuple[Path, Path, Run]]) -> None:
    may_switch, builds_aside = CRASHES[point]
    before, (store, config, run) = Store(published).current_id(), killed[point]
    assert run.returncode == -9, run.said
    after_kill = read_current(store)
    assert bool(leftovers(store)) == builds_aside, leftovers(store)

    report = refresh(config, store)
    new = read_current(store)
    assert report.outcome == Outcome.COMPLETE and report.manifest.id == new != before
    assert after_kill in ({before, new} if may_switch else {before})
    assert leftovers(store) == []
    history = Store(store).history()
    assert history[-1].current == new and all(Store(store).has(move.current) for move in history)


# -- 3. readers during a refresh ----------------------------------------------------------------
READER_LOOP = """
import datetime as dt, json, sys
from pathlib import Path
from kb_store import Reader

store, stop = sys.argv[1], Path(sys.argv[2])
reads, seen, errors = 0, {}, []
while not stop.exists():
    try:
        with Reader.open(store) as reader:
            reader.show("art_17", dt.date(2020, 1, 1), "en")
            seen[reader.snapshot] = seen.get(reader.snapshot, 0) + 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    reads += 1
    if reads == 1:
        print("reading", flush=True)
print(json.dumps({"reads": reads, "seen": seen, "errors": errors}))
"""


def test_a_reader_looping_through_a_refresh_sees_only_complete_snapshots(published: Path, tmp_path: Path) -> None:
    store, stop = copy_of(published, tmp_path), tmp_path / "stop"
    before = Store(store).current_id()
    config = write_config(tmp_path / "v2.toml", act(changed_act(tmp_path)))
    reader = subprocess.Popen([sys.executable, "-c", READER_LOOP, str(store), str(stop)], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        report = refresh(config, store)
        time.sleep(0.5)  # a few reads of the new snapshot
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    loop = json.loads(out)
    assert report.published and report.manifest.id != before
    assert loop["errors"] == [], loop["errors"][:5]
    assert set(loop["seen"]) == {before, report.manifest.id}, loop
    assert all((store / "graphs" / snapshot / "manifest.json").is_file() for snapshot in loop["seen"])
    print(f"\n{loop['reads']} reads during the refresh: {loop['seen']}")


# -- 4. a table served cut short ----------------------------------------------------------------
VALIDATORS = {"If-None-Match", "If-Modified-Since"}


def test_a_table_served_cut_short_is_refused_then_fetched_whole_again(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                       wide: None) -> None:
    store, whole = tmp_path / "store", FINES.read_bytes()
    header, *rows = whole.splitlines(keepends=True)
    cut = header + b"".join(rows[: len(rows) // 2])
    with Server(tmp_path) as server:
        def serve(body: bytes, etag: str) -> None:
            server.serve("fines.tsv", Reply(body=body, headers={"ETag": f'"{etag}"'}))

        serve(whole, "v1")
        config = write_config(tmp_path / "fines.toml", fines(server.url("fines.tsv")))
        assert cli(capsys, "refresh", "--config", config, "--store", store)[0] == 0
        first = Store(store).current()
        (held,) = first.sources

        serve(cut, "v2")
        code, err = cli(capsys, "refresh", "--config", config, "--store", store)
        assert code == 1 and "nothing published" in err and "no_sharp_shrink" in err, err
        shrunk = re.search(rf"fines: (\d+) records, {held.records} in snapshot {first.id}", err)
        assert shrunk and int(shrunk[1]) < 0.9 * held.records, err
        assert Store(store).current_id() == first.id

        serve(whole, "v2")  # whole again, under the ETag it served last: the cut copy's validators get a 304
        asked = len(server.requests)
        code, err = cli(capsys, "refresh", "--config", config, "--store", store)
        again = server.requests[asked:]
        assert code == 0, err
        assert again and all(not VALIDATORS & seen.headers.keys() for seen in again), again  # full GETs
        assert Store(store).current_id() == first.id

        serve(cut, "v3")
        code, err = cli(capsys, "refresh", "--config", config, "--store", store, "--accept-shrink", "fines")
    assert code == 0, err
    accepted = Store(store).current()
    assert accepted.id != first.id and accepted.sources[0].records == int(shrunk[1])


# -- 5. a dead host -----------------------------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_host_is_tried_for_host_failures_documents_and_its_sources_keep_their_copies(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, wide: None) -> None:
    http = HttpResource(attempts=2, backoff=0.01, connect_timeout=2)  # host_failures as configured by default
    monkeypatch.setattr(pipelines.refresh, "HttpResource", lambda: http)
    served = tmp_path / "served"
    served.mkdir()
    for name, file in (("act.xml", ACT), ("corrigendum.xml", CORRIGENDUM), ("fines.tsv", FINES)):
        shutil.copy(file, served / name)
    store, dead = tmp_path / "store", f"http://127.0.0.1:{closed_port()}"
    with Server(served) as server:
        live = {name: server.url(name) for name in ("act.xml", "corrigendum.xml", "fines.tsv")}
        config = write_config(tmp_path / "live.toml", act(live["act.xml"]), corrigendum(live["corrigendum.xml"]),
                              fines(live["fines.tsv"]))
        assert cli(capsys, "refresh", "--config", config, "--store", store)[0] == 0
        current = Store(store).current_id()

        config = write_config(tmp_path / "dead.toml", act(f"{dead}/act.xml"), corrigendum(f"{dead}/corrigendum.xml"),
                              fines(f"{dead}/fines.tsv"))
        code, err = cli(capsys, "refresh", "--config", config, "--store", store)
        assert code == Outcome.NOTHING_PUBLISHED == 1, err
        assert "no source could be fetched" in err, err
        tried = set(re.findall(rf"(?<!last: )connection failed after 2 attempts \(.*?\): ({dead}/[\w.]+)", err))
        skipped = set(re.findall(rf"skipped: {dead} unreachable, .*? failed this refresh .*?: ({dead}/[\w.]+)", err))
        urls = [f"{dead}/{name}" for name in live]
        assert tried == set(urls[: http.host_failures]) and skipped == set(urls[http.host_failures:]), err
        assert Store(store).current_id() == current

        config = write_config(tmp_path / "some.toml", act(live["act.xml"]), corrigendum(f"{dead}/corrigendum.xml"),
                              fines(f"{dead}/fines.tsv"))
        code, err = cli(capsys, "refresh", "--config", config, "--store", store)
    assert code == Outcome.KEPT == 3, err
    kept = err.split("Sources kept from earlier copies", 1)[-1]
    assert "2 sources kept from earlier copies" in err and "corrigendum" in kept and "fines" in kept, err


# -- 6. sources dropped from the config -----------------------------------------------------------
def test_a_config_that_lacks_sources_of_the_current_snapshot_publishes_only_when_told(
        mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture, wide: None) -> None:
    store = copy_of(mixed, tmp_path)
    current = Store(store).current_id()
    shutil.copy(MAPPINGS / "privacyaffairs_violations.toml", tmp_path / "mapping.toml")
    fewer = write_config(tmp_path / "fewer.toml", fines(FINES, mapping=tmp_path / "mapping.toml"))

    code, err = cli(capsys, "refresh", "--config", fewer, "--store", store)
    assert code == 1 and "nothing published" in err and "sources_kept" in err, err
    assert "2 sources of the current snapshot would be dropped: act, decision" in err, err
    assert "--accept-removed" in err and Store(store).current_id() == current

    code, err = cli(capsys, "refresh", "--config", fewer, "--store", store, "--accept-removed")
    assert code == 0, err
    assert Store(store).current_id() != current
    assert [source.name for source in Store(store).current().sources] == ["fines"]


# -- 7. config errors -----------------------------------------------------------------------------
CONFIG_ERRORS = {
    # case: (config text, None for no file; what stderr must say besides the file's path)
    "missing file": (None, ["no such source config file"]),
    "TOML syntax": ('[[document]]\nname = "act\n', ["invalid TOML", "at line 2"]),
    "unknown format": (toml(act(ACT, format="formex_akt")),
                       ["document #1 'act': format: expected one of", "formex_act", "(got 'formex_akt')"]),
    "kind typo": (toml(act(ACT)).replace("[[document]]", "[[documents]]"),
                  ["[[documents]] is not a kind of source", "(did you mean [[document]]?)"]),
    "missing mapping file": (toml(fines(FINES, mapping="nowhere.toml")),
                             ["fine_table #1 'fines': mapping: cannot read", "nowhere.toml"]),
}


@pytest.fixture(scope="module")
def config_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Run]]:
    """Every bad config refreshed at once, each in its own process: case → (config, store, run)."""
    folder = tmp_path_factory.mktemp("config_errors")
    started = {}
    for number, (case, (text, _)) in enumerate(CONFIG_ERRORS.items()):
        config, store = folder / f"config{number}.toml", folder / f"store{number}"
        if text is not None:
            config.write_text(text, encoding="utf-8")
        started[case] = (config, store, launch("refresh", "--config", config, "--store", store))
    return {case: (config, store, finish(process)) for case, (config, store, process) in started.items()}


@pytest.mark.parametrize("case", CONFIG_ERRORS)
def test_a_config_error_is_one_readable_message_before_anything_runs(
        case: str, config_errors: dict[str, tuple[Path, Path, Run]]) -> None:
    config, store, run = config_errors[case]
    assert run.returncode == 2, run.said
    assert "Traceback" not in run.err and "the source config cannot be used" in run.err, run.said
    assert run.err.count(str(config)) == 1, run.said
    for words in CONFIG_ERRORS[case][1]:
        assert words in run.err, run.said
    assert not store.exists()


# -- 8. what a snapshot id is derived from --------------------------------------------------------
PA_VIOLATION = 'violation = { column = "type", unknown = ["Unknown", "Not known"] }'
EDITS: dict[str, tuple[dict[str, dict[str, object]], tuple[str, str] | None]] = {
    # edit: (fields set in config entries by source name, (old, new) line of the table's mapping file)
    "a mapping's transform": ({}, (PA_VIOLATION, PA_VIOLATION.replace(
        '"Not known"]', '"Not known", "Non-compliance with lawful basis for data processing"]'))),
    "a document's valid_from": ({"act": {"valid_from": dt.date(2016, 5, 25)}}, None),
    "a document's licence": ({"act": {"licence": "CC BY 4.0"}}, None),
    "a decision's authority hint": ({"decision": {"authority": "CNIL"}}, None),
}


def violations(mapping: str) -> list[str | None]:
    return [record.violation for record in parse_tabular(FINES.read_bytes(), Mapping.from_toml(mapping), frozenset()).records]


def mixed_config(folder: Path, comment: str = "", **fields: dict[str, object]) -> Path:
    """The act, a decision and a fine table read through ``folder``'s copy of its mapping."""
    entries = [act(ACT), decision(DECISION), fines(FINES, mapping=folder / "mapping.toml")]
    entries = [(kind, {**entry, **fields.get(str(entry["name"]), {})}) for kind, entry in entries]
    (folder / "mixed.toml").write_text(comment + toml(*entries), encoding="utf-8")
    return folder / "mixed.toml"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(MAPPINGS / "privacyaffairs_violations.toml", folder / "mapping.toml")
    assert refresh(mixed_config(folder), folder / "store").published
    return folder / "store"


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_that_changes_the_graph_publishes_a_new_snapshot_and_a_comment_does_not(
        edit: str, mixed: Path, tmp_path: Path) -> None:
    fields, mapping_edit = EDITS[edit]
    store, mapping = copy_of(mixed, tmp_path), tmp_path / "mapping.toml"
    shutil.copy(MAPPINGS / "privacyaffairs_violations.toml", mapping)
    before = Store(store).current_id()

    mapping.write_text("# reviewed\n" + mapping.read_text(encoding="utf-8"), encoding="utf-8")
    comment = refresh(mixed_config(tmp_path, comment="# the same sources, commented\n"), store)
    assert not comment.published and comment.manifest.id == before == Store(store).current_id()

    if mapping_edit:
        text = mapping.read_text(encoding="utf-8")
        mapping.write_text(text.replace(*mapping_edit), encoding="utf-8")
        assert violations(text) != violations(mapping.read_text(encoding="utf-8"))  # the edit changes the output
    edited = refresh(mixed_config(tmp_path, **fields), store)
    assert edited.published and edited.manifest.id != before == edited.manifest.parent
    assert Store(store).current_id() == edited.manifest.id



# -- 9. back to a version seen before -------------------------------------------------------------
def test_returning_to_sources_seen_before_points_to_their_snapshot_without_rebuilding_it(tmp_path: Path) -> None:
    store, table = tmp_path / "store", tmp_path / "fines.tsv"
    config = write_config(tmp_path / "fines.toml", fines(table))
    whole = FINES.read_bytes()
    versions = [whole, whole.replace(b"Polish Mayor", b"Mayor of Aleksandrow Kujawski", 1)]
    assert versions[1] != whole
    table.write_bytes(versions[0])
    first = refresh(config, store).manifest
    built = mtimes(Store(store).snapshot_dir(first.id))
    table.write_bytes(versions[1])
    second = refresh(config, store).manifest
    table.write_bytes(versions[0])
    back = refresh(config, store)

    assert first.id != second.id and back.manifest.id == first.id == Store(store).current_id()
    assert mtimes(Store(store).snapshot_dir(first.id)) == built
    assert sorted(s.id for s in Store(store).snapshots()) == sorted([first.id, second.id])
    move = Store(store).history()[-1]
    assert (move.previous, move.current) == (second.id, first.id)
    with Reader.open(store) as reader:
        assert reader.snapshot == first.id


def test_a_refresh_asks_for_a_table_once_and_reads_what_it_was_answered(
        tmp_path: Path, capsys: pytest.CaptureFixture, wide: None) -> None:
    store, whole = tmp_path / "store", FINES.read_bytes()
    header, *rows = whole.splitlines(keepends=True)
    with Server(tmp_path) as server:
        server.serve("fines.tsv", Reply(body=whole))
        config = write_config(tmp_path / "fines.toml", fines(server.url("fines.tsv")))
        assert cli(capsys, "refresh", "--config", config, "--store", store)[0] == 0
        first = Store(store).current_id()
        server.queue("fines.tsv", Reply(body=header + b"".join(rows[: len(rows) // 2])))  # cut, this once
        asked = len(server.requests)
        code, err = cli(capsys, "refresh", "--config", config, "--store", store)
        requests = server.requests[asked:]
    assert len(requests) == 1, requests
    assert code == 1 and "no_sharp_shrink" in err and Store(store).current_id() == first, err
