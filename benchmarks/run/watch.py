"""What the runner watches in a worker that times groups of cases (suite/timing.py).

The first test of a group times the whole group, so its time limit is the group's; and a
worker that dies mid-group names, in a small file, the case whose call was running, so
the crash is charged to that case rather than to the test that happened to be current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.suite.cases import Case
from benchmarks.suite.groups import by_group


@dataclass
class Watch:
    """What the runner knows of a worker's groups: the first case of a group times the
    whole group (suite/timing.py), so its timeout is the group's, and a crash is charged
    to the case the worker named as in flight."""

    timeout: float
    timeouts: dict[str, float] = field(default_factory=dict)  # case id -> its test's limit
    inflight: Path | None = None
    ids: set[str] = field(default_factory=set)

    def limit(self, case_id: str) -> float:
        """Seconds the case's test may take."""
        return self.timeouts.get(case_id, self.timeout)

    def culprit(self, current: str) -> str:
        """The case in flight when the worker died: named by the worker, else ``current``."""
        try:
            named = self.inflight.read_text().strip() if self.inflight else ""
        except OSError:
            named = ""
        return named if named in self.ids else current


def group_timeouts(missing: list[Case], timeout: float) -> dict[str, float]:
    """Every case of a group may run as long as the group's cases together."""
    return {c.id: timeout * len(group) for group in by_group(missing) for c in group}
