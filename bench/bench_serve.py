"""The HTTP service under load, beside the in-process call it wraps.

    python bench/bench_serve.py --store /tmp/store [--runs 3] [--clients 1,8,32] [--workers 1]

Starts ``lexgraph serve`` on a published store (it only reads it, and leases what it opens), then for
``/provisions``, ``/decisions`` and ``/prompt`` sends varied requests (provisions in three languages and
as of several dates, filters by country, provision, date and fine, the questions of
``bench/bench_prompt.py``) from 1, 8 and 32 concurrent clients (asyncio, one process), after one pass
that warms the service. Printed, for each endpoint and number of clients: requests per second and
p50/p99 latency, the median of the runs and their spread (min–max), beside the same reads called
in-process one at a time on this machine; the targets (/provisions p99 ≤ 20 ms and /prompt p99 ≤ 150 ms
at 8 clients); and the resident memory of each service process, after start and at its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_prompt import questions  # noqa: E402
from kb_store import EnforcementFilter, Reader  # noqa: E402
from kb_store.prompt import PromptBuilder  # noqa: E402
from tests.serving import free_port  # noqa: E402

TARGETS = {("provisions", 8): 20.0, ("prompt", 8): 150.0}  # p99, ms
_ARTICLES = [1, 5, 6, 9, 12, 15, 17, 21, 25, 28, 32, 33, 35, 37, 44, 58, 83, 85]
_DAYS = ["2017-01-01", "2018-06-01", "2021-03-01"]
_FILTERS = [{"country": "ES"}, {"country": "FR", "fined": "true"}, {"cites": "Art. 6"}, {"cites": "art_5/par_1/pnt_f"},
            {"authority": "Datainspektionen"}, {"organisation": "vodafone"}, {"after": "2020-01-01", "fined": "true"},
            {"country": "DE", "as_of": "2021-01-01"}, {"before": "2019-01-01"}, {"country": "IT", "cites": "Art. 13"}]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict | None = None
    body: dict | None = None


def workload(store: Path, prompts: int) -> dict[str, list[Request]]:
    provisions = [Request("GET", f"/provisions/art_{n}", {"as_of": day, "lang": lang})
                  for n in _ARTICLES for day, lang in zip(_DAYS, ("en", "fr", "de"))]
    decisions = [Request("GET", "/decisions", {**f, "limit": "20", "offset": str(20 * (i % 2))})
                 for i, f in enumerate(_FILTERS * 2)]
    asked = [Request("POST", "/prompt", body={"question": q, "as_of": d.isoformat()})
             for q, d in questions(store, prompts)]
    return {"provisions": provisions, "decisions": decisions, "prompt": asked}


def in_process(store: Path, load: dict[str, list[Request]]) -> dict[str, list[float]]:
    """Each request's read called directly, one at a time, on an open reader and builder (warmed first)."""
    reader = Reader.open(store)
    builder = PromptBuilder(reader._engine, reader.manifest)  # noqa: SLF001  (one engine, as the service has)
    calls: dict[str, Callable[[Request], object]] = {
        "provisions": lambda r: reader.show(r.path.rsplit("/", 1)[1], dt.date.fromisoformat(r.params["as_of"]),
                                            r.params["lang"]),
        "decisions": lambda r: reader.decisions(EnforcementFilter(**{k: v for k, v in r.params.items()
                                                                     if k not in ("limit", "offset")}),
                                                int(r.params["limit"]), int(r.params["offset"])),
        "prompt": lambda r: builder.build(r.body["question"], as_of=dt.date.fromisoformat(r.body["as_of"])),
    }
    times: dict[str, list[float]] = {}
    for name, requests in load.items():
        for request in requests:  # warm, as the service is
            calls[name](request)
        times[name] = []
        for request in requests:
            started = time.perf_counter()
            calls[name](request)
            times[name].append(time.perf_counter() - started)
    reader.close()
    return times


async def hammer(url: str, requests: list[Request], clients: int, count: int) -> tuple[float, list[float], int]:
    """``count`` requests from ``clients`` concurrent clients, cycling through ``requests``: (requests per
    second, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    next_one = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal next_one, errors
        while next_one < count:
            request = requests[next_one % len(requests)]
            next_one += 1
            started = time.perf_counter()
            answer = await http.request(request.method, request.path, params=request.params, json=request.body)
            latencies.append(time.perf_counter() - started)
            errors += answer.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def service_processes(pid: int) -> list[int]:
    """The service's process and its children (the workers, with --workers N)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of one process, in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def start(store: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", "--store", str(store), "--port",
                                str(port), "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise TimeoutError("the service did not start")


def spread(values: list[float], unit: str = "") -> str:
    return f"{statistics.median(values):8.1f}{unit} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / ".store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", type=int, default=1, help="service processes behind the one port")
    parser.add_argument("--requests", type=int, default=96, help="requests per endpoint, clients and run (prompts: half)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    load = workload(args.store, prompts=60)

    started = time.perf_counter()
    process, url = start(args.store, args.workers)
    print(f"service up and warm in {time.perf_counter() - started:.1f} s ({args.workers} worker process(es))")
    pids = service_processes(process.pid)
    at_start = {pid: memory_mb(pid) for pid in pids}
    try:
        for requests in load.values():  # one pass to warm the service
            asyncio.run(hammer(url, requests, 4, len(requests)))
        results = {(name, n): [] for name in load for n in clients}
        for _ in range(args.runs):
            for name, requests in load.items():
                count = args.requests // (2 if name == "prompt" else 1)
                for n in clients:
                    results[name, n].append(asyncio.run(hammer(url, requests, n, max(count, 2 * n))))
        at_end = {pid: memory_mb(pid) for pid in pids}
    finally:
        process.terminate()
        process.wait()
    direct = in_process(args.store, load)
    report(results, direct, clients, args.runs)
    print("\nmemory per service process (MB): resident after start → after the runs, peak")
    for pid in pids:
        print(f"  pid {pid}: {at_start[pid][0]:.0f} → {at_end[pid][0]:.0f}, peak {at_end[pid][1]:.0f}")


def report(results: dict, direct: dict[str, list[float]], clients: list[int], runs: int) -> None:
    print(f"\nmedian of {runs} runs (min–max); latencies in ms")
    print(f"{'endpoint':<11} {'clients':>7} {'req/s':>22} {'p50':>22} {'p99':>22} {'errors':>6}  target")
    for name, calls in direct.items():
        ms = [t * 1000 for t in calls]
        print(f"{name:<11} {'in-proc':>7} {spread([1000 / statistics.mean(ms)]):>22} "
              f"{spread([percentile(ms, 50)]):>22} {spread([percentile(ms, 99)]):>22} {'':>6}  (one call at a time)")
        for n in clients:
            runs_of = results[name, n]
            rps = [r[0] for r in runs_of]
            p50 = [percentile(r[1], 50) * 1000 for r in runs_of]
            p99 = [percentile(r[1], 99) * 1000 for r in runs_of]
            target = TARGETS.get((name, n))
            verdict = f"p99 ≤ {target:.0f} ms: {'met' if statistics.median(p99) <= target else 'NOT met'}" if target else ""
            print(f"{'':<11} {n:>7} {spread(rps):>22} {spread(p50):>22} {spread(p99):>22} "
                  f"{sum(r[2] for r in runs_of):>6}  {verdict}")


if __name__ == "__main__":
    main()
