"""The suite hands every reader the source's facts, records them, and one file per format."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pa_csv

import formats
from benchmarks.suite.cases import Case
from benchmarks.suite.config import RunConfig
from benchmarks.suite.execute import PreparedFiles, base_info, make_env
from formats import source_hints


def _env(name: str, tmp_path, spec: str = "mixed"):
    cfg = RunConfig(datasets=[spec], rows=[200])
    case = Case(spec, 200, name, "none", "read")
    return make_env(cfg, case, tmp_path, PreparedFiles(tmp_path))


def test_newlines_decided_from_the_source_and_recorded(tmp_path):
    env = _env("csv-pyarrow", tmp_path)
    expected = source_hints.has_line_break(env.dataset.table)
    assert base_info(env)["options"]["newlines_in_values"] is expected
    assert env.adapter.source_schema == env.dataset.table.schema


def test_csv_pandas_reads_the_file_csv_pyarrow_wrote(tmp_path):
    env = _env("csv-pandas", tmp_path)
    path = env.prepared()
    ours = tmp_path / "ours.csv"
    pa_csv.write_csv(env.dataset.table, ours)
    assert path.read_bytes() == ours.read_bytes()


def test_a_users_file_follows_the_same_rule(tmp_path):
    src = tmp_path / "mine.csv"
    table = pa.table({"s": ["a\nb", "c"], "n": [1, 2]})
    formats.get("csv-pyarrow").write(table, src)
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = _env("csv-pyarrow", workdir, f"file:{src}")
    assert base_info(env)["options"]["newlines_in_values"] is True
