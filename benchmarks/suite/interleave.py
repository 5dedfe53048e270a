"""Time a group's cases together: warm-up and timed rounds interleaved (suite/groups.py).

Each member is one case's round: ``run_once()`` does its untimed setup (gc collected),
then times one call with gc off, exactly as a pytest-benchmark ``pedantic`` round with
``setup`` (rounds.pilot_runner). Each member keeps its own budget and round count as when
it was timed alone (rounds.planned_rounds), so interleaving changes when a round runs,
never how many a case gets. A member whose call raises drops out; its error is kept for
its own test to raise, and the other members go on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from benchmarks.suite.groups import schedule
from benchmarks.suite.rounds import (
    WARMUP_MAX,
    WARMUP_NOISE,
    frozen_heap,
    planned_rounds,
)


@dataclass
class Member:
    """One case of a group while it is timed."""

    run_once: Callable[[], float]  # setup, then one timed call: its seconds
    fixed: int | None = None  # rounds decided elsewhere (--rounds N, take); None: planned
    budget_s: float = 0.5  # this case's budget in this process (warm-up + timed rounds)
    pilot: list[float] = field(default_factory=list)  # warm-up rounds, untimed by the stats
    data: list[float] = field(default_factory=list)  # the timed rounds, in the order taken
    planned: int = 0  # timed rounds it was given
    error: BaseException | None = None

    @property
    def alive(self) -> bool:
        """Not failed yet."""
        return self.error is None

    def run(self, into: list[float]) -> None:
        """One round into ``into``; a failure ends the member's timing (kept, not raised)."""
        try:
            into.append(self.run_once())
        except Exception as exc:  # noqa: BLE001 - the member's own test raises it
            self.error = exc


def warm_done(times: list[float], budget_s: float, minimum: int = 1) -> bool:
    """The warm-up rule of rounds.warm_up: stable (within WARMUP_NOISE of the previous
    round), or a fifth of the budget spent, or WARMUP_MAX rounds."""
    if len(times) >= WARMUP_MAX:
        return True
    if len(times) >= max(minimum, 2):
        prev, cur = times[-2], times[-1]
        if abs(cur - prev) <= WARMUP_NOISE * max(prev, 1e-12):
            return True
    return len(times) >= minimum and sum(times) >= budget_s / 5


def warm_up_together(members: list[Member], rng: random.Random, minimum: int = 1) -> None:
    """Warm-up rounds, shuffled per round, until each member's warm-up rule is met."""
    if minimum == 0 and all(m.fixed is not None for m in members):
        return  # asked for no warm-up at all (--stream with --rounds N)
    pending = [m for m in members if m.alive]
    while pending:
        rng.shuffle(pending)
        for m in pending:
            m.run(m.pilot)
        pending = [m for m in pending if m.alive and not warm_done(m.pilot, m.budget_s, minimum)]


def plan(members: list[Member], processes: int = 1, part: int = 0) -> None:
    """Each member's timed rounds: fixed, or predicted from its pilot and budget left."""
    for m in members:
        if m.fixed is not None:
            m.planned = m.fixed
        else:
            left = m.budget_s - sum(m.pilot)
            m.planned = planned_rounds(m.pilot, left, processes=processes, part=part)


def time_rounds(members: list[Member], rng: random.Random) -> None:
    """The timed rounds, interleaved: round r of every member still in it, shuffled."""
    for order in schedule([m.planned for m in members], rng):
        for i in order:
            if members[i].alive:
                members[i].run(members[i].data)


def time_interleaved(
    members: list[Member],
    rng: random.Random,
    warmup_min: int = 1,
    processes: int = 1,
    part: int = 0,
) -> None:
    """Warm up, plan and time ``members`` round by round (the ``round`` mode)."""
    with frozen_heap():
        warm_up_together(members, rng, warmup_min)
        plan([m for m in members if m.alive], processes, part)
        time_rounds(members, rng)


def time_one_after_another(
    members: list[Member],
    rng: random.Random,
    warmup_min: int = 1,
    processes: int = 1,
    part: int = 0,
    around: Callable[[Member], AbstractContextManager[Any]] | None = None,
) -> None:
    """Each member's warm-up and rounds at once, members in a shuffled order (``process``).

    ``around(member)`` is a context the member's rounds run in (the stream cases watch
    memory over their own rounds).
    """
    order = list(members)
    rng.shuffle(order)
    for m in order:
        with around(m) if around is not None else nullcontext():
            time_interleaved([m], rng, warmup_min, processes, part)
