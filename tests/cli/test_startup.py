"""What the CLI imports before it answers: --help and the oversized-table refusal stay light.

A refusal is only useful if it is quick, and on a loaded machine every imported library
costs seconds; these tests check the imports (which are deterministic), not the time.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.datasets.test_datasets import needs_tpchgen
from tests.helpers import cli_env

#: Libraries no answer below needs; each costs 0.2-2 s of start-up on a loaded machine.
HEAVY = ("pandas", "pytest", "matplotlib", "duckdb", "polars", "benchmarks.run.runner")

_PROBE = """
import sys
from benchmarks.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:  # --help exits from argparse
    code = exc.code
print("exit", code, "loaded", *sorted(m for m in sys.argv[1].split(",") if m in sys.modules))
"""


def _loaded(tmp_path, watched: tuple[str, ...], *args: str) -> tuple[int, list[str], str]:
    """(exit code, which of ``watched`` the command imported, stderr) of one CLI call."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(watched), *args],
        capture_output=True, text=True, cwd=tmp_path, env=cli_env(), timeout=300, check=False,
    )  # fmt: skip
    last = proc.stdout.splitlines()[-1].split()
    assert last[0] == "exit" and last[2] == "loaded", proc.stdout + proc.stderr
    return int(last[1]), last[3:], proc.stderr


def test_help_imports_no_data_library(tmp_path) -> None:
    watched = (*HEAVY, "pyarrow", "numpy", "formats")
    for args in (["--help"], ["run", "--help"]):
        code, loaded, _ = _loaded(tmp_path, watched, *args)
        assert code == 0 and loaded == [], (args, loaded)


def _huge_csv(tmp_path) -> list[str]:
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as f:  # sparse: 200 GB claimed, no disk used
        f.truncate(200 * 10**9)
    return ["--data", str(huge)]


# Sizes no machine holds three times over, so every machine refuses them.
_TPCH = pytest.param(
    lambda tmp: ["--datasets", "tpch-lineitem:100000", "--data-dir", str(tmp / "cache")],
    HEAVY, marks=needs_tpchgen, id="tpch",
)  # fmt: skip
_FILE = pytest.param(_huge_csv, HEAVY, id="file")
#: A synthetic family is sized on 1,000 generated rows, and pyarrow imports pandas on its
#: first ``pa.array(numpy_array)`` (to ask whether it is a Series): pandas is pyarrow's cost.
_MIXED = pytest.param(
    lambda tmp: ["--datasets", "mixed", "--rows", "1e13"],
    tuple(m for m in HEAVY if m != "pandas"), id="mixed",
)  # fmt: skip


@pytest.mark.parametrize(("make_args", "watched"), [_TPCH, _FILE, _MIXED])
def test_oversized_refusal_imports_none_of_the_run_libraries(make_args, watched, tmp_path) -> None:
    args = make_args(tmp_path)
    code, loaded, err = _loaded(tmp_path, watched, "run", *args, "--formats", "parquet-pyarrow")
    assert code == 2 and "needs about" in err and "rerun with --stream" in err, err
    assert loaded == [], loaded


def test_the_probe_sees_an_import(tmp_path) -> None:
    """The check can fail: a command that does load pandas (results) is reported."""
    code, loaded, _ = _loaded(tmp_path, HEAVY, "results", str(tmp_path / "missing.json"))
    assert code != 0 and "pandas" in loaded
