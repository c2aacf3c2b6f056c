"""Independent pieces of one stage's work spread over the machine's cores.

A refresh stage whose work splits into parts that share nothing (the cross-references of each
language, the parse of each document) runs the parts in worker processes, one per core: the work is
pure Python, so threads would take turns. Workers are spawned, not forked (a fork would copy the
locks of the threads a Dagster run keeps), once per process: starting one costs the imports of the
parsers, so the stages of a refresh, and the refreshes after it, share them.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Key = TypeVar("Key", bound=Hashable)
Result = TypeVar("Result")

_pool: ProcessPoolExecutor | None = None  # started at the first use, shared by every later one


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count(parts: int) -> int:
    """How many workers ``run_parts`` uses for that many parts (one or none: it runs them in this process)."""
    return min(cores(), parts)


def run_parts(work: Callable[..., Result], parts: Mapping[Key, tuple[Any, ...]]) -> Iterator[tuple[Key, Result]]:
    """``work(*arguments)`` for each part, yielded as each finishes (key, result); in this process when
    there is one core or one part, else in a worker per core. ``work`` must be a module-level function."""
    workers = worker_count(len(parts))
    if workers <= 1:
        for key, arguments in parts.items():
            yield key, work(*arguments)
        return
    futures = {_workers().submit(work, *arguments): key for key, arguments in parts.items()}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BrokenProcessPool as broken:
        _shut_down()  # a broken pool takes no more work: the next stage starts a new one
        raise RuntimeError(
            f"a worker process of {work.__qualname__} died: out of memory, killed, or started from a script "
            "that runs the refresh at import (put it under `if __name__ == \"__main__\":`); nothing of the "
            "stage is kept, run it again") from broken
    finally:
        for future in futures:
            future.cancel()  # a part not started when the caller stops reading or a part failed


def _workers() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(cores(), mp_context=multiprocessing.get_context("spawn"))
    return _pool


@atexit.register
def _shut_down() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
        _pool = None
