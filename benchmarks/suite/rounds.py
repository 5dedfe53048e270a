"""Adaptive rounds: time a case until its median is known to ±2% (95%) or its budget is spent.

Design (why the stats stay pytest-benchmark's own): ``benchmark.pedantic`` can be called
once per case and cannot be stopped early, so the rounds are decided *before* it runs.

1. **Warm-up doubles as the pilot.** Rounds run (untimed by pytest-benchmark) until one is
   within ``WARMUP_NOISE`` of the previous one, at most ``WARMUP_MAX`` and at most a fifth
   of the budget. Their spread, scaled by the sample median's standard error, predicts how
   many rounds make the 95% interval of the median ±``TARGET`` wide.
2. **One pedantic call** with that many rounds (at least ``MIN_ROUNDS``, at most what the
   rest of the budget holds). Every timed round is pytest-benchmark's: ``stats`` (median,
   iqr, rounds) are exactly the rounds the interval is computed from.
3. **The interval is computed afterwards from those rounds** (distribution-free, from the
   order statistics: ``scipy.stats.quantile_test``), so ``ci_target_met`` says whether the
   prediction held, never what was hoped.

A pilot cannot promise the target: when the predicted count was too low the case records
``ci_target_met: false`` rather than running a second, separately timed batch.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# numpy is imported in the two functions that need it: the config (and so `fmtbench
# --help`) imports this module for AUTO and parse_rounds, and numpy costs it ~0.2 s.

AUTO = "auto"
MIN_ROUNDS = 5
TARGET = 0.02  # the interval's half-width, relative to the median
CONFIDENCE = 0.95
#: Seconds per case (warm-up + timed rounds). The default run has 72 cases; 5 rounds of
#: the slow ones alone cost ~60 s on a quiet 2-core machine, so the budget can only buy
#: extra rounds for the fast cases (README: "What a default run costs").
DEFAULT_BUDGET_S = 0.5
WARMUP_MAX = 5
WARMUP_NOISE = 0.05  # a warm-up round within 5% of the previous one: the case is warm
#: Standard error of a sample median is sqrt(pi/2) times that of the mean (normal data).
_MEDIAN_SE = math.sqrt(math.pi / 2)
_Z = 1.96


@dataclass(frozen=True)
class Interval:
    """The median of the timed rounds, an interval, and the confidence it really has."""

    median: float
    low: float
    high: float
    confidence: float = CONFIDENCE  # the coverage of low..high for the median

    @property
    def half_width(self) -> float:
        """The interval's larger side, relative to the median."""
        if self.median <= 0:
            return math.inf
        return max(self.median - self.low, self.high - self.median) / self.median

    def met(self, target: float = TARGET, confidence: float = CONFIDENCE) -> bool:
        """True when the interval lies within ±target of the median at the confidence
        asked for: a narrow interval of too few rounds claims less, so it does not count."""
        return self.half_width <= target and self.confidence >= confidence - 1e-12


def range_coverage(rounds: int) -> float:
    """The confidence that min..max of ``rounds`` values covers their median:
    1 - 2 * 0.5**n (the order statistics' binomial coverage; 2 rounds: 50%, 5: 93.75%)."""
    return 0.0 if rounds < 2 else 1.0 - 2.0 * 0.5**rounds


def median_ci(data: Any, confidence: float = CONFIDENCE) -> Interval:
    """Distribution-free interval of the median from order statistics (scipy).

    Below 6 rounds no pair of order statistics reaches 95%; the interval is then the
    whole range (min..max), and it claims the confidence it has (``range_coverage``: 50%
    for 2 rounds, 93.75% for 5), never the one asked for.
    """
    import numpy as np
    from scipy.stats import quantile_test

    values = np.asarray(data, dtype=float)
    median = float(np.median(values))
    if len(values) < 2:
        return Interval(median, median, median, 0.0) if len(values) else Interval(0, 0, 0, 0.0)
    if range_coverage(len(values)) < confidence:
        low, high = float(values.min()), float(values.max())
        return Interval(median, low, high, range_coverage(len(values)))
    ci = quantile_test(values, q=median, p=0.5).confidence_interval(confidence)
    low = float(ci.low) if np.isfinite(ci.low) else float(values.min())
    high = float(ci.high) if np.isfinite(ci.high) else float(values.max())
    return Interval(median, low, high, confidence)


def is_auto(rounds: int | str) -> bool:
    """True for ``--rounds auto``."""
    return rounds == AUTO


def parse_rounds(value: int | str) -> int | str:
    """``"auto"`` or a whole number >= 1; ValueError naming the fix otherwise."""
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return AUTO
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"--rounds must be 'auto' or a whole number, got {value!r}") from None
    if number < 1 or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"--rounds must be at least 1 or 'auto', got {value!r}")
    return number


