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


def fit_label(label: str, width: int) -> str:
    """The case id in ``width`` characters: its end (format, codec, operation) is kept."""
    label = label.ljust(width)
    return label if len(label) <= width else "…" + label[-(width - 1) :]


class Progress:
    """A rich progress bar on stderr, or nothing when disabled (tests, --quiet)."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total = total
        self.failed = 0
        self._bar = None
        if enabled:
            console = Console(stderr=True)
            # the case id gets what the counters leave, so the line never wraps at 80 columns
            self._label_width = max(16, console.width - 50)
            self._bar = RichProgress(
                TextColumn("{task.description}", markup=False),  # ids hold [column=...]
                BarColumn(bar_width=12),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
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
            self._bar.update(self._task, description=fit_label(label, self._label_width))

    def finish_case(self, status: str) -> None:
        """Advance by one case; count failures for the description."""
        self.failed += status == "failed"
        if self._bar is not None:
            self._bar.advance(self._task)
