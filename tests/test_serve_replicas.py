"""Two `lexgraph serve` processes on one store while a refresh publishes a new snapshot: eight clients get
no error, every answer is wholly that of the snapshot it names, both services move to the new snapshot
without a restart, and the snapshot they still hold open is not pruned from under them — until they end,
by a crash or by a stop."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kb_store import EnforcementFilter, Reader, Store, UnknownSnapshot
from kb_store.prompt import PromptBuilder
from pipelines.answers import decisions_answer, provision_answer
from pipelines.cli import main as cli
from pipelines.refresh import refresh
from tests.serving import REPO, Service
from tests.test_snapshots import CMS, LAW, PRIVACYAFFAIRS, TABLE

CLIENTS = 8
MOST_REQUESTS = 250  # per client
QUESTION = "When must a controller notify a personal data breach?"


@dataclass(frozen=True)
class Ask:
    """One kind of request the clients make, and how to read its answer in-process."""

    name: str
    path: str
    params: dict[str, str] | None = None
    prompt: dict | None = None


ASKS = [Ask("decisions_es", "/decisions", {"country": "ES", "limit": "3"}),
        Ask("decisions_fined", "/decisions", {"fined": "true", "limit": "2", "offset": "5"}),
        Ask("provision", "/provisions/art_33/par_1", {"as_of": "2021-03-01"}),
        Ask("prompt", "/prompt", prompt={"question": QUESTION, "as_of": "2021-03-01", "budget_tokens": 1200})]


@dataclass(frozen=True)
class Vintages:
    store: Path
    later: Path  # the config whose refresh publishes a second snapshot (the CMS tracker added)


@pytest.fixture(scope="module")
def vintages(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Vintages:
    root = tmp_path_factory.mktemp("replicas")
    configs = {}
    for name, tables in (("first", [PRIVACYAFFAIRS]), ("later", [CMS, PRIVACYAFFAIRS])):
        configs[name] = root / f"{name}.toml"
        configs[name].write_text("".join(TABLE.format(corpus=corpus, **t) for t in tables) + LAW.format(corpus=corpus))
    assert refresh(configs["first"], root / "store").published
    return Vintages(root / "store", configs["later"])


@pytest.fixture(scope="module")
def services(vintages: Vintages, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Service]]:
    logs = tmp_path_factory.mktemp("logs")
    started = [Service(vintages.store, logs / f"serve{i}.log") for i in range(2)]
    try:
        yield [service.wait_ready() for service in started]
    finally:
        for service in started:
            service.stop()


def expected(store: Path, snapshot: str) -> dict[str, str]:
    """Each kind of request's answer read in-process from ``snapshot``, as the JSON text of its value."""
    with Reader.open(store, snapshot=snapshot) as reader, PromptBuilder.open(store, snapshot) as builder:
        answers = {}
        for ask in ASKS:
            if ask.prompt:
                answer = builder.build(QUESTION, as_of=_day(ask.prompt["as_of"]), budget_tokens=1200)
            elif ask.path == "/decisions":
                query = EnforcementFilter(country=ask.params.get("country"), fined="fined" in ask.params)
                answer = decisions_answer(reader.decisions(query, int(ask.params["limit"]),
                                                           int(ask.params.get("offset", 0))), query, snapshot)
            else:
                answer = provision_answer(reader.show("art_33/par_1", _day(ask.params["as_of"]), "en"), snapshot)
            answers[ask.name] = _canonical(answer.model_dump(mode="json"))
    return answers


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class Clients:
    """Eight threads asking both services in turn until told to stop (or their bound is reached)."""

    def __init__(self, services: list[Service], pinned: str) -> None:
        self.services, self.pinned = services, pinned
        self.answers: list[tuple[str, str, str]] = []  # (ask, snapshot named, body)
        self.errors: list[str] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(CLIENTS)]

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, client: int) -> None:
        with httpx.Client(timeout=120) as http:
            for n in range(MOST_REQUESTS):
                if self.stop.is_set():
                    return
                service = self.services[(client + n) % 2]
                ask = ASKS[(client + n) % len(ASKS)]
                self._ask(http, service, ask, pinned=n % 5 == 0)
                time.sleep(0.5)  # clients that think between requests, so that the refresh gets the cores too

    def _ask(self, http: httpx.Client, service: Service, ask: Ask, pinned: bool) -> None:
        params = {**(ask.params or {}), **({"snapshot": self.pinned} if pinned and not ask.prompt else {})}
        try:
            if ask.prompt:
                answer = http.post(service.url + ask.path, json=ask.prompt)
            else:
                answer = http.get(service.url + ask.path, params=params)
        except httpx.HTTPError as exc:
            with self._lock:
                self.errors.append(f"{ask.name} on {service.url}: {exc!r}")
            return
        with self._lock:
            if answer.status_code != 200:
                self.errors.append(f"{ask.name} on {service.url}: {answer.status_code} {answer.text[:200]}")
            else:
                self.answers.append((ask.name + (" pinned" if "snapshot" in params else ""),
                                     answer.headers["x-lexgraph-snapshot"], answer.text))


