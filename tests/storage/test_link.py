"""The proxy's link against a real S3 API (moto) on loopback: latency per case, bandwidth cap,
and a run that sweeps latencies, charted and tabled by ``fmtbench report``."""

from __future__ import annotations

import argparse
import json
import time

import pytest

from benchmarks.cli.args import megabytes_per_s, milliseconds_list
from benchmarks.errors import UsageError
from benchmarks.storage import open_store, root_location, set_latency
from benchmarks.suite.cases import Case, build_cases
from benchmarks.suite.config import RunConfig
from tests.helpers import ONE_WARMUP, assert_one_line_error, fmtbench, fmtbench_main


def timed_get(location) -> float:
    """Seconds for one whole-object GET through the proxy (pyarrow's client)."""
    start = time.perf_counter()
    with location.filesystem.open_input_stream(location.fs_path) as fh:
        fh.read()
    return time.perf_counter() - start


def test_latency_is_set_per_case_over_the_link_path():
    with open_store("s3-local") as store:
        where = root_location(store) / "x.bin"
        with where.open_output() as fh:
            fh.write(b"x" * 1000)
        assert set_latency(store.counters, 300)["latency_ms"] == 300
        assert timed_get(where) >= 0.3  # at least one round trip of 300 ms
        assert set_latency(store.counters, 0)["latency_ms"] == 0


def test_bandwidth_caps_each_response():
    with open_store("s3-local", bandwidth_mb_s=4) as store:
        where = root_location(store) / "big.bin"
        with where.open_output() as fh:
            fh.write(b"y" * 2_000_000)
        assert timed_get(where) >= 0.5 - 0.01  # 2 MB at 4 MB/s, paced against the start


def test_latency_list_is_an_inner_axis_and_shows_in_ids_only_when_set():
    cfg = RunConfig(storage="s3-local", storage_latency_ms=[0.0, 20.0], formats=["csv-pyarrow"],
                    ops=["read"], rows=[50])  # fmt: skip
    ids = [c.id for c in build_cases(cfg)]
    assert ids == [
        "mixed@50/csv-pyarrow{latency=0ms}/none/read",
        "mixed@50/csv-pyarrow{latency=20ms}/none/read",
    ]
    assert Case("mixed", 50, "csv-pyarrow", "none", "read").id == "mixed@50/csv-pyarrow/none/read"
    assert RunConfig(storage="s3-local", storage_latency_ms=5).validate().storage_latency_ms == [5]


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (RunConfig(storage_latency_ms=[0, 20]), "needs object storage"),
        (RunConfig(storage_bandwidth_mb_s=100), "needs object storage"),
        (RunConfig(storage="s3-local", storage_latency_ms=[-1]), ">= 0 ms"),
        (RunConfig(storage="s3-local", storage_bandwidth_mb_s=0), "must be positive"),
    ],
)
def test_bad_link_settings_are_refused(cfg, message):
    with pytest.raises(UsageError, match=message):
        cfg.validate()


def test_rates_and_latency_lists_parse():
    assert milliseconds_list("0,20ms,0.05s") == [0.0, 20.0, 50.0]
    assert megabytes_per_s("100MB/s") == 100 and megabytes_per_s("1GB/s") == 1000
    assert megabytes_per_s("800Mbit/s") == 100 and megabytes_per_s("2.5") == 2.5
    for bad in ("fast", "-1MB/s", "0"):
        with pytest.raises(argparse.ArgumentTypeError):
            megabytes_per_s(bad)


def test_bad_bandwidth_is_a_one_line_error(tmp_path):
    proc = fmtbench_main("run", "--storage", "s3-local", "--storage-bandwidth", "lots",
                    "--formats", "csv-pyarrow", "--out", str(tmp_path / "r.json"))  # fmt: skip
    assert "lots" in assert_one_line_error(proc, 2)
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_run_at_two_latencies_records_both_and_report_charts_them(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--storage", "s3-local", "--storage-latency", "0,20ms", "--formats",
        "parquet-pyarrow,csv-pyarrow", "--ops", "read,take", "--k", "1", "--patterns",
        "uniform", "--rows", "400", "--rounds", "2", "--no-charts", "--quiet",
        "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(out.read_text())["benchmarks"]
    assert len(entries) == 8
    by = {e["extra_info"]["case_id"]: e for e in entries}
    slow = by["mixed@400/parquet-pyarrow{latency=20ms}/snappy/read"]
    fast = by["mixed@400/parquet-pyarrow{latency=0ms}/snappy/read"]
    assert slow["extra_info"]["storage_latency_ms"] == 20
    assert fast["extra_info"]["storage_latency_ms"] == 0
    assert slow["stats"]["min"] >= 0.02  # at least one round trip each call
    assert slow["extra_info"]["requests"] == fast["extra_info"]["requests"]
    report = tmp_path / "rep"
    proc = fmtbench("report", str(out), "--out", str(report))
    assert proc.returncode == 0, proc.stderr
    charts = {p.name for p in report.iterdir()}
    assert "storage_read_mixed_400.png" in charts
    assert "storage_take_k-1_pattern-uniform_mixed_400.png" in charts
    text = (report / "report.md").read_text()
    assert "| format | requests | MB | amplification | time at 0 ms | time at 20 ms |" in text
