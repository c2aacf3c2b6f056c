"""The store: the engine adapter's guards, the DDL derived from the records, bulk load, publishing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb_store.engine import Engine, QueryError, query_parameters
from kb_store.export import ordered_rows
from kb_store.load import create_graph, insert_row_by_row
from kb_store.store import Manifest, Store
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
    return Manifest(id=snapshot, created=dt.datetime(2026, 1, 1), parent=None, sources=[], counts={}, checks=[],
                    quarantined=[])


def test_a_crashed_build_leaves_the_current_snapshot(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.publish(_manifest("first"), _tables())
    broken = _tables()
    broken["CONTAINS"].append(Contains(parent_id="eu/reg/2016/679", child_id="eu/reg/2016/679/art_999", ordinal=1))
    with pytest.raises(QueryError):  # an edge to a node that is not there: the load fails half way
        store.publish(_manifest("second"), broken)
    assert store.current().id == "first"
    with store.open_current() as engine:
        assert engine.execute("MATCH (p:Provision) RETURN count(*) AS n") == [{"n": 60}]
