"""The longevity sequence: phases, oracle checks, summary, chart; tiny tables only."""

from __future__ import annotations

import pytest

from benchmarks.analysis.charts.longevity import plot_longevity
from benchmarks.suite import longevity
from formats.parquet_dataset import ParquetDatasetOps
from tests.conftest import make_small_table

SEQ = longevity.Sequence(rounds=2, commits=2, batch_rows=5, change=0.1, reads=1)


@pytest.mark.parametrize("name", ["parquet-dataset", "lance"])
def test_each_phase_is_measured_and_checked(name, tmp_path):
    points = longevity.Longevity(name, make_small_table(), tmp_path, SEQ).run()
    assert [p.phase for p in points] == ["load", "round 1", "round 2", "compact"]
    assert [p.commits for p in points] == [0, 4, 8, 8]
    # each round: + 2 commits of 5 copied rows (ids 0-9, then 10-19), - ids <= 4, then
    # <= 9, in the source and in the copies: 10 rows in, 10 out
    assert [p.rows for p in points] == [50, 50, 50, 50]
    assert points[2].data_files > points[0].data_files and points[-1].data_files == 1
    assert not list(tmp_path.iterdir())  # the table is removed
    summary = longevity.summarise(points)
    assert summary["commits"] == 8 and summary["read_compacted_s"] > 0


def test_a_wrong_table_is_a_recorded_failure_and_the_chart_is_drawn(tmp_path, monkeypatch):
    monkeypatch.setattr(ParquetDatasetOps, "delete", lambda *a, **k: None)
    result = longevity.run_all(["parquet-dataset", "lance"], make_small_table(), tmp_path, SEQ)
    assert "OracleMismatch" in result["failed"]["parquet-dataset"]
    assert "after round 1" in result["failed"]["parquet-dataset"]
    assert [s["adapter"] for s in result["summary"]] == ["lance"]
    paths = plot_longevity(result, tmp_path / "charts")
    assert all(p.stat().st_size > 0 for p in paths)
