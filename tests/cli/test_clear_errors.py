"""Filesystem refusals, broken plugins and damaged results: one line with path, cause, fix.

Refusals are checked in-process through ``main([...])`` (``fmtbench_main``); plugins load
at import time, so their tests and the runs that make results files use a subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, cli_env, fmtbench, fmtbench_main

TINY = ("--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet", "--no-charts")
WRITE = ("run", *TINY, "--formats", "feather", "--ops", "write")


def _clear(proc, code: int) -> str:
    line = assert_one_line_error(proc, code)
    assert not line.startswith("error: unexpected"), line
    return line


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("res") / "r.json"
    proc = fmtbench(*WRITE, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not json.loads(out.read_text())["fmtbench"]["failed"]  # the damage needs stats
    return out


PLUGINS = {
    "missing": (None, "cannot import adapter module 'no_such_plugin_mod'"),
    "raises": ("raise RuntimeError('boom')\n", "failed on import (RuntimeError: boom)"),
    "duplicate": (
        "from formats.registry import register\nfrom formats.arrow_family import Feather\n"
        "register(type('Dup', (Feather,), {'name': 'feather'}))\n",
        "already registered",
    ),
}


@pytest.mark.parametrize("kind", PLUGINS)
def test_broken_plugins_are_one_line(kind, tmp_path):
    source, needle = PLUGINS[kind]
    module = "no_such_plugin_mod" if source is None else f"plug_{kind}"
    if source is not None:
        (tmp_path / f"{module}.py").write_text(source)
    proc = fmtbench("formats", env=cli_env(module, tmp_path))
    assert needle in _clear(proc, 2)


def test_a_plugin_that_prints_keeps_json_output_clean(tmp_path):
    (tmp_path / "chatty.py").write_text("print('hello from a plugin')\n")
    proc = fmtbench("formats", "--json", env=cli_env("chatty", tmp_path))
    assert proc.returncode == 0 and json.loads(proc.stdout)
    assert "hello from a plugin" in proc.stderr


@pytest.mark.slow
def test_plot_and_report_of_a_run_where_every_case_failed(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "test-failing", "--ops", "write")
    proc = fmtbench(*args, "--out", str(out), env=cli_env("tests.fault_adapters"))
    assert proc.returncode == 0, proc.stderr
    assert "every case failed" in _clear(fmtbench_main("plot", str(out)), 2)
    proc = fmtbench("report", str(out), "--out", str(tmp_path / "rep"))
    assert proc.returncode == 0, proc.stderr


def test_workdir_missing_or_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    for workdir in (tmp_path / "missing", tmp_path / "file"):
        proc = fmtbench_main(*WRITE, "--workdir", str(workdir), "--out", str(tmp_path / "r.json"))
        assert "--workdir" in _clear(proc, 2) and str(workdir) in proc.stderr
    assert not (tmp_path / "r.json").exists()
    assert not (tmp_path / "r.journal.jsonl").exists()


def test_out_a_directory_or_an_overlong_name(tmp_path):
    (tmp_path / "d").mkdir()
    proc = fmtbench_main(*WRITE, "--out", str(tmp_path / "d"), "--force")
    assert "is a directory" in _clear(proc, 2)
    proc = fmtbench_main(*WRITE, "--out", str(tmp_path / ("x" * 300 + ".json")))
    assert "File name too long" in _clear(proc, 1)


def test_report_out_an_existing_file(results, tmp_path):
    (tmp_path / "f").write_text("x")
    proc = fmtbench_main("report", str(results), "--out", str(tmp_path / "f"))
    assert str(tmp_path / "f") in _clear(proc, 1)


def test_csv_into_a_missing_directory_over_the_results_or_an_existing_file(results, tmp_path):
    line = _clear(
        fmtbench_main("results", str(results), "--csv", str(tmp_path / "no" / "x.csv")), 2
    )
    assert "no such directory" in line
    before = results.read_text()
    assert "results file itself" in _clear(
        fmtbench_main("results", str(results), "--csv", str(results)), 2
    )
    assert results.read_text() == before
    csv = tmp_path / "t.csv"
    csv.write_text("keep")
    assert "--force" in _clear(fmtbench_main("results", str(results), "--csv", str(csv)), 2)
    assert csv.read_text() == "keep"
    proc = fmtbench_main("results", str(results), "--csv", str(csv), "--force")
    assert proc.returncode == 0 and csv.read_text().startswith("dataset")


def test_dataset_cache_dir_that_is_a_file(tmp_path):
    (tmp_path / "cache").write_text("x")
    args = (
        "run",
        *TINY,
        "--datasets",
        "tpch-lineitem:0.001",
        "--data-dir",
        str(tmp_path / "cache"),
    )
    proc = fmtbench_main(*args, cwd=tmp_path)
    assert str(tmp_path / "cache") in _clear(proc, 1)


def _damaged(results: Path, tmp_path: Path, change) -> Path:
    data = json.loads(results.read_text())
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


DAMAGE = {
    "no-extra-info": (lambda d: d["benchmarks"][0].pop("extra_info"), "no extra_info"),
    "not-an-object": (lambda d: d["benchmarks"].__setitem__(0, 5), "not an object"),
    "string-median": (
        lambda d: d["benchmarks"][0]["stats"].__setitem__("median", "fast"),
        "median that is not a number",
    ),
    "huge-number": (
        lambda d: d["benchmarks"][0]["stats"].__setitem__("median", 10**400),
        "out of range",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("command", ["results", "report", "plot"])
def test_damaged_results_files(damage, command, results, tmp_path):
    change, needle = DAMAGE[damage]
    path = _damaged(results, tmp_path, change)
    assert needle in _clear(fmtbench_main(command, str(path)), 2)


def test_deeply_nested_results_file(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "not JSON" in _clear(fmtbench_main("results", str(path)), 2)


@pytest.mark.slow
def test_take_with_k_larger_than_the_rows_is_a_clear_skipped_case(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "feather", "--ops", "take", "--k", "100000")
    assert fmtbench(*args, "--out", str(out)).returncode == 0
    data = json.loads(out.read_text())["fmtbench"]
    # skipped, not failed: a lookup of more rows than exist would time a whole-table read
    # under the name k=100000 (the reason says the rows and a --k that fits)
    assert data["failed"] == []
    reasons = [s["reason"] for s in data["skipped"]]
    assert len(reasons) == 2 and all("300 rows" in r and "--k" in r for r in reasons)
