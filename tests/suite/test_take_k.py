"""take with k above the dataset's rows: a listed skip with its reason, not a failed case."""

from __future__ import annotations

import json

from benchmarks.suite.cases import build_cases
from benchmarks.suite.config import RunConfig
from tests.inprocess import run_cli


def _cases(rows: int, k: list[int]) -> list:
    cfg = RunConfig(datasets=["mixed"], rows=[rows], formats=["numpy"], ops=["take"], k=k, rounds=1)
    return build_cases(cfg)


def test_a_k_above_the_rows_is_skipped_with_the_rows_and_a_k_that_fits():
    cases = _cases(500, [1, 100, 10_000])
    skipped = {c.param["k"]: c.skip for c in cases if c.skip}
    ran = {c.param["k"] for c in cases if not c.skip}
    assert ran == {1, 100}
    assert set(skipped) == {10_000}
    assert "more than the dataset's 500 rows" in skipped[10_000]
    assert "--k 500 or less" in skipped[10_000]


def test_k_equal_to_the_rows_still_runs():
    assert all(c.skip is None for c in _cases(500, [500]))


def test_a_run_with_the_default_k_has_no_failed_case(capsys, tmp_path):
    out = tmp_path / "r.json"
    code, stdout, err = run_cli(
        capsys, "run", "--datasets", "mixed", "--rows", "300", "--formats", "numpy",
        "--ops", "take", "--patterns", "uniform", "--rounds", "1", "--processes", "1",
        "--out", str(out), "--no-charts", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["fmtbench"]["failed"] == []
    (skip,) = doc["fmtbench"]["skipped"]
    assert "take[k=10000" in skip["id"] and "300 rows" in skip["reason"]
    assert sorted(b["extra_info"]["k"] for b in doc["benchmarks"]) == [1, 100]