def warm_up(run_once: Callable[[], float], budget_s: float, minimum: int = 1) -> list[float]:
    """Run until a round is within WARMUP_NOISE of the previous one; return the times."""
    times: list[float] = []
    spent = 0.0
    while len(times) < WARMUP_MAX:
        times.append(run_once())
        spent += times[-1]
        if len(times) >= max(minimum, 2) and _stable(times[-2], times[-1]):
            break
        if len(times) >= minimum and spent >= budget_s / 5:
            break
    return times


def _stable(previous: float, current: float) -> bool:
    return abs(current - previous) <= WARMUP_NOISE * max(previous, 1e-12)


def share(total: int, part: int, processes: int) -> int:
    """Part ``part``'s share of ``total`` rounds spread over ``processes`` (at least 1):
    the shares add up to ``total`` (5 over 3 processes: 2, 2, 1)."""
    return max(1, (total + processes - 1 - part) // processes)


def planned_rounds(
    pilot: list[float],
    budget_left_s: float,
    target: float = TARGET,
    processes: int = 1,
    part: int = 0,
) -> int:
    """Rounds for a ±target interval of the median, predicted from the pilot's spread.

    n = (z * sqrt(pi/2) * cv / target)^2, cv the pilot's relative standard deviation;
    then bounded below by MIN_ROUNDS and above by what the remaining budget holds. With
    the rounds spread over ``processes`` workers (their rounds are pooled) each worker
    plans its share of both: n / processes, and its share of MIN_ROUNDS.
    """
    import numpy as np

    steady = pilot[1:] if len(pilot) > 2 else pilot  # the first round is the cold one
    median = float(np.median(steady))
    if median <= 0:
        return MIN_ROUNDS
    cv = float(np.std(steady, ddof=1)) / median if len(steady) > 1 else 1.0
    wanted = math.ceil((_Z * _MEDIAN_SE * max(cv, 1e-3) / target) ** 2 / processes)
    affordable = int(budget_left_s // median)
    return max(share(MIN_ROUNDS, part, processes), min(wanted, affordable))


def collected(setup: Callable[[], Any]) -> Callable[[], Any]:
    """``setup`` plus a full garbage collection, so no collection lands in a timed call."""

    def wrapped() -> Any:
        result = setup()
        gc.collect()
        return result

    return wrapped


@contextmanager
def frozen_heap() -> Iterator[None]:
    """One full collection, then ``gc.freeze``: each round's collection only walks new objects.

    A full ``gc.collect()`` walks every object of the worker (pyarrow, pandas, pytest...):
    0.05-0.2 s, which per round would cost more than many cases. Frozen objects are left
    out of collections until ``gc.unfreeze`` at the end of the case.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def pilot_runner(timed: Callable[..., Any], setup: Callable[[], Any]) -> Callable[[], float]:
    """One untimed-by-pytest-benchmark round under the same regime: setup, gc off, call."""

    def run_once() -> float:
        made = setup()  # like pedantic: a setup may return (args, kwargs) or nothing
        args, kwargs = made if made else ((), {})
        enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            timed(*args, **kwargs)
            return time.perf_counter() - start
        finally:
            if enabled:
                gc.enable()

    return run_once


def time_adaptive(
    benchmark: Any,
    timed: Callable[..., Any],
    setup: Callable[[], Any],
    budget_s: float,
    fixed: int | None = None,
    warmup_min: int = 1,
    processes: int = 1,
    part: int = 0,
) -> dict[str, Any]:
    """Warm up (the pilot), then one ``pedantic`` call; extra_info keys for the interval.

    ``fixed`` is a round count decided elsewhere (``--rounds N``, take's lookups): the
    warm-up still runs (unless ``warmup_min`` is 0), the interval is still recorded, only
    the count is not predicted.
    """
    setup = collected(setup)
    with frozen_heap():
        cold = warmup_min == 0 and fixed is not None  # asked for no warm-up at all
        pilot = [] if cold else warm_up(pilot_runner(timed, setup), budget_s, warmup_min)
        rounds = (
            fixed
            if fixed is not None
            else planned_rounds(pilot, budget_s - sum(pilot), processes=processes, part=part)
        )
        benchmark.pedantic(timed, setup=setup, rounds=rounds, warmup_rounds=0)
    return interval_info(benchmark.stats.stats.data, rounds, len(pilot), fixed, budget_s)


def interval_info(
    data: Any, rounds: int, warmup_rounds: int, fixed: int | None, budget_s: float
) -> dict[str, Any]:
    """The extra_info keys of a case's timed rounds ``data``: its interval and how it was
    planned (shared by the interleaved timing, suite/interleave.py)."""
    ci = median_ci(data)
    known = len(data) >= 2  # one round has no interval: say so, not "±0%"
    return {
        "rounds": rounds,
        "warmup_rounds": warmup_rounds,
        "ci_low": ci.low if known else None,
        "ci_high": ci.high if known else None,
        "ci_confidence": ci.confidence if known else None,
        "ci_target": TARGET,
        "ci_target_met": ci.met() and known,
        "rounds_mode": "fixed" if fixed is not None else AUTO,
        "case_budget_s": budget_s,
    }
