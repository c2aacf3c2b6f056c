"""The store: the engine adapter's guards, the DDL derived from the records, bulk load, publishing."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from kb_store.engine import Engine, QueryError, query_parameters
from kb_store.export import ordered_rows
from kb_store import Manifest, Store, StoreLocked, UnknownSnapshot
from kb_store.load import create_graph, import_tables, insert_row_by_row
from schema.graph import Contains, column_type, ddl
from schema.law import Provision


@pytest.mark.parametrize("query, expected", [
    ("MATCH (p:Provision {id: $id}) RETURN p", {"id"}),
    ("MATCH (p) WHERE p.a = $a AND p.b > $b_2 RETURN p", {"a", "b_2"}),
    ("RETURN '$not_a_parameter' AS s, \"$nor_this\" AS t", set()),
    ("RETURN 'it''s $x' AS s", set()),
])
def test_query_parameters(query: str, expected: set[str]) -> None:
    assert query_parameters(query) == expected


@pytest.fixture
def engine(tmp_path: Path):
    with Engine(tmp_path / "g.kuzu") as engine:
        for statement in ddl():
            engine.execute(statement)
        yield engine


def test_an_unbound_parameter_is_refused_not_matched_silently(engine: Engine) -> None:
    with pytest.raises(QueryError, match=r"unbound parameter\(s\) \['id'\]"):
        engine.execute("MATCH (p:Provision) WHERE p.id = $id RETURN p.id")


def test_an_unused_parameter_is_refused(engine: Engine) -> None:
    with pytest.raises(QueryError, match=r"not used"):
        engine.execute("MATCH (p:Provision) RETURN p.id", {"id": "x"})


def test_an_engine_error_names_the_query(engine: Engine) -> None:
    with pytest.raises(QueryError, match="MATCH \\(p:Nowhere\\)"):
        engine.execute("MATCH (p:Nowhere) RETURN p")


def test_a_read_only_engine_refuses_writes_and_a_missing_graph(tmp_path: Path) -> None:
    create_graph(tmp_path / "g.kuzu", {})
    with Engine(tmp_path / "g.kuzu", read_only=True) as engine:
        with pytest.raises(QueryError):
            engine.execute("CREATE (:Provision {id: 'x'})")
    with pytest.raises(FileNotFoundError, match="no graph database"):
        Engine(tmp_path / "missing.kuzu", read_only=True)


@pytest.mark.parametrize("annotation, expected", [
    (str, "STRING"), (int, "INT64"), (bool, "BOOLEAN"), (dt.date, "DATE"), (dt.datetime, "TIMESTAMP"),
    (str | None, "STRING"), (list[str], "STRING[]"), (dt.date | None, "DATE"),
])
def test_column_types_follow_the_records(annotation: object, expected: str) -> None:
    assert column_type(annotation) == expected


def test_every_record_field_is_a_column() -> None:
    (provision,) = [s for s in ddl() if s.startswith("CREATE NODE TABLE Provision(")]
    for field in Provision.model_fields:
        assert f" {field} " in provision.replace("(", " ")
    (contains,) = [s for s in ddl() if "TABLE CONTAINS(" in s]
    assert contains == "CREATE REL TABLE CONTAINS(FROM Provision TO Provision, ordinal INT64)"


def _tables() -> dict:
    provisions = [Provision(id=f"eu/reg/2016/679/art_{n}", act_id="eu/reg/2016/679", kind="article", number=str(n),
                            parent_id="eu/reg/2016/679", ordinal=n, source_sha256=["a" * 64], parser_version="1")
                  for n in range(1, 60)]
    act = Provision(id="eu/reg/2016/679", act_id="eu/reg/2016/679", kind="act", ordinal=0, source_sha256=[],
                    parser_version="1")
    return {"Provision": [act, *provisions],
            "CONTAINS": [Contains(parent_id=act.id, child_id=p.id, ordinal=p.ordinal) for p in provisions]}


def test_bulk_and_row_by_row_loads_give_the_same_graph(tmp_path: Path) -> None:
    create_graph(tmp_path / "bulk.kuzu", _tables())
    insert_row_by_row(tmp_path / "rows.kuzu", _tables())
    with Engine(tmp_path / "bulk.kuzu", read_only=True) as bulk, Engine(tmp_path / "rows.kuzu", read_only=True) as rows:
        assert list(ordered_rows(bulk)) == list(ordered_rows(rows))
        assert len(list(ordered_rows(bulk))) == 60 + 59


def _manifest(snapshot: str) -> Manifest:
    return Manifest(id=snapshot, created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), parent=None, sources=[], counts={},
                    checks=[], quarantined=[])


def test_a_crashed_build_leaves_the_current_snapshot_and_its_leftovers_go(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.writer():
        store.publish(_manifest("first"), _tables())
        broken = _tables()
        broken["CONTAINS"].append(Contains(parent_id="eu/reg/2016/679", child_id="eu/reg/2016/679/art_999", ordinal=1))
        with pytest.raises(QueryError):  # an edge to a node that is not there: the load fails half way
            store.publish(_manifest("second"), broken)
    assert store.current().id == "first" and not store.has("second")
    assert [p.name for p in store.graphs_dir.glob(".build-second-*")], "the failed build is left where it was built"
    with store.open_current() as engine:
        assert engine.execute("MATCH (p:Provision) RETURN count(*) AS n") == [{"n": 60}]
    with store.writer():  # the next writer clears what a crashed one left
        assert not list(store.graphs_dir.glob(".build-*"))


def test_writing_needs_the_lock_and_a_second_writer_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(RuntimeError, match="needs its lock"):
        store.publish(_manifest("first"), _tables())
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked, match=rf"another refresh \(pid {holder.pid} since"):
            with store.writer():
                pass
    finally:
        holder.kill()
        holder.wait()
    with store.writer():  # the lock dies with its holder
        store.publish(_manifest("first"), _tables())


HOLD_LOCK = """
import sys, time
from pathlib import Path
from kb_store.store import Store
with Store(Path(sys.argv[1])).writer():
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_snapshot_is_never_rebuilt_and_going_back_repoints_current(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.writer():
        store.publish(_manifest("first"), _tables())
        store.publish(_manifest("second"), {})
        graph = store.graph_path("first")
        built = graph.stat().st_mtime_ns
        again = store.publish(_manifest("first"), {})  # the same id: the same inputs, already built
    assert graph.stat().st_mtime_ns == built and again.counts["Provision"] == 60
    assert store.current_id() == "first"
    assert [(m.previous, m.current) for m in store.history()] == [(None, "first"), ("first", "second"),
                                                                   ("second", "first")]


def test_the_snapshot_current_at_a_time(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.writer():
        store.publish(_manifest("first"), {})
        store.publish(_manifest("second"), {})
    first, second = store.history()
    assert store.current_at(second.at) == "second"
    assert store.current_at(second.at - dt.timedelta(microseconds=1)) == "first"
    with pytest.raises(UnknownSnapshot, match="no snapshot was current at"):
        store.current_at(first.at - dt.timedelta(days=1))
    with store.writer():
        store.remove("first")
    with pytest.raises(UnknownSnapshot, match="snapshot first was current at .* but has been pruned"):
        store.current_at(first.at)


@pytest.mark.parametrize("snapshot", ["../outside", "a/b", "", ".build-x", "A" * 65])
def test_a_snapshot_id_cannot_name_a_path_outside_the_store(tmp_path: Path, snapshot: str) -> None:
    with pytest.raises(UnknownSnapshot, match="not a snapshot id"):
        Store(tmp_path).manifest(snapshot)


def test_the_export_imports_into_a_fresh_database_as_the_same_graph(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    with store.writer():
        store.publish(_manifest("first"), _tables())
    import_tables(tmp_path / "copy.kuzu", store.tables_dir("first"))
    with store.open_current() as published, Engine(tmp_path / "copy.kuzu", read_only=True) as copy:
        assert list(ordered_rows(published)) == list(ordered_rows(copy))
