"""Ranking stability between two runs of one configuration: ratios and orders, not medians.

The check behind ``scripts/stability``: for each case of >= 10 ms, does its ratio to its
group's fastest (run/ratios.py) agree within 5% between the runs; and for each group (an
operation with its parameters on one dataset), is the order of the formats the same,
except where a run itself calls two neighbours a tie (their ratio intervals overlap)?
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from benchmarks.analysis.paired import RATIO, ratio_interval
from benchmarks.analysis.precision import MIN_SECONDS, WITHIN
from benchmarks.run.results import load_results, tidy


@dataclass(frozen=True)
class RatioPair:
    """One case's ratio to its group's fastest in both runs."""

    case: str
    group: str
    median: float  # first run's median, seconds
    first: float
    second: float

    def within(self, tolerance: float = WITHIN) -> bool:
        """The two ratios differ by at most ``tolerance``."""
        return abs(self.second / self.first - 1) <= tolerance


@dataclass(frozen=True)
class Ranking:
    """One group's order of cases in each run, and whether they agree but for ties."""

    group: str
    first: list[str]
    second: list[str]
    agrees: bool


def _timed(path: str | os.PathLike) -> pd.DataFrame:
    frame = tidy(load_results(path))
    ok = frame[frame["median"].notna()]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    if RATIO not in ok or "group" not in ok:
        return ok.iloc[0:0].assign(**{RATIO: [], "group": []})
    return ok[ok[RATIO].notna()].set_index("case_id", drop=False)


def ratio_pairs(
    first: str | os.PathLike, second: str | os.PathLike, min_s: float = MIN_SECONDS
) -> list[RatioPair]:
    """Cases with a ratio in both runs whose first-run median is at least ``min_s``."""
    a, b = _timed(first), _timed(second)
    out = []
    for case_id, row in a.iterrows():
        if case_id in b.index and float(row["median"]) >= min_s:
            out.append(RatioPair(str(case_id), str(row["group"]), float(row["median"]),
                                 float(row[RATIO]), float(b.loc[case_id, RATIO])))  # fmt: skip
    return sorted(out, key=lambda p: p.case)


def _tied_blocks(rows: pd.DataFrame) -> list[set[str]]:
    """The run's order as blocks of cases it cannot tell apart (overlapping neighbours)."""
    ordered = rows.sort_values(RATIO)
    blocks: list[set[str]] = []
    previous = None
    for case_id, row in ordered.iterrows():
        ci = ratio_interval(row)
        tie = previous is not None and ci is not None and ci[0] <= previous[1]
        if tie and blocks:
            blocks[-1].add(str(case_id))
        else:
            blocks.append({str(case_id)})
        if ci is not None:
            previous = ci if previous is None or not tie else (previous[0], max(previous[1], ci[1]))
        else:
            previous = None
    return blocks


def _consistent(order: list[str], blocks_a: list[set[str]], blocks_b: list[set[str]]) -> bool:
    """Whether two orders differ only within a tie either run called."""

    def rank(blocks: list[set[str]]) -> dict[str, int]:
        return {c: i for i, block in enumerate(blocks) for c in block}

    ra, rb = rank(blocks_a), rank(blocks_b)
    for i, x in enumerate(order):
        for y in order[i + 1 :]:
            if ra[x] == ra[y] or rb[x] == rb[y]:
                continue  # a tie in one of the runs: either order is fine
            if (ra[x] < ra[y]) != (rb[x] < rb[y]):
                return False
    return True


def rankings(first: str | os.PathLike, second: str | os.PathLike) -> list[Ranking]:
    """Per group present in both runs: the orders by ratio and whether they agree."""
    a, b = _timed(first), _timed(second)
    out = []
    for group, rows_a in a.groupby("group", sort=False):
        rows_b = b[b["group"] == group]
        common = sorted(set(rows_a.index) & set(rows_b.index))
        if len(common) < 2:
            continue
        rows_a, rows_b = rows_a.loc[common], rows_b.loc[common]
        order_a = list(rows_a.sort_values(RATIO).index)
        order_b = list(rows_b.sort_values(RATIO).index)
        agrees = _consistent(order_a, _tied_blocks(rows_a), _tied_blocks(rows_b))
        out.append(Ranking(str(group), order_a, order_b, agrees))
    return out


def verdict(found: list[RatioPair], ranks: list[Ranking], tolerance: float = WITHIN) -> list[str]:
    """Two lines: the share of ratios within tolerance, the rankings that agree."""
    n = sum(p.within(tolerance) for p in found)
    share = n / len(found) if found else 0.0
    same = sum(r.agrees for r in ranks)
    return [
        f"ratio to fastest: {n} of {len(found)} cases >= {MIN_SECONDS * 1e3:.0f} ms within "
        f"{tolerance:.0%} ({share:.0%})",
        f"rankings: {same} of {len(ranks)} groups in the same order except where a run calls a tie",
    ]
