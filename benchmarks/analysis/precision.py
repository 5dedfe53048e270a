"""Run-to-run agreement: the same configuration twice, the ratio of the two medians per case.

This is the check behind ``scripts/precision``: a benchmark whose two back-to-back runs
disagree by 10% cannot tell a 10% difference between formats from noise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from benchmarks.analysis.cells import format_seconds
from benchmarks.analysis.compare import _label, timed_cases
from benchmarks.run.results import load_results, tidy

MIN_SECONDS = 0.010  # faster cases are dominated by timer and scheduler jitter
WITHIN = 0.05


@dataclass(frozen=True)
class Pair:
    """One case measured in both runs."""

    case: str
    first: float
    second: float
    target_met: bool | None  # both runs reached the ±2% interval target (None: unknown)

    @property
    def ratio(self) -> float:
        """second / first median."""
        return self.second / self.first

    def within(self, tolerance: float = WITHIN) -> bool:
        """True when the two medians differ by at most ``tolerance``."""
        return abs(self.ratio - 1) <= tolerance


def pairs(
    first: str | os.PathLike, second: str | os.PathLike, min_s: float = MIN_SECONDS
) -> list[Pair]:
    """Cases timed in both files whose first-run median is at least ``min_s``."""
    a, b = timed_cases(tidy(load_results(first))), timed_cases(tidy(load_results(second)))
    out = []
    for key, row in a.items():
        if key in b and float(row["median"]) >= min_s:
            other = b[key]
            met = [r.get("ci_target_met") for r in (row, other)]
            known = None if any(m is None or m != m for m in met) else all(bool(m) for m in met)
            out.append(Pair(_label(row), float(row["median"]), float(other["median"]), known))
    return sorted(out, key=lambda p: p.case)


def share_within(found: list[Pair], tolerance: float = WITHIN) -> float:
    """The fraction of pairs whose medians agree within ``tolerance`` (0 when none)."""
    return sum(p.within(tolerance) for p in found) / len(found) if found else 0.0


def table(found: list[Pair], tolerance: float = WITHIN) -> Table:
    """Per case: both medians, their ratio, whether within tolerance and the CI target."""
    t = Table(title=f"two runs, cases >= {MIN_SECONDS * 1e3:.0f} ms", title_justify="left")
    for name in ("case", "run 1", "run 2", "2/1", f"within {tolerance:.0%}", "CI ±2% met"):
        t.add_column(name, justify="left" if name == "case" else "right")
    for p in found:
        met = "-" if p.target_met is None else ("yes" if p.target_met else "no")
        ok = Text("yes", style="green") if p.within(tolerance) else Text("no", style="red")
        t.add_row(Text(p.case), format_seconds(p.first), format_seconds(p.second),
                  f"{p.ratio:.3f}", ok, met)  # fmt: skip
    return t


def verdict(found: list[Pair], tolerance: float = WITHIN) -> str:
    """'14 of 16 cases >= 10 ms within 5% (88%)'."""
    n = sum(p.within(tolerance) for p in found)
    return (
        f"{n} of {len(found)} cases >= {MIN_SECONDS * 1e3:.0f} ms within {tolerance:.0%} "
        f"({share_within(found, tolerance):.0%})"
    )
