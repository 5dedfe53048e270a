"""An interval claims the confidence its rounds give, and the target is met only at the
confidence asked for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from benchmarks.analysis.intervals import confidence, half_width_text
from benchmarks.run.merge import process_interval
from benchmarks.suite import rounds


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 10])
def test_range_coverage_is_the_binomial_coverage_of_min_to_max(n):
    # min..max misses the median only when every value falls on one side of it
    assert rounds.range_coverage(n) == pytest.approx(
        binom.cdf(n - 1, n, 0.5) - binom.cdf(0, n, 0.5)
    )


def test_two_rounds_claim_fifty_percent_and_never_meet_the_target():
    ci = rounds.median_ci([1.000, 1.001])  # ±0.05%: narrow, but only 50% sure
    assert ci.confidence == 0.5 and ci.half_width < rounds.TARGET
    assert not ci.met()


def test_five_rounds_claim_their_coverage_six_claim_95_percent():
    assert rounds.median_ci(np.linspace(1.0, 1.01, 5)).confidence == pytest.approx(0.9375)
    six = rounds.median_ci(np.linspace(1.0, 1.01, 6))
    assert six.confidence == rounds.CONFIDENCE and six.met()


def test_pooled_processes_keep_the_pooled_confidence():
    ci = process_interval([1.0, 1.001, 1.002], [1.0, 1.002])
    assert ci.confidence == pytest.approx(0.75) and not ci.met()


def test_an_old_file_claiming_95_percent_for_two_rounds_is_read_as_50():
    row = pd.Series({"median": 1.0, "ci_low": 0.999, "ci_high": 1.001, "rounds": 2,
                     "ci_confidence": 0.95})  # fmt: skip
    assert confidence(row) == 0.5
    assert half_width_text(row) == "±0.1% (50%)"
    many = row.copy()
    many["rounds"] = 20
    assert confidence(many) == 0.95 and half_width_text(many) == "±0.1%"
