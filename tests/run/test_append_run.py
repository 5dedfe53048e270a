"""The logging workload end to end: fmtbench run --ops append, its answer and its charts."""

from __future__ import annotations

import json
import re

import pytest

from benchmarks.analysis.plot import plot_results
from tests.helpers import fmtbench

pytestmark = pytest.mark.slow  # real runs end to end (scripts/test --quick skips them)


def test_append_run_records_measures_answers_and_charts(tmp_path):
    out = tmp_path / "0001_logs.json"
    proc = fmtbench(
        "run", "--datasets", "numeric", "--rows", "200", "--ops", "append",
        "--batch-rows", "5,50", "--formats", "parquet-pyarrow,jsonl-orjson,pickle",
        "--rounds", "1", "--no-charts", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["fmtbench"]["failed"] == []
    skipped = data["fmtbench"]["skipped"]
    assert {s["id"] for s in skipped} == {
        "numeric@200/pickle/none/append[batch_rows=5]",
        "numeric@200/pickle/none/append[batch_rows=50]",
    }
    assert all("a pickle is one object" in s["reason"] for s in skipped)
    modes = set()
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        modes.add((info["adapter"], info["append_mode"]))
        assert info["rows_appended"] == 200 and info["round_trip"] in (
            "lossless",
            "retyped",
            "changed",
        )
        if info["adapter"] == "parquet-pyarrow":  # every row back, in order, types kept
            assert info["round_trip"] == "lossless"
        assert info["rows_per_s"] > 0 and info["append_p50_s"] <= info["append_p99_s"]
        assert info["readback_read_penalty"] > 0 and info["file_bytes"] > 0
    assert modes == {
        ("parquet-pyarrow", "row-group-per-batch"),
        ("parquet-pyarrow", "file-per-batch"),
        ("jsonl-orjson", "append"),
    }
    answer = proc.stdout.split("Recommendation for numeric (200 rows)")[1]
    # JSON Lines widens numeric's int8/int16/float32 with every value kept: it is ranked
    # (retyped, named in one line), and Parquet at its best mode; which wins is measured
    assert re.search(
        r"logging \(ranked on append[^)]*\): (JSON Lines via orjson \(none\), append"
        r"|Parquet via pyarrow \(snappy\), [a-z-]+-per-batch) wins",
        answer,
    )
    assert "ranked jsonl-orjson, which retypes this data: sensor_id: int16 -> int64" in answer
    assert "Pickle" not in answer  # every pickle case was skipped (listed above, with why)

    written = {p.name for p in plot_results(out, tmp_path / "charts")}
    assert {"append_tradeoff_numeric_200.png", "append_readback_numeric_200.svg"} <= written
