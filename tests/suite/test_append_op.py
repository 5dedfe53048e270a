"""The append operation: cases per batch size and mode, skips with reasons, what it records."""

from __future__ import annotations

from benchmarks.suite import append
from benchmarks.suite.cases import build_cases
from benchmarks.suite.config import RunConfig
from benchmarks.suite.execute import PreparedFiles, make_env
from benchmarks.suite.operations import build_operation


def _cfg(**kw) -> RunConfig:
    base = {"datasets": ["numeric"], "rows": [120], "ops": ["append"], "batch_rows": [7, 50]}
    return RunConfig(**(base | kw))


def test_cases_cover_each_batch_size_and_mode_and_skip_what_cannot_append():
    cases = build_cases(_cfg(formats=["parquet-pyarrow", "pickle", "jsonl-orjson"]))
    params = {(c.adapter, c.param.get("batch_rows"), c.param.get("append_mode")) for c in cases}
    assert ("parquet-pyarrow", 7, "row-group-per-batch") in params
    assert ("parquet-pyarrow", 50, "file-per-batch") in params
    assert ("jsonl-orjson", 7, "append") in params
    pickle = [c for c in cases if c.adapter == "pickle"]
    assert len(pickle) == 2 and all(
        "pickle cannot append: a pickle is one" in c.skip for c in pickle
    )
    assert all(c.skip is None for c in cases if c.adapter != "pickle")


def _run(case, tmp_path, executions=2):
    cfg = _cfg()
    env = make_env(cfg, case, tmp_path, PreparedFiles(tmp_path))
    op = build_operation(env)
    for _ in range(executions):  # the timed rounds, then the memory run
        args, kwargs = op.setup()
        op.fn(*args, **kwargs)
    info = {**op.info, **op.after()}
    op.cleanup()
    return info


def test_append_records_latency_bytes_round_trip_and_readback(tmp_path):
    case = next(
        c
        for c in build_cases(_cfg(formats=["parquet-pyarrow"]))
        if c.param == {"batch_rows": 7, "append_mode": "row-group-per-batch"}
    )
    info = _run(case, tmp_path)
    assert info["appends"] == 18 and info["rows_appended"] == 120
    assert info["append_capped"] is False
    assert 0 < info["append_p50_s"] <= info["append_p99_s"]
    assert info["file_bytes"] > 0 and info["onego_file_bytes"] > 0
    assert info["round_trip"] == "lossless"
    for name in ("read", "read_column"):
        assert info[f"readback_{name}_penalty"] > 0 and info[f"onego_{name}_s"] > 0
    assert not list(tmp_path.glob("append-*")) and not list(tmp_path.glob("onego-*"))


def test_small_batches_append_only_the_first_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(append, "MAX_APPENDS", 4)
    case = next(
        c for c in build_cases(_cfg(formats=["jsonl-orjson"])) if c.param["batch_rows"] == 7
    )
    info = _run(case, tmp_path)
    assert info["appends"] == 4 and info["rows_appended"] == 28 and info["append_capped"]
    assert "first 28 rows" in info["append_note"]