def serving(service: Service) -> str:
    return httpx.get(f"{service.url}/healthz", timeout=30).json()["serving"]


def prune(store: Path, capsys: pytest.CaptureFixture) -> dict:
    code = cli(["snapshots", "prune", "--keep-last", "1", "--store", str(store), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_two_services_follow_a_refresh_and_keep_their_snapshots(vintages: Vintages, services: list[Service],
                                                                capsys: pytest.CaptureFixture) -> None:
    first = Store(vintages.store).current_id()
    assert [serving(s) for s in services] == [first, first]
    with Clients(services, pinned=first) as clients:
        refreshing = subprocess.run([sys.executable, "-m", "pipelines.cli", "refresh", "--config", str(vintages.later),
                                     "--store", str(vintages.store)], cwd=REPO, capture_output=True, text=True)
        assert refreshing.returncode == 0, refreshing.stderr
        later = Store(vintages.store).current_id()
        deadline = time.monotonic() + 120
        while {serving(s) for s in services} != {later} and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # a few answers from the new snapshot too
    assert later != first and [serving(s) for s in services] == [later, later]  # no restart
    assert clients.errors == []

    answers = {snapshot: expected(vintages.store, snapshot) for snapshot in (first, later)}
    assert answers[first]["decisions_es"] != answers[later]["decisions_es"]  # the two snapshots tell apart
    named = set()
    for ask, snapshot, body in clients.answers:
        named.add((ask.removesuffix(" pinned"), snapshot))
        assert _canonical(json.loads(body)) == answers[snapshot][ask.removesuffix(" pinned")], (ask, snapshot)
        assert snapshot == first or not ask.endswith("pinned")
    assert {snapshot for _, snapshot in named} == {first, later}
    assert len(clients.answers) >= CLIENTS * 10

    # Both services still hold the first snapshot open (a pinned read used it): prune keeps it, and says why.
    assert prune(vintages.store, capsys)["kept"] == {first: ["in_use"], later: ["last", "current", "in_use"]}
    services[0].stop(signal.SIGKILL)  # a crashed reader's lease goes with it
    assert prune(vintages.store, capsys)["kept"][first] == ["in_use"]
    services[1].stop()
    pruned = prune(vintages.store, capsys)
    assert list(pruned["removed"]) == [first] and not Store(vintages.store).has(first)


@pytest.mark.parametrize("snapshot", ["0123456789abcdef", "../graphs", ".."])
def test_a_lease_on_no_snapshot_is_refused_and_leaves_no_file(vintages: Vintages, snapshot: str) -> None:
    leases = vintages.store / "leases"
    before = sorted(leases.iterdir()) if leases.is_dir() else []
    with pytest.raises(UnknownSnapshot):
        Store(vintages.store).lease(snapshot)
    assert (sorted(leases.iterdir()) if leases.is_dir() else []) == before
