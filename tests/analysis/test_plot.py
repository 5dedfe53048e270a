"""Charts from a real (tiny) run: every expected file exists and is a valid PNG / SVG.

The results come from ``fmtbench run`` in a subprocess, so the charts are tested on the
exact shape the suite writes, failures and all, not on a hand-made imitation.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks.analysis.charts.data import chart_frame, panel_label
from benchmarks.analysis.plot import pareto_front, plot_results
from tests.helpers import ONE_WARMUP, ROOT, cli_env, fmtbench

FORMATS = "parquet-pyarrow,csv-pyarrow,feather"
OPS = ("write", "read", "read_column", "take", "scan", "stream", "iterate")
ROWS = (2000, 4000)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results file from a tiny real run: 3 fast formats, 2 sizes, every access op."""
    out = tmp_path_factory.mktemp("run") / "0001_mixed.json"
    proc = fmtbench(
        "run", "--datasets", "mixed", "--formats", FORMATS, "--ops", ",".join(OPS),
        "--rows", ",".join(map(str, ROWS)), "--rounds", "1", "--k", "1,10",
        "--selectivity", "0.1,1", "--batch-sizes", "500,1000",
        "--out", str(out), "--no-charts", "--quiet", *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def charts(results_file: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every chart of the tiny run, written once for the module."""
    return plot_results(results_file, tmp_path_factory.mktemp("charts"))


def expected_stems() -> set[str]:
    """The chart files a run over ROWS with every op in OPS must produce."""
    stems = {f"scaling_{op}_mixed" for op in OPS}
    for rows in ROWS:
        stems |= {f"time_{op}_mixed_{rows}" for op in OPS}
        for chart in ("size", "pareto_size_vs_read", "column_speedup", "throughput",
                      "take_latency", "scan_selectivity", "stream_batches"):  # fmt: skip
            stems.add(f"{chart}_mixed_{rows}")
    return stems


def assert_valid(path: Path) -> None:
    """A non-empty PNG (magic bytes) or an SVG that parses as XML with an <svg> root."""
    assert path.stat().st_size > 1000, path
    if path.suffix == ".png":
        assert path.read_bytes()[:8] == PNG_MAGIC, path
    else:
        assert ET.parse(path).getroot().tag.endswith("svg"), path


@pytest.mark.slow
def test_every_expected_chart_is_written_as_png_and_svg(charts: list[Path]) -> None:
    names = {p.name for p in charts}
    for stem in expected_stems():
        assert f"{stem}.png" in names and f"{stem}.svg" in names, stem
    assert all(p.exists() for p in charts)


@pytest.mark.slow
def test_every_written_file_is_a_valid_image(charts: list[Path]) -> None:
    for path in charts:
        assert_valid(path)


@pytest.mark.slow
def test_titles_name_dataset_rows_cache_and_machine(results_file: Path, charts: list[Path]) -> None:
    machine = json.loads(results_file.read_text())["fmtbench"]["machine_label"]
    svg = next(p for p in charts if p.name == "time_read_mixed_2000.svg").read_text()
    for needle in ("mixed, 2,000 rows", "warm cache", machine, "median time (", "feather"):
        assert needle in svg, needle


@pytest.mark.slow
def test_default_folder_is_beside_the_results_named_after_it(
    results_file: Path, tmp_path: Path
) -> None:
    data = _subset(json.loads(results_file.read_text()), rows=2000, ops={"write"})
    path = tmp_path / "0007_small.json"
    path.write_text(json.dumps(data))
    written = plot_results(path)
    assert written and {p.parent for p in written} == {tmp_path / "0007_small"}


@pytest.mark.slow
def test_a_failed_case_is_marked_not_fatal(results_file: Path, tmp_path: Path) -> None:
    data = _subset(json.loads(results_file.read_text()), rows=2000, ops={"read", "read_column"})
    _fail(data, lambda e: e["adapter"] == "feather" and e["operation"] == "read")
    _fail(data, lambda e: e["operation"] == "read_column" and e.get("column") == "id")
    path = tmp_path / "failed.json"
    path.write_text(json.dumps(data))
    written = plot_results(path, tmp_path / "charts")
    for path in written:
        assert_valid(path)
    svg = (tmp_path / "charts" / "time_read_mixed_2000.svg").read_text()
    assert "failed" in svg  # the feather bar is replaced by a 'failed' marker
    assert (
        "every case failed" in (tmp_path / "charts" / "time_read_column_mixed_2000.svg").read_text()
    )


@pytest.mark.slow
def test_log_scale_and_a_single_batch_size_still_draw(results_file: Path, tmp_path: Path) -> None:
    data = _subset(json.loads(results_file.read_text()), rows=4000, ops={"stream", "read"})
    data["benchmarks"] = [b for b in data["benchmarks"] if b["extra_info"].get("batch_size") != 500]
    path = tmp_path / "one_batch.json"
    path.write_text(json.dumps(data))
    written = plot_results(path, tmp_path / "charts", log_scale=True)
    assert (tmp_path / "charts" / "stream_batches_mixed_4000.png") in written
    for path in written:
        assert_valid(path)


@pytest.mark.slow
def test_fmtbench_plot_command_writes_the_charts(results_file: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text(json.dumps(_subset(json.loads(results_file.read_text()), 2000, {"read"})))
    proc = fmtbench("plot", str(small), "--out", str(tmp_path / "out"), "--log")
    assert proc.returncode == 0, proc.stderr
    assert "chart files" in proc.stdout
    assert (tmp_path / "out" / "time_read_mixed_2000.png").exists()


@pytest.mark.slow
def test_plot_script_runs_from_the_repo_root(results_file: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text(json.dumps(_subset(json.loads(results_file.read_text()), 4000, {"write"})))
    proc = subprocess.run(
        [sys.executable, "scripts/plot_results.py", str(small), "--out", str(tmp_path / "o")],
        cwd=ROOT, env={**cli_env(), "PYTHONPATH": ""}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o" / "time_write_mixed_4000.svg").exists()


def test_plot_script_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/plot_results.py", str(tmp_path / "nope.json")],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_failed_cases_get_their_dataset_and_rows_from_passed_siblings(results_file: Path) -> None:
    data = json.loads(results_file.read_text())
    _fail(data, lambda e: e["operation"] == "write" and e["adapter"] == "csv-pyarrow")
    for bench in data["benchmarks"]:  # a failed entry as assemble writes it: no rows key
        if bench["stats"] is None:
            bench["extra_info"].pop("rows", None)
    frame = chart_frame(data)
    failed = frame[frame["failed"]]
    assert len(failed) == len(ROWS)
    assert set(failed["rows"]) == set(ROWS) and set(failed["dataset"]) == {"mixed"}


@pytest.mark.parametrize(
    ("case_id", "label"),
    [
        ("mixed@2000/feather/lz4/read", ""),
        ("mixed@2000/feather/lz4/read_column[column=id]", "column=id"),
        ("mixed@2000/feather/lz4/take[k=1,pattern=uniform]", "k=1 · pattern=uniform"),
        ("file:/a/b@default/csv-pyarrow/none/scan[filter=stratum]", "filter=stratum"),
    ],
)
def test_panel_label_comes_from_the_case_id(case_id: str, label: str) -> None:
    assert panel_label(case_id) == label


def test_pareto_front_keeps_only_undominated_points() -> None:
    points = [
        ("small-slow", 1.0, 10.0),
        ("big-fast", 10.0, 1.0),
        ("middle", 5.0, 5.0),
        ("dominated", 6.0, 6.0),  # middle is smaller and faster
        ("worst", 20.0, 20.0),
    ]
    assert pareto_front(points) == ["small-slow", "middle", "big-fast"]


def test_pareto_front_edge_cases() -> None:
    assert pareto_front([]) == []
    assert pareto_front([("only", 3.0, 3.0)]) == ["only"]
    assert pareto_front([("a", 1.0, 1.0), ("b", 1.0, 1.0)]) == ["a", "b"]  # ties both stay
    assert pareto_front([("a", 1.0, 2.0), ("b", 1.0, 1.0)]) == ["b"]  # equal size, faster wins
    assert pareto_front([("a", 1.0, 1.0), ("nan", math.nan, 0.1)]) == ["a"]


def _subset(data: dict, rows: int, ops: set[str]) -> dict:
    """The results restricted to one size and some operations: fast to plot."""
    data = copy.deepcopy(data)
    data["benchmarks"] = [
        b for b in data["benchmarks"]
        if b["extra_info"].get("rows") == rows and b["extra_info"]["operation"] in ops
    ]  # fmt: skip
    return data


def _fail(data: dict, which) -> None:
    """Turn matching cases into failed entries, as assemble writes them (no stats, an error)."""
    for bench in data["benchmarks"]:
        if which(bench["extra_info"]):
            bench["stats"] = None
            bench["extra_info"]["error"] = "RuntimeError: injected by the test"
