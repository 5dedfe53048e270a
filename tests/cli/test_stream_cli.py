"""``fmtbench run --stream`` and the refusal of tables that cannot fit, as a user runs them."""

from __future__ import annotations

import json

import pyarrow.compute as pc
import pytest

from benchmarks.datasets import load_dataset
from tests.helpers import assert_one_line_error, fmtbench_main
from tests.helpers import fmtbench as cli


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--datasets", "mixed", "--rows", "1e9"], "mixed at 1,000,000,000 rows needs about "),
        (["--datasets", "mixed", "--rows", "1e10"], "mixed at 10,000,000,000 rows needs about "),
        (["--datasets", "embeddings:100000"], "embeddings:100000 needs about "),
        (["--datasets", "wide:1000000"], "wide:1000000 needs about "),
    ],
)
def test_oversized_whole_table_is_refused_before_anything(args, start, tmp_path) -> None:
    out = tmp_path / "results" / "r.json"
    proc = fmtbench_main("run", *args, "--out", str(out), cwd=tmp_path)
    line = assert_one_line_error(proc, 2)
    assert line.startswith("error: " + start), line
    assert "GB in memory as a table" in line and "GB is available" in line
    assert line.endswith("rerun with --stream (bounded memory) or fewer --rows")
    assert list(tmp_path.iterdir()) == []  # nothing created: no results dir, no journal


def test_oversized_user_file_is_refused(tmp_path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:  # sparse: 200 GB claimed, no disk used
        f.truncate(200 * 10**9)
    proc = fmtbench_main(
        "run", "--data", str(path), "--out", str(tmp_path / "r.json"), cwd=tmp_path
    )
    line = assert_one_line_error(proc, 2)
    assert line.startswith(f"error: {path} needs about 600 GB in memory as a table"), line
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
def test_stream_run_round_trips_and_skips_whole_table_formats(tmp_path) -> None:
    out = tmp_path / "r.json"
    proc = cli(
        "run", "--datasets", "mixed", "--rows", "3000", "--stream",
        "--formats", "parquet-pyarrow,csv-pyarrow,lance,pickle",
        "--ops", "write,read_stream,read_column,read", "--columns", "amount",
        "--rounds", "1", "--no-charts", "--quiet", "--out", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(out.read_text())["benchmarks"]
    table = load_dataset("mixed", 3000).table
    ran = {(e["extra_info"]["adapter"], e["extra_info"]["operation"]): e["extra_info"]
           for e in entries if not e["extra_info"].get("error") and e.get("stats")}  # fmt: skip
    for adapter in ("parquet-pyarrow", "csv-pyarrow", "lance"):
        stream = ran[(adapter, "read_stream")]
        assert stream["rows_read"] == 3000 and stream["rows"] == 3000
        assert stream["column_sum"] == pc.sum(table.column("id")).as_py()
        assert stream["peak_memory_bytes"] > 0 and stream["streaming"] is True
        # one pass per case: memory watched over the timed round, no warm-up, no extra run
        assert stream["warmup_rounds"] == 0 and stream["rounds"] == 1
        # one round has no interval: none is claimed (the summary shows "-", not "±0%")
        assert stream["ci_low"] is None and stream["ci_target_met"] is False
        assert stream["memory_method"].startswith("streamed, during the timed rounds")
        # the worker's absolute high-water mark: at least the growth, and the interpreter
        assert stream["peak_rss_bytes"] >= max(stream["peak_memory_bytes"], 50 * 2**20)
        assert ran[(adapter, "write")]["file_bytes"] > 0
        assert ran[(adapter, "read_column")]["data_bytes"] == table.column("amount").nbytes
    skipped = json.loads(out.read_text())["fmtbench"]["skipped"]
    reasons = {s.get("reason") or s.get("error") or json.dumps(s) for s in skipped}
    assert any("pickle cannot write incrementally" in r for r in reasons), reasons
    assert any("read needs the whole table" in r for r in reasons), reasons
