"""Property: however the sources change between refreshes, each refresh publishes the graph a refresh of
the same sources into an empty store would, and a refresh right after it publishes and writes nothing.

A world is a few EUR-Lex documents of the real corpus and a small slice of a real fine table, read
through a bundled mapping or an edited copy of it; hypothesis draws sequences of changes to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import multiprocessing
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_store.export import ordered_rows
from kb_store.store import Store
from pipelines.checks import MIN_KEPT_SHARE
from pipelines.refresh import refresh
from pipelines.resources import RefreshOptions
from tests.conftest import CORPUS, REPO

EURLEX = CORPUS / "eurlex"
FINES = CORPUS / "fines" / "privacyaffairs_gdpr_violations_2020-08.tsv"
MAPPING = REPO / "parsers" / "mappings" / "privacyaffairs_violations.toml"
TABLE = "fines"
LICENCE = {"licence": "Commission Decision 2011/833/EU (reuse authorised)",
           "attribution": "© European Union, https://eur-lex.europa.eu"}

# Article 1(1), worded alike in the Formex act and the HTML page; a revision rewords it, and the text still parses.
REWORDED = "lays down rules relating to"


@dataclass(frozen=True)
class LegalText:
    file: str
    format: str
    celex: str
    valid_from: dt.date | None = None
    revisable: bool = True


LEGAL = {
    "act_en": LegalText("gdpr_32016R0679_formex_original_en.xml", "formex_act", "32016R0679", dt.date(2016, 5, 4)),
    "html_en": LegalText("gdpr_32016R0679_eurlex_oj_en.html", "eurlex_html", "32016R0679"),
    "corr_en": LegalText("gdpr_32016R0679_formex_corrigendum_2018_en.xml", "formex_corrigendum", "32016R0679R(02)",
                         revisable=False),
}
CORRIGENDUM = "corr_en"
POOL_ROWS = 60  # data rows 1–60 of the table all read, and cite provisions of the GDPR where they list articles
FIRST_ROWS = tuple(range(1, 41))
MIN_ROWS = 5

# Edits of a copy of the bundled mapping, each changing what the table yields: (line, edited line).
MAPPING_EDITS = {
    "summary_template": ('summary = { column = "summary", clean = ["html"], unknown = ["Not available\\\\."] }',
                         'summary = { column = "summary", clean = ["html"], unknown = ["Not available\\\\."], '
                         'template = "{value} (row {row})" }'),
    "violation_unknown": ('violation = { column = "type", unknown = ["Unknown", "Not known"] }',
                          'violation = { column = "type", unknown = ["Unknown", "Not known", "Failure to .*"] }'),
    "source_name": ('name = "privacyaffairs_violations"', 'name = "privacyaffairs_revised"'),
}


@dataclass(frozen=True)
class World:
    """The sources as they stand: which are listed, and the edits made to their bytes and to the mapping."""

    documents: tuple[str, ...] = ("act_en",)  # in LEGAL order
    revision: dict[str, int] = field(default_factory=dict)  # legal text → its revision (0, absent: as published)
    table: bool = True
    rows: tuple[int, ...] = FIRST_ROWS  # data rows of the fine table, in file order
    row_revision: dict[int, int] = field(default_factory=dict)
    mapping_edits: frozenset[str] | None = None  # None: the bundled mapping, by name; else a copy with these edits

    @property
    def sources(self) -> set[str]:
        return set(self.documents) | ({TABLE} if self.table else set())


# -- the changes a step makes -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AddDocument:
    name: str

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, documents=tuple(n for n in LEGAL if n in world.documents or n == self.name))


@dataclass(frozen=True)
class ReviseDocument:
    name: str
    revision: int

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, revision={**world.revision, self.name: self.revision})


@dataclass(frozen=True)
class RemoveSource:
    name: str

    def __call__(self, world: World) -> World:
        if self.name == TABLE:
            return dataclasses.replace(world, table=False)
        return dataclasses.replace(world, documents=tuple(n for n in world.documents if n != self.name))


@dataclass(frozen=True)
class AddTable:
    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, table=True)


@dataclass(frozen=True)
class AddRows:
    rows: tuple[int, ...]

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, rows=tuple(sorted({*world.rows, *self.rows})))


@dataclass(frozen=True)
class RemoveRows:
    rows: tuple[int, ...]

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, rows=tuple(r for r in world.rows if r not in self.rows))


@dataclass(frozen=True)
class ReviseRow:
    row: int
    revision: int

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, row_revision={**world.row_revision, self.row: self.revision})


@dataclass(frozen=True)
class EditMapping:
    edit: str  # toggled: made if absent, undone if made

    def __call__(self, world: World) -> World:
        return dataclasses.replace(world, mapping_edits=(world.mapping_edits or frozenset()) ^ {self.edit})


Change = Callable[[World], World]


def _revision(current: int) -> st.SearchStrategy[int]:
    return st.integers(0, 3).filter(lambda n: n != current)


def changes(world: World) -> dict[str, st.SearchStrategy[Change]]:
    """The changes that can be made to ``world``, by kind; none leaves it without a source."""
    kinds: dict[str, st.SearchStrategy[Change]] = {}
    if absent := [name for name in LEGAL if name not in world.documents and name != CORRIGENDUM]:
        kinds["add a document"] = st.builds(AddDocument, st.sampled_from(absent))
    if not world.table:
        kinds["add a document"] = kinds.get("add a document", st.nothing()) | st.just(AddTable())
    if CORRIGENDUM not in world.documents:
        kinds["add a corrigendum"] = st.just(AddDocument(CORRIGENDUM))
    if len(world.sources) > 1:
        kinds["remove a document"] = st.builds(RemoveSource, st.sampled_from(sorted(world.sources)))
    if revisable := [name for name in world.documents if LEGAL[name].revisable]:
        kinds["change a legal text's bytes"] = st.sampled_from(revisable).flatmap(
            lambda name: st.builds(ReviseDocument, st.just(name), _revision(world.revision.get(name, 0))))
    if world.table:
        edits = [st.sampled_from(world.rows).flatmap(
            lambda row: st.builds(ReviseRow, st.just(row), _revision(world.row_revision.get(row, 0))))]
        if unused := [row for row in range(1, POOL_ROWS + 1) if row not in world.rows]:
            edits.append(st.builds(AddRows, st.lists(st.sampled_from(unused), min_size=1, max_size=6,
                                                     unique=True).map(tuple)))
        if len(world.rows) > MIN_ROWS:
            edits.append(st.builds(RemoveRows, st.lists(st.sampled_from(world.rows), min_size=1,
                                                        max_size=min(8, len(world.rows) - MIN_ROWS),
                                                        unique=True).map(tuple)))
        kinds["change the fine table's bytes"] = st.one_of(edits)
        kinds["edit the mapping"] = st.builds(EditMapping, st.sampled_from(sorted(MAPPING_EDITS)))
    return kinds


KINDS = ("add a document", "add a corrigendum", "remove a document", "change a legal text's bytes",
         "change the fine table's bytes", "edit the mapping")


def options(before: World, after: World) -> RefreshOptions:
    """What a person allows the refresh after a step: dropping sources and a sharp shrink, exactly when it did that."""
    shrunk = before.table and after.table and len(after.rows) < MIN_KEPT_SHARE * len(before.rows)
    return RefreshOptions(accept_removed=bool(before.sources - after.sources), accept_shrink=[TABLE] if shrunk else [])


# -- the world on disk --------------------------------------------------------------------------------------
def _revised_text(name: str, revision: int) -> bytes:
    data = (EURLEX / LEGAL[name].file).read_bytes()
    if revision == 0:
        return data
    assert data.count(REWORDED.encode()) == 1, f"{LEGAL[name].file} no longer words Article 1(1) as expected"
    return data.replace(REWORDED.encode(), f"lays down rules (revision {revision}) relating to".encode())


def _table_bytes(world: World) -> bytes:
    header, *rows = FINES.read_text(encoding="utf-8").split("\n")[: POOL_ROWS + 1]
    lines = [header]
    for number in world.rows:
        cells = rows[number - 1].split("\t")
        if revision := world.row_revision.get(number):
            cells[-1] += f" (revised {revision})"  # the summary: a textual change that still reads
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode()


def _mapping_text(edits: frozenset[str]) -> str:
    text = MAPPING.read_text(encoding="utf-8")
    for edit in sorted(edits):
        line, edited = MAPPING_EDITS[edit]
        assert text.count(line) == 1, f"{MAPPING.name} no longer holds {line!r}"
        text = text.replace(line, edited)
    return text


def _toml(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else json.dumps(value)


def write_world(world: World, folder: Path) -> Path:
    """The sources of ``world`` as files in ``folder`` (nothing else left there), and the config listing them."""
    files: dict[str, bytes] = {}
    entries = []
    for name in world.documents:
        text = LEGAL[name]
        files[name + Path(text.file).suffix] = _revised_text(name, world.revision.get(name, 0))
        entry = {"name": name, "celex": text.celex, "lang": "en", "format": text.format,
                 "path": name + Path(text.file).suffix, **LICENCE}
        if text.valid_from:
            entry["valid_from"] = text.valid_from
        entries.append(("document", entry))
    if world.table:
        files["fines.tsv"] = _table_bytes(world)
        mapping = "privacyaffairs_violations"
        if world.mapping_edits is not None:
            mapping = "mapping.toml"
            files[mapping] = _mapping_text(world.mapping_edits).encode()
        entries.append(("fine_table", {"name": TABLE, "path": "fines.tsv", "mapping": mapping,
                                       "licence": "for testing only", "attribution": "PrivacyAffairs"}))
    files["sources.toml"] = "\n".join(f"[[{kind}]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in entry.items())
                                      for kind, entry in entries).encode()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.name not in files:
            stale.unlink()
    for name, data in files.items():
        if not (folder / name).exists() or (folder / name).read_bytes() != data:
            (folder / name).write_bytes(data)
    return folder / "sources.toml"


# -- what is compared -----------------------------------------------------------------------------------------
def graph_dump(store: Path, snapshot: str) -> list[str]:
    """The snapshot's ordered dump, less what differs between any two stores of the same sources."""
    _, engine = Store(store).open(snapshot)
    with engine:
        rows = [json.loads(line) for line in ordered_rows(engine)]
    for row in rows:
        if row["table"] == "SourceDocument":
            del row["fetched_at"]  # when this store fetched the bytes: a second store fetches them later
    return sorted(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``: its size and modification time."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*"))}


