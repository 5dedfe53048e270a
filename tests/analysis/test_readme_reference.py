"""README's "Reference run" section is generated from results/reference
(scripts/readme_reference.py): its figures are the file's, --check finds a stale README,
and a sentence whose data a file lacks is left out rather than made up."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pandas as pd
import pytest

from benchmarks.analysis import reference_readme as rr
from benchmarks.analysis.cells import format_seconds
from benchmarks.analysis.reference_sentences import core
from benchmarks.analysis.reference_sentences_io import appends, knobs
from benchmarks.analysis.reference_text import mb, noise_clause, times
from benchmarks.run.results import load_results, tidy
from tests.helpers import ROOT, fmtbench_main


def _script():
    spec = importlib.util.spec_from_file_location(
        "readme_reference", ROOT / "scripts" / "readme_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A repo-shaped folder: reference_run, a README with the markers, and a real tiny run
    of 2 formats as the core and access steps' results files."""
    root = tmp_path_factory.mktemp("ref")
    ref = root / "results" / "reference"
    ref.mkdir(parents=True)
    (root / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "reference_run", root / "scripts" / "reference_run")
    script = _script()
    (root / "README.md").write_text(f"intro\n{script.BEGIN}\nold\n{script.END}\nrest\n")
    proc = fmtbench_main(
        "run", "--datasets", "mixed", "--rows", "300", "--formats", "parquet-pyarrow,csv-pyarrow",
        "--ops", "write,read,read_column,take", "--k", "1", "--patterns", "uniform",
        "--rounds", "3", "--processes", "1", "--no-charts", "--quiet",
        "--out", str(ref / "core.json"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    shutil.copy(ref / "core.json", ref / "access_tpch.json")
    return root


def _cases(doc: dict, op: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for b in doc["benchmarks"]:
        if b["extra_info"]["operation"] == op and b.get("stats"):
            found.setdefault(b["extra_info"]["adapter"], []).append(b)
    return found


def test_the_section_quotes_the_files_figures(tree):
    assert _script().main(["--root", str(tree)]) == 0
    text = (tree / "README.md").read_text()
    assert text.startswith("intro\n") and text.endswith("\nrest\n")
    doc = json.loads((tree / "results" / "reference" / "core.json").read_text())
    meta = doc["fmtbench"]
    assert f"({doc['datetime'][:10]})" in text
    assert "(results/reference/core.json)" in text and "--out results/reference/core.json`" in text
    assert f"{meta['load_before']['1min']:.1f} before" in text
    assert f"{meta['load_after']['1min']:.1f} after" in text
    reads, columns = _cases(doc, "read"), _cases(doc, "read_column")
    for adapter, (read,) in reads.items():
        median = read["stats"]["median"]
        fmt = read["extra_info"]["format"]
        speedup = median / min(c["stats"]["median"] for c in columns[adapter])
        assert f"{times(speedup)} {fmt}" in text, (adapter, speedup)
        size = mb(read["extra_info"]["file_bytes"])
        assert f"{fmt} {size} in {format_seconds(median)}" in text
    for adapter, (take,) in _cases(doc, "take").items():
        assert f"{adapter} {format_seconds(take['extra_info']['p50_s'])}" in text


def test_check_finds_the_readme_stale_when_a_file_changes(tree, capsys):
    script = _script()
    assert script.main(["--root", str(tree)]) == 0
    assert script.main(["--root", str(tree), "--check"]) == 0
    path = tree / "results" / "reference" / "access_tpch.json"
    doc = json.loads(path.read_text())
    for b in doc["benchmarks"]:
        if b["extra_info"]["operation"] == "take":
            b["extra_info"]["p50_s"] *= 7.0
    path.write_text(json.dumps(doc))
    capsys.readouterr()
    assert script.main(["--root", str(tree), "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert script.main(["--root", str(tree)]) == 0
    assert script.main(["--root", str(tree), "--check"]) == 0


def test_a_sentence_without_its_data_is_left_out(tree):
    frame = tidy(load_results(tree / "results" / "reference" / "core.json"))
    assert appends(frame) == [] and knobs(frame) == []
    said = core(frame.drop(columns=["file_bytes"]))
    assert said and not any("file size" in s for s in said)
    old = {"fmtbench": {"wall_s": 65.0, "machine_label": "2 cores"}}
    assert "no load recorded" in rr.machine_state(old) and "65 s" in rr.machine_state(old)


def test_the_runs_tie_is_said_within_noise():
    rows = pd.DataFrame(
        {
            "adapter": ["a", "b", "c"],
            "median": [1.0, 1.02, 3.0],
            "group": ["g"] * 3,
            "ratio_to_fastest": [1.0, 1.02, 3.0],
            "ratio_low": [1.0, 0.97, 2.8],
            "ratio_high": [1.0, 1.06, 3.2],
        }
    )
    assert noise_clause(rows) == " (a and b within noise)"
    assert noise_clause(rows.iloc[[0, 2]]) == ""


def test_committed_readme_matches_the_committed_results():
    """README's section is what scripts/readme_reference.py makes from results/reference."""
    assert _script().main(["--check"]) == 0


def test_the_knob_sentence_gives_each_operation_at_each_value():
    def case(op: str, size: int, median: float, nbytes: int) -> dict:
        return {"operation": op, "adapter": "parquet-pyarrow", "median": median,
                "file_bytes": nbytes, "options": {"row_group_size": size, "use_dictionary": True},
                "error": None}  # fmt: skip

    frame = pd.DataFrame(
        [case("write", 100, 0.002, 38_000), case("write", 600, 0.001, 26_000),
         case("read", 100, 0.0065, 38_000), case("read", 600, 0.0038, 26_000)]
    )  # fmt: skip
    (said,) = knobs(frame)
    assert "row_group_size = 100 / 600" in said
    assert "read 6.5 ms / 3.8 ms" in said and "file 0.038 MB / 0.026 MB" in said
