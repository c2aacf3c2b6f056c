from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from parsers.formex import parse_formex_act
from tests.http_server import Server

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        raise RuntimeError(f"the real corpus is missing at {CORPUS}: set LEXGRAPH_CORPUS or put shared/ beside the checkout")
    return CORPUS


@pytest.fixture(scope="session")
def eurlex(corpus: Path) -> Path:
    return corpus / "eurlex"


@pytest.fixture(scope="session")
def gdpr_ids(eurlex: Path) -> frozenset[str]:
    """Every provision id of the GDPR (the Formex text as published): what citations may resolve to."""
    act = parse_formex_act((eurlex / "gdpr_32016R0679_formex_original_en.xml").read_bytes())
    return frozenset(provision.id for provision in act.provisions)


OFFLINE = REPO / "examples" / "offline.toml"


@pytest.fixture(scope="session")
def offline_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """One refresh of everything ``examples/offline.toml`` lists, shared by the tests that read it and by
    the workers of one run (``pytest -n``): the first to get here builds it, the others wait, then read."""
    from kb_store import Store
    from pipelines.refresh import refresh

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    store = base.parent / f"offline-store-{run}" if run else base / "offline-store"
    with open(f"{store}.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if Store(store).current_id() is None:
            assert refresh(OFFLINE, store).published, "the first refresh of an empty store publishes"
    return store


@pytest.fixture
def eurlex_server(eurlex: Path) -> Iterator[Server]:
    """The real EUR-Lex corpus over HTTP on 127.0.0.1."""
    with Server(eurlex) as server:
        yield server
