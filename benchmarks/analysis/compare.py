"""``fmtbench compare``: what got slower or faster between two results files.

Cases are matched by what they measure (dataset, rows, adapter, codec, operation, cache
and the operation's parameters), never by position. A change counts only when it is
both larger than the threshold and larger than the runs' own noise. Where both files
timed the case side by side with its group (analysis/paired.py), the change judged is
that of its ratio to the group's fastest case, and the two ratio intervals must not
overlap (drift common to a whole run moves medians, not ratios; the group's fastest
case itself is judged on its median). Otherwise the two 95% intervals of the median
(``--rounds auto``) must not overlap, or, for results files
without intervals, the change must exceed the wider of the two interquartile ranges. A
15% swing on a case whose rounds already spread by 30% is not a regression, it is jitter.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from benchmarks.analysis.cells import PARAM_KEYS, case_label, format_seconds
from benchmarks.analysis.intervals import interval, overlap
from benchmarks.analysis.paired import RATIO, ratio_interval
from benchmarks.errors import UsageError
from benchmarks.run.results import load_results, tidy

MATCH_KEYS = ("dataset", "rows", "adapter", "codec", "operation", "cache", *PARAM_KEYS)
LISTED = 20  # cases shown per "only in one file" list; the rest are counted


@dataclass(frozen=True)
class Change:
    """One case present in both files: the two medians, their noise, and the verdict."""

    case: str
    operation: str
    base: float
    new: float
    base_iqr: float
    new_iqr: float
    threshold: float
    base_ci: tuple[float, float] | None = None  # 95% interval of the median, when recorded
    new_ci: tuple[float, float] | None = None
    #: ratio to the group's fastest case (rounds side by side) and its interval, when
    #: recorded: (ratio, low, high); the group's fastest case has none here
    base_rel: tuple[float, float, float] | None = None
    new_rel: tuple[float, float, float] | None = None

    @property
    def uses_ratio(self) -> bool:
        """Both files timed the case side by side with its group, and it is not the
        group's fastest in either (that one is judged on its median)."""
        return self.base_rel is not None and self.new_rel is not None

    @property
    def relative(self) -> float:
        """new / base ratio to the fastest: above 1, slower against its group."""
        assert self.base_rel is not None and self.new_rel is not None
        return self.new_rel[0] / self.base_rel[0]

    @property
    def ratio(self) -> float:
        """new / base median: above 1 is slower."""
        return self.new / self.base

    @property
    def noise(self) -> float:
        """The wider interquartile range of the two runs."""
        return max(self.base_iqr, self.new_iqr)

    @property
    def uses_ci(self) -> bool:
        """Both files recorded the median's interval for this case (--rounds auto and later)."""
        return self.base_ci is not None and self.new_ci is not None

    @property
    def significant(self) -> bool:
        """Beyond the threshold AND beyond the noise: intervals apart, else the wider IQR.

        Where both files have the case's ratio to its group's fastest, the change is that
        ratio's: drift common to the whole run (a slower machine) moves every median but
        not the ratios, so it is no regression of one format.
        """
        if self.uses_ratio:
            assert self.base_rel is not None and self.new_rel is not None
            if abs(self.relative - 1) <= self.threshold:
                return False
            return not overlap(self.base_rel[1:], self.new_rel[1:])
        if abs(self.ratio - 1) <= self.threshold:
            return False
        if self.uses_ci:
            return not overlap(self.base_ci, self.new_ci)
        return abs(self.new - self.base) > self.noise

    @property
    def verdict(self) -> str:
        """'slower', 'faster' or 'same'."""
        if not self.significant:
            return "same"
        change = self.relative if self.uses_ratio else self.ratio
        return "slower" if change > 1 else "faster"


@dataclass
class Comparison:
    """Every matched case, the per-operation summary, and what only one file has."""

    base_path: Path
    new_path: Path
    threshold: float
    changes: list[Change]
    only_base: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def by_operation(self) -> dict[str, float]:
        """Geometric mean of new/base ratios per operation (1.10 = 10% slower overall)."""
        logs: dict[str, list[float]] = {}
        for c in self.changes:
            logs.setdefault(c.operation, []).append(math.log(c.ratio))
        return {op: math.exp(sum(v) / len(v)) for op, v in logs.items()}

    @property
    def regressions(self) -> list[Change]:
        """Significant slowdowns, worst first."""
        return sorted((c for c in self.changes if c.verdict == "slower"), key=lambda c: -c.ratio)

    @property
    def regressed(self) -> bool:
        """True when any case is significantly slower."""
        return bool(self.regressions)


