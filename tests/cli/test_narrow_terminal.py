"""At 80 columns every listing shows each name whole and no line is wider than the terminal."""

from __future__ import annotations

import json

import pytest

from benchmarks.run.progress import fit_label
from tests.helpers import cli_env, fmtbench


def _narrow() -> dict[str, str]:
    return {**cli_env(), "COLUMNS": "80"}


SLOW = pytest.mark.slow  # fidelity round-trips every format; datasets samples each dataset


@pytest.mark.parametrize(
    "command",
    ["formats", pytest.param("fidelity", marks=SLOW), pytest.param("datasets", marks=SLOW)],
)
def test_listings_fit_80_columns_with_whole_names(command):
    proc = fmtbench(command, env=_narrow())
    assert proc.returncode == 0, proc.stderr
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert "…" not in proc.stdout
    if command == "datasets":
        names = ["mixed", "tpch-lineitem", "flights"]
    else:
        names = [r["name"] for r in json.loads(fmtbench("formats", "--json").stdout)]
        names = [n for n in names if command == "formats" or n in proc.stdout]
        assert len(names) >= 10
    lines = proc.stdout.splitlines()
    for name in names:  # each name whole at the start of its own line
        assert any(line.startswith(name + " ") for line in lines), name


def test_wide_terminals_keep_the_tables():
    proc = fmtbench("formats")  # COLUMNS=200
    assert "┃ name" in proc.stdout


def test_progress_labels_keep_the_end_of_long_case_ids():
    label = "tpch-lineitem:0.1@600000/parquet-pyarrow/zstd/read_column[column=l_comment]"
    fitted = fit_label(label, 30)
    assert len(fitted) == 30 and fitted.endswith("read_column[column=l_comment]"[-29:])
    assert fit_label("short", 10) == "short     "