def _difference(got: list[str], wanted: list[str], shown: int = 3, width: int = 400) -> str:
    extra, missing = Counter(got) - Counter(wanted), Counter(wanted) - Counter(got)
    return "\n".join([f"{sum(extra.values())} rows only in the refreshed store, e.g.:",
                      *(row[:width] for row in sorted(extra)[:shown]),
                      f"{sum(missing.values())} rows only in the store refreshed from scratch, e.g.:",
                      *(row[:width] for row in sorted(missing)[:shown])])


def refresh_from_scratch(config: Path, store: Path) -> tuple[str, list[str]]:
    """The snapshot id and dump of a refresh of ``config`` into an empty store (run in the worker process)."""
    shutil.rmtree(store, ignore_errors=True)
    report = refresh(config, store)
    assert report.published, "the first refresh of an empty store publishes"
    try:
        return report.manifest.id, graph_dump(store, report.manifest.id)
    finally:
        shutil.rmtree(store)


class FromScratch:
    """Refreshes from scratch in a second process, which shares no in-memory state with the refreshes of the
    store under test and runs beside them (two cores). One per distinct set of files: such a refresh is a
    function of the files and the config alone."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.done: dict[str, tuple[str, list[str]]] = {}
        self.worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    def start(self, folder: Path, config: Path) -> Callable[[], tuple[str, list[str]]]:
        key = hashlib.sha256(b"".join(hashlib.sha256(file.name.encode() + b"\0" + file.read_bytes()).digest()
                                      for file in sorted(folder.iterdir()))).hexdigest()
        if key in self.done:
            return lambda: self.done[key]
        running = self.worker.submit(refresh_from_scratch, config, self.store)

        def result() -> tuple[str, list[str]]:
            self.done[key] = running.result()
            return self.done[key]

        return result


def refresh_and_check(config: Path, store: Path, scratch: FromScratch, step: str,
                      options: RefreshOptions | None = None) -> None:
    expected = scratch.start(config.parent, config)
    snapshot = refresh(config, store, options=options).manifest.id
    assert Store(store).current_id() == snapshot, step
    # (a) the snapshot holds what a refresh of the same sources into an empty store gives
    expected_id, wanted = expected()
    got = graph_dump(store, snapshot)
    same = got == wanted  # not in the assert: pytest's own diff of two lists of thousands of rows says little
    assert same, f"after {step}: the graph differs from a refresh from scratch\n{_difference(got, wanted)}"
    assert snapshot == expected_id, f"after {step}: the same sources make snapshot {snapshot}, from scratch {expected_id}"
    # (b) a refresh right after, with nothing changed, publishes nothing and writes nothing under graphs/
    graphs = Store(store).graphs_dir
    before = tree(graphs)
    again = refresh(config, store)
    assert not again.published, f"after {step}: a refresh with nothing changed published {again.manifest.id}"
    assert again.manifest.id == snapshot and Store(store).current_id() == snapshot, step
    assert tree(graphs) == before, f"after {step}: a refresh with nothing changed wrote under graphs/"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[tuple[Path, FromScratch]]:
    folder = tmp_path_factory.mktemp("snapshot-properties")
    scratch = FromScratch(folder / "scratch")
    with scratch.worker:
        yield folder, scratch


@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_snapshot_is_the_graph_of_its_sources_and_a_second_refresh_writes_nothing(
        workspace: tuple[Path, FromScratch], data: st.DataObject) -> None:
    # The same folders in every example: sources at the same paths make the same URLs, so a world met again
    # reuses its refresh from scratch.
    base, scratch = workspace
    folder, store = base / "sources", base / "store"
    shutil.rmtree(store, ignore_errors=True)
    world = World()
    refresh_and_check(write_world(world, folder), store, scratch, "the first refresh")
    # Kinds of change are drawn without repetition within a sequence, so that a few sequences cover them all.
    order = data.draw(st.permutations(KINDS), label="kinds of change, in order")
    for number in range(1, data.draw(st.integers(2, 4), label="steps") + 1):
        possible = changes(world)
        kind = next((kind for kind in order if kind in possible), None) or data.draw(
            st.sampled_from(sorted(possible)), label=f"kind of step {number}")
        if kind in order:
            order.remove(kind)
        change = data.draw(possible[kind], label=f"step {number}")
        before, world = world, change(world)
        refresh_and_check(write_world(world, folder), store, scratch, f"step {number}, {change}",
                          options(before, world))
