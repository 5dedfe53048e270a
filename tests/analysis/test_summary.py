"""The terminal summary table: fastest first, ratios to the fastest, failures excluded."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from benchmarks.analysis.summary import (
    format_seconds,
    print_answer,
    print_summary,
    summary_tables,
)


def _frame() -> pd.DataFrame:
    base = {"dataset": "mixed", "rows": 1000, "operation": "read", "codec": "none", "error": None}
    return pd.DataFrame(
        [
            {**base, "adapter": "slow", "median": 0.3, "mb_s": 10.0, "file_bytes": 3e6},
            {**base, "adapter": "fast", "median": 0.1, "mb_s": 30.0, "file_bytes": 1e6},
            {**base, "adapter": "broken", "median": None, "mb_s": None, "file_bytes": None,
             "error": "boom"},
        ]
    )  # fmt: skip


def test_summary_orders_fastest_first_and_shows_ratio():
    (table,) = summary_tables(_frame())
    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    assert text.index("fast") < text.index("slow")
    assert "3.0x" in text and "1.0x" in text and "broken" not in text


def test_summary_lists_failures_with_reason():
    console = Console(width=200, record=True)
    print_summary(_frame(), [{"id": "x/broken", "error": "boom"}], [], console)
    text = console.export_text()
    assert "1 failed" in text and "boom" in text


def test_format_seconds_picks_readable_units():
    assert format_seconds(0.0005) == "500 µs"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(0.0009996) == "1 ms"
    assert format_seconds(0.9996) == "1 s"


def test_in_a_terminal_the_answer_wraps_between_words_under_its_text():
    """A terminal would cut "lookup_p5|0" mid-word; piped, each answer stays one line."""
    from tests.analysis.test_recommend import world_frame

    shown = Console(width=60, record=True, force_terminal=True)
    print_answer(world_frame(), shown)
    piped = Console(width=60, record=True, force_terminal=False)
    print_answer(world_frame(), piped)
    wrapped, whole = shown.export_text().splitlines(), piped.export_text().splitlines()
    assert all(len(line) <= 60 for line in wrapped)
    assert any(line.startswith("    ") for line in wrapped)  # continuation, under the text
    assert any(len(line) > 60 for line in whole) and not any(ln[:4] == "    " for ln in whole)
    assert " ".join(wrapped).split() == " ".join(whole).split()  # the same words, none cut


def test_format_names_stay_whole_in_80_columns():
    frame = _frame().assign(adapter=["parquet-fastparquet", "iceberg-polars", "broken"])
    (table,) = summary_tables(frame.assign(operation="take", mb_s=[0.031, 0.0042, None]))
    console = Console(width=80, record=True)
    console.print(table)
    text = console.export_text()
    assert "parquet-fastparquet" in text and "iceberg-polars" in text and "…" not in text
    assert "0.031" in text and "0.0042" in text  # a lookup's MB/s, not "0"
