"""Multi-file datasets through each engine's dataset API: N files, hive partitions, pruning.

Tiny tables; every check compares with the source rows. Files of one dataset are read
in write order (part-0, part-1, ... part-10), so an N-file read keeps the source's row
order and is compared strictly; hive partitions regroup rows by value, so those reads
are compared order-insensitively (both sides sorted).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import formats
from formats.base import Filter
from formats.multifile import HIVE_NULL, data_files, dataset_io, refusal

WRITERS = ["parquet-pyarrow", "feather", "csv-pyarrow", "jsonl-orjson", "lance", "parquet-polars"]
HIVE = ["parquet-pyarrow", "feather", "csv-pyarrow", "jsonl-orjson", "parquet-polars"]


def source(rows: int = 300) -> pa.Table:
    """Ints, floats, strings and a low-cardinality partition column with a null."""
    region = ["north", "south", "east a/b"] * (rows // 3)  # '/' and ' ' must be escaped
    region[7] = None
    return pa.table(
        {
            "id": pa.array(np.arange(rows), pa.int64()),
            "region": pa.array(region, pa.string()),
            "amount": pa.array(np.linspace(0, 1, rows)),
        }
    )


def engine(name: str, table: pa.Table):
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    adapter.know_source(table)  # the reader knows the source's types, as in a run
    return adapter, dataset_io(adapter)


def plain(table: pa.Table) -> pa.Table:
    """polars hands strings over as string_view (as its one-file reads do): compare values."""
    fields = [
        pa.field(f.name, pa.string()) if f.type == pa.string_view() else f for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def by_rows(table: pa.Table) -> pa.Table:
    return plain(table).sort_by([("id", "ascending")])


@pytest.mark.parametrize("name", WRITERS)
def test_three_files_round_trip_in_order(name, tmp_path) -> None:
    table = source()
    adapter, io = engine(name, table)
    path = tmp_path / "ds"
    io.write(table, path, adapter.available_codecs()[0], 3, None)
    assert io.count_files(path) == 3
    assert plain(io.read(path, None)).equals(table)  # files read in write order: order kept
    assert io.last_io["files_total"] == 3
    assert io.read_columns(path, ["amount"], None).equals(table.select(["amount"]))
    rows = np.array([0, 99, 100, 250, 5])  # across file boundaries, out of order
    assert plain(io.take(path, rows)).equals(table.take(rows))


def test_part_10_is_read_after_part_9(tmp_path) -> None:
    table = source(120)
    adapter, io = engine("parquet-pyarrow", table)
    io.write(table, tmp_path / "ds", "snappy", 12, None)
    names = [p.rsplit("/", 1)[1] for p in data_files(tmp_path / "ds")]
    assert names[9:11] == ["part-9.parquet", "part-10.parquet"]
    assert io.read(tmp_path / "ds", None).equals(table)


@pytest.mark.parametrize("name", HIVE)
def test_hive_partitions_round_trip_and_prune(name, tmp_path) -> None:
    table = source()
    adapter, io = engine(name, table)
    path = tmp_path / "ds"
    io.write(table, path, adapter.available_codecs()[0], None, "region")
    folders = sorted(p.name for p in path.iterdir())
    assert folders == sorted(
        ["region=north", "region=south", "region=east%20a%2Fb", f"region={HIVE_NULL}"]
    )
    back = io.read(path, "region")
    assert plain(back).schema == table.schema  # the partition column comes back typed, in place
    assert by_rows(back).equals(table)  # hive regroups rows: compared order-insensitively
    kept = io.scan(path, Filter("region", "==", "south"), "region")
    if name == "parquet-polars":  # polars does not say which files it opened
        assert io.last_io == {"files_total": 4}
    else:
        assert io.last_io == {"files_total": 4, "files_read": 1, "files_skipped": 3}
    assert by_rows(kept).equals(table.filter(pa.compute.equal(table["region"], "south")))
    io.scan(path, Filter("amount", "<", 0.5), "region")  # not the partition column
    assert io.last_io.get("files_read", 4) == io.last_io["files_total"] == 4


def test_files_and_partitions_combine(tmp_path) -> None:
    table = source()
    adapter, io = engine("parquet-pyarrow", table)
    io.write(table, tmp_path / "ds", "snappy", 4, "region")
    assert io.count_files(tmp_path / "ds") > 4  # N files' rows, cut again per partition
    assert by_rows(io.read(tmp_path / "ds", "region")).equals(table)


@pytest.mark.parametrize(
    ("name", "codec", "partition_by", "reason"),
    [
        ("avro-fastavro", "null", None, "avro-fastavro cannot write a multi-file dataset"),
        ("pickle", "none", None, "pickle cannot write a multi-file dataset"),
        ("lance", "default", "region", "Lance has no hive-style partitioning"),
        ("csv-pyarrow", "gzip", None, "pyarrow.dataset writes CSV uncompressed"),
        ("parquet-pyarrow", "zstd", "region", None),
    ],
)
def test_what_cannot_is_refused_with_the_reason(name, codec, partition_by, reason) -> None:
    why = refusal(formats.get(name), codec, partition_by)
    assert why == reason if reason is None else why.startswith(reason), why


def test_sixteen_json_lines_files_of_several_blocks_are_read(tmp_path) -> None:
    """With Arrow's threaded JSON reader inside the dataset scan this read never returned
    (pyarrow 26, 2 cores): each file spans several 1 MiB blocks. Run with a deadline."""
    import threading

    rows = 16 * 25_000
    table = pa.table({"id": np.arange(rows), "text": pa.array(["x" * 60] * rows)})
    adapter, io = engine("jsonl-orjson", table)
    io.write(table, tmp_path / "ds", "none", 16, None)
    assert (tmp_path / "ds" / "part-0.jsonl").stat().st_size > 1 << 20  # several blocks
    result: list[pa.Table] = []
    reader = threading.Thread(target=lambda: result.append(io.read(tmp_path / "ds", None)))
    reader.daemon = True  # a hang must fail this test, not stop the session
    reader.start()
    reader.join(timeout=120)
    assert result, "reading 16 JSON Lines files did not finish in 120 s"
    assert result[0].equals(table)
