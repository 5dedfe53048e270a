"""read_stream's reduction equals the table's, and staging keeps every row."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from benchmarks.datasets import load_dataset
from benchmarks.datasets.stream import open_stream
from benchmarks.suite import data
from benchmarks.suite.stream_ops import reduce_batches, sum_column


def test_reduction_equals_the_tables_count_and_sum() -> None:
    table = load_dataset("mixed", 3_000).table
    column = sum_column(table.schema)
    got = reduce_batches(table.to_batches(max_chunksize=256), column)
    assert column == "id"
    assert got == {"rows": 3_000, "sum": pc.sum(table.column("id")).as_py()}
    amount = reduce_batches(table.to_batches(max_chunksize=256), "amount")  # with nulls
    assert amount["sum"] == pytest.approx(pc.sum(table.column("amount")).as_py(), rel=1e-12)


def test_sum_column_skips_non_numbers() -> None:
    schema = pa.schema([("s", pa.string()), ("d", pa.decimal128(12, 2)), ("i", pa.int8())])
    assert sum_column(schema) == "d"
    assert sum_column(pa.schema([("s", pa.string())])) is None


def test_staged_stream_has_exact_sizes_and_the_same_rows(tmp_path) -> None:
    table = load_dataset("logs", 2_000).table
    staged = data.stage(open_stream("logs", 2_000), tmp_path / "s.arrow")
    assert staged.num_rows == 2_000 and staged.nbytes == table.nbytes
    assert staged.column_bytes["message"] == table.column("message").nbytes
    back = pa.Table.from_batches(list(staged.batches()), staged.schema)
    assert back.equals(table)


def test_staged_decimals_are_aligned_for_lance(tmp_path) -> None:
    # IPC aligns buffers to 8 bytes; arrow-rs (Lance) refuses decimal128 not on 16
    import decimal

    import formats

    lance = formats.get("lance")
    if not lance.available().ok:
        pytest.skip(lance.available().reason)
    values = [decimal.Decimal(f"{i}.25") for i in range(1_000)]
    # 100 int8s pad to 104 bytes, so the decimals start 8 bytes off a 16-byte boundary
    small = pa.array([1] * 1_000, pa.int8())
    table = pa.table({"small": small, "d": pa.array(values, pa.decimal128(15, 2))})
    src = open_stream("mixed", 10)
    src.schema, src.make = table.schema, lambda: iter(table.to_batches(max_chunksize=100))
    staged = data.stage(src, tmp_path / "s.arrow")
    lance.write_batches(staged.schema, staged.batches(), tmp_path / "s.lance")
    assert lance.read(tmp_path / "s.lance").equals(table)
