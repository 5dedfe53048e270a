"""The run's progress bar: case i of n, the case in flight, elapsed time and ETA."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress


class Progress:
    """A rich progress bar on stderr, or nothing when disabled (tests, --quiet)."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total = total
        self.failed = 0
        self._bar = None
        if enabled:
            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._bar.add_task("starting", total=total)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def set_done(self, done: int) -> None:
        """Jump to ``done`` completed cases (resume starts part-way)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=done)

    def start_case(self, label: str) -> None:
        """Show the case now running."""
        if self._bar is not None:
            self._bar.update(self._task, description=label[-60:])

    def finish_case(self, status: str) -> None:
        """Advance by one case; count failures for the description."""
        self.failed += status == "failed"
        if self._bar is not None:
            self._bar.advance(self._task)
