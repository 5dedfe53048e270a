"""Text engines compared like for like (issue 23, item 6): every text engine gets the same
thing (the file alone by default, the declared schema as an option), and a fidelity cell is
judged on what an independent reader finds in the file too."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

import formats
from benchmarks.analysis.views import fidelity_caption, fidelity_markdown_block
from formats.fidelity import IndependentCheck, check_column, fidelity_matrix, fidelity_table
from formats.independent import independent_reader
from tests.inprocess import one_line_error, run_cli

TEXT = [a.name for a in formats.adapters() if a.encoding == "text" and a.available().ok]

SOURCE = pa.table(
    {
        "small": pa.array([1, None, -3], pa.int8()),
        "day": pa.array([0, 1, None], pa.date32()),
        "at": pa.array([dt.datetime(2020, 1, 1, 1, 2, 3, 4), None, None], pa.timestamp("us")),
    }
)


def test_there_are_text_engines_of_every_family():
    assert {"csv-pyarrow", "csv-polars", "csv-duckdb", "jsonl-orjson", "json-duckdb"} <= set(TEXT)


@pytest.mark.parametrize("name", TEXT)
def test_every_text_engine_has_the_schema_knob_with_the_file_alone_by_default(name):
    spec = formats.registry[name].option_specs["schema"]
    assert spec.default == "file" and set(spec.choices) == {"file", "declared"}
    assert formats.get(name).options["schema"] == "file"


@pytest.mark.parametrize("name", TEXT)
def test_the_file_alone_ignores_the_source_and_declared_uses_it(name, tmp_path):
    writer = formats.get(name)
    path = tmp_path / writer.file_name("t")
    writer.write(SOURCE, path)
    alone, told = formats.get(name), formats.get(name, {"schema": "declared"})
    alone.know_source(SOURCE)  # what the suite does for every case; ignored by default
    told.know_source(SOURCE)
    assert alone.read(path).schema.field("small").type != pa.int8()  # inferred, for everyone
    back = told.read(path)
    assert back.schema.field("small").type == pa.int8()
    assert back.column("small").to_pylist() == [1, None, -3]
    assert back.schema.field("day").type == pa.date32()
    assert back.column("day").to_pylist() == SOURCE.column("day").to_pylist()


def test_declared_duckdb_file_reads_back_but_an_independent_reader_finds_infinity(tmp_path):
    table = fidelity_table()
    for mode in ("file", "declared"):
        adapter = formats.get("csv-duckdb", {"schema": mode})
        check = IndependentCheck(independent_reader(adapter), tmp_path)
        verdict = check_column(adapter, table, "timestamp_ns_extremes", tmp_path, check)
        assert verdict.status == "changed" and "infinity" in verdict.detail, verdict
        assert verdict.schema == mode
    # its own reader alone, told the types, turns 'infinity' back: the check is what catches it
    adapter = formats.get("csv-duckdb", {"schema": "declared"})
    alone = check_column(adapter, table, "timestamp_ns_extremes", tmp_path)
    assert alone.status == "lossless"


def test_a_readers_own_limit_is_not_blamed_on_another_engines_file(tmp_path):
    # pyarrow cannot parse the last nanoseconds of the range in any CSV; polars writes them
    # with a 'T', its own file with a space: both fail, neither is the file's fault
    table = fidelity_table()
    adapter = formats.get("csv-polars", {"schema": "declared"})
    check = IndependentCheck(independent_reader(adapter), tmp_path)
    verdict = check_column(adapter, table, "timestamp_ns_extremes", tmp_path, check)
    assert not verdict.detail.startswith("csv-pyarrow"), verdict
    assert verdict.checked_by == "csv-pyarrow"


def test_a_json_file_with_nan_tokens_is_not_json_to_another_reader(tmp_path):
    table = fidelity_table()
    adapter = formats.get("json-duckdb")
    check = IndependentCheck(independent_reader(adapter), tmp_path)
    verdict = check_column(adapter, table, "float64", tmp_path, check)
    assert verdict.status == "changed" and verdict.detail.startswith("json-orjson reads")


def test_independent_readers_per_family_and_the_schema_mode_carried_over():
    reader = independent_reader(formats.get("csv-duckdb", {"schema": "declared"}))
    assert reader is not None and reader.name == "csv-pyarrow"
    assert reader.options["schema"] == "declared"
    assert independent_reader(formats.get("parquet-polars")).name == "parquet-pyarrow"
    assert independent_reader(formats.get("avro-polars")).name == "avro-fastavro"
    assert independent_reader(formats.get("csv-pyarrow")) is None  # the reference itself
    assert independent_reader(formats.get("lance")) is None  # one engine: nobody else to ask


def test_the_matrix_says_what_the_readers_were_given():
    verdicts = fidelity_matrix([formats.get("csv-duckdb", {"schema": "declared"})])
    assert {v.schema for v in verdicts} == {"declared"}
    caption = fidelity_caption(verdicts)
    assert "schema=declared" in caption and "csv-duckdb by csv-pyarrow" in caption
    block = fidelity_markdown_block(verdicts)
    assert "| type | csv-duckdb |" in block and "schema=declared" in block


def test_cli_schema_flag_and_its_refusal(capsys):
    code, out, _ = run_cli(
        capsys, "fidelity", "--formats", "csv-duckdb", "--schema", "declared", "--json"
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["schema"] for r in rows} == {"declared"}
    kept = [r for r in rows if r["status"] in ("lossless", "retyped")]  # changed: no need
    assert kept and {r["checked_by"] for r in kept} == {"csv-pyarrow"}
    line = one_line_error(run_cli(capsys, "fidelity", "--schema", "types"))
    assert "--schema" in line and "'types'" in line and "declared" in line
