"""The training profile (--min-shuffle), epoch metrics and serving on single-row lookups."""

from __future__ import annotations

import pytest

from benchmarks.analysis.advice import advise, answer_lines
from benchmarks.analysis.recommend import metric_ratios
from tests.analysis.test_recommend import world_frame
from tests.inprocess import one_line_error, run_cli


def test_training_ranks_each_format_at_its_fastest_random_enough_epoch():
    advice = advise(world_frame(), "training")
    first = advice.ranking.iloc[0]
    assert first["adapter"] == "indexed"
    assert first["label"].endswith("shuffle global, 2 loader workers")  # 1000/s, q 0.98
    assert list(advice.ranking["adapter"]) == ["indexed", "server", "tiny"]
    for orderly in ("logger", "columnar", "text"):  # faster, but their order is not random
        assert "below --min-shuffle 0.9" in advice.excluded[orderly]
    assert "reached shuffle quality 0.60 at most" in advice.excluded["columnar"]


@pytest.mark.parametrize(
    ("q", "winner", "setting"),
    [
        (0.0, "columnar", "shuffle none, 0 loader workers"),  # storage order counts: 9000/s
        (0.5, "columnar", "shuffle global, 0 loader workers"),  # row groups reach 0.6: 5000/s
        (0.95, "indexed", "shuffle global, 2 loader workers"),  # 0.98 at 1000/s
        (0.99, "indexed", "shuffle global, 0 loader workers"),  # 0.98 no longer counts: 700/s
    ],
)
def test_the_floor_decides_which_epochs_count(q, winner, setting):
    first = advise(world_frame(), "training", min_shuffle=q).ranking.iloc[0]
    assert first["adapter"] == winner and first["label"].endswith(setting)


def test_a_floor_nothing_reached_says_so_and_how_to_fix_it():
    advice = advise(world_frame(), "training", min_shuffle=1.0)
    assert advice.ranking.empty
    assert advice.reason.startswith("no epoch reached shuffle quality 1 (the best reached 0.99)")
    assert "--min-shuffle" in advice.reason


def test_training_without_epoch_is_not_measured():
    frame = world_frame()
    advice = advise(frame[frame["operation"] != "epoch"], "training")
    assert advice.ranking.empty
    assert advice.reason == (
        "an epoch of shuffled mini-batches (epoch) was not measured: run with --ops epoch"
    )


def test_the_answer_line_names_the_floor():
    lines = answer_lines(world_frame(), min_shuffle=0.95)[0][1]
    line = next(ln for ln in lines if ln.startswith("training "))
    assert line.startswith("training (ranked on samples_per_s, shuffle quality >= 0.95): ")
    assert "excluded columnar: for training: its delivered order reached" in "\n".join(lines)


def test_samples_per_s_is_higher_is_better_per_case():
    ratios = metric_ratios(world_frame(), "samples_per_s")
    # cases are (shuffle, workers): in "global, 0 workers" columnar's 5000/s is the best
    assert ratios[("server", "c")] == pytest.approx(5000 / 600)
    # indexed: global/0 5000/700, global/2 alone (1.0), none/0 9000/8000; geometric mean
    indexed = ((5000 / 700) * 1.0 * (9000 / 8000)) ** (1 / 3)
    assert ratios[("indexed", "c")] == pytest.approx(indexed)
    first_batch = metric_ratios(world_frame(), "time_to_first_batch")  # lower is better
    assert first_batch[("indexed", "c")] == pytest.approx(indexed)  # it is 1 / rate here


def test_serving_ranks_single_row_lookups_only():
    frame = world_frame()
    assert advise(frame, "serving").ranking.iloc[0]["adapter"] == "server"
    wide = frame.assign(k=frame["k"].where(frame["operation"] != "take", 100))
    advice = advise(wide, "serving")  # lookups of 100 rows are not single-row latency
    assert advice.ranking.empty and advice.reason == "not measured in this run (needs: take k=1)"


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "high"])
def test_min_shuffle_outside_0_1_is_one_line(capsys, tmp_path, value):
    result = run_cli(capsys, "report", str(tmp_path / "r.json"), "--min-shuffle", value)
    line = one_line_error(result)
    assert "--min-shuffle" in line and "[0, 1]" in line and "0.9" in line
