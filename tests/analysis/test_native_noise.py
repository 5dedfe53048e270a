"""A library's Rust panic never reaches the terminal as a backtrace: ``fmtbench report``'s
and ``fmtbench fidelity``'s checks record it in one cell (issue 24)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import formats
from benchmarks.analysis.report import fidelity
from formats.native import contained
from tests.inprocess import run_cli

NOISY = [n for n in ("parquet-polars", "csv-polars") if formats.get(n).available().ok]


@pytest.fixture(autouse=True)
def backtraces(monkeypatch):
    monkeypatch.setenv("RUST_BACKTRACE", "1")  # the worst case: a whole backtrace each


def test_contained_keeps_what_a_library_writes_to_fd2_off_the_terminal(capfd):
    with contained() as panics:
        os.write(2, b"thread 'x' panicked at src/x.rs:1:2:\nboom on a value\nstack backtrace:\n")
    assert panics == ["boom on a value"]
    assert capfd.readouterr().err == ""
    os.write(2, b"after\n")  # fd 2 is the terminal again
    assert capfd.readouterr().err == "after\n"


@pytest.mark.skipif(not NOISY, reason="polars is not installed")
def test_report_fidelity_of_polars_engines_prints_no_panic(capfd):
    frame = pd.DataFrame({"adapter": NOISY})
    blocks = fidelity(frame)
    err = capfd.readouterr().err
    assert "panicked" not in err and "stack backtrace" not in err and "assertion failed" not in err
    assert any(b.kind == "table" for b in blocks)
    details = next(b for b in blocks if b.kind == "list").items
    panicked = [d for d in details if "decimal256" in d and "precision" in d]
    assert panicked and all("\n" not in d for d in panicked)  # the panic: one line per cell


@pytest.mark.skipif(not NOISY, reason="polars is not installed")
def test_fidelity_command_prints_no_panic(capfd):
    code, out, err = run_cli(_Capsys(capfd), "fidelity", "--formats", NOISY[0])
    assert code == 0 and "decimal256" in out
    assert "panicked" not in err and "stack backtrace" not in err


class _Capsys:
    """capfd in capsys' clothes, for run_cli (it only calls readouterr)."""

    def __init__(self, capfd) -> None:
        self.capfd = capfd

    def readouterr(self):
        return self.capfd.readouterr()
