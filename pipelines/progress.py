"""Progress of long stages, shown as bars on a terminal or written to a run's log."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[[str], None]


class Reporter(Protocol):
    def stage(self, name: str, total: int) -> AbstractContextManager[Advance]: ...

    def note(self, message: str) -> None: ...


class LogReporter:
    """Writes a line per tenth of a stage to a logger (a Dagster run's log under ``dagster dev``)."""

    def __init__(self, log: logging.Logger | None = None) -> None:
        self._log = log or logging.getLogger("lexgraph")

    @contextmanager
    def stage(self, name: str, total: int) -> Iterator[Advance]:
        done, step = 0, max(1, total // 10)

        def advance(item: str) -> None:
            nonlocal done
            done += 1
            if done % step == 0 or done == total:
                self._log.info("%s %d/%d: %s", name, done, total, item)

        yield advance

    def note(self, message: str) -> None:
        self._log.info(message)


class RichReporter:
    """A progress bar per stage on the terminal."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)

    @contextmanager
    def stage(self, name: str, total: int) -> Iterator[Advance]:
        columns = (TextColumn(f"{name:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"))
        with Progress(*columns, console=self.console, transient=False) as bar:
            task = bar.add_task("", total=total)
            yield lambda item: bar.update(task, advance=1, description=item)
            bar.update(task, description="")

    def note(self, message: str) -> None:
        self.console.print(message)
