"""The small-files chart from a real tiny ``--files`` run: drawn when files vary, else not."""

from __future__ import annotations

import json

import pytest

from benchmarks.analysis.charts.files import _line_label
from benchmarks.analysis.plot import plot_results
from tests.helpers import ONE_WARMUP, fmtbench

pytestmark = pytest.mark.slow  # real runs end to end (scripts/test --quick skips them)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_files_chart_written_for_several_file_counts(tmp_path) -> None:
    out = tmp_path / "0001_mixed.json"
    proc = fmtbench(
        "run", "--datasets", "mixed", "--rows", "2000", "--formats", "parquet-pyarrow,csv-pyarrow",
        "--ops", "write,read", "--files", "1,3", "--rounds", "1", "--no-charts", "--quiet",
        "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    written = plot_results(out, tmp_path / "charts")
    chart = tmp_path / "charts" / "files_mixed_2000.png"
    assert chart in written and chart.read_bytes().startswith(PNG_MAGIC)
    # one files value only: no small-files chart (nothing to draw a line through)
    data = json.loads(out.read_text())
    data["benchmarks"] = [b for b in data["benchmarks"] if b["extra_info"].get("files") == 3]
    single = tmp_path / "0002_mixed.json"
    single.write_text(json.dumps(data))
    assert not any(p.name.startswith("files_") for p in plot_results(single, tmp_path / "one"))


def test_line_label_drops_only_the_files_knob() -> None:
    assert _line_label("parquet-pyarrow files=16") == "parquet-pyarrow"
    assert _line_label("lance files=256 threads=1") == "lance threads=1"
    assert (
        _line_label("csv-pyarrow files=1 partition_by=status") == "csv-pyarrow partition_by=status"
    )