def _plain(value: Any) -> Any:
    """A key part that compares equal across files: NaN -> None, 1.0 -> 1, numpy -> Python."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _label(row: pd.Series) -> str:
    """``mixed@5000 parquet-pyarrow/zstd read_column column=id`` (plus the cache when cold)."""
    rows = _plain(row.get("rows"))
    cache = "" if row.get("cache") in (None, "warm") else f" cache={row['cache']}"
    return f"{row['dataset']}@{rows} {row['adapter']}/{row['codec']} {case_label(row)}{cache}"


def timed_cases(frame: pd.DataFrame) -> dict[tuple, pd.Series]:
    """Cases with a timing, by match key."""
    ok = frame[frame["median"].notna()]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    return {tuple(_plain(row.get(k)) for k in MATCH_KEYS): row for _, row in ok.iterrows()}


def _failed_ids(frame: pd.DataFrame) -> set[str]:
    if "error" not in frame or "case_id" not in frame:
        return set()
    return set(frame.loc[frame["error"].notna(), "case_id"].dropna())


def _only(
    mine: dict[tuple, pd.Series], theirs: dict[tuple, pd.Series], failed: set[str], where: str
) -> list[str]:
    """Labels of cases only ``mine`` timed, noting those that failed in the other file."""
    out = []
    for key, row in mine.items():
        if key not in theirs:
            gone = f" (failed in {where})" if row.get("case_id") in failed else ""
            out.append(_label(row) + gone)
    return out


def _iqr(row: pd.Series) -> float:
    value = row.get("iqr")
    return 0.0 if value is None or pd.isna(value) else float(value)


def machine_notes(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Differences in machine or library versions: a reason for a change that is not code."""
    a, b = base.get("machine_info") or {}, new.get("machine_info") or {}
    notes = []
    for key, show in (("cores", str), ("memory_bytes", lambda v: f"{v / 2**30:.0f} GiB")):
        if a.get(key) != b.get(key) and a.get(key) and b.get(key):
            notes.append(f"{key.split('_')[0]}: {show(a[key])} -> {show(b[key])}")
    cpu_a, cpu_b = ((m.get("cpu") or {}).get("brand_raw") for m in (a, b))
    if cpu_a != cpu_b:
        notes.append(f"cpu: {cpu_a} -> {cpu_b}")
    libs_a, libs_b = a.get("libraries") or {}, b.get("libraries") or {}
    for lib in sorted(set(libs_a) & set(libs_b)):
        if libs_a[lib] != libs_b[lib]:
            notes.append(f"{lib}: {libs_a[lib]} -> {libs_b[lib]}")
    return notes


def compare(
    base_path: str | os.PathLike, new_path: str | os.PathLike, threshold: float = 0.10
) -> Comparison:
    """Match the two files' cases and judge each change; UsageError if none match."""
    if not (threshold >= 0 and math.isfinite(threshold)):
        raise UsageError(f"--threshold must be a fraction >= 0 (0.10 = 10%), got {threshold}")
    base_data, new_data = load_results(base_path), load_results(new_path)
    base_frame, new_frame = tidy(base_data), tidy(new_data)
    base, new = timed_cases(base_frame), timed_cases(new_frame)
    common = [k for k in base if k in new]
    if not common:
        raise UsageError(
            f"{base_path} and {new_path} have no cases in common; compare two runs of the "
            "same datasets, rows, formats and operations"
        )
    changes = [_change(base[k], new[k], threshold) for k in common]
    return Comparison(
        Path(base_path),
        Path(new_path),
        threshold,
        changes,
        only_base=_only(base, new, _failed_ids(new_frame), "new"),
        only_new=_only(new, base, _failed_ids(base_frame), "base"),
        notes=machine_notes(base_data, new_data),
    )


def _change(base: pd.Series, new: pd.Series, threshold: float) -> Change:
    return Change(
        _label(new),
        str(new["operation"]),
        float(base["median"]),
        float(new["median"]),
        _iqr(base),
        _iqr(new),
        threshold,
        interval(base),
        interval(new),
        _relative(base),
        _relative(new),
    )


