"""Epoch views from a real tiny run: the Pareto and first-batch charts, the tables' columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from benchmarks.analysis.charts.epoch import epoch_front
from benchmarks.analysis.plot import plot_results
from benchmarks.analysis.report import write_report
from benchmarks.analysis.summary import summary_tables
from benchmarks.run.results import load_results, tidy
from tests.helpers import fmtbench

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """numpy (global by take) and webdataset (streams: no global) on three shuffles."""
    out = tmp_path_factory.mktemp("run") / "0001_embeddings.json"
    proc = fmtbench(
        "run", "--datasets", "embeddings", "--rows", "300", "--formats", "numpy,webdataset",
        "--ops", "epoch", "--shuffle", "global,buffer:100,none", "--batch-size", "32",
        "--rounds", "1", "--processes", "1", "--out", str(out), "--no-charts", "--quiet",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_front_keeps_only_cases_nothing_beats_on_speed_and_randomness():
    points = [
        ("sequential", 0.0, 1000.0),  # fastest: on the front
        ("global", 1.0, 100.0),  # most random: on the front
        ("buffer", 0.5, 400.0),  # neither beaten on both: on the front
        ("slow-buffer", 0.5, 50.0),  # beaten by buffer (same quality, faster)
        ("worse", 0.2, 90.0),  # beaten by buffer on both
    ]
    assert epoch_front(points) == ["global", "buffer", "sequential"]


def test_the_charts_are_written(results_file: Path, tmp_path: Path):
    written = {p.name: p for p in plot_results(results_file, tmp_path)}
    for stem in ("epoch_pareto_embeddings_300_batch_size32", "epoch_first_batch_embeddings_300"):
        assert f"{stem}.svg" in written
        assert written[f"{stem}.png"].read_bytes().startswith(PNG_MAGIC)
    svg = written["epoch_pareto_embeddings_300_batch_size32.svg"].read_text()
    for name in ("numpy global", "numpy none", "webdataset buffer:100", "shuffle quality"):
        assert name in svg  # every case is a labelled point, the axis says what it is


def test_summary_tables_split_by_shuffle_and_show_the_loader_numbers(results_file: Path):
    tables = summary_tables(tidy(load_results(results_file)))
    titles = [str(t.title) for t in tables]
    assert len(titles) == 3 and all("loader_workers=0" in t for t in titles)
    assert {t.split("shuffle=")[1].split()[0] for t in titles} == {"global", "buffer:100", "none"}
    console = Console(width=200, record=True)
    console.print(tables[0])
    text = console.export_text()
    for column in ("samples/s", "shuffle q", "1st batch", "batch p50", "batch p99"):
        assert column in text


def test_report_tables_carry_the_epoch_columns(results_file: Path, tmp_path: Path):
    md, _ = write_report(results_file, tmp_path)
    text = md.read_text()
    assert "### epoch batch_size=32 shuffle=none loader_workers=0" in text
    header = next(ln for ln in text.splitlines() if ln.startswith("| format") and "samples/s" in ln)
    assert "shuffle q" in header and "batch p99" in header
    data = json.loads(results_file.read_text())
    none = [b for b in data["benchmarks"] if b["extra_info"].get("shuffle") == "none"]
    assert {b["extra_info"]["shuffle_quality"] for b in none} == {0.0}  # storage order: 0
