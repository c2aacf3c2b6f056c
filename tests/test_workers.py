"""The work of a stage spread over worker processes gives what one process gives, and a dead worker
is a readable error."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from urllib.parse import urlsplit

from parsers.errors import ParseError
from parsers.formex import parse_formex_act
from parsers.registry import parse
from parsers.versions import DatedAct, build_versions
from pipelines import source_kinds, stages, workers
from pipelines.parse_cache import ParseCache
from pipelines.progress import LogReporter
from pipelines.raw_store import RawStore
from pipelines.sources import load_config

OFFLINE = Path(__file__).resolve().parents[1] / "examples" / "offline.toml"


def _die(code: int) -> None:
    os._exit(code)


@pytest.fixture(scope="module")
def law(eurlex: Path):
    acts = [DatedAct(name=f"original_{lang}", act=parse_formex_act(data), sha256=lang, valid_from=dt.date(2016, 5, 24))
            for lang in ("en", "fr", "de")
            for data in [(eurlex / f"gdpr_32016R0679_formex_original_{lang}.xml").read_bytes()]]
    return build_versions(acts, [])


def test_the_languages_read_side_by_side_give_the_references_read_one_after_another(
        law, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "cores", lambda: 2)  # in worker processes on any machine
    side_by_side = stages.extract_cross_references(law, LogReporter())
    monkeypatch.setattr(workers, "cores", lambda: 1)
    one_after_another = stages.extract_cross_references(law, LogReporter())
    assert {r.lang for r in side_by_side} == {"en", "fr", "de"}
    assert side_by_side == one_after_another


def test_a_worker_that_dies_is_an_error_naming_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "cores", lambda: 2)  # in worker processes on any machine: this one must not die
    with pytest.raises(RuntimeError, match="a worker process of _die died"):
        list(workers.run_parts(_die, {"a": (3,), "b": (3,)}))


def test_documents_parsed_ahead_in_workers_are_read_from_the_cache_as_parsed_and_bad_bytes_left_to_the_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "cores", lambda: 2)
    entries = load_config(OFFLINE).documents[:9]
    raw, cache = RawStore(tmp_path / "raw"), ParseCache(tmp_path / "parsed")
    shas = [raw.put(Path(urlsplit(entry.url).path).read_bytes()) for entry in entries[:-1]] + [raw.put(b"<ACT>cut")]
    source_kinds.parse_ahead(zip(entries, shas), raw, cache, frozenset(), LogReporter(), "parse")

    keys = [source_kinds.parse_key(entry, sha, frozenset()) for entry, sha in zip(entries, shas)]
    assert [cache.has(key) for key in keys] == [True] * 8 + [False]
    for entry, sha in zip(entries[:-1], shas):
        assert source_kinds.read(entry, sha, raw, cache, frozenset()) == parse(entry.format, raw.get(sha))
    with pytest.raises(ParseError):
        source_kinds.read(entries[-1], shas[-1], raw, cache, frozenset())
    assert (cache.parsed, cache.reused) == (8, 0)  # parsed by the workers, none counted as reused