def _relative(row: pd.Series) -> tuple[float, float, float] | None:
    """(ratio to the group's fastest, low, high) of a case that is not its group's fastest."""
    ci = ratio_interval(row)
    value = row.get(RATIO)
    fastest = row.get("fastest_case") == row.get("case_id")
    if ci is None or value is None or pd.isna(value) or fastest:
        return None
    return float(value), ci[0], ci[1]


# -- rendering -----------------------------------------------------------------------

STYLE = {"slower": "red", "faster": "green", "same": "dim"}


def operation_table(c: Comparison) -> Table:
    """Per operation: cases matched, geometric-mean ratio, how many got slower or faster."""
    table = Table(title="per operation (geometric mean of new/base)", title_justify="left")
    for name in ("operation", "cases", "new/base", "slower", "faster"):
        table.add_column(name, justify="left" if name == "operation" else "right")
    for op, ratio in c.by_operation.items():
        mine = [x for x in c.changes if x.operation == op]
        table.add_row(
            op,
            str(len(mine)),
            f"{ratio:.3f}",
            str(sum(x.verdict == "slower" for x in mine)),
            str(sum(x.verdict == "faster" for x in mine)),
        )
    return table


def changes_table(c: Comparison, show_all: bool) -> Table:
    """Significant changes (or every case), slowest first."""
    shown = [x for x in c.changes if show_all or x.significant]
    what = "every matched case" if show_all else "significant changes"
    table = Table(title=f"{what}, slowest first", title_justify="left")
    for name in ("case", "base", "new", "new/base", "x fastest", "noise (IQR)", "verdict"):
        # the case folds onto more lines, never "…": it is the name a user searches for;
        # the figures stay whole on one line so the case gets the room
        text = name == "case"
        table.add_column(
            name,
            justify="left" if name in ("case", "verdict") else "right",
            overflow="fold" if text else "ellipsis",
            no_wrap=not text,
        )
    for x in sorted(shown, key=lambda x: -x.ratio):
        table.add_row(
            Text(x.case),
            format_seconds(x.base),
            format_seconds(x.new),
            f"{x.ratio:.3f}",
            _x_fastest(x),
            format_seconds(x.noise),
            Text(x.verdict, style=STYLE[x.verdict]),
        )
    return table


def _x_fastest(x: Change) -> str:
    """'1.42 -> 1.61': the ratio to the group's fastest in each file, '-' without."""
    if not x.uses_ratio:
        return "-"
    assert x.base_rel is not None and x.new_rel is not None
    return f"{x.base_rel[0]:.2f} -> {x.new_rel[0]:.2f}"


def _listing(title: str, labels: list[str]) -> list[Text]:
    """Text, not markup: labels and paths may hold square brackets."""
    if not labels:
        return []
    more = [f"  ... and {len(labels) - LISTED} more"] if len(labels) > LISTED else []
    lines = [f"{title} ({len(labels)}):", *(f"  {s}" for s in labels[:LISTED]), *more]
    return [Text(line) for line in lines]


def render(c: Comparison, show_all: bool = False) -> list[Any]:
    """What ``fmtbench compare`` prints, as rich renderables and lines."""
    out: list[Any] = [
        Text(f"base: {c.base_path}\nnew:  {c.new_path}"),
        f"a change counts beyond ±{c.threshold:.0%} and when the two intervals do not "
        "overlap: of the ratio to the group's fastest case where both runs timed the "
        "group side by side (x fastest), else of the median (the wider IQR without them)",
    ]
    if c.notes:
        out.append(Text("the runs differ in: " + "; ".join(c.notes), style="yellow"))
    out += [operation_table(c)]
    if show_all or any(x.significant for x in c.changes):
        out.append(changes_table(c, show_all))
    out += _listing("only in base", c.only_base) + _listing("only in new", c.only_new)
    slower, faster = len(c.regressions), sum(x.verdict == "faster" for x in c.changes)
    verdict = f"{slower} slower, {faster} faster, {len(c.changes) - slower - faster} unchanged"
    out.append(f"[{'red' if slower else 'green'}]{verdict}[/]")
    return out
