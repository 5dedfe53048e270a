"""The whole suite through ``fmtbench run`` on a tiny table: every case lands in the results."""

from __future__ import annotations

import json

import pytest

import formats
from benchmarks.suite.config import CORE_OPS
from tests.helpers import ONE_WARMUP, cli_env, fmtbench

pytestmark = pytest.mark.slow  # real runs end to end (scripts/test --quick skips them)

CONTRACT_KEYS = {
    "dataset", "rows", "adapter", "format", "engine", "orientation", "codec", "operation",
    "cache", "file_bytes", "arrow_bytes", "peak_memory_bytes", "native",
}  # fmt: skip


@pytest.fixture(scope="module")
def core_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke") / "core.json"
    proc = fmtbench(
        "run", "--datasets", "mixed", "--rows", "400", "--rounds", "1", "--quiet",
        "--formats", "all", "--no-charts", "--out", str(out), *ONE_WARMUP,
        env={**cli_env(), "FMTBENCH_CEILINGS": "1"},  # the results' ceilings are checked
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def test_every_adapter_and_core_operation_has_a_case(core_run):
    infos = [b["extra_info"] for b in core_run["benchmarks"]]
    seen = {(info["adapter"], info["operation"]) for info in infos}
    expected = {(name, op) for name in _available() for op in CORE_OPS}
    assert expected <= seen
    assert core_run["fmtbench"]["failed"] == []


def test_cases_carry_the_result_contract_with_plausible_values(core_run):
    for bench in core_run["benchmarks"]:
        info = bench["extra_info"]
        assert set(info) >= CONTRACT_KEYS, info["case_id"]
        assert info["file_bytes"] > 0 and info["arrow_bytes"] > 0 and info["rows"] == 400
        assert info["peak_memory_bytes"] >= 0 and info["cache"] == "warm"
        assert bench["stats"]["median"] > 0 and bench["stats"]["rounds"] >= 1
        assert info["memory_method"].startswith(("fresh-process", "in-process"))
        assert info["logical_mb_s"] > 0
        if info["operation"] in ("write", "read"):
            assert info["physical_mb_s"] > 0


def test_native_flag_matches_the_adapter_declaration(core_run):
    for bench in core_run["benchmarks"]:
        info = bench["extra_info"]
        if info["operation"] == "read_column":
            assert info["native"] == formats.get(info["adapter"]).is_native("read_columns")


def test_results_record_machine_and_library_versions(core_run):
    machine = core_run["machine_info"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0
    assert machine["libraries"]["pyarrow"] != "not installed"
    ceilings = core_run["fmtbench"]["ceilings"]
    assert ceilings["memory_copy_mb_s"] > 0 and ceilings["page_cache_read_mb_s"] > 0


def test_access_patterns_run_for_every_adapter(tmp_path):
    out = tmp_path / "access.json"
    proc = fmtbench(
        "run", "--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet", "--no-charts",
        "--formats", "all",
        "--ops", "take,scan,stream,iterate", "--out", str(out), "--cache", "cold", *ONE_WARMUP,
        # one value per parameter: every adapter still runs each op's every variant
        # (scan: sorted, unsorted, stratum; iterate: rows, columns, dataframe rows/columns)
        "--k", "10", "--patterns", "uniform", "--selectivity", "0.01", "--batch-sizes", "100",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["fmtbench"]["failed"] == []
    by_op: dict[str, set] = {}
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        by_op.setdefault(info["operation"], set()).add(info["adapter"])
        assert info["cache"] == "cold"
        if info["operation"] == "take":
            assert info["p50_s"] <= info["p99_s"] and info["lookups"] >= 1
        if info["operation"] == "scan":
            assert 0 <= info["rows_selected"] <= 300
        if info["operation"] == "stream":
            # measured in the same executions as the timing, but as a median of its own
            assert 0 < info["first_batch_s"] < 10 * bench["stats"]["max"]
    for op in ("take", "scan", "stream", "iterate"):
        assert by_op[op] == _available(), op


def _available() -> set[str]:
    """Every adapter that can run here (DuckDB's delta/iceberg readers never can: their
    extensions cannot be downloaded on this machine)."""
    return {n for n in formats.names() if formats.get(n).available().ok}
