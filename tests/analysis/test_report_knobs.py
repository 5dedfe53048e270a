"""The report names the knobs each case used; parquet-pyarrow writes pyarrow's defaults."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import formats
from benchmarks.analysis.report_knobs import knob_blocks, knob_text


def test_a_knob_away_from_the_default_is_marked():
    defaults = {"row_group_size": 122880, "write_page_index": False}
    text = knob_text({"row_group_size": 122880, "write_page_index": True}, defaults)
    assert text == "row_group_size=122880, write_page_index=True (not default)"


def test_the_report_lists_each_format_and_its_knobs_once():
    frame = pd.DataFrame(
        {
            "adapter": ["parquet-pyarrow", "parquet-pyarrow", "feather"],
            "options": [{"write_page_index": False}, {"write_page_index": False}, {}],
        }
    )
    (_, _, block) = knob_blocks(frame)
    assert block.rows == [["parquet-pyarrow", "write_page_index=False"], ["feather", "-"]]


def test_parquet_pyarrow_writes_no_page_index_unless_asked(tmp_path):
    table = pa.table({"x": list(range(100))})
    plain, indexed = tmp_path / "a.parquet", tmp_path / "b.parquet"
    formats.get("parquet-pyarrow").write(table, plain)
    formats.get("parquet-pyarrow", {"write_page_index": True}).write(table, indexed)
    assert not pq.ParquetFile(plain).metadata.row_group(0).column(0).has_offset_index
    assert pq.ParquetFile(indexed).metadata.row_group(0).column(0).has_offset_index
