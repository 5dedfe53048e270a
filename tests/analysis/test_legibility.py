"""Readable numbers and charts: plain MB/s, µs, log axes for wide spans, 24 distinct series."""

from __future__ import annotations

import matplotlib.pyplot as plt

from benchmarks.analysis.charts.barpanel import Bars, draw_bars
from benchmarks.analysis.charts.style import format_palette
from benchmarks.analysis.report import format_rate
from benchmarks.analysis.summary import format_seconds


def test_rates_and_times_are_plain():
    assert format_rate(1812.4) == "1,812" and format_rate(12.34) == "12.3"
    assert "e+" not in format_rate(123456789.0)
    assert format_seconds(0.000512) == "512 µs"


def _bars(values: dict[str, float]) -> Bars:
    labels = list(values)
    return Bars(labels, values, {k: f"{v:g}" for k, v in values.items()},
                {k: "column" for k in labels}, {k: "binary" for k in labels})  # fmt: skip


def test_a_wide_span_gets_a_log_axis_that_says_so():
    fig, (wide, narrow) = plt.subplots(1, 2)
    draw_bars(wide, _bars({f"f{i}": 0.022 + i * 0.06 for i in range(9)} | {"slow": 10.0}))
    draw_bars(narrow, _bars({"a": 1.0, "b": 2.0, "c": 20.0}))
    assert wide.get_xscale() == "log"
    assert any(t.get_text() == "log scale" for t in wide.texts)
    assert narrow.get_xscale() == "linear"
    plt.close(fig)


def test_24_formats_of_one_family_get_distinct_colour_and_marker():
    palette = format_palette((f"fmt{i}", "column") for i in range(24))
    assert len(set(palette.values())) == 24
    assert len({colour for colour, _ in palette.values()}) == 8
