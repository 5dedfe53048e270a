"""Bad input everywhere: each case exits 2 with one ``error:`` line and no traceback.

In-process through ``main([...])`` (the checks run before any work); the real command's
exit code and stderr are covered by the subprocess tests in test_cli.py.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import fmtbench
from tests.helpers import assert_one_line_error
from tests.helpers import fmtbench_main as cli


class _Marker:
    """Unpickling this creates a file: proof that a pickle was executed."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


BAD_FILES = {
    "missing": ("nope.csv", None, "no such file"),
    "empty": ("empty.csv", b"", "is empty"),
    "unknown-extension": ("data.xlsx", b"a,b\n1,2\n", "extension .xlsx is not accepted"),
    "pickle": ("data.pkl", b"\x80\x05N.", "unpickling runs code"),
    "ragged-csv": ("ragged.csv", "a,b\n1,2\n3,4,5\n", "ragged.csv"),
    "invalid-utf8": ("bad.csv", b"a,b\n1,\xff\xfe\n", "bad.csv"),
    "truncated-jsonl": ("cut.jsonl", '{"a": 1}\n{"a": 2, "b', "cut.jsonl"),
    "bad-quoting": ("quote.csv", 'a,b\n"1,2\n3,4\n', "quote.csv"),
    "not-parquet": ("fake.parquet", b"PAR1 but not really", "fake.parquet"),
    "header-only": ("header.csv", "a,b\n", "has no rows"),
    "duplicate-names": ("dupes.csv", "a,a\n1,2\n", "duplicate column names a"),
    "empty-name": ("noname.csv", "a,\n1,2\n", "empty name"),
    "long-name": ("long.csv", "x" * 300 + "\n1\n", "characters; shorten it"),
    "all-null-column": ("nulls.csv", "a,b\n1,\n2,\n", "holds only nulls"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=str)
def test_bad_data_files_are_refused_before_any_work(case, tmp_path):
    name, content, needle = BAD_FILES[case]
    path = tmp_path / name if content is None else _write(tmp_path / name, content)
    proc = cli("run", "--data", str(path), "--quiet", cwd=tmp_path)
    line = assert_one_line_error(proc, 2)
    assert needle in line
    assert not (tmp_path / "results").exists()


def test_a_directory_as_data_is_refused(tmp_path):
    line = assert_one_line_error(cli("run", "--data", str(tmp_path), cwd=tmp_path), 2)
    assert "not a regular file" in line


@pytest.mark.parametrize("name", ["evil.pkl", "evil.parquet", "evil.csv"])
def test_a_malicious_pickle_is_never_loaded(name, tmp_path):
    marker = tmp_path / "executed"
    path = _write(tmp_path / name, pickle.dumps(_Marker(str(marker))))
    proc = cli("run", "--data", str(path), "--quiet", cwd=tmp_path)
    assert_one_line_error(proc, 2)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sample", "stratified:nope:0.1"], "nope"),
        (["--sample", "random:1.5"], "random"),
        (["--sample", "bogus:3"], "bogus"),
        (["--datasets", "tpch-lineitem:0"], "scale factor"),
        (["--columns", "nope"], "no column 'nope'"),
    ],
)
def test_bad_sampling_and_column_arguments(args, needle, tmp_path):
    proc = cli("run", "--datasets", "mixed", "--rows", "500", *args, "--quiet", cwd=tmp_path)
    if args[0] == "--datasets":
        proc = cli("run", *args, "--quiet", cwd=tmp_path)
    assert needle in assert_one_line_error(proc, 2)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "no such results file"),
        ("not json", "not JSON"),
        (json.dumps({"hello": 1}), "not a pytest-benchmark results file"),
        (json.dumps({"benchmarks": [], "machine_info": {}}), "without fmtbench data"),
        (json.dumps({"benchmarks": [{}], "fmtbench": {"schema_version": 99}}), "version 99"),
        (json.dumps({"benchmarks": [], "fmtbench": {"schema_version": 1}}), "no cases"),
    ],
)
@pytest.mark.parametrize("command", ["plot", "report", "results"])
def test_bad_results_files(command, content, needle, tmp_path):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    assert needle in assert_one_line_error(cli(command, str(path)), 2)


def test_python_api_refuses_non_string_column_names_from_pandas():
    with pytest.raises(fmtbench.UsageError, match="is not a string"):
        fmtbench.run(table=pd.DataFrame({0: [1, 2], "b": [3, 4]}), formats=["feather"])


def test_python_api_refuses_unknown_options_and_empty_tables():
    with pytest.raises(fmtbench.UsageError, match="unknown run option"):
        fmtbench.run(formts=["feather"])
    with pytest.raises(fmtbench.UsageError, match="empty"):
        fmtbench.run(table=pa.table({"a": pa.array([], pa.int64())}), formats=["feather"])


@pytest.mark.slow
def test_python_api_benchmarks_an_in_memory_table(tmp_path):
    frame = pd.DataFrame({"a": range(100), "b": [f"s{i}" for i in range(100)]})
    out = tmp_path / "r.json"
    df = fmtbench.run(table=frame, name="mine", formats=["feather"], ops=["write"], out=out)
    assert list(df["dataset"]) == ["mine"] and df["median"].iloc[0] > 0
    assert df.attrs["path"] == str(out)
