"""README's ML table is generated from the reference step's results (scripts/readme_ml.py):
every epoch case a row, the cases that could not run with why, a link to the chart that
``fmtbench plot`` draws, and a placeholder while the step has not run."""

from __future__ import annotations

import importlib.util
import json

import pytest

from benchmarks.analysis.plot import plot_results
from benchmarks.cli.main import main
from tests.helpers import ROOT


def _script():
    spec = importlib.util.spec_from_file_location("readme_ml", ROOT / "scripts" / "readme_ml.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A small real run: tokens through numpy and webdataset, global and buffer shuffles."""
    out = tmp_path_factory.mktemp("ml") / "ml_epoch.json"
    code = main(
        ["run", "--datasets", "tokens", "--rows", "300", "--formats", "numpy,webdataset",
         "--ops", "epoch", "--shuffle", "global,buffer:100", "--loader-workers", "0",
         "--batch-size", "32", "--rounds", "1", "--no-charts", "--quiet", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    return out


def _readme(tmp_path, script) -> str:
    path = tmp_path / "README.md"
    path.write_text(f"# x\n\nabove\n{script.BEGIN}\nstale\n{script.END}\nbelow\n")
    return path


def test_the_block_has_every_case_the_skips_and_the_chart_plot_draws(results, tmp_path):
    script = _script()
    readme = _readme(tmp_path, script)
    assert script.main(["--results", str(results), "--readme", str(readme)]) == 0
    text = readme.read_text()
    block = text.partition(script.BEGIN)[2].partition(script.END)[0]
    assert text.startswith("# x\n\nabove\n") and text.endswith(f"{script.END}\nbelow\n")
    assert "stale" not in block and "**tokens**, 300 rows" in block
    rows = [line for line in block.splitlines() if line.startswith("| numpy") or
            line.startswith("| webdataset")]  # fmt: skip
    doc = json.loads(results.read_text())
    epochs = [b["extra_info"] for b in doc["benchmarks"]]
    assert len(rows) == len(epochs) == 3  # webdataset has no global shuffle
    numpy_global = next(e for e in epochs if e["adapter"] == "numpy" and e["shuffle"] == "global")
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[:3] == ["numpy", "global", "0"]
    assert cells[3] == f"{numpy_global['samples_per_s']:,.0f}"
    assert cells[5] == f"{numpy_global['shuffle_quality']:.2f}"
    assert "- webdataset: webdataset streams its shards sequentially" in block
    link = block.partition("![")[2].partition("](")[2].partition(")")[0]
    drawn = plot_results(results)
    assert link.endswith(".png") and any(str(p) == link for p in drawn), (link, drawn)
    # --check: current now, stale once the results change
    assert script.main(["--check", "--results", str(results), "--readme", str(readme)]) == 0
    doc["benchmarks"][0]["extra_info"]["samples_per_s"] *= 2
    results.write_text(json.dumps(doc))
    assert script.main(["--check", "--results", str(results), "--readme", str(readme)]) == 1


def test_without_results_the_block_says_the_step_has_not_run(tmp_path):
    script = _script()
    readme = _readme(tmp_path, script)
    assert script.main(["--results", str(tmp_path / "none.json"), "--readme", str(readme)]) == 0
    assert "Not run yet" in readme.read_text() and "reference_run m" in readme.read_text()


def test_readme_holds_the_markers_and_is_current():
    script = _script()
    text = (ROOT / "README.md").read_text()
    assert script.BEGIN in text and script.END in text
    assert script.main(["--check"]) == 0
