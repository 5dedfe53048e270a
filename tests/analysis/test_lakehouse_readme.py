"""README's lakehouse tables are generated from results files (scripts/readme_lakehouse.py):
a tiny real table-ops run and a tiny longevity run give every figure and the chart link;
a missing file gives a placeholder; --check tells a stale README from a current one."""

from __future__ import annotations

import importlib.util
import json
import signal

import pytest

from benchmarks.analysis import lakehouse_readme as gen
from benchmarks.cli.main import main
from tests.helpers import ROOT


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A table-ops results file and a longevity JSON with its chart, both tiny and real."""
    folder = tmp_path_factory.mktemp("ref")
    mp = pytest.MonkeyPatch()
    mp.setenv("COLUMNS", "200")
    tables = folder / "tables.json"
    code = _cli_main(
        "run", "--formats", "delta,parquet-dataset", "--datasets", "numeric", "--rows", "200",
        "--ops", "commit,update,delete,merge,time_travel,compact,read", "--commits", "3",
        "--versions-back", "2", "--batch-rows", "10", "--change", "0.05", "--rounds", "1",
        "--processes", "1", "--no-charts", "--quiet", "--out", str(tables),
    )  # fmt: skip
    assert code == 0
    longevity = _script("longevity")
    code = longevity.main([
        "--dataset", "numeric", "--rows", "200", "--formats", "lance,parquet-dataset",
        "--rounds", "2", "--commits", "2", "--batch-rows", "5", "--change", "0.05",
        "--reads", "1", "--out", str(folder / "lg"),
    ])  # fmt: skip
    mp.undo()
    assert code == 0
    return tables, folder / "lg" / "longevity.json"


def _cli_main(*args: str) -> int:
    """``fmtbench ARGS`` in this process (a module fixture has no capsys for run_cli); the
    signal handlers it sets undone."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def test_the_longevity_json_names_its_chart_png(results):
    _, longevity = results
    doc = json.loads(longevity.read_text())
    assert doc["chart_png"] == "longevity.png"
    assert (longevity.parent / doc["chart_png"]).stat().st_size > 0


def test_the_block_carries_each_format_and_the_figures_of_the_results(results, tmp_path):
    tables, longevity = results
    text = gen.block(tables, longevity, tables.parent)
    doc = json.loads(tables.read_text())
    delta_commit = next(
        b["extra_info"] for b in doc["benchmarks"]
        if b["extra_info"]["adapter"] == "delta" and b["extra_info"]["operation"] == "commit"
    )  # fmt: skip
    row = next(line for line in text.splitlines() if line.startswith("| delta | "))
    assert gen.format_seconds(delta_commit["commit_p50_s"]) in row
    # the Parquet directory keeps no versions: its time travel is a skipped case, "n/a"
    pq = next(line for line in text.splitlines() if line.startswith("| parquet-dataset | "))
    assert pq.split(" | ")[6] == "n/a"
    written = [ln for ln in text.splitlines() if ln.startswith("| delta | ") and " / " in ln]
    assert written and f"{delta_commit['metadata_files']:,}" in written[0]
    assert "](lg/longevity.png)" in text and "](tables.json)" in text
    lines = [ln for ln in text.splitlines() if ln.startswith(("| lance |", "| parquet-dataset |"))]
    assert len(lines) == 4  # two in the ops tables (parquet-dataset), two in longevity
    summary = json.loads(longevity.read_text())["summary"]
    lance = next(s for s in summary if s["adapter"] == "lance")
    assert f"{lance['degradation_per_100_commits']:+.1%}" in text


def test_a_missing_results_file_gives_a_placeholder(tmp_path):
    text = gen.block(tmp_path / "none.json", tmp_path / "no-longevity.json", tmp_path)
    assert "_No results yet: `scripts/reference_run t` writes `none.json`" in text
    assert "`scripts/reference_run l` writes `no-longevity.json`" in text


def test_check_tells_stale_from_current(results, tmp_path, capsys):
    tables, longevity = results
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{gen.BEGIN}\nold\n{gen.END}\nrest\n")
    script = _script("readme_lakehouse")
    args = ["--tables", str(tables), "--longevity", str(longevity), "--readme", str(readme)]
    assert script.main([*args, "--check"]) == 1
    assert script.main(args) == 0
    assert script.main([*args, "--check"]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith(f"{gen.END}\nrest\n")
    assert "| delta | " in text
    readme.write_text("no markers")
    assert script.main(args) == 2
    assert capsys.readouterr().err.startswith("error: README has no")


def test_the_repository_readme_is_what_the_reference_files_give(capsys):
    text = (ROOT / "README.md").read_text()
    assert gen.BEGIN in text and gen.END in text
    assert _script("readme_lakehouse").main(["--check"]) == 0, capsys.readouterr().out
