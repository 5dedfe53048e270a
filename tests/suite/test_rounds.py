"""Adaptive rounds: the median's interval, the round plan, warm-up, and one real run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import binom

from benchmarks.errors import UsageError
from benchmarks.suite import rounds
from benchmarks.suite.config import RunConfig
from tests.helpers import assert_one_line_error, fmtbench, fmtbench_main


def test_interval_of_ten_values_is_the_2nd_to_9th_order_statistic():
    # P(2 <= B <= 8), B ~ Binom(10, 1/2), is 97.9% >= 95%; [x(3), x(8)] would be 89%
    assert binom.cdf(8, 10, 0.5) - binom.cdf(1, 10, 0.5) >= 0.95
    ci = rounds.median_ci(np.arange(1.0, 11.0))
    assert (ci.low, ci.median, ci.high) == (2.0, 5.5, 9.0)


def test_interval_covers_the_true_median_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(400):
        sample = rng.lognormal(0.0, 0.3, size=25)  # skewed like timings; true median 1.0
        ci = rounds.median_ci(sample)
        hits += ci.low <= 1.0 <= ci.high
    assert 0.93 <= hits / 400 <= 0.995


def test_too_few_rounds_give_the_whole_range():
    ci = rounds.median_ci([3.0, 1.0, 2.0, 5.0, 4.0])
    assert (ci.low, ci.high) == (1.0, 5.0)
    assert not ci.met()


def test_target_met_only_within_two_percent():
    assert rounds.Interval(1.0, 0.985, 1.019).met()
    assert not rounds.Interval(1.0, 0.97, 1.01).met()


@pytest.mark.parametrize("value, expected", [("auto", "auto"), ("AUTO", "auto"), ("7", 7), (3, 3)])
def test_parse_rounds(value, expected):
    assert rounds.parse_rounds(value) == expected


@pytest.mark.parametrize("value", ["0", "-2", "many", 2.5])
def test_bad_rounds_are_refused(value):
    with pytest.raises(ValueError, match="auto"):
        rounds.parse_rounds(value)


def test_config_defaults_to_auto_and_rejects_bad_budget():
    cfg = RunConfig().validate()
    assert cfg.rounds == "auto" and cfg.case_budget == rounds.DEFAULT_BUDGET_S
    assert RunConfig(rounds="4").validate().rounds == 4
    with pytest.raises(UsageError, match="case-budget"):
        RunConfig(case_budget=0).validate()


def test_plan_grows_with_spread_and_stops_at_the_budget():
    steady = [1.0, 0.01, 0.0101, 0.0099, 0.01]
    noisy = [8.0, 0.25, 0.3, 0.2, 0.25]  # the first is the cold round; then median 0.25 s
    assert rounds.planned_rounds(steady, 1000) < rounds.planned_rounds(
        [8.0, 0.01, 0.012, 0.008, 0.01], 1000
    )
    assert rounds.planned_rounds(noisy, budget_left_s=5.0) == 20  # 5 s / 0.25 s
    assert rounds.planned_rounds(noisy, budget_left_s=0.0) == rounds.MIN_ROUNDS


def test_warm_up_stops_once_a_round_matches_the_previous_one():
    times = iter([5.0, 2.0, 1.2, 1.0, 1.01, 1.0, 1.0])
    done = rounds.warm_up(lambda: next(times), budget_s=1000)
    assert done == [5.0, 2.0, 1.2, 1.0, 1.01]


def test_warm_up_is_bounded_by_its_maximum_and_the_budget():
    assert len(rounds.warm_up(iter([1.0, 2.0] * 10).__next__, budget_s=1000)) == rounds.WARMUP_MAX
    assert len(rounds.warm_up(lambda: 3.0, budget_s=1.0)) == 1  # a fifth of the budget is gone


def test_bad_rounds_on_the_command_line_are_one_line_errors(tmp_path):
    out = tmp_path / "x.json"
    proc = fmtbench_main("run", "--rounds", "lots", "--out", str(out))
    assert_one_line_error(proc, 2)
    assert "auto" in proc.stderr and not out.exists()


@pytest.fixture(scope="module")
def auto_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("auto") / "auto.json"
    proc = fmtbench(
        "run", "--rows", "300", "--formats", "feather", "--ops", "read", "--case-budget", "0.3",
        "--quiet", "--no-charts", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.mark.slow
def test_auto_run_records_the_interval_from_pytest_benchmarks_own_rounds(auto_run):
    (bench,) = auto_run["benchmarks"]
    info, stats = bench["extra_info"], bench["stats"]
    assert info["rounds"] == stats["rounds"] >= rounds.MIN_ROUNDS
    assert info["ci_low"] <= stats["median"] <= info["ci_high"]
    assert isinstance(info["ci_target_met"], bool) and info["rounds_mode"] == "auto"
    assert info["processes"] == 2 and sum(info["process_rounds"]) == info["rounds"]
    # later processes time as many rounds as the first: each weighs the same when pooled
    assert len(set(info["process_rounds"])) == 1
    assert 2 <= info["warmup_rounds"] <= 2 * rounds.WARMUP_MAX  # each process warms up
    assert info["case_budget_s"] == pytest.approx(0.3)  # the budget, split over the processes
    assert auto_run["fmtbench"]["config"]["rounds"] == "auto"


@pytest.mark.slow
def test_auto_run_records_the_noise_controls(auto_run):
    import os

    noise = auto_run["machine_info"]["noise_control"]
    assert noise["cpu_affinity"] == sorted(os.sched_getaffinity(0))
    assert noise["arrow_cpu_count"] == len(noise["cpu_affinity"])
    assert "timed call" in noise["gc"] and "previous" in noise["warmup"]


def test_each_rounds_collection_skips_the_frozen_heap():
    import gc

    keep = [[i] for i in range(1000)]  # live objects from before the case
    with rounds.frozen_heap():
        assert gc.get_freeze_count() >= len(keep)
        rounds.collected(lambda: None)()  # a round's setup: collects without unfreezing
        assert gc.get_freeze_count() >= len(keep)
    assert gc.get_freeze_count() == 0


def test_a_setup_returning_nothing_is_called_like_pedantic_would():
    calls = []
    run_once = rounds.pilot_runner(lambda: calls.append("timed"), lambda: calls.append("setup"))
    assert run_once() >= 0 and calls == ["setup", "timed"]


def test_rounds_spread_over_processes_add_up_to_the_total():
    assert [rounds.share(5, part, 3) for part in range(3)] == [2, 2, 1]
    assert [rounds.share(4, part, 2) for part in range(2)] == [2, 2]
    assert [rounds.share(1, part, 3) for part in range(3)] == [1, 1, 1]  # never zero
    slow = [2.0, 2.0, 2.0]  # no budget left: only each process's share of the minimum
    plan = [rounds.planned_rounds(slow, 0.0, processes=3, part=p) for p in range(3)]
    assert sum(plan) == rounds.MIN_ROUNDS


def test_processes_default_to_three_for_auto_rounds_and_one_for_fixed():
    assert RunConfig().validate().process_count() == 2
    assert RunConfig(rounds=5).validate().process_count() == 1
    assert RunConfig(rounds=5, processes=2).validate().process_count() == 2
    with pytest.raises(UsageError, match="--processes"):
        RunConfig(processes=0).validate()
