"""A bar chart's title says what its whiskers are, and the confidence they really have."""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.charts.bars import whisker_label


def _cases(rounds: list[int], confidences: list[float]) -> pd.DataFrame:
    n = len(rounds)
    return pd.DataFrame(
        {
            "ci_low": [1.0] * n,
            "ci_high": [2.0] * n,
            "rounds": rounds,
            "ci_confidence": confidences,
        }  # fmt: skip
    )


def test_whiskers_of_enough_rounds_are_95_percent():
    assert whisker_label(_cases([10, 12], [0.95, 0.95])) == "95% CI"


def test_a_case_of_two_rounds_lowers_the_claim_to_what_its_range_covers():
    assert whisker_label(_cases([10, 2], [0.95, 0.5])) == "CI (50% to 95%)"
    # a file from before intervals said so claims 95% for 2 rounds: capped all the same
    assert whisker_label(_cases([10, 2], [0.95, 0.95])) == "CI (50% to 95%)"


def test_without_intervals_the_whiskers_are_the_iqr():
    assert whisker_label(pd.DataFrame({"median": [1.0]})) == "IQR"
