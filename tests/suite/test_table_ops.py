"""Table operations in the suite: cases and skips, what each records, the oracle check
failing a case whose table disagrees with Arrow, and bad --change values refused."""

from __future__ import annotations

import pyarrow as pa
import pytest

from benchmarks.errors import UsageError
from benchmarks.suite import table_oracle as oracle
from benchmarks.suite.cases import build_cases
from benchmarks.suite.config import TABLE_OPS, RunConfig
from benchmarks.suite.execute import PreparedFiles, make_env
from benchmarks.suite.operations import build_operation
from formats.parquet_dataset import ParquetDatasetOps


def _cfg(**kw) -> RunConfig:
    base = {
        "datasets": ["numeric"], "rows": [200], "ops": list(TABLE_OPS), "change": [0.05],
        "batch_rows": [10], "commits": 3, "versions_back": 2,
    }  # fmt: skip
    return RunConfig(**(base | kw))


def _case(adapter: str, op: str, **kw):
    return next(c for c in build_cases(_cfg(formats=[adapter], **kw)) if c.op == op)


def _run(case, tmp_path, executions=2) -> dict:
    env = make_env(_cfg(), case, tmp_path, PreparedFiles(tmp_path))
    op = build_operation(env)
    try:
        for _ in range(executions):  # the timed rounds, then the memory run
            args, kwargs = op.setup()
            op.fn(*args, **kwargs)
        return {**op.info, **op.after()}
    finally:
        op.cleanup()


def test_cases_skip_with_reasons():
    cases = build_cases(_cfg(formats=["parquet-dataset", "parquet-pyarrow", "delta-polars"]))
    by = {(c.adapter, c.op): c.skip for c in cases}
    assert "no versions" in by[("parquet-dataset", "time_travel")]
    assert by[("parquet-dataset", "merge")] is None
    assert "not a table format" in by[("parquet-pyarrow", "update")]
    assert "through delta" in by[("delta-polars", "commit")]


@pytest.mark.parametrize("op", ["update", "delete", "merge"])
def test_changes_record_files_and_pass_the_oracle(op, tmp_path):
    info = _run(_case("parquet-dataset", op), tmp_path)
    assert info["oracle"] == "ok" and info["rows_changed"] >= 1
    assert info["files_written"] >= 1 and info["bytes_written"] > 0
    assert info["data_files"] >= 1 and info["metadata_bytes"] == 0
    assert not any(tmp_path.glob("table-*"))  # cleaned up


def test_commit_records_per_commit_percentiles(tmp_path):
    info = _run(_case("lance", "commit"), tmp_path)
    assert info["commits"] == 3 and info["rows_committed"] == 30
    assert 0 < info["commit_p50_s"] <= info["commit_p99_s"]
    assert info["oracle_rows"] == 230 and info["metadata_bytes"] > 0


def test_time_travel_reads_the_version_k_commits_back(tmp_path):
    case = _case("delta", "time_travel")  # 3 commits of 1% of the rows, 2 versions back
    env = make_env(_cfg(), case, tmp_path, PreparedFiles(tmp_path))
    op = build_operation(env)
    try:
        args, kwargs = op.setup()
        back = op.fn(*args, **kwargs)
        source = env.dataset.table
        then = pa.concat_tables([source, source.slice(0, 2)])  # delta-rs: any file order
        assert back.sort_by("id").equals(then.sort_by("id"))
        assert op.after()["history"] == 3
    finally:
        op.cleanup()


def test_compact_records_files_before_and_after(tmp_path):
    info = _run(_case("parquet-dataset", "compact"), tmp_path)
    assert info["before_data_files"] == 4 and info["data_files"] == 1
    assert info["read_before_s"] > 0 and info["read_after_s"] > 0 and info["oracle"] == "ok"


def test_a_change_the_table_did_not_make_fails_the_case(tmp_path, monkeypatch):
    monkeypatch.setattr(ParquetDatasetOps, "update", lambda *a, **k: None)
    with pytest.raises(oracle.OracleMismatch, match=r"update of 0.05 of the rows: sum\(reading\)"):
        _run(_case("parquet-dataset", "update"), tmp_path)


def test_the_oracle_names_a_row_count_difference():
    t = pa.table({"v": [1, 2, 3]})
    with pytest.raises(oracle.OracleMismatch, match="2 rows, the oracle has 3"):
        oracle.check(t.slice(0, 2), t, "v", "delete")


def test_merge_rows_update_half_and_insert_half():
    t = pa.table({"k": pa.array(range(100), pa.int64()), "v": pa.array([1.0] * 100)})
    p = oracle.Plan(("k",), "k", "v")
    rows = oracle.merge_rows(t, p, 0.1, seed=0, cap=6)
    assert rows.num_rows == 6
    after = oracle.merged(t, rows, ["k"])
    assert after.num_rows == 103
    assert oracle.state(after, "v") == (103, 106.0)


@pytest.mark.parametrize("value", [0, 1.5, -0.1])
def test_a_change_outside_zero_one_is_refused(value):
    with pytest.raises(UsageError, match=r"--change .*\(0, 1\]"):
        _cfg(change=[value]).validate()


def test_commits_must_be_positive():
    with pytest.raises(UsageError, match="--commits 0"):
        _cfg(commits=0).validate()
