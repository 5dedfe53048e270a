"""The per-format view: best engine and spread, and the engine and knob charts."""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.charts.knobs import swept_knobs
from benchmarks.analysis.engines import at_best_engine, engine_spread, multi_engine
from benchmarks.analysis.summary import engine_tables


def _frame() -> pd.DataFrame:
    rows = [
        ("avro-fastavro", "Avro", "fastavro", "read", 8.0, None),
        ("avro-polars", "Avro", "polars", "read", 0.4, None),
        ("parquet-pyarrow", "Parquet", "pyarrow", "read", 0.2, None),
        ("parquet-polars", "Parquet", "polars", "read", 0.1, None),
        ("parquet-duckdb", "Parquet", "duckdb", "read", 0.15, None),
        ("parquet-duckdb", "Parquet", "duckdb", "read", None, "boom"),  # a failed case
        ("feather", "Feather", "pyarrow", "read", 0.05, None),
    ]
    frame = pd.DataFrame(
        rows, columns=["adapter", "format", "engine", "operation", "median", "error"]
    )
    return frame.assign(dataset="d", rows=10)


def test_best_engine_and_spread_per_format():
    spread = engine_spread(_frame()).set_index("format")
    assert spread.loc["Avro", "best_adapter"] == "avro-polars"
    assert spread.loc["Avro", "spread"] == 20.0
    assert spread.loc["Parquet", "engines"] == 3  # the failed duckdb case does not count twice
    assert spread.loc["Parquet", "worst_adapter"] == "parquet-pyarrow"
    assert sorted(multi_engine(engine_spread(_frame()))["format"]) == ["Avro", "Parquet"]


def test_formats_are_ranked_at_their_best_engine():
    best = at_best_engine(_frame()).set_index("format")["adapter"]
    assert best.to_dict() == {
        "Feather": "feather",
        "Parquet": "parquet-polars",
        "Avro": "avro-polars",
    }


def test_summary_shows_the_view_only_where_several_engines_ran():
    assert len(engine_tables(_frame())) == 1
    single = _frame()[_frame()["format"] == "Feather"]
    assert engine_tables(single) == []


def test_a_knob_is_swept_only_with_two_values_for_one_adapter():
    frame = pd.DataFrame(
        {
            "adapter": ["a", "a", "b"],
            "options": [{"rg": 10, "lvl": 1}, {"rg": 20, "lvl": 1}, {"rg": 5}],
        }
    )
    assert swept_knobs(frame) == ["rg"]
