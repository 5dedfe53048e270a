"""The CLI as a user meets it: help texts, listings, and one-line errors.

Most checks call ``main([...])`` in-process; a few run the real command in a subprocess,
for its exit code, stderr and lazy imports as a user's shell sees them.
"""

from __future__ import annotations

import json

import pytest

import formats
from benchmarks.cli import COMMANDS, build_parser
from tests.helpers import assert_one_line_error, fmtbench, fmtbench_main


def test_every_subcommand_has_help_with_an_example():
    build_parser()
    for name in COMMANDS:
        proc = fmtbench_main(name, "--help")
        assert proc.returncode == 0, name
        assert "Example: fmtbench" in proc.stdout, name


def test_help_in_a_real_process_lists_the_subcommands():
    proc = fmtbench("--help")
    assert proc.returncode == 0 and not proc.stderr
    build_parser()
    assert all(name in proc.stdout for name in COMMANDS)
    proc = fmtbench("run", "--help")
    assert proc.returncode == 0 and "Example: fmtbench" in proc.stdout


def test_formats_json_lists_every_adapter_with_availability():
    rows = json.loads(fmtbench("formats", "--json").stdout)
    assert [r["name"] for r in rows] == formats.names()
    for r in rows:
        # unavailable: what to install, or why nothing installable helps here
        assert r["available"] or "pip install" in r["reason"] or NOT_HERE in r["reason"]
        assert r["orientation"] in ("row", "column") and r["codecs"]


#: The words of an adapter that no install can make available on this machine.
NOT_HERE = "cannot be downloaded here"

#: The adapters the project promises (issue "Format adapters"): the book's six formats
#: (JSON, CSV, Parquet, Avro, Protobuf, Pickle) plus ORC, Feather, JSONL, MessagePack,
#: Lance and Vortex, with two engines for CSV and Parquet.
PROMISED = {
    "csv-pyarrow", "csv-pandas", "json-orjson", "jsonl-orjson", "avro-fastavro", "msgpack",
    "protobuf", "pickle", "parquet-pyarrow", "parquet-fastparquet", "feather", "orc-pyarrow",
    "lance", "vortex",
}  # fmt: skip


def test_every_promised_adapter_is_available_after_install():
    unavailable = {a.name: a.available().reason for a in formats.adapters() if not a.available().ok}
    assert set(formats.names()) >= PROMISED
    # DuckDB's delta/iceberg readers are extensions it downloads at run time: never here
    assert set(unavailable) <= {"delta-duckdb", "iceberg-duckdb"}
    assert all(NOT_HERE in why for why in unavailable.values())


def test_unknown_format_suggests_the_nearest_name():
    line = assert_one_line_error(fmtbench("fidelity", "--formats", "parqet"), 2)
    assert line == "error: unknown format 'parqet' (did you mean 'parquet-pyarrow'?)"


def test_fidelity_json_reports_every_column_for_the_chosen_formats():
    proc = fmtbench("fidelity", "--formats", "parquet-pyarrow,csv-pyarrow", "--json")
    verdicts = json.loads(proc.stdout)
    assert {v["adapter"] for v in verdicts} == {"parquet-pyarrow", "csv-pyarrow"}
    known = {"lossless", "retyped", "changed", "unsupported", "error"}
    assert {v["status"] for v in verdicts} <= known
    assert len(verdicts) == 2 * len({v["column"] for v in verdicts})


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--rows", "0"], "--rows must be positive"),
        (["run", "--rows", "-5"], "--rows must be positive"),
        (["run", "--rows", "abc"], "not a list of whole numbers"),
        (["run", "--rounds", "0"], "--rounds must be at least 1"),
        (["run", "--ops", "reed"], "unknown operation 'reed'"),
        (["run", "--formats", "csv-pyarow"], "did you mean 'csv-pyarrow'"),
        (["run", "--codecs", "zzstd"], "unknown codec 'zzstd'"),
        (["run", "--datasets", "mixd"], "unknown dataset 'mixd'"),
        (["run", "--selectivity", "1.5"], "--selectivity must be in (0, 1]"),
        (["run", "--batch-sizes", "0"], "--batch-sizes must be positive"),
        (["run", "--cache", "hot"], "invalid choice"),
        (["run", "--out", "/proc/nope/r.json"], "cannot write results"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_run_arguments_fail_fast_with_one_line(args, needle, tmp_path):
    line = assert_one_line_error(fmtbench_main(*args, cwd=tmp_path), 2)
    assert needle in line
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--rows", "abc"], "not a list of whole numbers"),  # argparse
        (["run", "--datasets", "mixd"], "unknown dataset 'mixd'"),  # the library's UsageError
    ],
)
def test_bad_arguments_in_a_real_process_are_one_line_and_exit_2(args, needle, tmp_path):
    line = assert_one_line_error(fmtbench(*args, cwd=tmp_path), 2)
    assert needle in line
    assert not (tmp_path / "results").exists()
