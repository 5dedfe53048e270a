"""fmtbench report on a small real run: every section, and an HTML that stands alone."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import pytest

from benchmarks.analysis.recommend import PROFILE_TITLES
from benchmarks.analysis.report import Block, charts, table, to_html, to_markdown
from tests.helpers import ONE_WARMUP, assert_one_line_error, fmtbench, fmtbench_main

FORMATS = "parquet-pyarrow,csv-pyarrow,feather"
SECTIONS = (
    "## Environment",
    "### Library versions",
    "### Run configuration",
    "## Recommendations",
    "## Results per operation",
    "## Charts",
    "## Type fidelity",
    "## Failures and skipped cases",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real results file from ``fmtbench run`` on 3,000 rows, one round."""
    out = tmp_path_factory.mktemp("run") / "r.json"
    proc = fmtbench(
        "run", "--datasets", "mixed", "--rows", "3000", "--rounds", "1", "--formats", FORMATS,
        "--ops", "write,read,read_column", "--no-charts", "--quiet", "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def report(run: Path) -> tuple[str, str]:
    """report.md and report.html written by the CLI, with a custom profile."""
    out = run.parent / "report"
    proc = fmtbench("report", str(run), "--out", str(out), "--weights", "write=1,read=0.2")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out / 'report.md'}" in proc.stdout
    return (out / "report.md").read_text(), (out / "report.html").read_text()


@pytest.mark.slow
def test_report_has_every_section(report):
    md, _ = report
    for section in SECTIONS:
        assert section in md, section
    for adapter in FORMATS.split(","):
        assert adapter in md


@pytest.mark.slow
def test_environment_names_the_machine_and_libraries(report):
    md, _ = report
    assert re.search(r"- cores: \d+", md) and re.search(r"- memory: [\d.]+ GiB", md)
    assert re.search(r"\| pyarrow \| \d+\.", md)
    assert "- rows: 3000" in md and "- rounds: 1" in md


@pytest.mark.slow
def test_operation_tables_show_median_iqr_throughput_size_memory_native(report):
    md, _ = report
    assert "### write · mixed · 3,000 rows" in md
    header = "| format | codec | median | IQR | 95% CI | Arrow MB/s | file MB/s | file MB |"
    assert header + " peak MB | access | x |" in md
    assert "| native |" in md


@pytest.mark.slow
def test_recommendations_list_each_profile_with_a_reason(report):
    md, _ = report
    section = md.split("## Recommendations")[1].split("## Results per operation")[0]
    for title in PROFILE_TITLES.values():
        assert title in section
    assert "### custom (--weights)" in section and "weights: write=1, read=0.2" in section
    assert section.count("Why: ") >= 4  # take/scan were not run: two profiles say so
    # lookups and logging were not run: each says what it needs
    assert "Needs a native take (an index or row groups" in section
    assert "Needs the append operation: run with --ops append." in section
    assert "| format | score | read by |" in section  # the universality facts


@pytest.mark.slow
def test_fidelity_matrix_covers_the_run_adapters(report):
    md, _ = report
    assert "| type | parquet-pyarrow | csv-pyarrow | feather |" in md


@pytest.mark.slow
def test_html_is_self_contained(report):
    md, html = report
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert not re.search(r"https?://|<link|<script|url\(", html)
    sources = re.findall(r'src="([^"]*)"', html)
    assert all(s.startswith("data:image/") for s in sources)
    if "Charts unavailable" not in md:
        assert sources, "charts were drawn but not embedded"


def test_html_and_markdown_render_the_same_blocks(tmp_path):
    image = tmp_path / "chart.png"
    image.write_bytes(b"\x89PNG fake")
    blocks = [table(["a|b", "c"], [[1, "<x>"]]), Block("image", "a chart", path=image)]
    md = to_markdown(blocks, tmp_path)
    assert "| a\\|b | c |" in md and "![a chart](chart.png)" in md
    html = to_html(blocks, "t")
    encoded = base64.b64encode(image.read_bytes()).decode()
    assert "<td>&lt;x&gt;</td>" in html and f'src="data:image/png;base64,{encoded}"' in html


@pytest.mark.slow
def test_charts_degrade_when_the_plot_module_is_missing(monkeypatch, run, tmp_path):
    monkeypatch.setitem(
        sys.modules, "benchmarks.analysis.plot", None
    )  # import now raises ImportError
    blocks = charts(run, tmp_path)
    assert blocks[-1].text.startswith("Charts unavailable")


def _bad_files(tmp: Path, good: Path) -> dict[str, Path]:
    data = json.loads(good.read_text())
    files = {
        "missing": tmp / "missing.json",
        "not JSON": tmp / "garbage.json",
        "not pytest-benchmark": tmp / "other.json",
        "schema": tmp / "future.json",
        "no cases": tmp / "empty.json",
    }
    files["not JSON"].write_text("{ nope")
    files["not pytest-benchmark"].write_text(json.dumps({"hello": 1}))
    files["schema"].write_text(json.dumps({**data, "fmtbench": {"schema_version": 999}}))
    files["no cases"].write_text(json.dumps({**data, "benchmarks": []}))
    return files


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind", ["missing", "not JSON", "not pytest-benchmark", "schema", "no cases"]
)
def test_bad_results_file_is_one_line_error_exit_2(tmp_path, run, kind):
    path = _bad_files(tmp_path, run)[kind]
    line = assert_one_line_error(
        fmtbench_main("report", str(path), "--out", str(tmp_path / "o")), 2
    )
    assert str(path) in line
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_bad_weights_are_one_line_error_exit_2(run, tmp_path):
    line = assert_one_line_error(fmtbench_main("report", str(run), "--weights", "speed=1"), 2)
    assert "unknown metric 'speed'" in line
    line = assert_one_line_error(fmtbench_main("report", str(run), "--weights", "take_p99=1"), 2)
    assert "no case in these results measures take_p99" in line
